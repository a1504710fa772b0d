// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/protocol/command.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QTimer>

#include <chrono>
#include <optional>

namespace afterwork::client {
class EventSource;
struct ReplyEvent;
} // namespace afterwork::client

namespace afterwork::monitor {

//! What came of one command the dashboard sent: the publisher's reply, or why none came.
struct CommandOutcome
{
    enum class Status : quint8 {
        Accepted,       //!< done; `affected` tasks
        Refused,        //!< the publisher refused it (read-only, rate limited, already draining…)
        UnknownTask,    //!< none of the ids was a live task (they ended meanwhile)
        Error,          //!< the publisher did not understand it
        NoReply,        //!< no reply within ControlChannel::replyTimeout
        ConnectionLost, //!< the connection ended before the reply
    };
    protocol::CommandKind command = protocol::CommandKind::Cancel;
    Status status = Status::NoReply;
    int affected = 0;
    QString reason{}; //!< the publisher's, for Refused and Error

    bool isSuccess() const noexcept { return status == Status::Accepted && (affected > 0 || command == protocol::CommandKind::Drain); }
    //! What happened, in a few words: "3 cancelled", "refused: read-only: …", "no reply within 5 s".
    QString describe() const;
};

//! The dashboard's side of the control channel (docs/protocol.md, "Commands"): sends commands
//! through the current source, tags each with its own `ref`, and turns the reply with that ref
//! (or its absence) into one CommandOutcome. Lives on the GUI thread.
class ControlChannel final : public QObject
{
    Q_OBJECT
public:
    //! How long a reply may take; the publisher answers at once unless it is stuck.
    static constexpr std::chrono::milliseconds replyTimeout{5000};

    explicit ControlChannel(QObject *parent = nullptr);

    //! Sends \a command through \a source; its `ref` is replaced by the channel's own. False if
    //! the source cannot send now (then nothing is pending).
    bool send(client::EventSource &source, protocol::Command command);
    //! A `reply` line arrived; answered() if it is to one of ours.
    void onReply(const client::ReplyEvent &reply);
    //! The connection ended: every pending command is answered ConnectionLost.
    void connectionEnded();
    //! Commands sent and not answered yet.
    qsizetype pendingCount() const noexcept { return m_pending.size(); }

Q_SIGNALS:
    //! The outcome of a command sent with send(), exactly once per command.
    void answered(const afterwork::monitor::CommandOutcome &outcome);

private:
    struct Pending
    {
        protocol::CommandKind command;
        qint64 sentAtMs; // on m_clock
    };
    void expire();
    void armTimer();

    QHash<QString, Pending> m_pending; // by ref
    quint64 m_nextRef = 1;
    QElapsedTimer m_clock; // monotonic: a wall-clock jump must not expire or keep a command
    QTimer m_timeout;
};

} // namespace afterwork::monitor

Q_DECLARE_METATYPE(afterwork::monitor::CommandOutcome)
