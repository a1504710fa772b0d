// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/protocol/command.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QTimer>

#include <chrono>

namespace afterwork::client {
class EventSource;
struct ReplyEvent;
} // namespace afterwork::client

namespace afterwork::monitor {

//! What came of one command the dashboard sent: the publisher's reply, or why none came.
struct CommandOutcome
{
    //! Whether a reply came.
    enum class Status : quint8 {
        Replied,        //!< `result` says what the publisher did
        NoReply,        //!< none within the reply timeout (a late reply is only logged)
        ConnectionLost, //!< the connection ended before the reply
    };
    protocol::CommandKind command = protocol::CommandKind::Cancel;
    Status status = Status::NoReply;
    protocol::ReplyResult result = protocol::ReplyResult::Error; //!< when Replied
    int affected = 0;  //!< when Replied and Accepted
    QString reason{};  //!< the publisher's, for Refused and Error
    std::chrono::milliseconds timeout{0}; //!< for NoReply: how long it waited

    //! Accepted, and it did something (a cancel that matched nothing is not a success).
    bool isSuccess() const noexcept;
    //! What happened, in a few words: "3 tasks cancelled", "refused: read-only: …".
    QString describe() const;
};

//! The dashboard's side of the control channel (docs/protocol.md, "Commands"): sends commands
//! through the current source, tags each with its own `ref`, and turns the reply with that ref
//! (or its absence) into one CommandOutcome. Lives on the GUI thread.
class ControlChannel final : public QObject
{
    Q_OBJECT
public:
    //! Gives up on a reply after \a replyTimeout.
    explicit ControlChannel(std::chrono::milliseconds replyTimeout = protocol::replyTimeout, QObject *parent = nullptr);

    //! Sends \a command through \a source; its `ref` is replaced by the channel's own. False if
    //! the source could not send it (then nothing is pending).
    bool send(client::EventSource &source, protocol::Command command);
    //! A `reply` line arrived: answered() if it is to a pending command of ours, lateReply() if
    //! to one that timed out.
    void onReply(const client::ReplyEvent &reply);
    //! The connection ended: every pending command is answered ConnectionLost, oldest first.
    void connectionEnded();
    //! Commands sent and not answered yet.
    qsizetype pendingCount() const noexcept { return m_pending.size(); }

Q_SIGNALS:
    //! The outcome of a command sent with send(), exactly once per command.
    void answered(const afterwork::monitor::CommandOutcome &outcome);
    //! The reply to a command already answered NoReply: what it did after all.
    void lateReply(const afterwork::monitor::CommandOutcome &outcome);

private:
    struct Pending
    {
        QString ref;
        protocol::CommandKind command;
        qint64 sentAtMs; // on m_clock
    };
    static CommandOutcome fromReply(protocol::CommandKind command, const client::ReplyEvent &reply);
    void expire();
    void armTimer();

    std::chrono::milliseconds m_replyTimeout;
    QList<Pending> m_pending;   // oldest first: few at a time (the rate limit is 20 a second)
    QList<Pending> m_timedOut;  // the latest few, for a late reply's log line
    quint64 m_nextRef = 1;
    QElapsedTimer m_clock; // monotonic: a wall-clock jump must not expire or keep a command
    QTimer m_timeout;
};

} // namespace afterwork::monitor

Q_DECLARE_METATYPE(afterwork::monitor::CommandOutcome)
