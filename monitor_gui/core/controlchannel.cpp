// SPDX-License-Identifier: MIT
#include "core/controlchannel.h"

#include <afterwork/client/eventsource.h>
#include <afterwork/client/streamevent.h>


namespace afterwork::monitor {

using namespace Qt::StringLiterals;
using protocol::CommandKind;
using Status = CommandOutcome::Status;

QString CommandOutcome::describe() const
{
    switch (status) {
    case Status::Accepted:
        switch (command) {
        case CommandKind::Cancel:
        case CommandKind::CancelMatching:
            return affected == 0 ? u"nothing to cancel: no live task matched"_s
                                 : affected == 1 ? u"1 task cancelled"_s
                                                 : u"%1 tasks cancelled"_s.arg(affected);
        case CommandKind::Drain:
            return u"draining: the source is shutting down (%1 live tasks)"_s.arg(affected);
        }
        break;
    case Status::Refused:
        return u"refused: %1"_s.arg(reason);
    case Status::UnknownTask:
        return u"nothing to cancel: the tasks have already ended"_s;
    case Status::Error:
        return u"the source did not understand the command: %1"_s.arg(reason);
    case Status::NoReply:
        return u"no reply within %1 s"_s.arg(ControlChannel::replyTimeout.count() / 1000);
    case Status::ConnectionLost:
        return u"the connection ended before a reply came"_s;
    }
    return {};
}

ControlChannel::ControlChannel(QObject *parent) : QObject(parent)
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
    m_pending.insert(command.ref, {command.kind, m_clock.elapsed()});
    armTimer();
    return true;
}

void ControlChannel::onReply(const client::ReplyEvent &reply)
{
    const auto it = m_pending.constFind(reply.ref);
    if (it == m_pending.cend())
        return; // not ours (or already timed out)
    CommandOutcome outcome{.command = it->command, .affected = int(reply.affected), .reason = reply.reason};
    m_pending.erase(it);
    switch (protocol::replyResultFromWireName(reply.result).value_or(protocol::ReplyResult::Error)) {
    case protocol::ReplyResult::Accepted:
        outcome.status = Status::Accepted;
        break;
    case protocol::ReplyResult::Refused:
        outcome.status = Status::Refused;
        break;
    case protocol::ReplyResult::UnknownTask:
        outcome.status = Status::UnknownTask;
        break;
    case protocol::ReplyResult::Error:
        outcome.status = Status::Error;
        break;
    }
    armTimer();
    Q_EMIT answered(outcome);
}

void ControlChannel::connectionEnded()
{
    const QHash<QString, Pending> pending = std::exchange(m_pending, {});
    m_timeout.stop();
    for (const Pending &command : pending)
        Q_EMIT answered({.command = command.command, .status = Status::ConnectionLost});
}

void ControlChannel::expire()
{
    const qint64 now = m_clock.elapsed();
    QList<CommandOutcome> expired;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (now - it->sentAtMs >= replyTimeout.count()) {
            expired.append({.command = it->command, .status = Status::NoReply});
            it = m_pending.erase(it);
        } else {
            ++it;
        }
    }
    armTimer();
    for (const CommandOutcome &outcome : expired)
        Q_EMIT answered(outcome);
}

void ControlChannel::armTimer()
{
    if (m_pending.isEmpty()) {
        m_timeout.stop();
        return;
    }
    qint64 oldest = std::numeric_limits<qint64>::max();
    for (const Pending &command : std::as_const(m_pending))
        oldest = std::min(oldest, command.sentAtMs);
    const qint64 due = oldest + replyTimeout.count() - m_clock.elapsed();
    m_timeout.start(std::chrono::milliseconds(std::max<qint64>(due, 0)));
}

} // namespace afterwork::monitor
