// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/eventencoder.h>
#include <afterwork/protocol/command.h>
#include <afterwork/protocol/rawwriter.h>

#include <QtCore/QByteArray>
#include <QtCore/QElapsedTimer>
#include <QtCore/QList>

#include <vector>

QT_BEGIN_NAMESPACE
class QIODevice;
QT_END_NAMESPACE

namespace afterwork::detail {

//! One connection's side of the stream: its `seq`, its bounded queue, its gap bookkeeping and the
//! checks on what it sends. Not a QObject: the publisher connects the socket's signals. The socket
//! is any connection (streamsocket.h): local, or remote once it has authenticated.
//!
//! The queue is this subscriber's unwritten lines plus the socket's own write buffer. A broadcast
//! event that would take it past the budget drops the unwritten lines and puts the subscriber in
//! the lagging state, where events are only counted; once the socket has written everything it
//! held, the publisher calls resume() with a gap and a snapshot.
class Subscriber
{
public:
    Subscriber(QIODevice *socket, qsizetype maxQueuedBytes);

    QIODevice *socket() const { return m_socket; }

    //! Queues one broadcast event (its shared body). Returns how many events the subscriber lost
    //! by this call: 0, 1 while lagging, or everything unwritten plus this one when it overflows.
    quint64 push(QByteArrayView body)
    {
        if (m_lagging) {
            ++m_missed;
            ++m_nextSeq; // the lost event uses up its number: see `seq` in docs/protocol.md
            return 1;
        }
        if (m_pending.size() + m_backlog + maxPrefixBytes + body.size() > m_budget)
            return overflow();
        appendLine(body);
        ++m_pendingEvents;
        return 0;
    }

    //! Queues a line of this connection only (hello, snapshot, gap, bye), whatever the budget.
    void pushOwn(QByteArrayView body);
    //! Leaves the lagging state: queues a gap with the exact count missed, then \a snapshotBody.
    void resume(QByteArrayView snapshotBody);
    //! The snapshot just queued may exceed the budget by its own size.
    void allowSnapshot(qsizetype bytes) { m_budget = m_maxQueuedBytes + bytes; }

    bool isLagging() const { return m_lagging; }
    //! Lagging, and the socket has written everything it held: time for gap + snapshot.
    bool canResume() const { return m_lagging && m_backlog == 0; }
    bool hasPending() const { return !m_pending.isEmpty(); }
    qsizetype pendingBytes() const { return m_pending.size(); }
    quint64 missed() const { return m_missed; }
    quint64 nextSeq() const { return m_nextSeq; }
    qint64 queuedBytes() const { return m_pending.size() + m_backlog; }

    //! Hands the unwritten lines to the socket and asks it to write what the kernel takes now.
    void writePending();
    //! Re-reads the socket's write backlog (after it wrote something).
    void updateBacklog();

    //! Reads what the subscriber sent; false when it broke the rules (docs/protocol.md, "What a
    //! subscriber may send") and must be disconnected. \a reason says why. The command lines it
    //! sent (valid or not) are appended to \a commands, in order, for the publisher to answer.
    bool readInput(QString *reason, std::vector<protocol::ParsedInput> *commands);
    //! Bytes the connection sent before it became a subscriber (after its authentication line),
    //! read as if they had just arrived by the next readInput().
    void seedInput(QByteArray bytes) { m_input = std::move(bytes); }
    //! Counts one command against the rate limit (protocol::maxCommandsPerSecond); false: over it.
    bool takeCommandToken();
    //! Commands refused for the rate in the current second: past the limit again, the
    //! publisher closes the connection (docs/protocol.md, "Commands").
    int commandsOverLimit() const { return qMax(0, m_commandsInWindow - protocol::maxCommandsPerSecond); }
    //! Queues the reply to a command: at once, or after the gap and snapshot if it is lagging (a
    //! line of its own may not fall between the events a gap counts).
    void pushReply(QByteArrayView body);

    //! Longest possible `{"v":1,"seq":N` prefix.
    static constexpr qsizetype maxPrefixBytes = 34;

private:
    quint64 overflow();
    //! prefix (with the next seq) + the shared body, into the unwritten lines.
    void appendLine(QByteArrayView body)
    {
        protocol::detail::RawWriter w(m_pending, maxPrefixBytes + body.size());
        w.literal("{\"v\":1,\"seq\":");
        w.unsignedInteger(m_nextSeq++);
        w.bytes(body.data(), body.size());
    }

    QIODevice *m_socket; // Not owning (a child of the publisher).
    const qsizetype m_maxQueuedBytes;
    qsizetype m_budget;
    QByteArray m_pending;       // complete lines not yet handed to the socket
    qint64 m_backlog = 0;       // the socket's bytesToWrite() when last looked at
    quint64 m_pendingEvents = 0; // broadcast events in m_pending
    quint64 m_nextSeq = 0;
    quint64 m_missed = 0;
    bool m_lagging = false;

    QList<QByteArray> m_deferredReplies; // replies made while lagging, sent after the gap
    QElapsedTimer m_commandWindow;
    int m_commandsInWindow = 0;
    QByteArray m_input;         // an incomplete input line
    QElapsedTimer m_inputWindow;
    qint64 m_inputWindowBytes = 0;
};

} // namespace afterwork::detail
