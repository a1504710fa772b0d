// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArrayView>
#include <QtCore/QLatin1StringView>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QUuid>

#include <afterwork/protocol/auth.h>

#include <chrono>
#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QJsonObject;
QT_END_NAMESPACE

namespace afterwork {

class TaskEngine;

namespace detail {
class EventPublisherPrivate;
}

//! How an EventPublisher publishes; the second argument of its constructor.
struct PublisherOptions
{
    //! `source.app` in the hello; empty: QCoreApplication::applicationName().
    QString app;
    //! Per subscriber: bytes queued for it (ours plus the socket's) before it overflows and is
    //! sent a `gap` and a fresh snapshot once it has caught up. It may additionally hold the last
    //! snapshot it was sent.
    qsizetype maxQueuedBytes = 8 * 1024 * 1024;
    //! Connections beyond this are closed at once. Remote connections that have not authenticated
    //! yet are bounded by it too, separately: they cannot take the places of subscribers.
    int maxSubscribers = 32;
    //! The protocol promises a heartbeat at least once a second; longer intervals are for tests.
    std::chrono::milliseconds heartbeatInterval{1000};
    //! How long the destructor waits, in total, for its `bye` lines to reach the sockets' peers.
    std::chrono::milliseconds closeWait{500};
    //! Whether subscribers may act: cancel tasks and drain the engine (docs/protocol.md,
    //! "Commands"). Off by default: every command is then refused, and nothing changes.
    bool allowControl = false;
    //! What an accepted `drain` command does, on the engine thread. Unset: the engine's
    //! TaskEngine::startShutdown(deadline). An application with a shutdown path of its own (stop
    //! serving, then drain) sets it, so that a drain from a subscriber takes that path.
    std::function<void(std::chrono::milliseconds deadline)> onDrain{};
};

//! How EventPublisher::listenRemote() listens on TCP (docs/protocol.md, "Remote transport"). Off
//! unless an application calls it: a publisher listens on its local socket only by default.
struct RemoteListenOptions
{
    //! The address to listen on: an IP address (`127.0.0.1`, `::1`, `0.0.0.0` for every IPv4
    //! interface, `::` for every interface) or `localhost`.
    QString address = QStringLiteral("127.0.0.1");
    //! The TCP port; 0 picks a free one (EventPublisher::remotePort() says which).
    quint16 port = 0;
    //! A PEM file with the server's certificate, then any intermediate certificates. Required
    //! unless `insecure`.
    QString certificateFile{};
    //! A PEM file with the certificate's private key (RSA or EC, not encrypted): that of the first
    //! certificate of `certificateFile`, or listenRemote() refuses it. Required unless `insecure`.
    QString privateKeyFile{};
    //! The file holding the token every connection must send first (protocol::readTokenFile():
    //! readable by its owner only, 1 to protocol::maxTokenBytes printable ASCII characters). Always
    //! required. It is read once, by listenRemote(); the publisher keeps only its SHA-256 digest.
    QString tokenFile{};
    //! Plain TCP instead of TLS, on a loopback address only (anything else is refused): for a TLS
    //! terminator on the same machine, or tests. The token is still required.
    bool insecure = false;
    //! How long a connection has, from its accept (the TLS handshake included), to authenticate.
    std::chrono::milliseconds authTimeout = protocol::authTimeout;
};

//! Publishes a TaskEngine's lifecycle events on a local socket, in the protocol of
//! docs/protocol.md, to any number of subscribers; optionally also on TCP, with TLS and a token
//! (listenRemote()).
//!
//! \code
//! auto *publisher = new afterwork::EventPublisher(&engine, {.app = "my-app"});
//! if (!publisher->listen("my-app-events"))
//!     qWarning() << publisher->errorString();
//! \endcode
//!
//! The publisher is a child of the engine and lives on the engine's thread; use it from that
//! thread (publish() and publishEncoded() are safe from any thread). Each event is encoded once
//! and queued for every subscriber; a subscriber that cannot keep up loses events (it is told
//! exactly how many) rather than slow the engine down or make it grow. Destroying the publisher
//! (with the engine, or before) says `bye` to every subscriber.
//!
//! Every member function, signal and socket of the publisher runs on the engine's thread (the
//! thread of its event loop); nothing it does blocks that loop, except the destructor's bounded
//! wait for its last lines (PublisherOptions::closeWait).
class EventPublisher final : public QObject
{
    Q_OBJECT
public:
    //! A publisher of \a engine's events, as its child, on its thread; it publishes nothing until
    //! listen().
    explicit EventPublisher(TaskEngine *engine, PublisherOptions options = {});
    //! close(), then waits up to PublisherOptions::closeWait for the last lines to be written.
    ~EventPublisher() override;

