// SPDX-License-Identifier: MIT
#include "enginecore.h"

#include "logging.h"
#include "progressreport.h"
#include "taskcontext.h"
#include "testseams.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QEventLoop>
#include <QtCore/QRandomGenerator>
#include <QtCore/QThread>
#include <QtCore/QTimer>

#include <algorithm>
#include <limits>

#include <time.h>

namespace afterwork::detail {

using namespace std::chrono;

qint64 steadyNs()
{
    return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

namespace {
// A task's ordinary path needs both clocks several times; reading the wall clock is as dear as
// the steady one, so it is derived from it with an offset re-read every 100 ms. A wall-clock
// step (or a suspend, which stops the steady clock) shows up at most that late. The offset is
// published before its reading time (release/acquire): whoever sees a fresh reading time also
// sees an offset at least that fresh, never the initial zero.
std::atomic<qint64> offsetUs{0};
std::atomic<qint64> offsetReadNs{std::numeric_limits<qint64>::min() / 2};
constexpr qint64 offsetLifeNs = 100'000'000;
} // namespace

Moment now()
{
    const qint64 steady = steadyNs();
    if (steady - offsetReadNs.load(std::memory_order_acquire) > offsetLifeNs) {
        const qint64 wall = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
        offsetUs.store(wall - steady / 1000, std::memory_order_relaxed);
        offsetReadNs.store(steady, std::memory_order_release);
        return {steady, wall};
    }
    return {steady, steady / 1000 + offsetUs.load(std::memory_order_relaxed)};
}

qint64 wallClockUs()
{
    return now().wallUs;
}

qint64 coarseWallClockUs()
{
#ifdef CLOCK_MONOTONIC_COARSE
    // The same clock as steady_clock (CLOCK_MONOTONIC), as of the last kernel tick: a fifth of the
    // cost of a precise reading on a virtual machine's clock, which was most of a progress report.
    // Every reading is coarse, also when the offset is renewed (that takes a precise one): a
    // precise reading followed by a coarse one could go back in time by a tick.
    timespec coarse{};
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &coarse) == 0) {
        const qint64 steady = qint64(coarse.tv_sec) * 1'000'000'000 + coarse.tv_nsec;
        if (steady - offsetReadNs.load(std::memory_order_acquire) > offsetLifeNs)
            (void)now();
        return steady / 1000 + offsetUs.load(std::memory_order_acquire);
    }
#endif
    return now().wallUs;
}

namespace {

// The engine of the task whose user code runs on this thread right now: sync work, a sync handler,
// the synchronous start of async work, or a coroutine resumed at a cancellable co_await
// (Suspension). Scheduling from inside a task is allowed during the drain.
thread_local const std::weak_ptr<EngineCore> *tlsTaskEngine = nullptr;

thread_local QObject *tlsAsyncContext = nullptr;

} // namespace

std::weak_ptr<EngineCore> currentTaskEngine()
{
    return tlsTaskEngine ? *tlsTaskEngine : std::weak_ptr<EngineCore>();
}

TaskContextGuard::TaskContextGuard(const std::weak_ptr<EngineCore> *engine) noexcept : m_previous(tlsTaskEngine)
{
    tlsTaskEngine = engine;
}

TaskContextGuard::~TaskContextGuard()
{
    tlsTaskEngine = m_previous;
}

QObject *asyncContext() noexcept
{
    return tlsAsyncContext;
}

AsyncContextGuard::AsyncContextGuard(QObject *context) noexcept : m_previous(tlsAsyncContext)
{
    tlsAsyncContext = context;
}

AsyncContextGuard::~AsyncContextGuard()
{
    tlsAsyncContext = m_previous;
}

