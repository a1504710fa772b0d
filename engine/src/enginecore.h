// SPDX-License-Identifier: MIT
#pragma once

#include "syncqueue.h"
#include "taskstate.h"

#include <afterwork/enginestatus.h>
#include <afterwork/taskengine.h>
#include <afterwork/taskevent.h>

#include <QtCore/QMetaMethod>
#include <QtCore/QMutex>
#include <QtCore/QPointer>
#include <QtCore/QThreadPool>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <vector>

namespace afterwork::detail {

//! What a pool thread (or any other thread) reports to the engine thread. Built with designated
//! initialisers; each field has one meaning and the kinds that do not use it leave it at its default.
struct Notice
{
    //! Progress: the task's work reported progress and no emission was on its way (progressreport.h).
    enum Kind : quint8 { Scheduled, Started, Finished, HandlerDone, AsyncDone, Cancel, Flush, Drop, Progress };
    Kind kind;
    Mode batch = Mode::Immediate;               //!< Flush: which batch of the scope
    CancelReason reason = CancelReason::None;   //!< Cancel: why
    //! Started, Finished, AsyncDone: the attempt it reports on. The engine ignores a report on an
    //! attempt that is no longer the running one (detached by its timeout, or the task has ended).
    //! A HandlerDone needs none: a task's handler runs once, and the stage says if it still counts.
    //! (Beside the small fields, so that a notice stays 72 bytes.)
    int attempt = 0;
    std::shared_ptr<TaskState> task{};          //!< all but Flush and Drop
    std::shared_ptr<ScopeState> scope{};        //!< Flush and Drop (a Drop's reason waits in the scope)
    std::exception_ptr error{};                 //!< Finished, AsyncDone, HandlerDone: what the code threw
    //! Finished, AsyncDone: what the work returned, if it returned a value (TaskOutcome::value).
    //! It reaches the task only through the engine thread, with the end it belongs to.
    std::unique_ptr<QVariant> value{};
    qint64 steadyNs = 0;                        //!< Started, Finished: when, read on the thread it happened on
    qint64 wallUs = 0;                          //!< the same instant on the wall clock
};
static_assert(sizeof(Notice) <= 72, "a notice is moved several times per task: keep it small");

//! The queue from other threads to the engine thread. Producers append under a mutex; one queued
//! call drains everything that arrived meanwhile, so a busy pool costs far less than one posted
//! event per notice. Shared with the pool's runnables, so it outlives the engine if it must.
class Inbox
{
public:
    void post(Notice &&notice);
    //! Appends everything posted so far to \a target (swapping buffers when it is empty, so
    //! neither side reallocates in steady state).
    void moveAllInto(std::vector<Notice> &target);
    void setReceiver(QObject *receiver, std::function<void()> drain);
    //! Runs \a fn on the receiver's thread (queued); false if the engine is gone.
    bool invoke(std::function<void()> fn);

private:
    QMutex m_mutex;
    std::vector<Notice> m_notices;
    bool m_drainPosted = false;
    QPointer<QObject> m_receiver;
    std::function<void()> m_drain;
};

class EngineCore : public std::enable_shared_from_this<EngineCore>
{
public:
    EngineCore(TaskEngine *q, TaskConfig globalConfig, EngineOptions options);
    ~EngineCore();

    void attach(); //!< after construction: the inbox needs a weak pointer to us
    void destroy(); //!< from ~TaskEngine: immediate shutdown, then detach from the QObject

