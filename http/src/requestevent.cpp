// SPDX-License-Identifier: MIT
#include <afterwork/http/requestevent.h>

#include <afterwork/protocol/json.h>
#include <afterwork/protocol/rawwriter.h>

namespace afterwork::http {

QJsonObject RequestEvent::toJson() const
{
    QJsonObject object{{QStringLiteral("request"), qint64(requestId)},
                       {QStringLiteral("method"), method},
                       {QStringLiteral("path"), path},
                       {QStringLiteral("stage"), QString(wireName(stage))}};
    if (status != 0)
        object.insert(QStringLiteral("status"), status);
    if (!errorType.isEmpty() || !errorMessage.isEmpty()) {
        object.insert(QStringLiteral("error"), QJsonObject{{QStringLiteral("type"), errorType},
                                                           {QStringLiteral("message"), errorMessage}});
    }
    return object;
}

QByteArray RequestEvent::encodedFields() const
{
    // Room for the longest each field can be once escaped: FieldWriter then never grows the array.
    using protocol::detail::maxStringBytes;
    QByteArray out;
    out.reserve(160 + maxStringBytes(method.size()) + maxStringBytes(path.size())
                + maxStringBytes(wireName(stage).size()) + maxStringBytes(errorType.size())
                + maxStringBytes(errorMessage.size()));
    protocol::FieldWriter fields(out);
    fields.unsignedInteger(QLatin1StringView("request"), requestId)
        .string(QLatin1StringView("method"), method)
        .string(QLatin1StringView("path"), path)
        .string(QLatin1StringView("stage"), wireName(stage));
    if (status != 0)
        fields.integer(QLatin1StringView("status"), status);
    if (!errorType.isEmpty() || !errorMessage.isEmpty()) {
        fields.beginObject(QLatin1StringView("error"))
            .string(QLatin1StringView("type"), errorType)
            .string(QLatin1StringView("message"), errorMessage)
            .endObject();
    }
    return out;
}

} // namespace afterwork::http
