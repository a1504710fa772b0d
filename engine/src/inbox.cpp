// SPDX-License-Identifier: MIT
#include "enginecore.h"

#include <afterwork/detail/handoff.h>

namespace afterwork::detail {

void Inbox::post(Notice &&notice)
{
    QMutexLocker lock(&m_mutex);
    if (!m_receiver)
        return; // the engine is gone: nobody will read it
    m_notices.push_back(std::move(notice));
    if (!m_drainPosted) {
        m_drainPosted = true;
        QMetaObject::invokeMethod(m_receiver.data(), handedOff(m_drain), Qt::QueuedConnection);
    }
}

void Inbox::moveAllInto(std::vector<Notice> &target)
{
    QMutexLocker lock(&m_mutex);
    m_drainPosted = false;
    if (target.empty()) {
        target.swap(m_notices);
        return;
    }
    target.insert(target.end(), std::make_move_iterator(m_notices.begin()), std::make_move_iterator(m_notices.end()));
    m_notices.clear();
}

void Inbox::setReceiver(QObject *receiver, std::function<void()> drain)
{
    std::vector<Notice> unread; // destroyed after the lock: a notice may hold a task's last reference
    QMutexLocker lock(&m_mutex);
    m_receiver = receiver;
    m_drain = std::move(drain);
    if (!receiver)
        unread.swap(m_notices);
    lock.unlock();
}

bool Inbox::invoke(std::function<void()> fn)
{
    QMutexLocker lock(&m_mutex);
    if (!m_receiver)
        return false;
    return QMetaObject::invokeMethod(m_receiver.data(), handedOff(std::move(fn)), Qt::QueuedConnection);
}

} // namespace afterwork::detail
