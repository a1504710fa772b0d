// SPDX-License-Identifier: MIT
#pragma once

#include "subscriber.h"

#include <afterwork/eventpublisher.h>
#include <afterwork/eventencoder.h>
#include <afterwork/taskengine.h>

#include <QtCore/QPointer>

#include <memory>
#include <vector>

QT_BEGIN_NAMESPACE
class QLocalServer;
class QLocalSocket;
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
    void readFrom(QLocalSocket *socket);
    //! Carries out (or refuses) one command a subscriber sent, and queues its reply (controlcommands.cpp).
    //! \a socket is the subscriber's: a drain may end connections while it runs.
    void answer(QLocalSocket *socket, const protocol::ParsedInput &input);
    protocol::Reply execute(const protocol::Command &command); //!< never throws
    protocol::Reply executeOrThrow(const protocol::Command &command);
    void onBytesWritten(QLocalSocket *socket);
    void removeSubscriber(QLocalSocket *socket);
    Subscriber *find(QLocalSocket *socket) const;
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
};

} // namespace afterwork::detail
