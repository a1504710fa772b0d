// SPDX-License-Identifier: MIT
#include <afterwork/http/responder.h>

#include "exchange.h"
#include "logging.h"
#include "routercore.h"
#include "wire.h"

namespace afterwork::http {

bool Responder::send(const Response &response) const
{
    if (!d->claim()) {
        qCWarning(lcHttp) << "request" << d->requestId << "was already answered; send() ignored";
        return false;
    }
    d->deliver([response](detail::Exchange &exchange) { exchange.answer(response); });
    return true;
}

bool Responder::fail(const HttpError &error) const
{
    if (!d->claim()) {
        qCWarning(lcHttp) << "request" << d->requestId << "was already answered; fail() ignored";
        return false;
    }
    const Response response = error.toResponse();
    const QString message = QStringLiteral("%1 %2").arg(error.status()).arg(detail::compactJson(error.detail()));
    d->deliver([response, message](detail::Exchange &exchange) {
        exchange.fail(response, QStringLiteral("HttpError"), message);
    });
    return true;
}

bool Responder::fail(const QString &reason) const
{
    if (!d->claim()) {
        qCWarning(lcHttp) << "request" << d->requestId << "was already answered; fail() ignored";
        return false;
    }
    d->deliver([reason](detail::Exchange &exchange) {
        exchange.fail(Response::error(500, QStringLiteral("Internal Server Error")), QStringLiteral("RouteError"), reason);
    });
    return true;
}

bool Responder::isAnswered() const
{
    return d->answered.load();
}

quint64 Responder::requestId() const
{
    return d->requestId;
}

} // namespace afterwork::http
