// SPDX-License-Identifier: MIT
#include "core/controlchannel.h"

#include "core/formatting.h"

#include <afterwork/client/eventsource.h>
#include <afterwork/client/streamevent.h>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;
using protocol::CommandKind;
using protocol::ReplyResult;
using Status = CommandOutcome::Status;

namespace {

//! Timed-out commands remembered for a late reply's log line.
constexpr qsizetype timedOutKept = 16;


} // namespace

bool CommandOutcome::isSuccess() const noexcept
{
    return status == Status::Replied && result == ReplyResult::Accepted && (affected > 0 || command == CommandKind::Drain);
}

QString CommandOutcome::describe() const
{
    switch (status) {
    case Status::NoReply:
        return u"no reply within %1 s"_s.arg(double(timeout.count()) / 1000);
    case Status::ConnectionLost:
        return u"the connection ended before a reply came"_s;
    case Status::Replied:
        break;
    }
    switch (result) {
    case ReplyResult::Accepted:
        if (command == CommandKind::Drain)
            return u"draining: the source is shutting down (%1)"_s.arg(formatTasks(affected, u"live"));
        return affected == 0 ? u"nothing to cancel: no live task matched"_s : u"%1 cancelled"_s.arg(formatTasks(affected));
    case ReplyResult::Refused:
        return u"refused: %1"_s.arg(reason);
    case ReplyResult::UnknownTask:
        return u"nothing to cancel: the tasks have already ended"_s;
    case ReplyResult::Error:
        break;
    }
    return u"the source did not understand the command: %1"_s.arg(reason);
}

ControlChannel::ControlChannel(std::chrono::milliseconds replyTimeout, QObject *parent)
    : QObject(parent), m_replyTimeout(replyTimeout)
{
    qRegisterMetaType<afterwork::monitor::CommandOutcome>();
    m_clock.start();
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, &ControlChannel::expire);
}

bool ControlChannel::send(client::EventSource &source, protocol::Command command)
{
    // "dash-N": unique within this dashboard's connections, which is all a ref must be.
    command.ref = u"dash-%1"_s.arg(m_nextRef++);
    if (!source.sendCommand(command))
        return false;
    m_pending.append({command.ref, command.kind, m_clock.elapsed()});
    armTimer();
    return true;
}

CommandOutcome ControlChannel::fromReply(CommandKind command, const client::ReplyEvent &reply)
{
    return {.command = command,
            .status = Status::Replied,
            .result = protocol::replyResultFromWireName(reply.result).value_or(ReplyResult::Error),
            .affected = int(reply.affected),
            .reason = reply.reason};
}

void ControlChannel::onReply(const client::ReplyEvent &reply)
{
    const auto matches = [&reply](const Pending &pending) { return pending.ref == reply.ref; };
    if (const auto it = std::find_if(m_pending.cbegin(), m_pending.cend(), matches); it != m_pending.cend()) {
        const CommandOutcome outcome = fromReply(it->command, reply);
        m_pending.erase(it);
        armTimer();
        Q_EMIT answered(outcome);
    } else if (const auto late = std::find_if(m_timedOut.cbegin(), m_timedOut.cend(), matches); late != m_timedOut.cend()) {
        const CommandOutcome outcome = fromReply(late->command, reply);
        m_timedOut.erase(late);
        Q_EMIT lateReply(outcome);
    }
    // Otherwise not ours: replies go only to the connection that asked, but a ref is only a tag.
}

void ControlChannel::connectionEnded()
{
    const QList<Pending> pending = std::exchange(m_pending, {});
    m_timedOut.clear(); // their replies can no longer come
    m_timeout.stop();
    for (const Pending &command : pending)
        Q_EMIT answered({.command = command.command, .status = Status::ConnectionLost});
}

void ControlChannel::expire()
{
    const qint64 now = m_clock.elapsed();
    QList<CommandOutcome> expired;
    while (!m_pending.isEmpty() && now - m_pending.constFirst().sentAtMs >= m_replyTimeout.count()) {
        const Pending command = m_pending.takeFirst();
        expired.append({.command = command.command, .status = Status::NoReply, .timeout = m_replyTimeout});
        m_timedOut.append(command);
        if (m_timedOut.size() > timedOutKept)
            m_timedOut.removeFirst();
    }
    armTimer();
    for (const CommandOutcome &outcome : std::as_const(expired))
        Q_EMIT answered(outcome);
}

void ControlChannel::armTimer()
{
    if (m_pending.isEmpty()) {
        m_timeout.stop();
        return;
    }
    // Oldest first: the first pending command is the next to expire.
    const qint64 due = m_pending.constFirst().sentAtMs + m_replyTimeout.count() - m_clock.elapsed();
    m_timeout.start(std::chrono::milliseconds(std::max<qint64>(due, 0)));
}

} // namespace afterwork::monitor
