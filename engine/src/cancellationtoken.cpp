// SPDX-License-Identifier: MIT
#include <afterwork/cancellationtoken.h>
#include <afterwork/taskerror.h>

#include "progressreport.h"

#include <QtCore/QMutex>

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

    //! The task whose work reports progress through this state's tokens: set on a task's own
    //! state only (ProgressBinding), and found from a child (an attempt's timeout token) through
    //! its parents. Empty for a source the engine did not make: its tokens ignore reports.
    const std::weak_ptr<TaskState> &progressOwner() const
    {
        const CancelState *root = this;
        while (root->m_parent)
            root = root->m_parent.get();
        return root->m_progressOwner;
    }
    void setProgressOwner(std::weak_ptr<TaskState> owner) { m_progressOwner = std::move(owner); }

private:
    struct Callback
    {
        quint64 id;
        std::function<void()> fn;
        quint64 parentId;
    };
    std::shared_ptr<CancelState> m_parent;
    std::atomic<CancelReason> m_reason{CancelReason::None};
    QMutex m_mutex;
    std::vector<Callback> m_callbacks;
    quint64 m_nextId = 0;
    std::weak_ptr<TaskState> m_progressOwner; // set once, before any token is handed out
};

void ProgressBinding::bind(const CancellationSource &source, std::weak_ptr<TaskState> task)
{
    source.m_state->setProgressOwner(std::move(task));
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
    if (!m_state)
        return;
    if (const std::shared_ptr<detail::TaskState> task = m_state->progressOwner().lock())
        detail::reportTaskProgress(task, done, total, message);
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
