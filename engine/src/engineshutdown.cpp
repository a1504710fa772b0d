// SPDX-License-Identifier: MIT
// The drain: shutdown(), the deadline, abandoning what still runs, and the destructor's immediate
// shutdown. Part of EngineCore (enginecore.h).
#include "enginecore.h"

#include <afterwork/detail/handoff.h>
#include <afterwork/detail/suspension.h>

#include "logging.h"

#include <QtCore/QEventLoop>
#include <QtCore/QTimer>

namespace afterwork::detail {

using namespace std::chrono;

void EngineCore::destroy()
{
    if (state() != EngineState::Stopped) {
        // Immediate shutdown: nothing may block here except the bounded wait below.
        if (!m_shutdownBegun)
            beginShutdown(0ms);
        if (state() == EngineState::Draining)
            abandonRemaining();
    }
    // A coroutine cancelled from another thread is resumed by a call posted to this thread; run
    // those now, so that none resumes after the engine is gone.
    Suspension::resumePostedHere();
    endPoolWakeUpBatch(); // what a batch held must start (or be skipped) before the wait, not after
    if (m_pool && !m_pool->waitForDone(int(m_options.destroyWait.count()))) {
        qCWarning(lcEngine,
                  "TaskEngine destroyed while sync work still runs on its pool after %lld ms; the pool is "
                  "left running and the work's outcome ignored",
                  qlonglong(m_options.destroyWait.count()));
        m_pool->setParent(nullptr);
        (void)m_pool.release(); // deliberate: ~QThreadPool would block until that work ends
    }
    m_inbox->setReceiver(nullptr, {});
    q = nullptr;
}

ShutdownReport EngineCore::shutdown(milliseconds deadline)
{
    if (!q) // the engine is gone: its destructor already shut down
        return m_report;
    if (!onEngineThread()) {
        ShutdownReport report;
        auto self = shared_from_this();
        QMetaObject::invokeMethod(
            q,
            handedOff([self, deadline, &report] {
                report = self->shutdown(deadline);
                markHandOff(&report); // back to the caller, whom Qt's semaphore wakes
            }),
            Qt::BlockingQueuedConnection);
        markReceipt(&report);
        return report;
    }
    startShutdown(deadline);
    if (state() != EngineState::Stopped) {
        QEventLoop loop;
        QObject::connect(q, &TaskEngine::shutdownFinished, &loop, &QEventLoop::quit);
        if (state() != EngineState::Stopped)
            loop.exec();
    }
    return m_report;
}

void EngineCore::startShutdown(milliseconds deadline)
{
    if (!onEngineThread()) {
        std::weak_ptr<EngineCore> weak = weak_from_this();
        m_inbox->invoke([weak, deadline] {
            if (auto core = weak.lock())
                core->startShutdown(deadline);
        });
        return;
    }
    if (m_shutdownBegun || !q)
        return; // once: a nested call from a slot while shutting down is a no-op
    beginShutdown(deadline);
}

void EngineCore::beginShutdown(milliseconds deadline)
{
    m_shutdownBegun = true;
    {
        QMutexLocker lock(&m_registryMutex);
        m_state.store(EngineState::Draining, std::memory_order_release);
    }
    m_shutdownStartSteadyNs = steadyNs();
    m_deadlineUs = wallClockUs() + duration_cast<microseconds>(deadline).count();
    qCInfo(lcEngine) << "shutting down; deadline in" << deadline.count() << "ms";
    // The deadline is armed before any user code (slots of the events below) can run, so that a
    // slot that blocks in shutdown() is still bounded by it.
    if (q) {
        std::weak_ptr<EngineCore> weak = weak_from_this();
        QTimer::singleShot(deadline, q, [weak] {
            if (auto core = weak.lock(); core && core->state() == EngineState::Draining)
                core->abandonRemaining();
        });
    }

    m_sweeping = true; // no progress signals or early finish while we sweep
    drainInbox(false); // announce everything already scheduled (as Draining rules say)
    const std::vector<std::shared_ptr<TaskState>> tasks = liveSnapshot();
    // First make sure no queued unshielded work can still start: receivers of the events below
    // may free pool threads. Their own events follow in the sweep.
    // Claim every queued attempt before cancelling any token: cancel callbacks are user code and
    // may let running work finish, freeing a pool thread that would pick the next queued one.
    for (const auto &task : tasks) {
        if (!task->isShielded() && task->stageNow() == Stage::Queued)
            task->tryTakeBack(); // Skipped: cancelTask() below ends it
    }
    for (const auto &task : tasks) {
        if (!task->isShielded() && task->stageNow() != Stage::Submitted)
            task->cancel.cancel(CancelReason::Shutdown);
    }
    for (const auto &task : tasks) {
        if (const Stage stage = task->stageNow(); stage == Stage::Submitted || stage == Stage::Ended)
            continue;
        if (task->isShielded())
            markShutdownPending(task);
        else
            cancelTask(task, CancelReason::Shutdown);
    }
    m_sweeping = false;
    if (state() != EngineState::Draining)
        return; // a slot finished the shutdown meanwhile
    if (q) {
        Q_EMIT q->shutdownStarted(progress());
        Q_EMIT q->shutdownProgress(progress());
    }
    if (state() != EngineState::Draining)
        return;
    bool drained;
    {
        QMutexLocker lock(&m_registryMutex);
        drained = m_liveCount == 0;
    }
    if (drained)
        finishShutdown();
}

void EngineCore::abandonRemaining()
{
    m_abandoning = true; // first: a Started handled below must not let gated work start
    drainInbox(false);
    const std::vector<std::shared_ptr<TaskState>> tasks = liveSnapshot();
    m_sweeping = true;
    for (const auto &task : tasks) {
        if (task->hasEnded())
            continue;
        if (task->stageNow() == Stage::Submitted)
            onScheduled(task); // keep Scheduled before its terminal event
        if (task->hasEnded())
            continue;
        if (!task->isShielded() && !isBusy(task->stageNow())) {
            cancelTask(task, CancelReason::Shutdown);
            continue;
        }
        task->cancel.cancel(CancelReason::Shutdown); // cooperative work may still stop
        if (task->stageNow() == Stage::Queued)
            task->tryTakeBack(); // queued shielded work never starts now (else a pool thread has it)
        // Whatever still reports on it (the pool thread, an async completion, a timer) finds it
        // Ended and is ignored.
        finish(task, Phase::Abandoned);
    }
    m_sweeping = false;
    m_report.deadlineReached = true;
    finishShutdown();
}

void EngineCore::finishShutdown()
{
    if (state() == EngineState::Stopped)
        return;
    {
        QMutexLocker lock(&m_registryMutex);
        m_state.store(EngineState::Stopped, std::memory_order_release);
    }
    m_report.elapsedMs = (steadyNs() - m_shutdownStartSteadyNs) / 1000000;
    qCInfo(lcEngine) << "shut down in" << m_report.elapsedMs << "ms: finished" << m_report.finished << "cancelled"
                     << m_report.cancelled << "abandoned" << m_report.abandoned << "dropped" << m_report.dropped;
    if (q)
        Q_EMIT q->shutdownFinished(m_report);
}

ShutdownProgress EngineCore::progress() const
{
    ShutdownProgress p;
    p.deadlineUs = m_deadlineUs;
    {
        QMutexLocker lock(&m_registryMutex);
        p.pending = m_liveCount;
    }
    p.cancelled = m_report.cancelled;
    p.finished = m_report.finished;
    p.abandoned = m_report.abandoned;
    return p;
}

} // namespace afterwork::detail
