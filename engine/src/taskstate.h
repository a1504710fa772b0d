// SPDX-License-Identifier: MIT
#pragma once

// One task's state. Immutable fields are set before the handle is returned; atomics may be read
// from any thread; everything else belongs to the engine thread.

#include <afterwork/cancellationtoken.h>
#include <afterwork/detail/work.h>
#include <afterwork/taskconfig.h>
#include <afterwork/taskenums.h>
#include <afterwork/taskerror.h>
#include <afterwork/taskoutcome.h>
#include <afterwork/taskprogress.h>

#include "progressreport.h"

#include <QtCore/QMutex>
#include <QtCore/QPromise>
#include <QtCore/QVariant>

#include <algorithm>
#include <atomic>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>

namespace afterwork::detail {

class EngineCore;
class Inbox;
struct ScopeState;

//! Where a task is in its lifecycle, as the engine sees it. One value, in TaskState::stage; the
//! legal moves are in kStageMoves below. Not the Phase subscribers see: Phase is what was last
//! emitted (Retrying, ShutdownPending...), Stage is what the engine must do when something happens.
enum class Stage : quint8 {
    Submitted,    //!< registered; its Scheduled notice is not handled yet
    Announced,    //!< Scheduled emitted; the engine is routing it (batch, start, or end)
    Batched,      //!< waits in its scope's unflushed after-route/after-response batch
    Gated,        //!< waits in its scope's start gate for the tasks of earlier batches to begin (ScopeState::gate)
    Queued,       //!< an attempt of sync work waits for a pool thread (who moves it on: see below)
    Skipped,      //!< a queued attempt the engine took back (cancel, shutdown): it never starts
    Running,      //!< an attempt's work runs: sync on a pool thread (possibly timed out), or async
    AttemptEnded, //!< the attempt is over; the engine decides: end, retry (asking retryIf) or handler
    RetryWait,    //!< the backoff before the next attempt
    SyncHandler,  //!< the error handler runs on a pool thread; it cannot be stopped
    AsyncHandler, //!< the error handler runs asynchronously; cancelling detaches it
    Ended,        //!< finish() ran: a terminal Phase is (being) emitted
};

namespace stage_detail {
constexpr quint16 set(std::initializer_list<Stage> stages)
{
    quint16 bits = 0;
    for (Stage s : stages)
        bits |= quint16(1u << int(s));
    return bits;
}
} // namespace stage_detail

//! Every legal move, by the stage it leaves. All are made by the engine thread except
//! Queued -> Running, which the pool thread makes when it picks the attempt up. Queued is the one
//! stage two threads may leave, so it is left only by compare-exchange (TaskState::tryClaim on
//! the pool, tryTakeBack on the engine): exactly one wins. Into Ended only through finish().
inline constexpr quint16 kStageMoves[] = {
    /* Submitted    -> */ stage_detail::set({Stage::Announced}),
    /* Announced    -> */ stage_detail::set({Stage::Batched, Stage::Gated, Stage::Queued, Stage::Running, Stage::Ended}),
    /* Batched      -> */ stage_detail::set({Stage::Gated, Stage::Ended}),
    /* Gated        -> */ stage_detail::set({Stage::Queued, Stage::Running, Stage::Ended}),
    /* Queued       -> */ stage_detail::set({Stage::Running, Stage::Skipped}),
    /* Skipped      -> */ stage_detail::set({Stage::Ended}),
    /* Running      -> */ stage_detail::set({Stage::AttemptEnded, Stage::Ended}),
    /* AttemptEnded -> */ stage_detail::set({Stage::RetryWait, Stage::SyncHandler, Stage::AsyncHandler, Stage::Ended}),
    /* RetryWait    -> */ stage_detail::set({Stage::Queued, Stage::Running, Stage::Ended}),
    /* SyncHandler  -> */ stage_detail::set({Stage::Ended}),
    /* AsyncHandler -> */ stage_detail::set({Stage::Ended}),
    /* Ended        -> */ 0,
};
static_assert(std::size(kStageMoves) == std::size_t(Stage::Ended) + 1, "one row per stage");

constexpr bool canMove(Stage from, Stage to)
{
    return (kStageMoves[int(from)] >> int(to)) & 1u;
}

//! Work or an error handler of the task is under way (queued, running, or being taken back).
constexpr bool isBusy(Stage stage)
{
    return (stage_detail::set({Stage::Queued, Stage::Skipped, Stage::Running, Stage::SyncHandler, Stage::AsyncHandler})
            >> int(stage))
           & 1u;
}

struct TaskState
{
    // Immutable once scheduled.
    quint64 id = 0;
    std::shared_ptr<const TaskConfig> config;
    Mode mode = Mode::Immediate;
    quint64 requestId = 0;
    Work work;
    CancellationSource cancel; //!< task-level: cancel() and shutdown
    std::weak_ptr<EngineCore> core;
    std::shared_ptr<Inbox> inbox; //!< where attempts report; outlives the engine if it must
    qint64 scheduledUs = 0;      //!< wall clock
    qint64 scheduledSteadyNs = 0;

