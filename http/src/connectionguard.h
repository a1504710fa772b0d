// SPDX-License-Identifier: MIT
#pragma once

// Looks at each request's headers before QHttpServer buffers the body. QHttpServer reads any body
// into memory whatever its size, and 6.4 ignores `Expect: 100-continue` (curl then stalls 1 s
// before every body over 1 MiB). The guard answers both at the header stage. Plain QTcpSocket
// code that knows nothing of QHttpServer: a refused connection is taken over by cutting every
// other reader of the socket, and the adapter says whether the server answers 100-continue.

#include <QtCore/QObject>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpServer>

#include <chrono>
#include <functional>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace afterwork::http::detail {

struct GuardLimits
{
    qint64 maxBodyBytes = 1024 * 1024;
    qint64 maxHeaderBytes = 64 * 1024;
    //! How long a refused request's body may take to arrive (it is read and discarded, so the
    //! client reads our answer instead of a reset) before the connection is aborted.
    std::chrono::milliseconds drainTimeout{10000};
    //! Answer `Expect: 100-continue` (for a server that does not).
    bool sendContinue = true;
};

//! Told of each accepted connection before the HTTP server sees it.
using ConnectionAccepted = std::function<void(QTcpSocket *)>;

//! Watches one connection. A child of its socket; connected to readyRead before the HTTP server,
//! so it sees each request's first bytes before the server consumes them.
class ConnectionGuard final : public QObject
{
    Q_OBJECT
public:
    ConnectionGuard(QTcpSocket *socket, GuardLimits limits);

private:
    enum class State : quint8 { ReadingHeaders, Passed, Draining };
    void onReadyRead();
    void inspectHeaders(qsizetype headerEnd);
    //! Answers \a status and takes the connection over. \a requestBytes is the refused request's
    //! whole size (headers and announced body) to read and discard before closing; 0: close now.
    void refuse(int status, const QByteArray &detail, qint64 requestBytes);
    void drain();

    QTcpSocket *m_socket; // The parent.
    GuardLimits m_limits;
    State m_state = State::ReadingHeaders;
    QByteArray m_head;         //!< the current request's bytes seen so far, up to its headers' end
    qint64 m_drainRemaining = 0;
    QTimer m_drainTimer;
};

//! A QTcpServer whose sockets get a ConnectionGuard before the HTTP server sees them.
class GuardedTcpServer final : public QTcpServer
{
    Q_OBJECT
public:
    GuardedTcpServer(GuardLimits limits, ConnectionAccepted accepted, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    GuardLimits m_limits;
    ConnectionAccepted m_accepted;
};

} // namespace afterwork::http::detail
