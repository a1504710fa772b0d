// SPDX-License-Identifier: MIT
#include <afterwork/cancellationtoken.h>
#include <afterwork/taskerror.h>

#include "progressreport.h"
#include "taskstate.h"

#include <QtCore/QMutex>

#include <algorithm>
#include <atomic>
#include <vector>

namespace afterwork {
namespace detail {

// Shared by a source, its tokens and its children. The flag is atomic so that polling is cheap;
// callbacks are kept under a mutex that is released before any callback runs.
class CancelState
{
public:
    explicit CancelState(std::shared_ptr<CancelState> parent = {}) : m_parent(std::move(parent)) {}
    ~CancelState() { delete m_progressSlot.load(std::memory_order_acquire); }
    Q_DISABLE_COPY_MOVE(CancelState)

    bool isCancelled() const noexcept
    {
        return m_reason.load(std::memory_order_acquire) != CancelReason::None
            || (m_parent && m_parent->isCancelled());
    }

    CancelReason reason() const noexcept
    {
        const CancelReason own = m_reason.load(std::memory_order_acquire);
        if (own != CancelReason::None || !m_parent)
            return own;
        return m_parent->reason();
    }

    bool cancel(CancelReason reason)
    {
        if (m_parent && m_parent->isCancelled())
            return false; // the parent's reason stands (a timeout never overrides a cancel)
        CancelReason expected = CancelReason::None;
        if (!m_reason.compare_exchange_strong(expected, reason, std::memory_order_acq_rel))
            return false;
        std::vector<Callback> callbacks;
        {
            QMutexLocker lock(&m_mutex);
            callbacks.swap(m_callbacks);
        }
        for (auto &callback : callbacks)
            callback.fn();
        return true;
    }

    quint64 addCallback(std::function<void()> fn)
    {
        // A child is cancelled with its parent: the callback is registered with the parent too,
        // guarded so that it runs once whichever side fires first.
        auto once = std::make_shared<std::atomic<bool>>(false);
        auto guarded = [fn = std::move(fn), once] {
            if (!once->exchange(true))
                fn();
        };
        const quint64 parentId = m_parent ? m_parent->addCallback(guarded) : 0;
        quint64 id = 0;
        {
            QMutexLocker lock(&m_mutex);
            if (m_reason.load(std::memory_order_acquire) == CancelReason::None) {
                id = ++m_nextId;
                m_callbacks.push_back({id, guarded, parentId});
            }
        }
        if (id == 0)
            guarded(); // already cancelled: call at once, outside the lock
        return id;
    }

    void removeCallback(quint64 id)
    {
        if (id == 0)
            return;
        quint64 parentId = 0;
        {
            QMutexLocker lock(&m_mutex);
            for (auto it = m_callbacks.begin(); it != m_callbacks.end(); ++it) {
                if (it->id == id) {
                    parentId = it->parentId;
                    m_callbacks.erase(it);
                    break;
                }
            }
        }
        if (m_parent)
            m_parent->removeCallback(parentId);
    }

    //! Where progress is kept: a task's own state (bound by ProgressBinding). A child (an attempt's
    //! timeout token) reports to its root, through its parents.
    CancelState &root()
    {
        CancelState *root = this;
        while (root->m_parent)
            root = root->m_parent.get();
        return *root;
    }