    //! Listens on \a name (a name in the temporary directory, or a path), owner-only. A socket
    //! file left behind by a dead process is taken over; a name a live process answers on is
    //! refused, as is a path that is not a socket. False on failure, see errorString().
    bool listen(const QString &name);
    //! Also listens on TCP, with TLS (unless RemoteListenOptions::insecure) and a token, as
    //! docs/protocol.md ("Remote transport") says: a connection must send the token in its first
    //! line within the timeout, or it receives one `denied` line and is closed; one that
    //! authenticates is served exactly like a local one. Independent of listen(): either or both.
    //! False on failure, see errorString(): an unreadable or badly protected token file, a
    //! certificate or key that does not load, a key that is not the certificate's (which would
    //! fail every handshake), plain TCP on an address that is not loopback, no TLS backend, an
    //! address that cannot be listened on.
    bool listenRemote(const RemoteListenOptions &options);
    //! Stops listening and ends every connection, local and remote, with `bye`, without blocking
    //! (lines still queued are written while the event loop runs). listen() and listenRemote()
    //! may be called again.
    void close();
    bool isListening() const; //!< between a successful listen() and close()
    QString serverName() const; //!< the name given to listen(), while listening
    //! The socket file's path while listening.
    QString fullServerName() const;
    QString errorString() const; //!< why the last listen() or listenRemote() failed; empty after a success
    //! Between a successful listenRemote() and close().
    bool isListeningRemote() const;
    //! The TCP port listenRemote() bound (the free one it picked, for port 0); 0 when not listening.
    quint16 remotePort() const;
    //! Whether the remote listener uses TLS (false: plain TCP on loopback, or not listening).
    bool isRemoteEncrypted() const;
    //! Remote connections accepted that have not authenticated yet (their TLS handshake included).
    //! At most PublisherOptions::maxSubscribers: beyond it, a new one is refused at once.
    int authenticatingCount() const;
    //! The options in force: as given, with `app` filled in and the limits raised to their minimum
    //! (maxQueuedBytes 4096, maxSubscribers 1, heartbeatInterval 10 ms).
    const PublisherOptions &options() const;
    //! `source.instance`: new for every publisher.
    QUuid instanceId() const;
    int subscriberCount() const; //!< connected subscribers now (remote ones once authenticated)
    //! Bytes waiting for all subscribers (queued by the publisher and in the sockets' buffers).
    qint64 queuedBytes() const;
    //! Events dropped for slow subscribers so far, summed over all of them.
    quint64 eventsDropped() const;

    //! Streams an extra event of \a kind (a lowercase identifier other than the protocol's own
    //! hello, snapshot, task, heartbeat, gap, shutdown, bye, reply, nor the remote refusal's `denied`
    //! or a recording's `source` marker), such as the HTTP layer's `request`.
    //! False if the kind is not allowed. Safe from any thread.
    bool publish(QLatin1StringView kind, const QJsonObject &fields);
    //! The fast form: \a encodedFields are compact JSON members without braces, as
    //! protocol::FieldWriter builds them: `"request":7,"method":"GET"`. False if the kind is not
    //! allowed or the fields hold a newline. Safe from any thread.
    bool publishEncoded(QLatin1StringView kind, QByteArrayView encodedFields);

Q_SIGNALS:
    //! A subscriber connected or went away (or close() ended them all); \a count is the new number.
    void subscriberCountChanged(int count);

private:
    std::unique_ptr<detail::EventPublisherPrivate> d;
};

} // namespace afterwork
