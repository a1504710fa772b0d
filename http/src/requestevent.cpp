// SPDX-License-Identifier: MIT
#include <afterwork/http/requestevent.h>

#include <afterwork/protocol.h>

namespace afterwork::http {

QLatin1StringView wireName(RequestStage stage) noexcept
{
    switch (stage) {
    case RequestStage::Received: return QLatin1StringView("received");
    case RequestStage::RouteReturned: return QLatin1StringView("route_returned");
    case RequestStage::ResponseWritten: return QLatin1StringView("response_written");
    case RequestStage::Failed: return QLatin1StringView("failed");
    case RequestStage::ClientGone: return QLatin1StringView("client_gone");
    }
    return QLatin1StringView("unknown");
}

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
    QByteArray out;
    out.reserve(96 + path.size());
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