    // Progress, on a root. A throttled report must stay cheap (docs/performance.md, figure 3a): it
    // takes the slot's uncontended lock and stores the value; only the report that finds no
    // emission on its way posts one. Neither binding a task nor ending it counts a reference:
    // most tasks never report.
    void bindProgress(TaskState *owner) { m_progressOwner = owner; }
    void reportProgress(qint64 done, qint64 total, const QString &message)
    {
        if (!m_progressOwner)
            return; // a source the engine did not make: its tokens ignore reports
        const qint64 reportedUs = coarseWallClockUs();
        ProgressSlot &slot = progressSlot();
        QMutexLocker lock(&slot.mutex);
        if (m_progressClosed.load())
            return; // late (a future's last signals, a token kept by the work): the final value is out
        slot.latest.done = done;
        slot.latest.total = total;
        if (!message.isSharedWith(slot.latest.message)) // a message reused as is costs no copy
            slot.latest.message = message;
        // Never back in time for this task, even when reporters on two threads read the clock in
        // one order and take the lock in the other.
        slot.latest.timestampUs = std::max(reportedUs, slot.latest.timestampUs);
        slot.attempt = m_progressOwner->attempt.load(std::memory_order_relaxed);
        ++slot.reports;
        if (slot.emitPending)
            return; // the emission on its way will carry this value: the throttled, cheap case
        slot.emitPending = true;
        // Still under the lock: the task has not ended (takeProgress(true) waits for this lock,
        // and the engine unregisters the task only after it), so the owner is alive.
        postTaskProgress(*m_progressOwner);
    }
    std::optional<ReportedProgress> latestProgress() const
    {
        const ProgressSlot *slot = m_progressSlot.load(std::memory_order_acquire);
        if (!slot)
            return std::nullopt;
        QMutexLocker lock(&slot->mutex);
        if (slot->reports == 0)
            return std::nullopt;
        return ReportedProgress{slot->latest, slot->attempt};
    }
    std::optional<ReportedProgress> takeProgress(bool close)
    {
        // Ending a task must not allocate a slot (most tasks never report), yet a report racing
        // with the end must not store a value after the last one: the flag and the slot are both
        // sequentially consistent, so a reporter that installs a slot this load missed sees the flag.
        if (close)
            m_progressClosed.store(true);
        ProgressSlot *slot = m_progressSlot.load();
        if (!slot)
            return std::nullopt;
        QMutexLocker lock(&slot->mutex);
        slot->emitPending = false;
        if (slot->reports == slot->emittedReports)
            return std::nullopt;
        slot->emittedReports = slot->reports;
        return ReportedProgress{slot->latest, slot->attempt};
    }

private:
    struct Callback
    {
        quint64 id;
        std::function<void()> fn;
        quint64 parentId;
    };
    std::shared_ptr<CancelState> m_parent;
    std::atomic<CancelReason> m_reason{CancelReason::None};
    std::atomic<bool> m_progressClosed{false}; //!< the task ended: reports are ignored from now on
    QMutex m_mutex;
    std::vector<Callback> m_callbacks;
    quint64 m_nextId = 0;
    //! A task's progress, made on its first report or when it ends; most tasks never report.
    struct ProgressSlot
    {
        mutable QMutex mutex;
        TaskProgress latest;        // guarded by mutex: the newest value reported
        quint64 reports = 0;        // guarded by mutex: how many reports `latest` has seen
        quint64 emittedReports = 0; // guarded by mutex: `reports` when `latest` was last taken
        int attempt = 0;            // guarded by mutex: the task's attempt when `latest` was reported
        // Guarded by mutex: a notice or the throttle's timer is on its way and will emit `latest`,
        // so a reporter only stores its value.
        bool emitPending = false;
    };
    //! The slot, made on first use (installed by compare-exchange: reporters may race). Any thread.
    ProgressSlot &progressSlot()
    {
        ProgressSlot *slot = m_progressSlot.load(); // sequentially consistent: see takeProgress()
        if (slot)
            return *slot;
        auto made = std::make_unique<ProgressSlot>();
        if (m_progressSlot.compare_exchange_strong(slot, made.get()))
            return *made.release();
        return *slot; // another reporter installed one first
    }

    //! The task whose progress this root keeps: set once, before any token is handed out, and
    //! used only while the task has not ended (see reportProgress()). Null: reports are ignored.
    TaskState *m_progressOwner = nullptr;
    std::atomic<ProgressSlot *> m_progressSlot{nullptr}; // owned; never replaced
};

void ProgressBinding::bind(const CancellationSource &source, TaskState *task)
{
    source.m_state->bindProgress(task);
}

std::optional<ReportedProgress> ProgressBinding::latest(const CancellationSource &source)
{
    return source.m_state->root().latestProgress();
}

std::optional<ReportedProgress> ProgressBinding::takeForEmission(const CancellationSource &source, bool close)
{
    return source.m_state->root().takeProgress(close);
}

} // namespace detail

CancellationToken::CancellationToken(std::shared_ptr<detail::CancelState> state) : m_state(std::move(state)) {}

bool CancellationToken::isCancelled() const noexcept
{
    return m_state && m_state->isCancelled();
}

CancelReason CancellationToken::reason() const noexcept
{
    return m_state ? m_state->reason() : CancelReason::None;
}

void CancellationToken::throwIfCancelled() const
{
    if (isCancelled())
        throw TaskCancelled();
}

quint64 CancellationToken::onCancel(std::function<void()> callback) const
{
    if (!m_state)
        return 0;
    return m_state->addCallback(std::move(callback));
}

void CancellationToken::removeCallback(quint64 id) const
{
    if (m_state)
        m_state->removeCallback(id);
}

void CancellationToken::reportProgress(qint64 done, qint64 total, const QString &message) const
{
    if (m_state)
        m_state->root().reportProgress(done, total, message);
}

CancellationSource::CancellationSource() : m_state(std::make_shared<detail::CancelState>()) {}

CancellationSource CancellationSource::childOf(const CancellationSource &parent)
{
    CancellationSource child;
    child.m_state = std::make_shared<detail::CancelState>(parent.m_state);
    return child;
}

CancellationToken CancellationSource::token() const
{
    return CancellationToken(m_state);
}

bool CancellationSource::cancel(CancelReason reason) const
{
    return m_state->cancel(reason);
}

bool CancellationSource::isCancelled() const noexcept
{
    return m_state->isCancelled();
}

} // namespace afterwork
