// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QObject>

#include <deque>
#include <functional>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace afterwork::http::detail {

//! Says when each response queued on one connection is out, in the order they were queued. One
//! per socket (its child), connected to it once: watching every response through connections of
//! its own cost a few thousand instructions per request (docs/performance.md, "4e"). Plain
//! QTcpSocket code; the socket's thread only.
class ResponseWatcher final : public QObject
{
    Q_OBJECT
public:
    //! \a socket's watcher, made on first use.
    static ResponseWatcher *of(QTcpSocket *socket);

    //! Calls \a written once every byte queued on the socket so far has been written, or \a gone if
    //! the connection ends first. Counted rather than read from bytesToWrite(), which an abort()
    //! also empties.
    void watch(std::function<void()> written, std::function<void()> gone);

    //! What is still watched ends as gone: the connection is going away.
    ~ResponseWatcher() override;

private:
    explicit ResponseWatcher(QTcpSocket *socket);
    void onBytesWritten(qint64 bytes);
    void onDisconnected();

    struct Pending
    {
        qint64 until; //!< m_written once this response's last byte is out
        std::function<void()> written;
        std::function<void()> gone;
    };
    QTcpSocket *m_socket; // The parent.
    qint64 m_written = 0; //!< bytes written since this watcher was made
    std::deque<Pending> m_pending;
};

} // namespace afterwork::http::detail
