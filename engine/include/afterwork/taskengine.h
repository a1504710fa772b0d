// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/enginestatus.h>
#include <afterwork/scheduler.h>
#include <afterwork/taskevent.h>
#include <afterwork/taskprogress.h>
#include <afterwork/taskscope.h>

#include <QtCore/QList>
#include <QtCore/QObject>

#include <chrono>
#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QThreadPool;
QT_END_NAMESPACE

namespace afterwork {

//! How a TaskEngine is built; the second argument of its constructor.
struct EngineOptions
{
    int maxThreads = 0; //!< size of the engine's own pool; 0: QThread::idealThreadCount()
    //! How long ~TaskEngine waits for running sync work to notice its cancellation when shutdown()
    //! was never called. Work still running after that is left behind (see ~TaskEngine).
    std::chrono::milliseconds destroyWait{1000};
};

//! The application's task group: schedules named, configured tasks, runs sync work on its own
//! QThreadPool and async work on its thread, and shuts down within a deadline.
//!
//! Threads: the engine lives on the thread that created it (the "engine thread", which needs an
//! event loop). Every public method is safe to call from any thread. All signals are emitted on the
//! engine thread, in order for each task. Sync work and sync error handlers run on the pool; async
//! work and async handlers start on the engine thread. No lock is held while user code runs.
class TaskEngine final : public QObject
{
    Q_OBJECT
public:
    //! Creates an engine whose engine thread is the calling thread, with its own thread pool
    //! (EngineOptions::maxThreads). \a globalConfig is what every task's config is merged over;
    //! it never changes afterwards.
    explicit TaskEngine(TaskConfig globalConfig = {}, EngineOptions options = {}, QObject *parent = nullptr);
    //! If shutdown() has not run, destruction is an immediate shutdown: unshielded tasks are
    //! cancelled, every other live task (shielded, or sync work already running) is reported
    //! Abandoned, each with its event. It then waits up to EngineOptions::destroyWait for running
    //! sync work; work still running after that keeps its pool thread alive (the pool is leaked on
    //! purpose, with a warning, rather than blocking forever) and its outcome is ignored.
    ~TaskEngine() override;

    const TaskConfig &globalConfig() const; //!< as given to the constructor

    //! Schedules immediate work with the global config. See Scheduler::schedule().
    template<typename F, typename... Args>
    Task schedule(F &&fn, Args &&...args)
    {
        return submitImmediate(detail::makeWorkFrom(std::forward<F>(fn), std::forward<Args>(args)...));
    }
    //! A scheduler whose tasks use \a config merged over the global config.
    [[nodiscard]] Scheduler task(const TaskConfig &config = {}) const;
    //! A scheduler for immediate tasks with the global config alone, like schedule().
    [[nodiscard]] Scheduler immediate() const;

    //! A new scope with after-route and after-response batches; \a requestId tags its tasks.
    [[nodiscard]] TaskScope openScope(quint64 requestId = 0) const;

    //! Cancels the live task \a taskId; false if there is none. Never an error, no handler runs.
    //! Like find(), a walk over the live tasks from the newest: linear in their number, which keeps
    //! schedule() free of any per-task index.
    bool cancel(quint64 taskId);
    //! A handle to the live task \a taskId, found as cancel() finds it; std::nullopt once the task
    //! has ended (keep the Task that schedule() returned to read it afterwards).
    std::optional<Task> find(quint64 taskId) const;
    //! Every live task, by its latest step, ordered by id.
    QList<TaskEvent> liveTasks() const;
    EngineCounters counters() const; //!< the counters now; see EngineCounters
    EngineState state() const;       //!< Running until shutdown starts, then Draining, then Stopped
    //! The engine's own pool. Its maxThreadCount() bounds how many sync tasks run at once (read at
    //! each start, and after each task). The engine's runners occupy a pool thread while sync work
    //! waits, and (unless batchPoolWakeUps() started them) for 50 µs after the queue empties; other
    //! work started directly on this pool waits behind them. Do not clear() it or tryTake() from it:
    //! the runners are the engine's.
    QThreadPool *threadPool() const;
    //! Batches the pool's wake-ups until control returns to the engine thread's event loop. Of the
    //! sync work scheduled meanwhile on the engine thread, the first wakes a pool thread at once;
    //! the rest waits for a pool thread that is already up, or for the batch's end, which this
    //! posts and which starts what is still waiting. A burst of schedules then costs one or two
    //! wake-ups instead of one each; TaskRouter opens a batch before every route and every
    //! after-response flush with tasks (docs/performance.md, "4a, 4c, 4f"). Engine thread only; a no-op
    //! elsewhere. Work held this way starts only once the event loop runs: do not block the
    //! engine thread waiting for it to start.
    void batchPoolWakeUps();

    //! Stops accepting work and drains: the one blocking point, meant for the end of main() or a
    //! signal handler. Unshielded tasks are cancelled (queued ones never start); shielded tasks,
    //! their error handlers and sync work already running are waited for, until \a deadline;
    //! whatever still runs then is reported Abandoned. Runs a local event loop on the engine thread
    //! while it waits (from another thread, it blocks until the engine thread has drained).
    //! Calling it again returns the first report.
    ShutdownReport shutdown(std::chrono::milliseconds deadline);
    //! The same, without blocking: returns at once; shutdownFinished() reports the outcome.
    void startShutdown(std::chrono::milliseconds deadline);

Q_SIGNALS:
    //! One lifecycle step. Engine thread, in order per task.
    void taskEvent(const afterwork::TaskEvent &event);
    //! A running task's work reported progress (CancellationToken::reportProgress(), or its
    //! QFuture's progress). Engine thread. At most once per task per 100 ms, always with the latest
    //! value: a value reported within 100 ms of the last emission waits (a timer emits it), and a
    //! value still waiting when the task ends is emitted just before its terminal taskEvent(), so
    //! no progress follows a task's end and none is lost. Not a lifecycle step: Phase is unchanged.
    void taskProgress(const afterwork::TaskProgress &progress);
    //! Once, when a shutdown has begun and cancelled what it cancels: what is left to wait for.
    void shutdownStarted(const afterwork::ShutdownProgress &progress);
    //! Right after shutdownStarted(), then each time a task ends during the drain.
    void shutdownProgress(const afterwork::ShutdownProgress &progress);
    //! Once, when the drain ends (no live task left, or the deadline passed): what shutdown()
    //! returns.
    void shutdownFinished(const afterwork::ShutdownReport &report);

protected:
    //! Notes the first receiver of taskEvent(): until then no event is even built.
    void connectNotify(const QMetaMethod &signal) override;

private:
    friend class detail::EngineCore; // emits our signals, asks isSignalConnected()
    Task submitImmediate(detail::Work &&work); // schedule() without building a Scheduler
    std::shared_ptr<detail::EngineCore> d; // Owning (shared with the pool's runnables).
};

} // namespace afterwork
