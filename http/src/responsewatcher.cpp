// SPDX-License-Identifier: MIT
#include "responsewatcher.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpSocket>

#include <utility>

namespace afterwork::http::detail {

ResponseWatcher *ResponseWatcher::of(QTcpSocket *socket)
{
    if (auto *watcher = socket->findChild<ResponseWatcher *>(QString(), Qt::FindDirectChildrenOnly))
        return watcher;
    return new ResponseWatcher(socket);
}

ResponseWatcher::ResponseWatcher(QTcpSocket *socket)
    : QObject(socket)
    , m_socket(socket)
{
    connect(socket, &QTcpSocket::bytesWritten, this, &ResponseWatcher::onBytesWritten);
    connect(socket, &QTcpSocket::disconnected, this, &ResponseWatcher::onDisconnected);
}

ResponseWatcher::~ResponseWatcher()
{
    // Taken out first: a callback may end with the last reference to something that watches.
    const std::deque<Pending> pending = std::exchange(m_pending, {});
    for (const Pending &response : pending) {
        if (response.done)
            response.done(false);
    }
}

void ResponseWatcher::watch(std::function<void(bool written)> done)
{
    m_pending.push_back({m_written + m_socket->bytesToWrite(), std::move(done)});
    if (m_socket->bytesToWrite() == 0) {
        // Already out: said from the event loop, as a write would be, not inside the caller.
        QMetaObject::invokeMethod(this, [this] { onBytesWritten(0); }, Qt::QueuedConnection);
    }
}

bool ResponseWatcher::isIdle(QTcpSocket *socket)
{
    if (socket->bytesToWrite() != 0)
        return false;
    const auto *watcher = socket->findChild<ResponseWatcher *>(QString(), Qt::FindDirectChildrenOnly);
    return !watcher || watcher->m_pending.empty();
}

void ResponseWatcher::onBytesWritten(qint64 bytes)
{
    m_written += bytes;
    const QPointer<ResponseWatcher> alive(this);
    // One at a time: a callback may queue and watch another response, or end the connection.
    while (alive && !m_pending.empty() && m_pending.front().until <= m_written) {
        const auto done = std::move(m_pending.front().done);
        m_pending.pop_front();
        if (done)
            done(true);
    }
}

void ResponseWatcher::onDisconnected()
{
    const QPointer<ResponseWatcher> alive(this);
    while (alive && !m_pending.empty()) {
        Pending response = std::move(m_pending.front());
        m_pending.pop_front();
        if (response.done)
            response.done(response.until <= m_written);
    }
}

WrittenResponses::~WrittenResponses()
{
    // Without an application there is no event loop left to say it in; the exchanges then end
    // as they do when their thread's loop is gone.
    if (!m_written.empty() && QCoreApplication::instance())
        QTimer::singleShot(0, [written = std::move(m_written)] {
            for (const auto &done : written)
                done(true);
        });
}

void WrittenResponses::watch(QTcpSocket *socket, std::function<void(bool written)> done)
{
    if (!ResponseWatcher::isIdle(socket)) {
        ResponseWatcher::of(socket)->watch(std::move(done));
        return;
    }
    if (!done)
        return;
    m_written.push_back(std::move(done));
    if (m_posted)
        return;
    // Said from the event loop, as a write would be, not inside the caller.
    m_posted = QMetaObject::invokeMethod(
        &m_context, [weak = weak_from_this()] {
            if (const auto self = weak.lock())
                self->sayWritten();
        },
        Qt::QueuedConnection);
}

void WrittenResponses::sayWritten()
{
    m_posted = false;
    // Taken out first: a callback may write, and queue, another response.
    std::vector<std::function<void(bool written)>> written;
    written.swap(m_written);
    for (const auto &done : written)
        done(true);
    written.clear();
    if (m_written.empty())
        m_written.swap(written); // keeps the room for the next pass
}

} // namespace afterwork::http::detail
