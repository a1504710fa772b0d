// SPDX-License-Identifier: MIT
#include "enginecore.h"

namespace afterwork::detail {

void Inbox::post(Notice &&notice)
{
    QMutexLocker lock(&m_mutex);
    if (!m_receiver)
        return; // the engine is gone: nobody will read it
    m_notices.push_back(std::move(notice));
    if (!m_drainPosted) {
        m_drainPosted = true;
        QMetaObject::invokeMethod(m_receiver.data(), m_drain, Qt::QueuedConnection);
    }
}

std::vector<Notice> Inbox::takeAll()
{
    std::vector<Notice> taken;
    QMutexLocker lock(&m_mutex);
    taken.swap(m_notices);
    m_drainPosted = false;
    return taken;
}

void Inbox::setReceiver(QObject *receiver, std::function<void()> drain)
{
    QMutexLocker lock(&m_mutex);
    m_receiver = receiver;
    m_drain = std::move(drain);
    if (!receiver)
        m_notices.clear();
}

bool Inbox::invoke(std::function<void()> fn)
{
    QMutexLocker lock(&m_mutex);
    if (!m_receiver)
        return false;
    return QMetaObject::invokeMethod(m_receiver.data(), std::move(fn), Qt::QueuedConnection);
}

} // namespace afterwork::detail
