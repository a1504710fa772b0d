// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/scheduler.h>

namespace afterwork {

//! The per-request task group behind the three timing modes (docs/http.md), independent of HTTP.
//!
//! Immediate tasks start at once. After-route and after-response tasks wait in two batches until
//! flush(); each batch starts in insertion order. A task added to a batch that was already flushed
//! starts at once (it is never lost). drop() discards both unflushed batches, reporting each task
//! Dropped; tasks added after drop() are dropped too. The HTTP layer only decides *when* to flush.
//! A TaskScope is a cheap shared handle; all copies are the same scope. Safe from any thread.
class TaskScope
{
public:
    //! Schedules immediate work in this scope, with the global config; see Scheduler::schedule().
    template<typename F, typename... Args>
    Task schedule(F &&fn, Args &&...args) const
    {
        return immediate().schedule(std::forward<F>(fn), std::forward<Args>(args)...);
    }
    //! Immediate tasks in this scope with \a config merged over the global config (none: as it is).
    [[nodiscard]] Scheduler task(const TaskConfig &config = {}) const { return immediate().task(config); }
    //! Where this scope's tasks go: started at once (Mode::Immediate), or into the after-route or
    //! the after-response batch, which wait for flush(). Every task is tagged with requestId().
    //! @{
    [[nodiscard]] Scheduler immediate() const;
    [[nodiscard]] Scheduler afterRoute() const;
    [[nodiscard]] Scheduler afterResponse() const;
    //! @}

    //! Starts the batch of \a batch (Mode::AfterRoute or Mode::AfterResponse), in insertion order.
    //! Called on the engine thread, it takes effect at once (isFlushed() is true on return); from
    //! another thread, once the engine thread gets to it.
    void flush(Mode batch) const;
    //! Drops both unflushed batches: each task ends Dropped with \a reason as its error message.
    void drop(const QString &reason) const;
    //! Tasks waiting in \a batch now; 0 for Mode::Immediate.
    int pendingCount(Mode batch) const;
    //! Whether \a batch has been flushed (by the engine thread: see flush()); always true for
    //! Mode::Immediate.
    bool isFlushed(Mode batch) const;
    //! The id given to TaskEngine::openScope(), carried by each task's events; 0 for none.
    quint64 requestId() const;

private:
    friend class TaskEngine;
    TaskScope(std::shared_ptr<detail::EngineCore> core, std::shared_ptr<detail::ScopeState> state);
    std::shared_ptr<detail::EngineCore> m_core;
    std::shared_ptr<detail::ScopeState> m_state;
};

} // namespace afterwork
