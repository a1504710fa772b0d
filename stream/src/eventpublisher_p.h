// SPDX-License-Identifier: MIT
#pragma once

#include "refusallog.h"
#include "subscriber.h"

#include <afterwork/eventpublisher.h>
#include <afterwork/eventencoder.h>
#include <afterwork/taskengine.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QPointer>

#include <memory>
#include <vector>

QT_BEGIN_NAMESPACE
class QIODevice;
class QLocalServer;
class QSslSocket;
class QTcpServer;
class QTcpSocket;
class QTimer;
QT_END_NAMESPACE

namespace afterwork::detail {

class EventPublisherPrivate
{
public:
    EventPublisherPrivate(EventPublisher *q, TaskEngine *engine, PublisherOptions options);

    // Engine thread only.
    void onTaskEvent(const TaskEvent &event);
    void onTaskProgress(const TaskProgress &progress);
    void onShutdownStarted(const ShutdownProgress &progress);
    void onShutdownProgress(const ShutdownProgress &progress);
    void onShutdownFinished(const ShutdownReport &report);
    void sendHeartbeat();
    //! Queues the body in m_body (one encoded event) for every subscriber.
    void broadcastBody();
    void broadcast(QByteArrayView body);
    //! Hands queued lines to the sockets; resumes lagging subscribers that caught up.
    void flush();
    void scheduleFlush();
    //! Sends a lagging subscriber that caught up its gap and \a snapshot.
    void resume(Subscriber &subscriber, QByteArrayView snapshot);

    void acceptConnections();
    //! Makes \a socket (connected: local, or remote and authenticated) a subscriber: hello,
    //! snapshot, then events. \a earlyInput: what it sent after its authentication line.
    void addSubscriber(QIODevice *socket, QByteArray earlyInput = {});
    void readFrom(QIODevice *socket);
    //! Carries out (or refuses) one command a subscriber sent, and queues its reply (controlcommands.cpp).
    //! \a socket is the subscriber's: a drain may end connections while it runs.
    void answer(QIODevice *socket, const protocol::ParsedInput &input);
    protocol::Reply execute(const protocol::Command &command); //!< never throws
    protocol::Reply executeOrThrow(const protocol::Command &command);
    void onBytesWritten(QIODevice *socket);
    void removeSubscriber(QIODevice *socket);
    Subscriber *find(QIODevice *socket) const;

    // The remote transport (remotetransport.cpp): TLS or plain TCP, then the token.
    bool listenRemote(const RemoteListenOptions &remote);
    void closeRemote();
    //! A TCP connection (its TLS handshake done, if any) starts authenticating.
    void acceptRemoteConnections();
    //! Reads an authenticating connection's first line: promotes it, or refuses it.
    void readAuthentication(QTcpSocket *socket);
    //! Sends the one refusal line and closes; the connection stops counting at once.
    void deny(QTcpSocket *socket, protocol::DeniedReason reason);
    void forgetAuthenticating(QTcpSocket *socket);
    //! Remote connections still in their TLS handshake (pruned of those gone or timed out).
    int handshakingCount();
    //! Whether a new remote connection would exceed the bound on those not yet authenticated.
    bool tooManyUnauthenticated();
    //! After a connection that held a place ends: the server may have paused accepting.
    void resumeAcceptingRemote();
    QByteArray snapshotBody() const;

    //! Ends every connection with `bye`; \a wait: block up to closeWait for the lines to be written.
    void closeConnections(bool wait);

    static bool isAllowedExtraKind(QLatin1StringView kind);

    EventPublisher *const q;
    QPointer<TaskEngine> engine;
    PublisherOptions options;
    protocol::SourceInfo source;

    QLocalServer *server = nullptr;  // Owning (a child of q), while listening.
    bool flushPosted = false;        // a flush() is queued behind the events already posted
    QTimer *heartbeatTimer = nullptr; // Owning (a child of q).
    std::vector<std::unique_ptr<Subscriber>> subscribers;
    QMetaObject::Connection taskEventConnection; // only while someone subscribes
    QMetaObject::Connection taskProgressConnection; // the same, for TaskEngine::taskProgress
    QByteArray body; // scratch: the event being encoded, shared by every subscriber
    quint64 eventsDropped = 0;
    qint64 shutdownDeadlineUs = 0;
    QString errorString;

    //! A remote connection that has not authenticated yet.
    struct Authenticating
    {
        QPointer<QTcpSocket> socket;
        QByteArray input; //!< what it sent so far, up to its first newline
    };
    QTcpServer *remoteServer = nullptr; // Owning (a child of q), while listening remotely: a QSslServer unless insecure.
    std::chrono::milliseconds authTimeout{0};
    QByteArray tokenDigest; // SHA-256 of the token: the token itself is not kept
    std::vector<Authenticating> authenticating;
    //! TLS connections accepted whose handshake has not finished, with their age.
    std::vector<std::pair<QPointer<QSslSocket>, QElapsedTimer>> handshaking;
    //! Lines about connections turned away: at most one per 10 s.
    RefusalLog refusals;
};

} // namespace afterwork::detail
