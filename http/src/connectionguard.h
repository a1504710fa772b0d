// SPDX-License-Identifier: MIT
#pragma once

// Looks at each request's headers before QHttpServer 6.4 buffers the body. That server reads any
// body into memory whatever its size and ignores `Expect: 100-continue` (curl then stalls 1 s
// before every body over 1 MiB). The guard answers both at the header stage. Plain QTcpSocket
// code: the one QHttpServer-specific step (unhooking the server from a socket it must no longer
// read) is the `detach` callback the adapter provides.

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
};

using DetachFromServer = std::function<void(QTcpSocket *)>;

//! Watches one connection. A child of its socket; connected to readyRead before the HTTP server,
//! so it sees each request's first bytes before the server consumes them.
class ConnectionGuard final : public QObject
{
    Q_OBJECT
public:
    ConnectionGuard(QTcpSocket *socket, GuardLimits limits, DetachFromServer detach);

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
    DetachFromServer m_detach;
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
    GuardedTcpServer(GuardLimits limits, DetachFromServer detach, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    GuardLimits m_limits;
    DetachFromServer m_detach;
};

} // namespace afterwork::http::detail