namespace {

class CurrentTaskGuard : public TaskContextGuard
{
public:
    explicit CurrentTaskGuard(const TaskState *task) : TaskContextGuard(&task->core) {}
};

bool isCancellation(const std::exception_ptr &error)
{
    if (!error)
        return false;
    try {
        std::rethrow_exception(error);
    } catch (const TaskCancelled &) {
        return true;
    } catch (...) {
        return false;
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------
// One attempt of sync work on the pool

void TaskState::runAttempt(std::shared_ptr<TaskState> self, int thisAttempt)
{
    // Ours until this returns. Nothing after the Finished post touches the state: the engine may
    // start the next attempt as soon as it reads it. The inbox outlives the engine if it must.
    TaskState &task = *self;
    std::shared_ptr<Inbox> reportTo = task.inbox;
    if (!task.tryClaim())
        return; // cancelled (or abandoned) while queued: never starts
    const Moment started = now();
    reportTo->post(Notice{.kind = Notice::Started,
                          .attempt = thisAttempt,
                          .task = self,
                          .steadyNs = started.steadyNs,
                          .wallUs = started.wallUs});
    std::exception_ptr error;
    std::unique_ptr<QVariant> value;
    {
        CurrentTaskGuard current(&task);
        try {
            task.work.runSync(task.attemptCancel.token(), &value);
        } catch (...) {
            error = std::current_exception();
        }
    }
    const Moment ended = now();
    if (const auto hook = seams::afterSyncWorkEnded.load(std::memory_order_acquire))
        hook();
    reportTo->post(Notice{.kind = Notice::Finished,
                          .attempt = thisAttempt,
                          .task = std::move(self),
                          .error = std::move(error),
                          .value = std::move(value),
                          .steadyNs = ended.steadyNs,
                          .wallUs = ended.wallUs});
}

// ---------------------------------------------------------------------------------------------
// Construction and destruction

EngineCore::EngineCore(TaskEngine *engine, TaskConfig globalConfig, EngineOptions options)
    : q(engine)
    , m_thread(QThread::currentThread())
    , m_global(std::make_shared<const TaskConfig>(std::move(globalConfig)))
    , m_options(options)
    , m_pool(std::make_unique<QThreadPool>())
    , m_syncQueue(std::make_shared<SyncQueue>(m_pool.get()))
    , m_inbox(std::make_shared<Inbox>())
    , m_taskEventSignal(QMetaMethod::fromSignal(&TaskEngine::taskEvent))
    , m_taskProgressSignal(QMetaMethod::fromSignal(&TaskEngine::taskProgress))
{
    m_pool->setMaxThreadCount(options.maxThreads > 0 ? options.maxThreads : QThread::idealThreadCount());
    m_pool->setObjectName(QStringLiteral("afterwork-pool"));
}

EngineCore::~EngineCore()
{
    // destroy() normally ended every task; whatever is left (scheduled from a task while it ran)
    // must not keep itself alive, and its followers must not wait for ever: a promise destroyed
    // unfinished finishes its futures cancelled, without a result.
    while (m_liveHead) {
        TaskState &task = *m_liveHead;
        std::unique_ptr<QPromise<TaskOutcome>> orphaned;
        {
            QMutexLocker lock(&task.mutex);
            orphaned = std::move(task.outcomePromise);
        }
        ProgressBinding::takeForEmission(task.cancel, true); // its tokens must not reach it any more
        unregister(task);
    }
}

void EngineCore::attach()
{
    std::weak_ptr<EngineCore> weak = weak_from_this();
    m_inbox->setReceiver(q, [weak] {
        if (auto core = weak.lock())
            core->drainInbox();
    });
}

bool EngineCore::onEngineThread() const
{
    return QThread::currentThread() == m_thread;
}

bool EngineCore::insideTaskOfThisEngine() const
{
    if (!tlsTaskEngine)
        return false;
    auto core = tlsTaskEngine->lock();
    return core.get() == this;
}

// ---------------------------------------------------------------------------------------------
// Any thread

Task EngineCore::submit(const std::shared_ptr<const TaskConfig> &config, Mode mode,
                        const std::shared_ptr<ScopeState> &scope, Work &&work)
{
    auto task = std::make_shared<TaskState>();
    task->config = config;
    task->mode = scope ? mode : Mode::Immediate;
    task->scope = scope;
    task->requestId = scope ? scope->requestId : 0;
    task->work = std::move(work);
    task->core = weak_from_this();
    task->inbox = m_inbox;
    const Moment scheduled = now();
    task->scheduledUs = scheduled.wallUs;
    task->scheduledSteadyNs = scheduled.steadyNs;
    ProgressBinding::bind(task->cancel, task.get()); // before any token of it is handed out
    {
        QMutexLocker lock(&m_registryMutex);
        const EngineState current = state();
        if (current == EngineState::Stopped || (current == EngineState::Draining && !insideTaskOfThisEngine())) {
            throw EngineShutDownError(current == EngineState::Stopped
                                          ? "the Afterwork engine has shut down and accepts no more tasks"
                                          : "the Afterwork engine is shutting down and accepts no new tasks");
        }
        // The id is taken here so that the list stays in id order. Complete before the task
        // becomes visible to other threads (find(), liveTasks(), the drain).
        task->id = ++m_lastId;
        task->liveSelf = task;
        task->livePrev = m_liveTail;
        (m_liveTail ? m_liveTail->liveNext : m_liveHead) = task.get();
        m_liveTail = task.get();
        ++m_liveCount;
    }
    m_counters.scheduled.fetch_add(1, std::memory_order_relaxed);
    dispatch(Notice{.kind = Notice::Scheduled, .task = task});
    return Task(task);
}

bool EngineCore::cancel(quint64 taskId)
{
    std::shared_ptr<TaskState> task = find(taskId);
    if (!task)
        return false;
    task->cancel.cancel(CancelReason::Request); // visible to polling work at once
    dispatch(Notice{.kind = Notice::Cancel, .reason = CancelReason::Request, .task = std::move(task)});
    return true;
}

std::shared_ptr<TaskState> EngineCore::find(quint64 taskId) const
{
    QMutexLocker lock(&m_registryMutex);
    // Newest first: a task being cancelled is more often a recent one.
    for (TaskState *task = m_liveTail; task && task->id >= taskId; task = task->livePrev) {
        if (task->id == taskId)
            return task->liveSelf;
    }
    return nullptr;
}

QList<TaskEvent> EngineCore::liveTasks() const
{
    const std::vector<std::shared_ptr<TaskState>> tasks = liveSnapshot();
    QList<TaskEvent> result;
    result.reserve(qsizetype(tasks.size()));
    for (const auto &task : tasks) {
        // Only what subscribers could have seen: announced, and not already ending.
        const Phase phase = task->phase.load(std::memory_order_acquire);
        if (task->stageNow() != Stage::Submitted && !isTerminal(phase)) {
            result.append(describe(*task, phase));
            result.back().progress = task->latestProgress();
        }
    }
    return result;
}

EngineCounters EngineCore::counters() const
{
    EngineCounters c;
    c.scheduled = m_counters.scheduled.load(std::memory_order_relaxed);
    c.started = m_counters.started.load(std::memory_order_relaxed);
    c.retried = m_counters.retried.load(std::memory_order_relaxed);
    c.succeeded = m_counters.succeeded.load(std::memory_order_relaxed);
    c.failed = m_counters.failed.load(std::memory_order_relaxed);
    c.cancelled = m_counters.cancelled.load(std::memory_order_relaxed);
    c.abandoned = m_counters.abandoned.load(std::memory_order_relaxed);
    c.dropped = m_counters.dropped.load(std::memory_order_relaxed);
    c.handlerErrors = m_counters.handlerErrors.load(std::memory_order_relaxed);
    {
        QMutexLocker lock(&m_registryMutex);
        c.live = m_liveCount;
    }
    if (m_pool) {
        c.poolActive = m_pool->activeThreadCount();
        c.poolMax = m_pool->maxThreadCount();
    }
    return c;
}

void EngineCore::flush(const std::shared_ptr<ScopeState> &scope, Mode batch)
{
    dispatch(Notice{.kind = Notice::Flush, .batch = batch, .scope = scope});
}

void EngineCore::drop(const std::shared_ptr<ScopeState> &scope, const QString &reason)
{
    {
        QMutexLocker lock(&scope->mutex);
        if (!scope->requestedDropReason)
            scope->requestedDropReason = reason;
    }
    dispatch(Notice{.kind = Notice::Drop, .scope = scope});
}

bool EngineCore::runOnPool(std::function<void()> fn)
{
    if (!m_pool || state() == EngineState::Stopped)
        return false;
    m_syncQueue->push(std::move(fn));
    return true;
}

void EngineCore::batchPoolWakeUps()
{
    if (!onEngineThread() || m_wakeUpBatchOpen || state() == EngineState::Stopped)
        return;
    // The end is posted first, behind what the event loop is dispatching now (the rest of a burst
    // of requests): if posting fails, nothing is held.
    std::weak_ptr<EngineCore> weak = weak_from_this();
    if (!m_inbox->invoke([weak] {
            if (auto core = weak.lock())
                core->endPoolWakeUpBatch();
        }))
        return;
    m_syncQueue->holdWakeUps();
    m_wakeUpBatchOpen = true;
}

void EngineCore::endPoolWakeUpBatch()
{
    if (!m_wakeUpBatchOpen)
        return;
    m_wakeUpBatchOpen = false;
    m_syncQueue->releaseWakeUps();
}

bool EngineCore::runOnEngineThread(std::function<void()> fn)
{
    if (onEngineThread()) {
        fn();
        return true;
    }
    return m_inbox->invoke(std::move(fn));
}

void EngineCore::dispatch(Notice &&notice)
{
    if (onEngineThread() && q) {
        handle(notice);
    } else {
        m_inbox->post(std::move(notice));
    }
}

void EngineCore::drainInbox(bool bounded)
{
    m_inbox->moveAllInto(m_backlog);
    const qint64 deadline = steadyNs() + 5'000'000;
    int handled = 0;
    // Move each notice out before handling it: handle() may re-enter drainInbox() (a shutdown
    // started from a slot), which appends to and consumes the same backlog, in order.
    while (m_backlogNext < m_backlog.size()) {
        Notice notice = std::move(m_backlog[m_backlogNext++]);
        handle(notice);
        if (bounded && (++handled & 127) == 0 && m_backlogNext < m_backlog.size() && steadyNs() > deadline) {
            if (!m_redrainPosted) {
                std::weak_ptr<EngineCore> weak = weak_from_this();
                m_redrainPosted = m_inbox->invoke([weak] {
                    if (auto core = weak.lock()) {
                        core->m_redrainPosted = false;
                        core->drainInbox();
                    }
                });
            }
            return;
        }
    }
    m_backlogNext = 0;
    // Keep the capacity of an ordinary drain (no allocation on the next one), but not a burst's
    // high-water mark: the two swapped buffers would otherwise hold it for the engine's life.
    if (m_backlog.capacity() > kRetainedNotices)
        std::vector<Notice>().swap(m_backlog);
    else
        m_backlog.clear();
}

void EngineCore::handle(Notice &n)
{
    switch (n.kind) {
    case Notice::Scheduled:
        onScheduled(n.task);
        break;
    case Notice::Started:
        onStarted(n.task, n.attempt, n.wallUs, n.steadyNs);
        break;
    case Notice::Finished:
        if (n.attempt == n.task->attempt.load(std::memory_order_relaxed) && n.task->stageNow() == Stage::Running) {
            n.task->value = std::move(n.value); // (none: clears an earlier attempt's)
            onAttemptEnded(n.task, n.error, n.steadyNs, n.wallUs);
        }
        break;
    case Notice::HandlerDone:
        onHandlerDone(n.task, n.error);
        break;
    case Notice::AsyncDone:
        // Not the running attempt any more: detached by its timeout, or the task has ended.
        if (n.attempt == n.task->attempt.load(std::memory_order_relaxed) && n.task->stageNow() == Stage::Running) {
            n.task->value = std::move(n.value);
            onAttemptEnded(n.task, n.error, steadyNs());
        }
        break;
    case Notice::Cancel:
        cancelTask(n.task, n.reason);
        break;
    case Notice::Flush:
        flushNow(n.scope, n.batch);
        break;
    case Notice::Drop:
        dropNow(n.scope);
        break;
    case Notice::Progress:
        onProgress(n.task);
        break;
    }
}

// ---------------------------------------------------------------------------------------------
// Engine thread: the lifecycle

void EngineCore::onScheduled(const std::shared_ptr<TaskState> &task)
{
    if (task->stageNow() != Stage::Submitted)
        return; // already announced (abandonRemaining() got there first)
    task->advance(Stage::Announced);
    emitPhase(task, Phase::Scheduled, -1, -1, task->scheduledUs);

    if (task->cancel.isCancelled()) { // cancel(id) overtook the Scheduled notice
        finish(task, Phase::Cancelled);
        return;
    }
    if (state() == EngineState::Draining && !task->isShielded()) {
        // Scheduled from inside a task during the drain: an unshielded one is cancelled at once.
        cancelTask(task, CancelReason::Shutdown);
        return;
    }
    if (task->scope && task->mode != Mode::Immediate) {
        ScopeState &scope = *task->scope;
        QMutexLocker lock(&scope.mutex);
        if (scope.dropped) {
            const QString reason = scope.dropReason;
            lock.unlock();
            task->setError(TaskError{QStringLiteral("dropped"), reason, {}});
            finish(task, Phase::Dropped);
            return;
        }
        if (!scope.flushed(task->mode)) {
            scope.batch(task->mode).push_back(task);
            task->advance(Stage::Batched);
            lock.unlock();
            if (state() == EngineState::Draining)
                markShutdownPending(task);
            return;
        }
        // Added after its batch was flushed: start now (after what came before) rather than lose it.
    }
    if (state() == EngineState::Draining)
        markShutdownPending(task);
    if (task->scope)
        enterGate(*task->scope, std::span(&task, 1));
    else
        startAttempt(task);
}

void EngineCore::startAttempt(const std::shared_ptr<TaskState> &task)
{
    // From Announced, Gated or RetryWait.
    if (task->hasEnded())
        return;
    if (task->cancel.isCancelled()) { // cancelled while it waited (batch, backoff, another thread)
        finish(task, Phase::Cancelled);
        return;
    }
    // Only a timeout needs a per-attempt token; otherwise the task's own token will do.
    task->attemptCancel = task->config->effectiveTimeout() ? CancellationSource::childOf(task->cancel) : task->cancel;
    task->timedOut = false;
    const int attempt = task->attempt.load(std::memory_order_relaxed);
    if (task->work.kind == WorkKind::Sync) {
        task->advance(Stage::Queued); // before the push: from then on the pool may claim it
        m_syncQueue->push(task, attempt);
        return;
    }

    task->advance(Stage::Running);
    const Moment started = now();
    onStarted(task, attempt, started.wallUs, started.steadyNs);
    if (task->hasEnded())
        return; // a receiver of Started ended it
    if (task->cancel.isCancelled()) { // a receiver of Started cancelled it: do not start the work at all
        finish(task, Phase::Cancelled);
        return;
    }
    {
        CurrentTaskGuard current(task.get());
        AsyncContextGuard context(q);
        try {
            task->work.startAsync(task->attemptCancel.token(), asyncCompletion(task, Notice::AsyncDone, attempt));
        } catch (...) {
            // The callable threw before returning its future or coroutine.
            dispatch(Notice{
                .kind = Notice::AsyncDone, .attempt = attempt, .task = task, .error = std::current_exception()});
        }
    }
    // Begun once its code ran up to its first suspension: only now may later tasks of its request start.
    noteBegun(task);
}

AsyncDone EngineCore::asyncCompletion(const std::shared_ptr<TaskState> &task, Notice::Kind kind, int attempt)
{
    std::weak_ptr<EngineCore> weak = weak_from_this();
    return AsyncDone([weak, task, kind, attempt](std::exception_ptr error, QVariant *value) {
        // The coroutine that ends here may have been resumed as task code (Suspension): what the
        // end runs (the terminal event's receivers, followers, the shutdown's end) is not.
        const TaskContextGuard notTaskCode(nullptr);
        auto core = weak.lock();
        if (!core)
            return;
        // An async error handler's value is ignored: the task has failed.
        std::unique_ptr<QVariant> kept;
        if (value && kind == Notice::AsyncDone && !error)
            kept = std::make_unique<QVariant>(std::move(*value));
        core->dispatch(Notice{
            .kind = kind, .attempt = attempt, .task = task, .error = std::move(error), .value = std::move(kept)});
    });
}

void EngineCore::onStarted(const std::shared_ptr<TaskState> &task, int attempt, qint64 wallUs, qint64 startSteadyNs)
{
    if (task->stageNow() != Stage::Running || attempt != task->attempt.load(std::memory_order_relaxed))
        return;
    task->startedUs.store(wallUs, std::memory_order_relaxed);
    if (task->firstStartSteadyNs < 0) {
        task->firstStartSteadyNs = startSteadyNs;
        m_counters.started.fetch_add(1, std::memory_order_relaxed);
    }
    emitPhase(task, Phase::Started, -1, -1, wallUs);
    if (task->work.kind == WorkKind::Sync)
        noteBegun(task); // its pool thread reported Started just before calling the work
    if (const std::chrono::milliseconds *timeout = task->config->effectiveTimeout()) { // none for noTimeout
        std::weak_ptr<TaskState> weakTask = task;
        std::weak_ptr<EngineCore> weak = weak_from_this();
        QTimer::singleShot(*timeout, q, [weak, weakTask, attempt] {
            auto core = weak.lock();
            auto t = weakTask.lock();
            if (core && t)
                core->onTimeout(t, attempt);
        });
    }
}

void EngineCore::onTimeout(const std::shared_ptr<TaskState> &task, int attempt)
{
    if (task->stageNow() != Stage::Running || attempt != task->attempt.load(std::memory_order_relaxed)
        || task->cancel.isCancelled()) // cancelled first: it ends Cancelled, not timed out
        return;
    task->timedOut = true;
    task->timedOutSteadyNs = steadyNs();
    // Work that heeds its token stops (a coroutine at its next cancellable co_await, perhaps at
    // once, inside this call); any work stays Running until it really ends, and that ending
    // counts as the timeout.
    task->attemptCancel.cancel(CancelReason::Timeout);
}

void EngineCore::onAttemptEnded(const std::shared_ptr<TaskState> &task, std::exception_ptr error, qint64 endSteadyNs,
                                qint64 endWallUs)
{
    if (task->stageNow() != Stage::Running)
        return;
    task->advance(Stage::AttemptEnded);
    if (m_abandoning) { // it stopped only because the deadline passed: the drain gave up on it
        finish(task, Phase::Abandoned, endSteadyNs, endWallUs);
        return;
    }
    if (task->cancel.isCancelled()) { // cancellation wins over everything, a timeout included
        finish(task, Phase::Cancelled, endSteadyNs, endWallUs);
        return;
    }
    // A sync attempt's end is timed on its pool thread before it is reported: if that was before
    // the timeout cancelled it, the report was only late (a preempted pool thread, a busy engine
    // thread), and the work's own result counts.
    if (task->timedOut && (endSteadyNs == 0 || endSteadyNs >= task->timedOutSteadyNs)) {
        const std::chrono::milliseconds timeout = *task->config->effectiveTimeout();
        onAttemptFailed(task, TaskError::fromException(std::make_exception_ptr(TimeoutError(timeout))));
        return;
    }
    if (!error) {
        finish(task, Phase::Succeeded, endSteadyNs, endWallUs);
        return;
    }
    if (task->cancel.isCancelled() || isCancellation(error)) {
        finish(task, Phase::Cancelled, endSteadyNs, endWallUs);
        return;
    }
    onAttemptFailed(task, TaskError::fromException(error));
}

void EngineCore::onAttemptFailed(const std::shared_ptr<TaskState> &task, TaskError error)
{
    task->setError(error);
    const int attempt = task->attempt.load(std::memory_order_relaxed);
    const bool mayRetry = !task->cancel.isCancelled()
                          && !(state() != EngineState::Running && !task->isShielded());
    bool retry = false;
    if (mayRetry && task->config->retry) {
        try {
            retry = task->config->retry->shouldRetry(attempt, error);
        } catch (...) {
            qCWarning(lcTask) << "retryIf of task" << task->name() << "threw; not retrying";
        }
        if (task->hasEnded())
            return; // retryIf cancelled the task (cancelTask ended it)
    }
    if (retry) {
        const milliseconds backoff =
            task->config->retry->backoffBefore(attempt + 1, QRandomGenerator::global()->generateDouble());
        logAttemptFailed(*task, attempt, error, {AfterFailure::Retry, backoff});
        task->advance(Stage::RetryWait);
        m_counters.retried.fetch_add(1, std::memory_order_relaxed);
        emitPhase(task, Phase::Retrying);
        std::weak_ptr<EngineCore> weak = weak_from_this();
        std::weak_ptr<TaskState> weakTask = task;
        QTimer::singleShot(backoff, q, [weak, weakTask] {
            auto core = weak.lock();
            auto t = weakTask.lock();
            if (core && t)
                core->retryNow(t);
        });
        return;
    }

    const ErrorHandler *handler = task->config->effectiveHandler();
    logAttemptFailed(*task, attempt, error, {handler ? AfterFailure::Handler : AfterFailure::NoHandler});
    if (handler)
        runHandler(task, *handler, error);
    else
        finish(task, Phase::Failed);
}

void EngineCore::retryNow(const std::shared_ptr<TaskState> &task)
{
    if (task->stageNow() != Stage::RetryWait)
        return;
    task->attempt.fetch_add(1, std::memory_order_relaxed);
    startAttempt(task);
}

void EngineCore::runHandler(const std::shared_ptr<TaskState> &task, const ErrorHandler &handler, const TaskError &error)
{
    if (!handler.isAsync()) {
        task->advance(Stage::SyncHandler);
        std::shared_ptr<Inbox> inbox = m_inbox;
        ErrorHandler::SyncFn fn = handler.syncFn();
        m_syncQueue->push([task, inbox, fn, error] {
            std::exception_ptr handlerError;
            {
                CurrentTaskGuard current(task.get());
                try {
                    fn(Task(task), error);
                } catch (...) {
                    handlerError = std::current_exception();
                }
            }
            inbox->post(Notice{.kind = Notice::HandlerDone, .task = task, .error = std::move(handlerError)});
        });
        return;
    }
    task->advance(Stage::AsyncHandler);
    CurrentTaskGuard current(task.get());
    AsyncContextGuard context(q);
    try {
        handler.asyncFn()(Task(task), error, task->cancel.token(), asyncCompletion(task, Notice::HandlerDone));
    } catch (...) {
        dispatch(Notice{.kind = Notice::HandlerDone, .task = task, .error = std::current_exception()});
    }
}

void EngineCore::onHandlerDone(const std::shared_ptr<TaskState> &task, std::exception_ptr error)
{
    if (const Stage stage = task->stageNow(); stage != Stage::SyncHandler && stage != Stage::AsyncHandler)
        return; // ended meanwhile (an async handler is detached when cancelled)
    if (error) {
        task->handlerError = TaskError::fromException(error);
        m_counters.handlerErrors.fetch_add(1, std::memory_order_relaxed);
        qCWarning(lcTask).nospace().noquote()
            << "the error handler of task " << task->name() << " (id " << task->id << ") threw "
            << task->handlerError->type << ": " << task->handlerError->message;
    }
    finish(task, Phase::Failed);
}

void EngineCore::cancelTask(const std::shared_ptr<TaskState> &task, CancelReason reason)
{
    if (task->hasEnded())
        return;
    task->cancel.cancel(reason); // runs the token's callbacks: read the stage only afterwards
    switch (task->stageNow()) {
    case Stage::Submitted:
        return; // onScheduled sees the cancelled token and ends it there, in order
    case Stage::Announced:    // not yet routed (e.g. scheduled during the drain)
    case Stage::AttemptEnded: // cancelled from user code that decides on the attempt (retryIf)
    case Stage::RetryWait:    // the backoff timer finds it ended
        finish(task, Phase::Cancelled);
        return;
    case Stage::Gated: // finish() takes it out of the gate
        finish(task, Phase::Cancelled);
        return;
    case Stage::Batched:
        {
            QMutexLocker lock(&task->scope->mutex);
            std::erase(task->scope->batch(task->mode), task);
        }
        finish(task, Phase::Cancelled);
        return;
    case Stage::Queued:
        if (!task->tryTakeBack()) { // a pool thread claimed it first: it is Running sync work
            if (state() == EngineState::Draining)
                markShutdownPending(task); // shutdown waits for it
            return;
        }
        [[fallthrough]];
    case Stage::Skipped: // (taken back earlier by beginShutdown())
        finish(task, Phase::Cancelled); // queued on the pool: never starts
        return;
    case Stage::Running:
        // The work saw its token cancelled; it ends Cancelled when it really ends (async work
        // that heeds its token: at its next cancellable co_await, or when its future finishes).
        // Until then a shutdown waits for it, up to the deadline.
        if (state() == EngineState::Draining)
            markShutdownPending(task);
        return;
    case Stage::AsyncHandler: // detached; the task keeps its failure
        task->handlerError = TaskError::fromException(std::make_exception_ptr(TaskCancelled()));
        finish(task, Phase::Failed);
        return;
    case Stage::SyncHandler:
        if (state() == EngineState::Draining)
            markShutdownPending(task); // a sync handler owns a pool thread: wait for it
        return;
    case Stage::Ended:
        return; // a callback of the token ended it
    }
}

void EngineCore::markShutdownPending(const std::shared_ptr<TaskState> &task)
{
    if (task->hasEnded() || task->phase.load() == Phase::ShutdownPending)
        return;
    emitPhase(task, Phase::ShutdownPending);
}

void EngineCore::finish(const std::shared_ptr<TaskState> &task, Phase phase, qint64 endSteadyNs, qint64 endWallUs)
{
    if (task->hasEnded())
        return;
    const Stage was = task->stageNow();
    task->advance(Stage::Ended); // first: whatever reports on it from now on is stale
    if (was == Stage::Gated)
        leaveGate(*task->scope, task); // still waiting, or let out and ended before it could begin
    noteBegun(task);
    if (endSteadyNs == 0)
        endSteadyNs = steadyNs();
    qint64 waitUs = 0;
    qint64 runUs = -1;
    if (task->firstStartSteadyNs >= 0) {
        waitUs = std::max<qint64>(0, (task->firstStartSteadyNs - task->scheduledSteadyNs) / 1000);
        runUs = std::max<qint64>(0, (endSteadyNs - task->firstStartSteadyNs) / 1000);
    } else {
        waitUs = std::max<qint64>(0, (endSteadyNs - task->scheduledSteadyNs) / 1000);
    }
    switch (phase) {
    case Phase::Succeeded: m_counters.succeeded.fetch_add(1, std::memory_order_relaxed); break;
    case Phase::Failed: m_counters.failed.fetch_add(1, std::memory_order_relaxed); break;
    case Phase::Cancelled: m_counters.cancelled.fetch_add(1, std::memory_order_relaxed); break;
    case Phase::Abandoned: m_counters.abandoned.fetch_add(1, std::memory_order_relaxed); break;
    case Phase::Dropped: m_counters.dropped.fetch_add(1, std::memory_order_relaxed); break;
    default: Q_UNREACHABLE();
    }
    // The final value, even within the throttle's interval: no progress may follow the terminal
    // event, and a pending one would otherwise be lost (the task is Ended: onProgress ignores it).
    emitProgress(*task, true);
    unregister(*task); // first: a receiver of the terminal event must not see it live
    // Settled before the event, so that its receivers find Task::outcome() finished; the futures
    // handed out before are fulfilled after it.
    std::unique_ptr<QPromise<TaskOutcome>> promise = settle(*task, phase);
    emitPhase(task, phase, waitUs, runUs, endWallUs);
    if (promise)
        fulfil(*promise, *task);

    if (state() != EngineState::Running) {
        switch (phase) {
        case Phase::Succeeded:
        case Phase::Failed: ++m_report.finished; break;
        case Phase::Cancelled: ++m_report.cancelled; break;
        case Phase::Abandoned: ++m_report.abandoned; break;
        case Phase::Dropped: ++m_report.dropped; break;
        default: break;
        }
        if (state() == EngineState::Draining && !m_sweeping) {
            if (q)
                Q_EMIT q->shutdownProgress(progress());
            bool drained;
            {
                QMutexLocker lock(&m_registryMutex);
                drained = m_liveCount == 0;
            }
            if (drained)
                finishShutdown();
        }
    }
}

std::unique_ptr<QPromise<TaskOutcome>> EngineCore::settle(TaskState &task, Phase phase)
{
    QMutexLocker lock(&task.mutex); // one uncontended lock per task
    task.phase.store(phase, std::memory_order_release);
    task.settled = true;
    return std::move(task.outcomePromise);
}

void EngineCore::fulfil(QPromise<TaskOutcome> &promise, const TaskState &task)
{
    TaskOutcome outcome;
    {
        QMutexLocker lock(&task.mutex);
        outcome = task.outcomeWhileLocked();
    }
    // A QFuture::then() continuation without a context runs inside these calls: user code, which
    // QFuture itself keeps from throwing through them.
    promise.addResult(std::move(outcome));
    promise.finish();
}

void EngineCore::unregister(TaskState &task)
{
    std::shared_ptr<TaskState> registryReference; // released after the lock: ~TaskState runs user destructors
    QMutexLocker lock(&m_registryMutex);
    if (!task.liveSelf)
        return;
    (task.livePrev ? task.livePrev->liveNext : m_liveHead) = task.liveNext;
    (task.liveNext ? task.liveNext->livePrev : m_liveTail) = task.livePrev;
    task.livePrev = task.liveNext = nullptr;
    --m_liveCount;
    registryReference = std::move(task.liveSelf);
    lock.unlock();
}

std::vector<std::shared_ptr<TaskState>> EngineCore::liveSnapshot() const
{
    std::vector<std::shared_ptr<TaskState>> tasks;
    QMutexLocker lock(&m_registryMutex);
    tasks.reserve(std::size_t(m_liveCount));
    for (TaskState *task = m_liveHead; task; task = task->liveNext)
        tasks.push_back(task->liveSelf);
    return tasks;
}

// ---------------------------------------------------------------------------------------------
// Progress

void postTaskProgress(TaskState &task)
{
    // Always through the inbox, even on the engine thread: a receiver of taskProgress() must not
    // run inside the work's own call (it might cancel the coroutine that is reporting). The
    // registry's reference is stable meanwhile: only unregister() moves it, after the close.
    task.inbox->post(Notice{.kind = Notice::Progress, .task = task.liveSelf});
}

void EngineCore::onProgress(const std::shared_ptr<TaskState> &task)
{
    if (task->hasEnded())
        return; // finish() emitted the final value
    const qint64 nowNs = steadyNs();
    const qint64 dueNs = task->lastProgressEmitSteadyNs + duration_cast<nanoseconds>(kProgressInterval).count();
    if (nowNs < dueNs && q) {
        // Too soon: the value waits (its emission is still pending, so reporters post nothing meanwhile).
        std::weak_ptr<EngineCore> weak = weak_from_this();
        std::weak_ptr<TaskState> weakTask = task;
        QTimer::singleShot(ceil<milliseconds>(nanoseconds(dueNs - nowNs)), q, [weak, weakTask] {
            auto core = weak.lock();
            auto t = weakTask.lock();
            if (core && t)
                core->onProgress(t);
        });
        return;
    }
    emitProgress(*task, false);
}

void EngineCore::emitProgress(TaskState &task, bool final)
{
    const std::optional<TaskProgress> value = task.stamped(ProgressBinding::takeForEmission(task.cancel, final));
    if (!value)
        return;
    task.lastProgressEmitSteadyNs = steadyNs();
    if (q && q->isSignalConnected(m_taskProgressSignal))
        Q_EMIT q->taskProgress(*value);
}

// ---------------------------------------------------------------------------------------------
// Events

TaskEvent EngineCore::describe(const TaskState &task, Phase phase) const
{
    TaskEvent event;
    event.taskId = task.id;
    event.name = task.name();
    event.phase = phase;
    event.shielded = task.isShielded();
    event.mode = task.mode;
    event.work = task.work.kind;
    event.attempt = task.attempt.load(std::memory_order_relaxed);
    event.requestId = task.requestId;
    event.functionLabel = task.work.label;
    event.timestampUs = task.stepUs.load(std::memory_order_relaxed);
    event.scheduledUs = task.scheduledUs;
    event.startedUs = task.startedUs.load(std::memory_order_relaxed);
    if (phase == Phase::Failed || phase == Phase::Retrying || phase == Phase::Dropped)
        event.error = task.errorCopy();
    return event;
}

void EngineCore::emitPhase(const std::shared_ptr<TaskState> &task, Phase phase, qint64 waitUs, qint64 runUs,
                           qint64 stepUs)
{
    // A time read on a pool thread may predate a step the engine reported meanwhile (a shutdown's
    // ShutdownPending before the Finished it had not read yet): a task's steps never go back.
    const qint64 previousUs = task->stepUs.load(std::memory_order_relaxed);
    task->stepUs.store(std::max(stepUs > 0 ? stepUs : wallClockUs(), previousUs), std::memory_order_relaxed);
    task->phase.store(phase, std::memory_order_release);
    if (!q || !m_eventReceiverSeen.load(std::memory_order_acquire) || !q->isSignalConnected(m_taskEventSignal))
        return;
    TaskEvent event = describe(*task, phase);
    event.waitUs = waitUs;
    event.runUs = runUs;
    if (phase == Phase::Failed)
        event.handlerError = task->handlerError;
    Q_EMIT q->taskEvent(event);
}

} // namespace afterwork::detail
