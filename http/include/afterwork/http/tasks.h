// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/taskscope.h>

#include <utility>

namespace afterwork::http {

//! The per-request task entry points a route receives, as in fastapi-tasks (its `Tasks`):
//! \code
//! tasks.schedule(fn, args...);                                   // immediate
//! tasks.task({.name = "send_welcome_email"}).schedule(fn, args...);
//! tasks.afterRoute().task({.name = "finalize_order", .shield = true}).schedule(fn, orderId);
//! tasks.afterResponse().schedule(fn);                           // once the response is written
//! \endcode
//! Immediate tasks start at once. After-route tasks start once the route has produced its
//! response, before it is written; after-response tasks once every byte of it was handed to the
//! socket (or the client went away). If the route fails, both batches are dropped. Scheduling
//! throws EngineShutDownError once the engine no longer accepts work. Safe from any thread.
class Tasks
{
public:
    //! The entry points of \a scope; the router makes one per request.
    explicit Tasks(TaskScope scope) : m_scope(std::move(scope)) {}

    //! Schedules immediate work with the global config; see Scheduler::schedule() for what work
    //! may be (sync, or a callable returning a QFuture or a QCoro::Task).
    template<typename F, typename... Args>
    Task schedule(F &&fn, Args &&...args) const
    {
        return m_scope.schedule(std::forward<F>(fn), std::forward<Args>(args)...);
    }
    //! Immediate tasks with \a config merged over the global config (none: as it is).
    [[nodiscard]] Scheduler task(const TaskConfig &config = {}) const { return m_scope.task(config); }
    //! The request's after-route and after-response batches; chain task() to configure them.
    //! @{
    [[nodiscard]] Scheduler afterRoute() const { return m_scope.afterRoute(); }
    [[nodiscard]] Scheduler afterResponse() const { return m_scope.afterResponse(); }
    //! @}

    quint64 requestId() const { return m_scope.requestId(); } //!< Request::id(), which the tasks carry
    const TaskScope &scope() const { return m_scope; } //!< the request's scope (the router flushes it)

private:
    TaskScope m_scope;
};

} // namespace afterwork::http
