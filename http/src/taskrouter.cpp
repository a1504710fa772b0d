// SPDX-License-Identifier: MIT
#include <afterwork/http/taskrouter.h>

#include "routercore.h"

#include <QtCore/QPointer>
#include <QtCore/QThread>

#include <afterwork/eventpublisher.h>

namespace afterwork::http {

QByteArray methodName(Method method)
{
    switch (method) {
    case Method::Get: return QByteArrayLiteral("GET");
    case Method::Post: return QByteArrayLiteral("POST");
    case Method::Put: return QByteArrayLiteral("PUT");
    case Method::Patch: return QByteArrayLiteral("PATCH");
    case Method::Delete: return QByteArrayLiteral("DELETE");
    case Method::Head: return QByteArrayLiteral("HEAD");
    case Method::Options: return QByteArrayLiteral("OPTIONS");
    }
    return QByteArrayLiteral("UNKNOWN");
}

TaskRouter::TaskRouter(QHttpServer *server, TaskEngine *engine, RouterOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_shared<detail::RouterCore>(this, engine, options))
{
    qRegisterMetaType<afterwork::http::RequestEvent>();
    d->attach(server);
}

TaskRouter::~TaskRouter()
{
    // Requests still in flight keep the core alive and finish without us (they emit nothing).
    d->detach();
    d->owner = nullptr;
}

void TaskRouter::addRoute(const QString &pattern, Method method, detail::RouteHandler handler)
{
    d->routes.add(pattern, method, std::move(handler));
}

quint16 TaskRouter::listen(const QHostAddress &address, quint16 port)
{
    return d->adapter ? d->adapter->listen(address, port) : 0;
}

QList<quint16> TaskRouter::ports() const
{
    return d->adapter ? d->adapter->ports() : QList<quint16>{};
}

void TaskRouter::stopAccepting()
{
    d->accepting = false;
    if (d->adapter)
        d->adapter->closeListeners();
}

bool TaskRouter::isAccepting() const
{
    return d->accepting;
}

int TaskRouter::inFlight() const
{
    return d->inFlight;
}

namespace {

//! Relays a router's request events to a publisher while the publisher has a subscriber. With none,
//! it is not connected, so the router builds no events for it: three per request, for nobody
//! (docs/performance.md, "4e").
class RequestEventRelay final : public QObject
{
public:
    RequestEventRelay(TaskRouter *router, EventPublisher *publisher)
        : QObject(publisher)
        , m_router(router)
        , m_publisher(publisher)
    {
        connect(publisher, &EventPublisher::subscriberCountChanged, this, &RequestEventRelay::follow);
        follow(publisher->subscriberCount());
    }

private:
    void follow(int subscribers)
    {
        if (subscribers > 0 && !m_relay && m_router) {
            m_relay = connect(m_router, &TaskRouter::requestEvent, this, [this](const RequestEvent &event) {
                m_publisher->publishEncoded(QLatin1StringView("request"), event.encodedFields());
            });
        } else if (subscribers == 0 && m_relay) {
            disconnect(m_relay);
            m_relay = {};
        }
    }

    QPointer<TaskRouter> m_router;
    EventPublisher *m_publisher; // The parent.
    QMetaObject::Connection m_relay;
};

} // namespace

QObject *publishRequestEvents(TaskRouter *router, EventPublisher *publisher)
{
    // The relay is the publisher's child and reads its subscriber count: both need its thread.
    Q_ASSERT_X(QThread::currentThread() == publisher->thread(), "publishRequestEvents",
               "call it on the publisher's thread");
    return new RequestEventRelay(router, publisher);
}

} // namespace afterwork::http
