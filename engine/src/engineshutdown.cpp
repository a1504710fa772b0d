// SPDX-License-Identifier: MIT
// The drain: shutdown(), the deadline, abandoning what still runs, and the destructor's immediate
// shutdown. Part of EngineCore (enginecore.h).
#include "enginecore.h"

#include "logging.h"

#include <QtCore/QEventLoop>
#include <QtCore/QTimer>

namespace afterwork::detail {

using namespace std::chrono;

void EngineCore::destroy()
{
    if (state() != EngineState::Stopped) {
        // Immediate shutdown: nothing may block here except the bounded wait below.
        if (state() == EngineState::Running)
            beginShutdown(0ms);
        abandonRemaining();
    }
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
    if (!onEngineThread()) {
        ShutdownReport report;
        auto self = shared_from_this();
        QMetaObject::invokeMethod(
            q, [self, deadline, &report] { report = self->shutdown(deadline); }, Qt::BlockingQueuedConnection);
        return report;
    }
    if (state() == EngineState::Running)
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
    if (state() != EngineState::Running)
        return;
    beginShutdown(deadline);
    bool drained;
    {
        QMutexLocker lock(&m_registryMutex);
        drained = m_live.empty();
    }
    if (drained) {
        finishShutdown();
        return;
    }
    std::weak_ptr<EngineCore> weak = weak_from_this();
    QTimer::singleShot(deadline, q, [weak] {
        if (auto core = weak.lock(); core && core->state() == EngineState::Draining) {
            core->abandonRemaining();
        }
    });
}

void EngineCore::beginShutdown(milliseconds deadline)
{
    drainInbox(false); // announce everything already scheduled, so the sweep sees it
    {
        QMutexLocker lock(&m_registryMutex);
        m_state.store(EngineState::Draining, std::memory_order_release);
    }
    m_shutdownStartSteadyNs = steadyNs();
    m_deadlineUs = wallClockUs() + duration_cast<microseconds>(deadline).count();
    qCInfo(lcEngine) << "shutting down; deadline in" << deadline.count() << "ms";

    std::vector<std::shared_ptr<TaskState>> tasks;
    {
        QMutexLocker lock(&m_registryMutex);
        for (const auto &[id, task] : m_live)
            tasks.push_back(task);
    }
    // Before anyone hears of the shutdown (receivers of shutdownStarted may free pool threads),
    // make sure no queued unshielded work can still start. Their events follow in the sweep.
    for (const auto &task : tasks) {
        if (task->isShielded() || !task->announced.load(std::memory_order_relaxed))
            continue;
        task->cancel.cancel(CancelReason::Shutdown);
        if (task->work.kind == WorkKind::Sync && task->running) {
            RunClaim expected = RunClaim::Queued;
            task->claim.compare_exchange_strong(expected, RunClaim::Skipped, std::memory_order_acq_rel);
        }
    }
    if (q)
        Q_EMIT q->shutdownStarted(progress());
    m_sweeping = true;
    for (const auto &task : tasks) {
        if (!task->announced || task->isTerminalNow())
            continue;
        if (task->isShielded())
            markShutdownPending(task);
        else
            cancelTask(task, CancelReason::Shutdown);
    }
    m_sweeping = false;
    if (q)
        Q_EMIT q->shutdownProgress(progress());
}

void EngineCore::abandonRemaining()
{
    drainInbox(false);
    std::vector<std::shared_ptr<TaskState>> tasks;
    {
        QMutexLocker lock(&m_registryMutex);
        for (const auto &[id, task] : m_live)
            tasks.push_back(task);
    }
    m_sweeping = true;
    for (const auto &task : tasks) {
        if (task->isTerminalNow())
            continue;
        if (!task->announced)
            onScheduled(task); // keep Scheduled before its terminal event
        if (task->isTerminalNow())
            continue;
        if (!task->isShielded() && !task->running && !task->inHandler) {
            cancelTask(task, CancelReason::Shutdown);
            continue;
        }
        task->cancel.cancel(CancelReason::Shutdown); // cooperative work may still stop
        if (task->work.kind == WorkKind::Sync && task->running) {
            RunClaim expected = RunClaim::Queued; // queued shielded work never starts now
            task->claim.compare_exchange_strong(expected, RunClaim::Skipped, std::memory_order_acq_rel);
        }
        task->running = false;
        task->inHandler = false;
        task->retryPending = false;
        ++task->asyncGeneration;
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
        p.pending = int(m_live.size());
    }
    p.cancelled = m_report.cancelled;
    p.finished = m_report.finished;
    p.abandoned = m_report.abandoned;
    return p;
}

} // namespace afterwork::detail