    // Any thread.
    //! \a config is already merged over the global one (a Scheduler merges once, not per task).
    Task submit(const std::shared_ptr<const TaskConfig> &config, Mode mode, const std::shared_ptr<ScopeState> &scope,
                Work &&work);
    //! Called from TaskEngine::connectNotify (any thread).
    void noteEventReceiver() { m_eventReceiverSeen.store(true, std::memory_order_release); }
    bool cancel(quint64 taskId);
    std::shared_ptr<TaskState> find(quint64 taskId) const;
    QList<TaskEvent> liveTasks() const;
    EngineCounters counters() const;
    EngineState state() const { return m_state.load(std::memory_order_acquire); }
    void flush(const std::shared_ptr<ScopeState> &scope, Mode batch);
    void drop(const std::shared_ptr<ScopeState> &scope, const QString &reason);
    ShutdownReport shutdown(std::chrono::milliseconds deadline);
    void startShutdown(std::chrono::milliseconds deadline);
    bool runOnPool(std::function<void()> fn); //!< false once the pool is gone
    void batchPoolWakeUps(); //!< TaskEngine::batchPoolWakeUps()
    bool runOnEngineThread(std::function<void()> fn);

    const std::shared_ptr<const TaskConfig> &globalConfig() const { return m_global; }
    QThreadPool *pool() const { return m_pool.get(); }
    bool onEngineThread() const;

private:
    void dispatch(Notice &&notice); // engine thread, or post to it
    //! Handles what other threads reported. \a bounded: return to the event loop after ~5 ms and
    //! continue in a queued call, so a flood of notices never starves timers and sockets.
    void drainInbox(bool bounded = true);
    void handle(Notice &notice);

    // Engine thread: the lifecycle.
    void onScheduled(const std::shared_ptr<TaskState> &task);
    void startAttempt(const std::shared_ptr<TaskState> &task);
    // Times come from where the step happened (a pool thread reads the clocks for sync work), so
    // the engine thread, the bottleneck under load, reads no clock on a task's ordinary path.
    void onStarted(const std::shared_ptr<TaskState> &task, int attempt, qint64 wallUs, qint64 steadyNs);
    void onAttemptEnded(const std::shared_ptr<TaskState> &task, std::exception_ptr error, qint64 steadyNs,
                        qint64 wallUs = 0);
    void onAttemptFailed(const std::shared_ptr<TaskState> &task, TaskError error);
    void retryNow(const std::shared_ptr<TaskState> &task);
    void runHandler(const std::shared_ptr<TaskState> &task, const ErrorHandler &handler, const TaskError &error);
    void onHandlerDone(const std::shared_ptr<TaskState> &task, std::exception_ptr error);
    void onTimeout(const std::shared_ptr<TaskState> &task, int attempt);
    void cancelTask(const std::shared_ptr<TaskState> &task, CancelReason reason);
    void finish(const std::shared_ptr<TaskState> &task, Phase phase, qint64 endSteadyNs = 0, qint64 endWallUs = 0);
    void flushNow(const std::shared_ptr<ScopeState> &scope, Mode batch);
    void dropNow(const std::shared_ptr<ScopeState> &scope); //!< for the reason the first drop() gave
    // A scope's start gate (StartGate in taskstate.h; enginescope.cpp).
    void enterGate(ScopeState &scope, std::span<const std::shared_ptr<TaskState>> tasks); //!< as one group
    void releaseGated(ScopeState &scope);
    void noteBegun(const std::shared_ptr<TaskState> &task); //!< its first attempt began, or it ended
    void leaveGate(ScopeState &scope, const std::shared_ptr<TaskState> &task); //!< it ended while Gated
    void markShutdownPending(const std::shared_ptr<TaskState> &task);
    //! A Progress notice, or the throttle's timer: emits the latest value now if the last
    //! emission is at least kProgressInterval old, otherwise arms a timer for when it will be.
    void onProgress(const std::shared_ptr<TaskState> &task);
    //! Emits the latest value if it was not emitted yet. \a final: from finish(), before the
    //! terminal event, whatever the throttle says, and later reports are ignored: the final value
    //! is never lost nor late.
    void emitProgress(TaskState &task, bool final);
    void beginShutdown(std::chrono::milliseconds deadline);
    void abandonRemaining();
    void finishShutdown();
    ShutdownProgress progress() const;
    //! \a stepUs: when the step happened (wall clock); 0 = now.
    void emitPhase(const std::shared_ptr<TaskState> &task, Phase phase, qint64 waitUs = -1, qint64 runUs = -1,
                   qint64 stepUs = 0);
    TaskEvent describe(const TaskState &task, Phase phase) const;
    //! The completion handed to async work (AsyncDone, with its attempt) or an async handler (HandlerDone).
    AsyncDone asyncCompletion(const std::shared_ptr<TaskState> &task, Notice::Kind kind, int attempt = 0);
    //! Just before the terminal event: stores the terminal \a phase and makes the outcome final.
    //! Returns the promise whose futures Task::outcome() handed out, if any, for fulfil().
    std::unique_ptr<QPromise<TaskOutcome>> settle(TaskState &task, Phase phase);
    void fulfil(QPromise<TaskOutcome> &promise, const TaskState &task); //!< after the terminal event
    void unregister(TaskState &task);
    std::vector<std::shared_ptr<TaskState>> liveSnapshot() const; //!< in id (= scheduling) order
    bool insideTaskOfThisEngine() const;

