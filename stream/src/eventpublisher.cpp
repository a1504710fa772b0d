// SPDX-License-Identifier: MIT
#include "eventpublisher_p.h"
#include "socketfile.h"
#include "streamsocket.h"

#include <afterwork/detail/handoff.h>
#include <afterwork/protocol/recording.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QSysInfo>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QSslServer>

namespace afterwork {

namespace detail {

Q_LOGGING_CATEGORY(lcStream, "afterwork.stream")

namespace {
// Bounds what the socket buffers for reading; a subscriber has little to say (Subscriber::readInput).
constexpr qint64 socketReadBufferBytes = 16 * 1024;
constexpr qsizetype maxExtraKindLength = 32;
// A subscriber's unwritten lines are handed to its socket at once beyond this size.
constexpr qsizetype eagerWriteBytes = 64 * 1024;
// While a subscriber lags, every this many lost events its socket is asked to write its backlog.
constexpr quint64 lagProbeInterval = 256;
} // namespace

EventPublisherPrivate::EventPublisherPrivate(EventPublisher *q, TaskEngine *engine, PublisherOptions options)
    : q(q)
    , engine(engine)
    , options(std::move(options))
{
    if (this->options.app.isEmpty())
        this->options.app = QCoreApplication::applicationName();
    this->options.maxQueuedBytes = qMax<qsizetype>(this->options.maxQueuedBytes, 4096);
    this->options.maxSubscribers = qMax(this->options.maxSubscribers, 1);
    this->options.heartbeatInterval = qMax(this->options.heartbeatInterval, std::chrono::milliseconds(10));
    source.app = this->options.app;
    source.pid = QCoreApplication::applicationPid();
    source.host = QSysInfo::machineHostName();
    source.instance = QUuid::createUuid();
    source.startedUs = protocol::nowUs();
}

bool EventPublisherPrivate::isAllowedExtraKind(QLatin1StringView kind)
{
    if (kind == wireName(EventKind::Request))
        return true; // the HTTP layer's three lines per request: the common case, checked first
    // The remote transport's refusal and the recordings' source marker: never part of a stream.
    if (kind == protocol::deniedKind || kind == protocol::sourceMarkerKind)
        return false;
    if (kind.isEmpty() || kind.size() > maxExtraKindLength || !(kind.front() >= 'a' && kind.front() <= 'z'))
        return false;
    for (const char c : kind) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    // The kinds the publisher writes itself are reserved; `request` is the HTTP layer's.
    switch (kindFromWireName(QByteArrayView(kind.data(), kind.size())).value_or(EventKind::Other)) {
    case EventKind::Hello:
    case EventKind::Snapshot:
    case EventKind::Task:
    case EventKind::Heartbeat:
    case EventKind::Gap:
    case EventKind::Shutdown:
    case EventKind::Bye:
    case EventKind::Progress:
    case EventKind::Reply:
        return false;
    case EventKind::Request:
    case EventKind::Other:
        return true;
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// Events in

void EventPublisherPrivate::onTaskEvent(const TaskEvent &event)
{
    if (subscribers.empty())
        return;
    body.resize(0); // keeps the capacity: m_body is never shared
    protocol::appendTaskBody(body, event);
    broadcastBody();
}

void EventPublisherPrivate::onTaskProgress(const TaskProgress &progress)
{
    if (subscribers.empty())
        return;
    body.resize(0);
    protocol::appendProgressBody(body, progress);
    broadcastBody();
}

void EventPublisherPrivate::onShutdownStarted(const ShutdownProgress &progress)
{
    shutdownDeadlineUs = progress.deadlineUs;
    if (subscribers.empty())
        return;
    body.resize(0);
    protocol::appendShutdownBody(body, protocol::nowUs(), ShutdownStage::Started, progress);
    broadcastBody();
}

void EventPublisherPrivate::onShutdownProgress(const ShutdownProgress &progress)
{
    if (subscribers.empty())
        return;
    body.resize(0);
    protocol::appendShutdownBody(body, protocol::nowUs(), ShutdownStage::Progress, progress);
    broadcastBody();
}

void EventPublisherPrivate::onShutdownFinished(const ShutdownReport &report)
{
    if (subscribers.empty())
        return;
    body.resize(0);
    protocol::appendShutdownFinishedBody(body, protocol::nowUs(), shutdownDeadlineUs, report);
    broadcastBody();
}

void EventPublisherPrivate::sendHeartbeat()
{
    if (subscribers.empty())
        return;
    protocol::HeartbeatInfo info;
    if (engine)
        info.counters = engine->counters();
    info.eventsDropped = eventsDropped;
    info.subscribers = int(subscribers.size());
    body.resize(0);
    protocol::appendHeartbeatBody(body, protocol::nowUs(), info);
    broadcastBody();
}

void EventPublisherPrivate::broadcastBody()
{
    broadcast(body);
}

void EventPublisherPrivate::broadcast(QByteArrayView encoded)
{
    if (subscribers.empty())
        return;
    // The event loop may not run for a long while: during a burst of schedule() calls, or while
    // the engine works through a large batch of notices. So bytes move to the kernel from here
    // too, instead of only from flush(): a subscriber in another process keeps reading meanwhile,
    // and one that lagged resumes as soon as it has caught up.
    for (const auto &subscriber : subscribers) {
        const quint64 lost = subscriber->push(encoded);
        eventsDropped += lost;
        if (lost == 0) {
            if (subscriber->pendingBytes() >= eagerWriteBytes)
                subscriber->writePending();
        } else if (subscriber->missed() % lagProbeInterval == 0) {
            subscriber->writePending(); // nothing queued: only lets the socket write its backlog
            if (subscriber->canResume())
                resume(*subscriber, snapshotBody());
        }
    }
    scheduleFlush();
}

// ---------------------------------------------------------------------------------------------
// Bytes out

void EventPublisherPrivate::scheduleFlush()
{
    // A posted call rather than a zero timer: under a flood of the engine's own posted events a
    // zero timer can starve (it may run at idle priority), while this one queues behind them.
    if (flushPosted)
        return;
    flushPosted = true;
    QMetaObject::invokeMethod(
        q,
        [this] {
            flushPosted = false;
            flush();
        },
        Qt::QueuedConnection);
}

QByteArray EventPublisherPrivate::snapshotBody() const
{
    QList<TaskEvent> live = engine ? engine->liveTasks() : QList<TaskEvent>();
    // Taken while the engine emits a task's terminal step, the list still holds that task.
    live.removeIf([](const TaskEvent &task) { return isTerminal(task.phase); });
    // liveTasks() stamps each task with the time of the call; where the step's own time is
    // known, `ts_us` says when the step happened, as on a task line.
    for (TaskEvent &task : live) {
        if (task.phase == Phase::Scheduled && task.scheduledUs > 0)
            task.timestampUs = task.scheduledUs;
        else if (task.phase == Phase::Started && task.startedUs > 0)
            task.timestampUs = task.startedUs;
    }
    QByteArray out;
    protocol::appendSnapshotBody(out, protocol::nowUs(), live);
    return out;
}

void EventPublisherPrivate::resume(Subscriber &subscriber, QByteArrayView snapshot)
{
    subscriber.resume(snapshot);
    subscriber.writePending();
}

void EventPublisherPrivate::flush()
{
    QByteArray snapshot; // taken at most once per flush, and only when someone needs it
    for (const auto &subscriber : subscribers) {
        if (subscriber->canResume()) {
            if (snapshot.isEmpty())
                snapshot = snapshotBody();
            resume(*subscriber, snapshot);
        } else if (subscriber->hasPending()) {
            subscriber->writePending();
        }
    }
}

void EventPublisherPrivate::onBytesWritten(QIODevice *socket)
{
    if (Subscriber *subscriber = find(socket)) {
        subscriber->updateBacklog();
        if (subscriber->canResume())
            scheduleFlush();
    }
}

// ---------------------------------------------------------------------------------------------
// Connections

Subscriber *EventPublisherPrivate::find(QIODevice *socket) const
{
    for (const auto &subscriber : subscribers) {
        if (subscriber->socket() == socket)
            return subscriber.get();
    }
    return nullptr;
}

void EventPublisherPrivate::acceptConnections()
{
    while (server && server->hasPendingConnections()) {
        QLocalSocket *socket = server->nextPendingConnection();
        if (!socket)
            break;
        addSubscriber(socket);
    }
}

void EventPublisherPrivate::addSubscriber(QIODevice *socket, QByteArray earlyInput)
{
    socket->setParent(q); // connections outlive the server when it closes first
    if (int(subscribers.size()) >= options.maxSubscribers) {
        qCWarning(lcStream) << "refusing a subscriber: already" << subscribers.size() << "connected";
        abortSocket(socket);
        socket->deleteLater();
        return;
    }
    setSocketReadBufferSize(socket, socketReadBufferBytes);
    auto subscriber = std::make_unique<Subscriber>(socket, options.maxQueuedBytes);

    QObject::connect(socket, &QIODevice::readyRead, q, [this, socket] { readFrom(socket); });
    onSocketBytesWritten(socket, q, [this, socket] { onBytesWritten(socket); });
    // Queued: a socket may report its end from inside write() or flush(), while a loop over the
    // subscribers is running. The QPointer tells a deleted socket from a new one at its address.
    onSocketDisconnected(
        socket, q,
        [this, guard = QPointer<QIODevice>(socket)] {
            if (guard)
                removeSubscriber(guard);
        },
        Qt::QueuedConnection);

    QByteArray hello;
    protocol::appendHelloBody(hello, protocol::nowUs(), source, options.allowControl);
    subscriber->pushOwn(hello);
    const QByteArray snapshot = snapshotBody();
    subscriber->pushOwn(snapshot);
    subscriber->allowSnapshot(snapshot.size());
    subscriber->writePending();

    if (subscribers.empty() && engine) {
        // Listened to only while someone subscribes, so that an idle publisher costs the
        // engine nothing (it skips building events nobody receives).
        taskEventConnection = QObject::connect(engine, &TaskEngine::taskEvent, q,
                                               [this](const TaskEvent &event) { onTaskEvent(event); });
        taskProgressConnection = QObject::connect(engine, &TaskEngine::taskProgress, q,
                                                  [this](const TaskProgress &progress) { onTaskProgress(progress); });
    }
    const bool hasEarlyInput = !earlyInput.isEmpty() || socket->bytesAvailable() > 0;
    if (!earlyInput.isEmpty())
        subscriber->seedInput(std::move(earlyInput));
    subscribers.push_back(std::move(subscriber));
    qCDebug(lcStream) << "subscriber connected;" << subscribers.size() << "now";
    Q_EMIT q->subscriberCountChanged(int(subscribers.size()));
    if (!isSocketConnected(socket)) {
        // It ended before its end could be heard (a remote one, right after authenticating).
        QMetaObject::invokeMethod(
            q, [this, guard = QPointer<QIODevice>(socket)] {
                if (guard)
                    removeSubscriber(guard);
            },
            Qt::QueuedConnection);
        return;
    }
    if (hasEarlyInput) // commands sent right behind the authentication line
        QMetaObject::invokeMethod(
            q, [this, guard = QPointer<QIODevice>(socket)] {
                if (guard)
                    readFrom(guard);
            },
            Qt::QueuedConnection);
}

void EventPublisherPrivate::readFrom(QIODevice *socket)
{
    Subscriber *subscriber = find(socket);
    if (!subscriber)
        return;
    QString reason;
    std::vector<protocol::ParsedInput> commands;
    bool keep = subscriber->readInput(&reason, &commands);
    // The commands read before a broken line are still answered (the connection then closes).
    const QPointer<EventPublisher> alive(q);
    for (const protocol::ParsedInput &command : commands) {
        answer(socket, command);
        if (!alive)
            return; // a receiver of what the command did deleted the publisher
        subscriber = find(socket);
        if (!subscriber)
            return; // the connection ended meanwhile
        if (subscriber->commandsOverLimit() > protocol::maxCommandsPerSecond) {
            keep = false;
            reason = QStringLiteral("sent more than %1 commands in a second").arg(2 * protocol::maxCommandsPerSecond);
            break;
        }
    }
    if (keep)
        return;
    qCInfo(lcStream) << "disconnecting a subscriber that" << reason;
    removeSubscriber(socket);
}

void EventPublisherPrivate::removeSubscriber(QIODevice *socket)
{
    const auto it = std::find_if(subscribers.begin(), subscribers.end(),
                                 [socket](const auto &subscriber) { return subscriber->socket() == socket; });
    if (it == subscribers.end())
        return;
    QObject::disconnect(socket, nullptr, q, nullptr);
    abortSocket(socket);
    socket->deleteLater();
    subscribers.erase(it);
    if (subscribers.empty()) {
        QObject::disconnect(taskEventConnection);
        QObject::disconnect(taskProgressConnection);
    }
    qCDebug(lcStream) << "subscriber gone;" << subscribers.size() << "left";
    Q_EMIT q->subscriberCountChanged(int(subscribers.size()));
}

void EventPublisherPrivate::closeConnections(bool wait)
{
    QObject::disconnect(taskEventConnection);
    QObject::disconnect(taskProgressConnection);
    if (subscribers.empty())
        return;
    for (const auto &subscriber : subscribers)
        QObject::disconnect(subscriber->socket(), nullptr, q, nullptr);

    QByteArray snapshot;
    QByteArray bye;
    protocol::appendByeBody(bye, protocol::nowUs());
    for (const auto &subscriber : subscribers) {
        if (subscriber->isLagging()) { // it is owed its gap; keep "a gap is followed by a snapshot"
            if (snapshot.isEmpty())
                snapshot = snapshotBody();
            subscriber->resume(snapshot);
        }
        subscriber->pushOwn(bye);
        subscriber->writePending();
    }

    if (wait) {
        const QDeadlineTimer deadline(options.closeWait);
        for (const auto &subscriber : subscribers) {
            QIODevice *socket = subscriber->socket();
            while (socketBacklog(socket) > 0 && isSocketConnected(socket)) {
                const qint64 remaining = deadline.remainingTime();
                if (remaining <= 0 || !socket->waitForBytesWritten(int(remaining)))
                    break;
            }
        }
    }

    for (const auto &subscriber : subscribers) {
        QIODevice *socket = subscriber->socket();
        if (wait) {
            // Bytes the kernel holds are still delivered after the close.
            delete socket;
            continue;
        }
        onSocketDisconnected(socket, socket, [socket] { socket->deleteLater(); });
        closeSocket(socket); // writes what is queued first, while the loop runs
        if (isSocketClosed(socket))
            socket->deleteLater();
        else // a peer that never reads must not keep it forever
            QTimer::singleShot(options.closeWait, socket, [socket] { abortSocket(socket); });
    }
    subscribers.clear();
    Q_EMIT q->subscriberCountChanged(0);
}

} // namespace detail

// ---------------------------------------------------------------------------------------------
// EventPublisher

EventPublisher::EventPublisher(TaskEngine *engine, PublisherOptions options)
    : QObject(engine)
    , d(std::make_unique<detail::EventPublisherPrivate>(this, engine, std::move(options)))
{
    d->heartbeatTimer = new QTimer(this);
    d->heartbeatTimer->setInterval(d->options.heartbeatInterval);
    connect(d->heartbeatTimer, &QTimer::timeout, this, [this] { d->sendHeartbeat(); });

    if (engine) {
        connect(engine, &TaskEngine::shutdownStarted, this,
                [this](const ShutdownProgress &progress) { d->onShutdownStarted(progress); });
        connect(engine, &TaskEngine::shutdownProgress, this,
                [this](const ShutdownProgress &progress) { d->onShutdownProgress(progress); });
        connect(engine, &TaskEngine::shutdownFinished, this,
                [this](const ShutdownReport &report) { d->onShutdownFinished(report); });
    }
}

EventPublisher::~EventPublisher()
{
    // Before any member dies: no socket or server may call back into a half-destroyed publisher.
    if (d->server) {
        disconnect(d->server, nullptr, this, nullptr);
        d->server->close();
        delete d->server;
        d->server = nullptr;
    }
    d->closeRemote();
    d->heartbeatTimer->stop();
    d->closeConnections(true);
}

bool EventPublisher::listen(const QString &name)
{
    if (d->server) {
        d->errorString = tr("already listening on %1").arg(d->server->fullServerName());
        return false;
    }
    const QString path = detail::localSocketPath(name);
    switch (detail::probeSocketFile(path)) {
    case detail::SocketFileState::Missing:
        break;
    case detail::SocketFileState::Live:
        d->errorString = tr("another process is already publishing on %1").arg(path);
        return false;
    case detail::SocketFileState::NotASocket:
        d->errorString = tr("%1 exists and is not a socket; not replacing it").arg(path);
        return false;
    case detail::SocketFileState::Stale:
        qCInfo(detail::lcStream) << "taking over the stale socket file" << path;
        if (!QLocalServer::removeServer(name)) {
            d->errorString = tr("cannot remove the stale socket file %1").arg(path);
            return false;
        }
        break;
    }

    auto *server = new QLocalServer(this);
    server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!server->listen(name)) {
        d->errorString = tr("cannot listen on %1: %2").arg(path, server->errorString());
        delete server;
        return false;
    }
    connect(server, &QLocalServer::newConnection, this, [this] { d->acceptConnections(); });
    d->server = server;
    d->errorString.clear();
    d->heartbeatTimer->start();
    qCDebug(detail::lcStream) << "publishing on" << server->fullServerName();
    return true;
}

void EventPublisher::close()
{
    if (d->server) {
        disconnect(d->server, nullptr, this, nullptr);
        d->server->close();
        d->server->deleteLater();
        d->server = nullptr;
    }
    d->closeRemote();
    d->heartbeatTimer->stop();
    d->closeConnections(false);
}

bool EventPublisher::listenRemote(const RemoteListenOptions &options)
{
    if (!d->listenRemote(options))
        return false;
    d->errorString.clear();
    d->heartbeatTimer->start();
    return true;
}

bool EventPublisher::isListeningRemote() const { return d->remoteServer && d->remoteServer->isListening(); }
quint16 EventPublisher::remotePort() const { return d->remoteServer ? d->remoteServer->serverPort() : 0; }
bool EventPublisher::isRemoteEncrypted() const { return d->remoteServer && qobject_cast<QSslServer *>(d->remoteServer); }
int EventPublisher::authenticatingCount() const { return int(d->authenticating.size()) + d->handshakingCount(); }

bool EventPublisher::isListening() const { return d->server && d->server->isListening(); }
QString EventPublisher::serverName() const { return d->server ? d->server->serverName() : QString(); }
QString EventPublisher::fullServerName() const { return d->server ? d->server->fullServerName() : QString(); }
QString EventPublisher::errorString() const { return d->errorString; }
const PublisherOptions &EventPublisher::options() const { return d->options; }
QUuid EventPublisher::instanceId() const { return d->source.instance; }
int EventPublisher::subscriberCount() const { return int(d->subscribers.size()); }
quint64 EventPublisher::eventsDropped() const { return d->eventsDropped; }

qint64 EventPublisher::queuedBytes() const
{
    qint64 total = 0;
    for (const auto &subscriber : d->subscribers) {
        subscriber->updateBacklog();
        total += subscriber->queuedBytes();
    }
    return total;
}

bool EventPublisher::publish(QLatin1StringView kind, const QJsonObject &fields)
{
    QByteArray encoded;
    for (auto it = fields.constBegin(); it != fields.constEnd(); ++it) {
        if (!encoded.isEmpty())
            encoded.append(',');
        protocol::json::appendString(encoded, it.key());
        encoded.append(':');
        protocol::json::appendValue(encoded, it.value());
    }
    return publishEncoded(kind, encoded);
}

bool EventPublisher::publishEncoded(QLatin1StringView kind, QByteArrayView encodedFields)
{
    if (!detail::EventPublisherPrivate::isAllowedExtraKind(kind) || encodedFields.contains('\n'))
        return false;
    if (QThread::currentThread() == thread()) {
        if (d->subscribers.empty())
            return true; // nobody to write it for
        // The buffer the engine's events use: broadcast() calls no outside code synchronously, so
        // nothing else writes to it meanwhile (were it ever to, this line would need its own).
        d->body.resize(0); // keeps its capacity
        protocol::appendEventBody(d->body, protocol::nowUs(), kind, encodedFields);
        d->broadcastBody();
    } else {
        QByteArray encoded;
        protocol::appendEventBody(encoded, protocol::nowUs(), kind, encodedFields);
        QMetaObject::invokeMethod(
            this, detail::handedOff([this, encoded = std::move(encoded)] { d->broadcast(encoded); }), Qt::QueuedConnection);
    }
    return true;
}

} // namespace afterwork
