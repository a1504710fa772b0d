// SPDX-License-Identifier: MIT
#pragma once

#include "qhttpserveradapter.h"
#include "routetable.h"

#include <afterwork/http/taskrouter.h>
#include <afterwork/taskengine.h>

#include <QtCore/QPointer>

#include <atomic>
#include <functional>
#include <memory>

namespace afterwork::http::detail {

class Exchange;

//! TaskRouter's state, shared with requests in flight so that they can finish after the router
//! is gone (they then emit nothing). Server thread only, except where noted.
class RouterCore final : public std::enable_shared_from_this<RouterCore>
{
public:
    RouterCore(TaskRouter *owner, TaskEngine *engine, RouterOptions options);

    //! Hooks into the server (needs shared_from_this, hence not in the constructor).
    void attach(QHttpServer *server);
    void detach();

    void dispatch(IncomingRequest &&incoming, std::shared_ptr<ResponseChannel> channel);
    //! Whether anything receives TaskRouter::requestEvent(): if not, no event is built.
    bool wantsEvents() const;
    void emitEvent(const RequestEvent &event);
    void requestFinished();
    //! Before a route runs or a response's after-response tasks are flushed: the sync tasks that
    //! the requests of one pass of the event loop schedule share the pool's wake-ups
    //! (TaskEngine::batchPoolWakeUps()).
    void batchWakeUps();

    QPointer<TaskRouter> owner;
    QPointer<TaskEngine> engine;
    RouterOptions options;
    RouteTable routes;
    std::unique_ptr<ServerAdapter> adapter;
    bool accepting = true;
    int inFlight = 0;

private:
    void runRoute(const std::shared_ptr<Exchange> &exchange, const RouteTable::Match &match, IncomingRequest &&incoming);
    static std::atomic<quint64> s_nextRequestId;
};

//! The shared state behind Responder handles. Any thread.
struct ResponderState
{
    ResponderState(std::shared_ptr<Exchange> exchange, QPointer<QObject> context, quint64 requestId);
    //! The last handle is gone: a route that never answered fails with a 500.
    ~ResponderState();

    //! Runs \a action on the exchange, on the router's thread (at once if already there).
    template<typename Action>
    void deliver(Action &&action)
    {
        // On the router's thread, the usual case (a route that answers by returning), the action
        // runs as it is: no std::function, so no copy of the response it holds.
        if (Exchange *here = exchangeHere()) {
            action(*here);
            return;
        }
        post(std::function<void(Exchange &)>(std::forward<Action>(action)));
    }
    //! Claims the right to answer; false if someone already answered.
    bool claim() { return !answered.exchange(true); }

    std::shared_ptr<Exchange> exchange;
    QPointer<QObject> context;
    quint64 requestId;
    std::atomic<bool> answered{false};

private:
    //! The exchange, when this is the router's thread and the router lives; null otherwise.
    Exchange *exchangeHere() const;
    //! Runs \a action on the router's thread later (nothing when the router is gone).
    void post(std::function<void(Exchange &)> action);
    void finalDelivery();
};

} // namespace afterwork::http::detail
