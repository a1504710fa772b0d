// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/detail/work.h>
#include <afterwork/task.h>
#include <afterwork/taskconfig.h>

#include <memory>

namespace afterwork {

namespace detail {
class EngineCore;
struct ScopeState;
}

//! Where new tasks go and with which task-level config: what `engine.task(cfg)`,
//! `scope.afterRoute()` and `scope.afterResponse().task(cfg)` return. A small value; keep it as
//! long as you like (once the engine is gone, schedule() throws EngineShutDownError).
class Scheduler
{
public:
    //! Schedules \a fn with copies of \a args; returns its handle at once. Safe from any thread.
    //! \a fn may take a `const CancellationToken &` first. It is sync work unless it returns
    //! QFuture<T> (or QCoro::Task<T> with <afterwork/qcoro.h>). Throws EngineShutDownError when
    //! the engine no longer accepts work.
    //!
    //! Work is always a callable, called as `fn(args...)` or `fn(token, args...)`:
    //!  - sync work (any other return type, ignored) runs on the engine's thread pool;
    //!  - QFuture work is a callable returning a QFuture<T>, never a QFuture itself: the engine
    //!    calls it on the engine thread when the task starts, and again for each retry, and the
    //!    attempt ends when that future finishes. The call must not block: return the future of
    //!    work started elsewhere (`QtConcurrent::run`, a QPromise, a network reply). Cancelling
    //!    the task cancels the future;
    //!  - coroutine work is a callable returning a QCoro::Task<T>, started the same way.
    template<typename F, typename... Args>
    Task schedule(F &&fn, Args &&...args) const
    {
        return submit(detail::makeWorkFrom(std::forward<F>(fn), std::forward<Args>(args)...));
    }

    //! The same destination with \a config merged over this scheduler's config (fields set in
    //! \a config win). The engine's global config is merged under both when a task is scheduled.
    [[nodiscard]] Scheduler task(const TaskConfig &config = {}) const;

    Mode mode() const { return m_mode; } //!< when its tasks start: at once, or in which batch
    //! The task-level config given to task(), not yet merged over the global config.
    const TaskConfig &taskConfig() const { return m_config; }

private:
    friend class TaskEngine;
    friend class TaskScope;
    Scheduler(std::shared_ptr<detail::EngineCore> core, std::shared_ptr<detail::ScopeState> scope, Mode mode,
              TaskConfig config);
    Task submit(detail::Work &&work) const;

    std::shared_ptr<detail::EngineCore> m_core;
    std::shared_ptr<detail::ScopeState> m_scope;
    Mode m_mode = Mode::Immediate;
    TaskConfig m_config;                             //!< task level, as given
    std::shared_ptr<const TaskConfig> m_effective;   //!< merged over the global config, once
};

} // namespace afterwork
