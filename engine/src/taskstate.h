// SPDX-License-Identifier: MIT
#pragma once

// One task's state. Immutable fields are set before the handle is returned; atomics may be read
// from any thread; everything else belongs to the engine thread.

#include <afterwork/cancellationtoken.h>
#include <afterwork/detail/work.h>
#include <afterwork/taskconfig.h>
#include <afterwork/taskenums.h>
#include <afterwork/taskerror.h>

#include <QtCore/QMutex>

#include <atomic>
#include <memory>
#include <optional>

namespace afterwork::detail {

class EngineCore;
class Inbox;
struct ScopeState;

//! Who owns the right to start a queued sync attempt: the pool thread (Queued -> Running) or the
//! engine thread cancelling it (Queued -> Skipped). Exactly one compare-exchange wins.
enum class RunClaim : int { Queued, Running, Skipped };

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
    std::atomic<Phase> phase{Phase::Scheduled};
    std::atomic<int> attempt{1};
    std::atomic<RunClaim> claim{RunClaim::Queued};
    std::atomic<qint64> startedUs{0}; //!< wall clock start of the current attempt
    std::atomic<qint64> stepUs{0};    //!< wall clock of the latest lifecycle step
    std::atomic<bool> announced{false}; //!< its Scheduled event was emitted
    mutable QMutex errorMutex;
    std::optional<TaskError> error; //!< guarded by errorMutex

    // Engine thread only.
    std::shared_ptr<ScopeState> scope;
    CancellationSource attemptCancel = cancel; //!< `cancel`, or a child of it cancelled by the attempt's timeout
    qint64 firstStartSteadyNs = -1;
    bool inBatch = false;      //!< waiting in an unflushed after-route/after-response batch
    bool running = false;      //!< an attempt's work is executing (sync on the pool, or async)
    bool inHandler = false;
    bool handlerIsSync = false;
    bool retryPending = false;
    bool timedOut = false;
    int asyncGeneration = 0;   //!< bumps to ignore a detached async completion
    std::optional<TaskError> handlerError;

    TaskState() = default;
    Q_DISABLE_COPY_MOVE(TaskState)

    //! Attempt \a attempt of the sync work, on a pool thread (SyncQueue holds \a self meanwhile).
    static void runAttempt(std::shared_ptr<TaskState> self, int attempt); // enginecore.cpp

    //! The config's name, or "label#id" built on first read: most tasks are never named by anyone
    //! (no subscriber, no failure), and building it eagerly was a sixth of schedule(). Any thread.
    QString name() const;
    bool isShielded() const { return config->isShielded(); }
    bool isTerminalNow() const { return isTerminal(phase.load(std::memory_order_acquire)); }
    void setError(std::optional<TaskError> value)
    {
        QMutexLocker lock(&errorMutex);
        error = std::move(value);
    }
    std::optional<TaskError> errorCopy() const
    {
        QMutexLocker lock(&errorMutex);
        return error;
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

    std::vector<std::shared_ptr<TaskState>> &batch(Mode mode) { return mode == Mode::AfterRoute ? afterRoute : afterResponse; }
    bool &flushed(Mode mode) { return mode == Mode::AfterRoute ? afterRouteFlushed : afterResponseFlushed; }
};

} // namespace afterwork::detail
