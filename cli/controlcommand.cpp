// SPDX-License-Identifier: MIT
// `afterwork cancel` and `afterwork drain`: act on a running application through its stream's
// control channel (docs/protocol.md, "Commands"; docs/cli.md).
#include "clicommon.h"
#include "commands.h"

#include <afterwork/client/eventsource.h>
#include <afterwork/client/lineparser.h>
#include <afterwork/client/taskfilter.h>
#include <afterwork/protocol/command.h>

#include <QtCore/QDeadlineTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QTimer>

#include <cmath>

using namespace afterwork::client;
using namespace Qt::StringLiterals;

namespace afterwork::cli {

namespace {

//! How long connecting, the snapshot and each reply may take.
constexpr int replyTimeoutMs = int(protocol::replyTimeout.count());

//! One connection to a publisher (local or remote, as --connect says), read line by line. Each
//! wait runs a local event loop until a line comes, the connection ends or the deadline passes: a
//! command-line tool waits anyway, and the source (client::createLiveSource()) is the same one
//! `tail` reads.
class ControlConnection : public QObject
{
public:
    explicit ControlConnection(QString command) : m_command(std::move(command)) {}

    //! Connects and reads up to the first snapshot. Prints the error and returns false on failure.
    bool open(std::unique_ptr<EventSource> source)
    {
        m_source = std::move(source);
        connect(m_source.get(), &EventSource::linesReceived, this, [this](const QList<StreamLine> &lines) {
            for (const StreamLine &line : lines) {
                if (const StreamEvent *event = line.event())
                    m_queue.append(*event);
                else
                    m_queue.append(std::nullopt); // unreadable: ends the reading, as before
            }
            wake();
        });
        connect(m_source.get(), &EventSource::errorOccurred, this, [this](EventSource::Error, const QString &message) {
            if (m_error.isEmpty())
                m_error = message;
            wake();
        });
        connect(m_source.get(), &EventSource::disconnected, this, [this] {
            m_ended = true;
            wake();
        });
        connect(m_source.get(), &EventSource::finished, this, [this] {
            m_ended = true;
            wake();
        });
        m_source->start();
        while (!m_snapshot) {
            const std::optional<StreamEvent> event = next(QDeadlineTimer(replyTimeoutMs));
            if (!event) {
                printError(m_command, m_error.isEmpty()
                                          ? u"%1 sent no snapshot: is it an Afterwork event stream?"_s.arg(m_source->description())
                                          : m_error);
                return false;
            }
            if (const auto *hello = event->as<HelloEvent>())
                m_control = hello->control;
            if (const auto *snapshot = event->as<SnapshotEvent>())
                m_snapshot = *snapshot;
        }
        return true;
    }

    const SnapshotEvent &snapshot() const { return *m_snapshot; }
    bool acceptsCommands() const { return m_control; }

    //! Sends \a command and waits for its reply (the lines before it go to \a onOther).
    std::optional<ReplyEvent> ask(const protocol::Command &command,
                                  const std::function<void(const StreamEvent &)> &onOther = {})
    {
        if (!m_source->sendCommand(command)) {
            printError(m_command, u"the connection ended before the command could be sent"_s);
            return std::nullopt;
        }
        const QDeadlineTimer deadline(replyTimeoutMs);
        while (const std::optional<StreamEvent> event = next(deadline)) {
            if (const auto *reply = event->as<ReplyEvent>(); reply && reply->ref == command.ref)
                return *reply;
            if (onOther)
                onOther(*event);
        }
        printError(m_command, u"no reply within %1 s (a publisher that predates commands ignores them)"_s
                                  .arg(replyTimeoutMs / 1000));
        return std::nullopt;
    }

    //! The next line as an event; std::nullopt at the deadline, at the end of the connection, or
    //! for a line that does not parse.
    std::optional<StreamEvent> next(QDeadlineTimer deadline)
    {
        while (m_queue.isEmpty()) {
            if (m_ended || !m_error.isEmpty() || deadline.hasExpired())
                return std::nullopt;
            QEventLoop loop;
            QTimer timer;
            timer.setSingleShot(true);
            connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
            timer.start(std::chrono::milliseconds(qMax<qint64>(1, deadline.remainingTime())));
            m_loop = &loop;
            loop.exec();
            m_loop = nullptr;
        }
        std::optional<StreamEvent> event = m_queue.takeFirst();
        if (!event)
            printError(m_command, u"an unreadable line from %1"_s.arg(m_source->description()));
        return event;
    }

private:
    void wake()
    {
        if (m_loop)
            m_loop->quit();
    }

