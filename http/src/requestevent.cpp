// SPDX-License-Identifier: MIT
#include <afterwork/http/requestevent.h>

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
    // One RawWriter for the whole line, in room for the longest each field can be once escaped:
    // three of these are written per request while someone watches the stream.
    using namespace protocol::detail;
    const bool hasError = !errorType.isEmpty() || !errorMessage.isEmpty();
    const QLatin1StringView stageName = wireName(stage);
    const qsizetype errorBytes = hasError ? maxStringBytes(errorType.size()) + maxStringBytes(errorMessage.size()) : 0;
    QByteArray out;
    {
        RawWriter w(out, 96 + 2 * maxIntegerBytes + maxStringBytes(method.size()) + maxStringBytes(path.size())
                             + stageName.size() + errorBytes);
        w.literal("\"request\":");
        w.unsignedInteger(requestId);
        w.literal(",\"method\":");
        w.string(method);
        w.literal(",\"path\":");
        w.string(path);
        w.literal(",\"stage\":\"");
        w.ascii(stageName); // wire names are snake_case ASCII
        w.character('"');
        if (status != 0) {
            w.literal(",\"status\":");
            w.integer(status);
        }
        if (hasError) {
            w.literal(",\"error\":{\"type\":");
            w.string(errorType);
            w.literal(",\"message\":");
            w.string(errorMessage);
            w.character('}');
        }
    } // the writer trims `out` to what it wrote
    return out;
}

} // namespace afterwork::http
