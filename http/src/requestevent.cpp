// SPDX-License-Identifier: MIT
#include <afterwork/http/requestevent.h>

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
    QJsonObject object{{QStringLiteral("kind"), QStringLiteral("request")},
                       {QStringLiteral("request"), qint64(requestId)},
                       {QStringLiteral("method"), method},
                       {QStringLiteral("path"), path},
                       {QStringLiteral("stage"), QString(wireName(stage))},
                       {QStringLiteral("ts_us"), timestampUs}};
    if (status != 0)
        object.insert(QStringLiteral("status"), status);
    if (!error.isEmpty())
        object.insert(QStringLiteral("error"), error);
    return object;
}

} // namespace afterwork::http