    QString m_command;
    std::unique_ptr<EventSource> m_source;
    QList<std::optional<StreamEvent>> m_queue;
    QEventLoop *m_loop = nullptr; // while next() waits
    QString m_error;
    std::optional<SnapshotEvent> m_snapshot;
    bool m_control = false;
    bool m_ended = false;
};

//! The exit status and message for a reply (docs/cli.md, "Exit statuses").
int report(const QString &command, const ReplyEvent &reply, const QString &done)
{
    const std::optional<protocol::ReplyResult> result = protocol::replyResultFromWireName(reply.result);
    switch (result.value_or(protocol::ReplyResult::Error)) {
    case protocol::ReplyResult::Accepted:
        Output::out().line(done.arg(reply.affected));
        return reply.affected > 0 ? ExitOk : ExitFailure;
    case protocol::ReplyResult::Refused:
        printError(command, u"refused: %1"_s.arg(reply.reason));
        return ExitFailure;
    case protocol::ReplyResult::UnknownTask:
        printError(command, u"no such live task: %1"_s.arg(reply.reason));
        return ExitFailure;
    case protocol::ReplyResult::Error:
        break;
    }
    printError(command, u"the publisher did not accept the command: %1"_s.arg(reply.reason.isEmpty() ? reply.result : reply.reason));
    return ExitUsage;
}

//! A publisher whose hello does not offer control (read-only, or one that predates commands):
//! nothing is sent.
int refusedAsReadOnly(const QString &command)
{
    printError(command, u"refused: read-only: the publisher does not accept commands (its application must allow control)"_s);
    return ExitFailure;
}

QString describe(const TaskRecord &task)
{
    return u"%1\t%2\t%3"_s.arg(task.id).arg(task.name, wireName(task.phase));
}

} // namespace

int runCancel(const QStringList &arguments)
{
    const QString command = u"cancel"_s;
    QCommandLineParser parser;
    const SourceOptions sourceOptions;
    const QCommandLineOption filterOption(u"filter"_s, u"Cancel every live task this expression matches (docs/filter.md)."_s,
                                          u"EXPR"_s);
    const QCommandLineOption dryRunOption(u"dry-run"_s, u"With --filter: list what would be cancelled, cancel nothing."_s);
    sourceOptions.addTo(parser);
    parser.addOptions({filterOption, dryRunOption});
    parser.addPositionalArgument(u"ID"_s, u"Task ids to cancel (or use --filter)."_s, u"[ID...]"_s);
    if (const int code = parseSubcommand(parser, command, arguments,
                                         u"Cancel live tasks of a running application, by id or by filter.\n"
                                         u"Exit status: 0 done, 1 refused or nothing matched, 2 usage or connection error."_s);
        code >= 0)
        return code;

    const QStringList idTexts = parser.positionalArguments();
    const bool byFilter = parser.isSet(filterOption);
    if (byFilter == !idTexts.isEmpty()) {
        printError(command, u"give task ids or --filter, not both or neither"_s);
        return ExitUsage;
    }
    if (parser.isSet(dryRunOption) && !byFilter) {
        printError(command, u"--dry-run goes with --filter"_s);
        return ExitUsage;
    }
    protocol::Command cancel{.kind = byFilter ? protocol::CommandKind::CancelMatching : protocol::CommandKind::Cancel,
                             .ref = u"cli-cancel"_s};
    std::optional<TaskFilter> filter;
    if (byFilter) {
        auto parsed = TaskFilter::parse(parser.value(filterOption));
        if (const auto *error = std::get_if<FilterError>(&parsed)) {
            printError(command, u"--filter: %1"_s.arg(error->toString()));
            return ExitUsage;
        }
        filter = std::get<TaskFilter>(parsed);
        if (filter->isEmpty()) {
            printError(command, u"--filter needs at least one term (an empty filter matches every task)"_s);
            return ExitUsage;
        }
        cancel.filter = filter->expression();
    }
    for (const QString &text : idTexts) {
        bool ok = false;
        const quint64 id = text.toULongLong(&ok);
        if (!ok || id == 0 || id > (quint64(1) << 53)) {
            printError(command, u"'%1' is not a task id"_s.arg(text));
            return ExitUsage;
        }
        cancel.ids.append(id);
    }

    if (cancel.ids.size() > protocol::maxIdsPerCommand) {
        printError(command, u"at most %1 ids at a time"_s.arg(protocol::maxIdsPerCommand));
        return ExitUsage;
    }
    std::unique_ptr<EventSource> source = openSource(parser, sourceOptions, command, false);
    if (!source)
        return ExitUsage;
    ControlConnection connection(command);
    if (!connection.open(std::move(source)))
        return ExitUsage;
    if (parser.isSet(dryRunOption)) {
        int matched = 0;
        for (const TaskRecord &task : connection.snapshot().tasks) {
            if (filter->matches(task)) {
                Output::out().line(describe(task));
                ++matched;
            }
        }
        Output::out().line(u"would cancel %1 task(s)"_s.arg(matched));
        return matched > 0 ? ExitOk : ExitFailure;
    }
    if (!connection.acceptsCommands())
        return refusedAsReadOnly(command);
    const std::optional<ReplyEvent> reply = connection.ask(cancel);
    if (!reply)
        return ExitUsage;
    return report(command, *reply, u"cancelled %1 task(s)"_s);
}

int runDrain(const QStringList &arguments)
{
    const QString command = u"drain"_s;
    QCommandLineParser parser;
    const SourceOptions sourceOptions;
    const QCommandLineOption deadlineOption(u"deadline"_s, u"How long the shutdown may wait for running and shielded tasks (default 10)."_s,
                                            u"SECONDS"_s, u"10"_s);
    sourceOptions.addTo(parser);
    parser.addOptions({deadlineOption});
    if (const int code = parseSubcommand(parser, command, arguments,
                                         u"Drain a running application: a graceful shutdown within a deadline, followed\n"
                                         u"until the application says bye; prints the shutdown report.\n"
                                         u"Exit status: 0 done, 1 refused, 2 usage or connection error."_s);
        code >= 0)
        return code;
    if (!noPositionalArguments(parser, command))
        return ExitUsage;
    const double seconds = parseSeconds(parser.value(deadlineOption));
    if (seconds < 0 && parser.value(deadlineOption) != u"0"_s) {
        printError(command, u"--deadline needs a number of seconds"_s);
        return ExitUsage;
    }
    if (seconds > 24 * 3600) {
        printError(command, u"--deadline: at most a day"_s);
        return ExitUsage;
    }
    const auto deadline = std::chrono::milliseconds(qint64(std::llround(qMax(0.0, seconds) * 1000)));

    std::unique_ptr<EventSource> source = openSource(parser, sourceOptions, command, false);
    if (!source)
        return ExitUsage;
    ControlConnection connection(command);
    if (!connection.open(std::move(source)))
        return ExitUsage;
    if (!connection.acceptsCommands())
        return refusedAsReadOnly(command);
    std::optional<ShutdownEvent> finished;
    const auto follow = [&](const StreamEvent &event) {
        if (const auto *shutdown = event.as<ShutdownEvent>()) {
            if (shutdown->stage == u"finished"_s)
                finished = *shutdown;
            else if (shutdown->pending >= 0)
                Output::out().line(u"draining: %1 task(s) still running"_s.arg(shutdown->pending));
        }
    };
    const std::optional<ReplyEvent> reply =
        connection.ask({.kind = protocol::CommandKind::Drain, .ref = u"cli-drain"_s, .deadline = deadline}, follow);
    if (!reply)
        return ExitUsage;
    if (protocol::replyResultFromWireName(reply->result) != protocol::ReplyResult::Accepted)
        return report(command, *reply, QString());
    Output::out().line(u"draining %1 live task(s), deadline %2 s"_s.arg(reply->affected).arg(deadline.count() / 1000.0));
    Output::out().flush();
    // Followed until bye (or the end of the connection); the deadline, plus time to say bye.
    const QDeadlineTimer until(deadline + std::chrono::seconds(30));
    bool byeSeen = false;
    while (const std::optional<StreamEvent> event = connection.next(until)) {
        follow(*event);
        if (event->as<ByeEvent>()) {
            byeSeen = true;
            break;
        }
    }
    if (!finished) {
        printError(command, byeSeen ? u"the application said bye without a shutdown report"_s
                                    : u"the connection ended before the shutdown finished"_s);
        return ExitUsage;
    }
    Output::out().line(u"shut down: finished %1, cancelled %2, abandoned %3, dropped %4%5"_s.arg(finished->finished)
                           .arg(finished->cancelled)
                           .arg(finished->abandoned)
                           .arg(finished->dropped)
                           .arg(finished->deadlineReached ? u" (deadline reached)"_s : QString()));
    return ExitOk;
}

} // namespace afterwork::cli