    TaskEngine *q; // the QObject that emits; nullptr once destroyed
    QThread *m_thread;
    std::shared_ptr<const TaskConfig> m_global;
    EngineOptions m_options;
    std::unique_ptr<QThreadPool> m_pool; // Owning; released (leaked) if abandoned work still runs
    std::shared_ptr<SyncQueue> m_syncQueue; // all sync work goes through it to m_pool
    std::shared_ptr<Inbox> m_inbox;
    std::vector<Notice> m_backlog; // taken from the inbox; [m_backlogNext, end) not yet handled
    std::size_t m_backlogNext = 0;
    static constexpr std::size_t kRetainedNotices = 256;
    bool m_redrainPosted = false;
    void endPoolWakeUpBatch();
    bool m_wakeUpBatchOpen = false; //!< batchPoolWakeUps() holds the queue's wake-ups; its end is posted
    QMetaMethod m_taskEventSignal;
    QMetaMethod m_taskProgressSignal;
    //! taskEvent() has had a receiver at some point. Until then emitPhase() skips even the
    //! isSignalConnected() check; once set it stays set (the check then decides).
    std::atomic<bool> m_eventReceiverSeen{false};

    std::atomic<EngineState> m_state{EngineState::Running};
    // The live tasks: an intrusive list in id order (TaskState::livePrev/liveNext/liveSelf).
    // Registering and unregistering allocate nothing and touch only the neighbours, which is what
    // a burst of tasks needs; find(id) walks it, which is what a rare cancel(id) can afford.
    mutable QMutex m_registryMutex;
    quint64 m_lastId = 0;          // guarded by m_registryMutex
    TaskState *m_liveHead = nullptr; // guarded by m_registryMutex
    TaskState *m_liveTail = nullptr; // guarded by m_registryMutex
    int m_liveCount = 0;           // guarded by m_registryMutex

    struct AtomicCounters
    {
        std::atomic<quint64> scheduled{0}, started{0}, retried{0}, succeeded{0}, failed{0}, cancelled{0},
            abandoned{0}, dropped{0}, handlerErrors{0};
    } m_counters;

    // Shutdown bookkeeping, engine thread.
    ShutdownReport m_report;
    qint64 m_deadlineUs = 0;
    qint64 m_shutdownStartSteadyNs = 0;
    bool m_sweeping = false;
    bool m_shutdownBegun = false; //!< startShutdown() ran (or the destructor's immediate one)
    bool m_abandoning = false;    //!< abandonRemaining() runs: nothing may start any more
};

//! At most one TaskEngine::taskProgress() per task per interval (the final value excepted).
inline constexpr std::chrono::milliseconds kProgressInterval{100};

//! Both clocks at one instant: steady (for durations) and wall (for timestamps).
struct Moment
{
    qint64 steadyNs;
    qint64 wallUs;
};
Moment now();
qint64 wallClockUs(); //!< now().wallUs
qint64 steadyNs();

} // namespace afterwork::detail
