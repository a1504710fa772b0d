// SPDX-License-Identifier: MIT
#include "routercore.h"

#include "exchange.h"
#include "logging.h"
#include "wire.h"

#include <afterwork/detail/handoff.h>

#include <afterwork/taskerror.h>

#include <QtCore/QMetaMethod>
#include <QtCore/QThread>

#include <algorithm>

namespace afterwork::http::detail {

std::atomic<quint64> RouterCore::s_nextRequestId{1};

RouterCore::RouterCore(TaskRouter *owner, TaskEngine *engine, RouterOptions options)
    : owner(owner)
    , engine(engine)
    , options(options)
{
}

void RouterCore::attach(QHttpServer *server)
{
    const std::weak_ptr<RouterCore> weak = weak_from_this();
    AdapterCallbacks callbacks;
    callbacks.claims = [weak](const QString &path, const QByteArray &method) {
        const auto core = weak.lock();
        return core && core->routes.claims(path, method);
    };
    callbacks.dispatch = [weak](IncomingRequest &&incoming, std::shared_ptr<ResponseChannel> channel) {
        if (const auto core = weak.lock())
            core->dispatch(std::move(incoming), std::move(channel));
        else
            channel->write(Response::error(503, QStringLiteral("Service Unavailable")), true);
    };
    GuardLimits limits;
    limits.maxBodyBytes = options.maxBodyBytes;
    limits.maxHeaderBytes = options.maxHeaderBytes;
    adapter = std::make_unique<ServerAdapter>(server, std::move(callbacks), limits);
}

void RouterCore::detach()
{
    adapter.reset();
}

void RouterCore::dispatch(IncomingRequest &&incoming, std::shared_ptr<ResponseChannel> channel)
{
    const quint64 requestId = s_nextRequestId.fetch_add(1, std::memory_order_relaxed);
    // Every Connection header counts (a list may be split over several): any "close" closes.
    const bool clientCloses = std::any_of(incoming.headers.cbegin(), incoming.headers.cend(), [](const auto &header) {
        return isHeaderNamed(header.first, "connection") && header.second.toLower().contains("close");
    });
    auto exchange = std::make_shared<Exchange>(shared_from_this(), requestId, incoming.method, incoming.url,
                                               std::move(channel), clientCloses || !accepting);
    exchange->received();

    if (!accepting) {
        exchange->reject(Response::error(503, QStringLiteral("Server is shutting down")));
        return;
    }
    // Reached for chunked bodies, or when the server listens without our guard.
    if (incoming.body.size() > options.maxBodyBytes) {
        exchange->reject(Response::error(413, QStringLiteral("Request body too large (limit %1 bytes)")
                                                  .arg(options.maxBodyBytes)));
        return;
    }
    // A copy (of shared values): a handler that spins an event loop may see the table look up another path.
    const RouteTable::Match match = routes.find(incoming.encodedPath, incoming.method);
    if (!match.handler) {
        if (match.pathKnown)
            exchange->reject(Response::error(405, QStringLiteral("Method Not Allowed")).addHeader("Allow", match.allowed));
        else
            exchange->reject(Response::error(404, QStringLiteral("Not Found")));
        return;
    }
    if (!engine) {
        exchange->reject(Response::error(503, QStringLiteral("Service Unavailable")));
        return;
    }
    runRoute(exchange, match, std::move(incoming));
}

void RouterCore::batchWakeUps()
{
    if (engine)
        engine->batchPoolWakeUps();
}

void RouterCore::runRoute(const std::shared_ptr<Exchange> &exchange, const RouteTable::Match &match,
                          IncomingRequest &&incoming)
{
    const quint64 requestId = exchange->requestId();
    const auto state = std::make_shared<ResponderState>(exchange, owner.data(), requestId);
    // A route that throws after it answered keeps its answer (and its batches): the client
    // already has, or will have, the response.
    const auto routeFailed = [&](const Response &response, const QString &type, const QString &message) {
        if (state->claim())
            exchange->fail(response, type, message);
        else
            qCWarning(lcHttp).noquote() << "route" << match.pattern << "threw after answering:" << type << message;
    };
    try {
        batchWakeUps();
        const TaskScope scope = engine->openScope(requestId);
        exchange->setScope(scope);
        Request request(requestId, incoming.method, incoming.url, std::move(incoming.headers),
                        std::move(incoming.body), incoming.peer);
        request.setPathParams(match.pathParams);
        Tasks tasks(scope);
        (*match.handler)(request, tasks, Responder(state));
    } catch (const HttpError &error) {
        routeFailed(error.toResponse(), QStringLiteral("HttpError"),
                    QStringLiteral("%1 %2").arg(error.status()).arg(compactJson(error.detail())));
    } catch (...) {
        const TaskError error = TaskError::fromException(std::current_exception());
        qCWarning(lcHttp).noquote() << "route" << incoming.method << match.pattern << "threw" << error.type << ":"
                                    << error.message;
        routeFailed(Response::error(500, QStringLiteral("Internal Server Error")), error.type, error.message);
    }
}

bool RouterCore::wantsEvents() const
{
    static const QMetaMethod requestEvent = QMetaMethod::fromSignal(&TaskRouter::requestEvent);
    return owner && owner->isSignalConnected(requestEvent);
}

void RouterCore::emitEvent(const RequestEvent &event)
{
    if (owner)
        Q_EMIT owner->requestEvent(event);
}

void RouterCore::requestFinished()
{
    --inFlight;
    if (inFlight == 0 && owner)
        Q_EMIT owner->idle();
}

ResponderState::ResponderState(std::shared_ptr<Exchange> exchange, QPointer<QObject> context, quint64 requestId)
    : exchange(std::move(exchange))
    , context(std::move(context))
    , requestId(requestId)
{
}

ResponderState::~ResponderState()
{
    try {
        finalDelivery();
    } catch (...) {
        qCCritical(lcHttp) << "request" << requestId << ": answering on behalf of a dropped Responder threw";
    }
}

void ResponderState::finalDelivery()
{
    if (claim()) {
        qCWarning(lcHttp) << "request" << requestId << ": every Responder was dropped without an answer";
        deliver([](Exchange &e) {
            e.fail(Response::error(500, QStringLiteral("Internal Server Error")), QStringLiteral("NoResponse"),
                   QStringLiteral("the route dropped its Responder without answering"));
        });
    } else {
        // Release the exchange on the router's thread: it holds the connection's objects.
        deliver([](Exchange &) {});
    }
}

Exchange *ResponderState::exchangeHere() const
{
    const QObject *target = context.data();
    return exchange && target && QThread::currentThread() == target->thread() ? exchange.get() : nullptr;
}

void ResponderState::post(std::function<void(Exchange &)> action)
{
    QObject *target = context.data();
    if (!exchange || !target)
        return; // the router is gone; nothing may touch the connection now
    QMetaObject::invokeMethod(
        target,
        afterwork::detail::handedOff([exchange = exchange, action = std::move(action)] {
            try {
                action(*exchange);
            } catch (...) {
                qCCritical(lcHttp) << "answering request" << exchange->requestId() << "threw; it stays unanswered";
            }
        }),
        Qt::QueuedConnection);
}

} // namespace afterwork::http::detail