    // Readable from any thread.
    //! Where the task is (see Stage). Written by the engine thread, except that the pool thread
    //! claims a queued attempt (tryClaim); read by the pool thread only in that claim, and by any
    //! thread in liveTasks() (announced or not).
    std::atomic<Stage> stage{Stage::Submitted};
    std::atomic<Phase> phase{Phase::Scheduled}; //!< the phase last emitted: what Task::phase() reports
    std::atomic<int> attempt{1};
    std::atomic<qint64> startedUs{0}; //!< wall clock start of the current attempt
    std::atomic<qint64> stepUs{0};    //!< wall clock of the latest lifecycle step
    mutable QMutex mutex;           //!< guards error, outcomePromise and settled
    std::optional<TaskError> error; //!< guarded by mutex
    //! What Task::outcome() hands out futures of, created by its first call before the end;
    //! guarded by mutex. Fulfilled on the engine thread right after the terminal event. Null for
    //! almost every task, which costs nothing.
    std::unique_ptr<QPromise<TaskOutcome>> outcomePromise;
    // Engine thread only.
    std::shared_ptr<ScopeState> scope;
    CancellationSource attemptCancel = cancel; //!< `cancel`, or a child of it cancelled by the attempt's timeout
    qint64 firstStartSteadyNs = -1;
    //! The current attempt's timeout fired (reset when an attempt starts). Not a stage: timed-out
    //! sync work keeps its pool thread and stays Running until it returns; this only says how its
    //! ending counts (a TimeoutError, unless the task was cancelled meanwhile).
    bool timedOut = false;
    //! When that timeout cancelled the attempt (steady clock). Sync work that had already returned
    //! by then, however late its report arrives, did not run over its timeout.
    qint64 timedOutSteadyNs = 0;
    //! What the error handler threw (or its cancellation). Engine thread until settled, then read-only.
    std::optional<TaskError> handlerError;
    //! Its scope's start gate let it start and counts it until it begins or ends (StartGate::unbegun).
    bool holdsGate = false;
    //! The terminal phase is stored and the outcome final (finish(), before the terminal event);
    //! guarded by mutex. From then on Task::outcome() reads it from the state: phase, error,
    //! handlerError and value no longer change.
    bool settled = false;
    //! What the current attempt's work returned, if anything (TaskOutcome::value on success).
    //! Set from the attempt's end notice, for the attempt that counts; read by any thread once
    //! settled as Succeeded. Null for work without a value: no QVariant is built or destroyed.
    std::unique_ptr<QVariant> value;
    //! When the engine last emitted the task's progress (the throttle); engine thread only.
    qint64 lastProgressEmitSteadyNs = std::numeric_limits<qint64>::min() / 2;

    TaskState() = default;
    Q_DISABLE_COPY_MOVE(TaskState)

    //! The latest progress reported, if any (see stamped()). Any thread.
    std::optional<TaskProgress> latestProgress() const { return stamped(ProgressBinding::latest(cancel)); }
    //! \a reported with this task's id. A value of the current attempt is never dated before the
    //! attempt's start (a coarse clock reading may be a tick early: coarseWallClockUs()).
    std::optional<TaskProgress> stamped(const std::optional<ReportedProgress> &reported) const
    {
        if (!reported)
            return std::nullopt;
        TaskProgress progress = reported->value;
        progress.taskId = id;
        if (reported->attempt == attempt.load(std::memory_order_relaxed))
            progress.timestampUs = std::max(progress.timestampUs, startedUs.load(std::memory_order_relaxed));
        return progress;
    }

    //! Attempt \a attempt of the sync work, on a pool thread (SyncQueue holds \a self meanwhile).
    static void runAttempt(std::shared_ptr<TaskState> self, int attempt); // enginecore.cpp

    //! The config's name, or "label#id" built on first read: most tasks are never named by anyone
    //! (no subscriber, no failure), and building it eagerly was a sixth of schedule(). Any thread.
    QString name() const;
    bool isShielded() const { return config->isShielded(); }

