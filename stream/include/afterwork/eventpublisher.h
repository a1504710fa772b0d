// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArrayView>
#include <QtCore/QLatin1StringView>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QUuid>

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
    //! Connections beyond this are closed at once.
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

//! Publishes a TaskEngine's lifecycle events on a local socket, in the protocol of
//! docs/protocol.md, to any number of subscribers.
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
    //! Stops listening and ends every connection with `bye`, without blocking (lines still
    //! queued are written while the event loop runs). listen() may be called again.
    void close();
    bool isListening() const; //!< between a successful listen() and close()
    QString serverName() const; //!< the name given to listen(), while listening
    //! The socket file's path while listening.
    QString fullServerName() const;
    QString errorString() const; //!< why the last listen() failed; empty after a success
    //! The options in force: as given, with `app` filled in and the limits raised to their minimum
    //! (maxQueuedBytes 4096, maxSubscribers 1, heartbeatInterval 10 ms).
    const PublisherOptions &options() const;
    //! `source.instance`: new for every publisher.
    QUuid instanceId() const;
    int subscriberCount() const; //!< connected subscribers now
    //! Bytes waiting for all subscribers (queued by the publisher and in the sockets' buffers).
    qint64 queuedBytes() const;
    //! Events dropped for slow subscribers so far, summed over all of them.
    quint64 eventsDropped() const;

    //! Streams an extra event of \a kind (a lowercase identifier other than the protocol's own
    //! hello, snapshot, task, heartbeat, gap, shutdown, bye, reply), such as the HTTP layer's `request`.
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
