// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QObject>

#include <deque>
#include <functional>
#include <memory>
#include <vector>

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

    //! Calls \a done(true) once every byte queued on the socket so far has been written, or
    //! \a done(false) if the connection ends first. Counted rather than read from bytesToWrite(),
    //! which an abort() also empties.
    void watch(std::function<void(bool written)> done);

    //! True if nothing is queued on \a socket and no earlier response on it is still watched: a
    //! response written now is already out. Makes no watcher.
    static bool isIdle(QTcpSocket *socket);

    //! What is still watched ends as gone: the connection is going away.
    ~ResponseWatcher() override;

private:
    explicit ResponseWatcher(QTcpSocket *socket);
    void onBytesWritten(qint64 bytes);
    void onDisconnected();

    struct Pending
    {
        qint64 until; //!< m_written once this response's last byte is out
        std::function<void(bool written)> done;
    };
    QTcpSocket *m_socket; // The parent.
    qint64 m_written = 0; //!< bytes written since this watcher was made
    std::deque<Pending> m_pending;
};

//! Says when responses are out, for every connection of one server. A response that left in full
//! as it was written is said on the next pass of the event loop, together with the others of the
//! same pass: one posted call per pass, not one per response. The rest wait for their socket's
//! bytesWritten() (ResponseWatcher). Made and used on the server's thread only.
class WrittenResponses final : public std::enable_shared_from_this<WrittenResponses>
{
public:
    WrittenResponses() = default;
    //! Responses still to be said written are said from the event loop all the same: their bytes
    //! are out, whether or not the router or the server that wrote them is still there.
    ~WrittenResponses();
    Q_DISABLE_COPY_MOVE(WrittenResponses)

    //! As ResponseWatcher::watch(), for the response just written on \a socket.
    void watch(QTcpSocket *socket, std::function<void(bool written)> done);

private:
    void sayWritten();

    QObject m_context; //!< what the pass's call is posted to: it goes when this goes
    std::vector<std::function<void(bool written)>> m_written; //!< said written on the next pass
    bool m_posted = false;
};

} // namespace afterwork::http::detail