    Stage stageNow() const { return stage.load(std::memory_order_acquire); }
    bool hasEnded() const { return stageNow() == Stage::Ended; }
    //! Engine thread: moves to \a to from wherever the task is, which must not be Queued (the pool
    //! may be claiming it: tryTakeBack() leaves Queued).
    void advance(Stage to)
    {
        // The load is inside the assertion: a release build reads nothing here (an atomic load
        // is never optimised away, and this runs several times per task on the engine thread).
        Q_ASSERT_X(stage.load(std::memory_order_relaxed) != Stage::Queued
                       && canMove(stage.load(std::memory_order_relaxed), to),
                   "TaskState::advance", "illegal stage transition");
        stage.store(to, std::memory_order_release);
    }
    //! Pool thread: Queued -> Running. False if the engine took the attempt back first.
    bool tryClaim()
    {
        Stage expected = Stage::Queued;
        return stage.compare_exchange_strong(expected, Stage::Running, std::memory_order_acq_rel);
    }
    //! Engine thread: Queued -> Skipped. False if the pool thread claimed the attempt first (then
    //! it is Running and owns that pool thread until it returns).
    bool tryTakeBack()
    {
        Stage expected = Stage::Queued;
        return stage.compare_exchange_strong(expected, Stage::Skipped, std::memory_order_acq_rel);
    }
    void setError(std::optional<TaskError> value)
    {
        QMutexLocker lock(&mutex);
        error = std::move(value);
    }
    std::optional<TaskError> errorCopy() const
    {
        QMutexLocker lock(&mutex);
        return error;
    }
    //! The outcome as it stands; with `mutex` held, once the terminal phase is emitted.
    TaskOutcome outcomeWhileLocked() const
    {
        TaskOutcome outcome;
        outcome.taskId = id;
        outcome.phase = phase.load(std::memory_order_acquire);
        if (outcome.phase == Phase::Failed || outcome.phase == Phase::Dropped)
            outcome.error = error;
        if (outcome.phase == Phase::Failed)
            outcome.handlerError = handlerError;
        if (outcome.phase == Phase::Succeeded && value)
            outcome.value = *value;
        return outcome;
    }

    // Live-task registry (EngineCore), guarded by its mutex: an intrusive list in id order, so
    // registering and unregistering a task allocate nothing and touch no shared table.
    TaskState *livePrev = nullptr;
    TaskState *liveNext = nullptr;
    std::shared_ptr<TaskState> liveSelf; //!< the registry's reference

private:
    // The generated name, built once: Unbuilt -> Building (one thread builds) -> Built (read-only).
    enum NameState : int { Unbuilt, Building, Built };
    mutable std::atomic<int> m_nameState{Unbuilt};
    mutable QString m_generatedName;
};

//! The order in which one request's tasks begin: immediate tasks in call order, then the
//! after-route batch, then the after-response batch (docs/http.md, "Start order"). Each immediate
//! task is a group of its own; each flushed batch is one group. A group is let through once every
//! task let through before it has begun (its Started was handled) or ended, so sync work that waits
//! for a pool thread is never overtaken by async work of a later group. Engine thread only.
struct StartGate
{
    struct Entry
    {
        quint32 group;
        std::shared_ptr<TaskState> task;
    };
    //! Stage::Gated tasks, in the order they may begin, from index `next` on. A vector rather than
    //! a deque: most requests never gate anything, and libstdc++'s deque allocates when constructed.
    std::vector<Entry> waiting;
    std::size_t next = 0;
    int unbegun = 0;           //!< let through, not yet begun or ended
    quint32 openGroup = 0;     //!< the group of those
    quint32 lastGroup = 0;     //!< the newest group number handed out
    bool releasing = false;    //!< releaseGated() is on the stack (it is not re-entered)
};

struct ScopeState
{
    explicit ScopeState(quint64 id) : requestId(id) {}
    const quint64 requestId;
    mutable QMutex mutex;
    std::vector<std::shared_ptr<TaskState>> afterRoute;    // guarded by mutex
    std::vector<std::shared_ptr<TaskState>> afterResponse; // guarded by mutex
    bool afterRouteFlushed = false;                        // guarded by mutex
    bool afterResponseFlushed = false;                     // guarded by mutex
    bool dropped = false;                                  // guarded by mutex
    QString dropReason;                                    // guarded by mutex
    std::optional<QString> requestedDropReason;            // guarded by mutex; the first drop() call's
    StartGate gate;                                        // engine thread only

    std::vector<std::shared_ptr<TaskState>> &batch(Mode mode) { return mode == Mode::AfterRoute ? afterRoute : afterResponse; }
    bool &flushed(Mode mode) { return mode == Mode::AfterRoute ? afterRouteFlushed : afterResponseFlushed; }
};

} // namespace afterwork::detail
