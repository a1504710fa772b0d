// SPDX-License-Identifier: MIT
// The control channel: what the publisher does with a subscriber's commands (docs/protocol.md,
// "Commands"). Part of EventPublisherPrivate (eventpublisher_p.h). Engine thread.
#include "eventpublisher_p.h"

#include <afterwork/client/taskfilter.h>

#include <QtCore/QLoggingCategory>

#include <algorithm>
#include <functional>

namespace afterwork::detail {

Q_DECLARE_LOGGING_CATEGORY(lcStream)

namespace {

using namespace Qt::StringLiterals;

//! A live task as the filter grammar sees it: the fields a `task` line carries.
client::TaskRecord recordOf(const TaskEvent &event)
{
    client::TaskRecord record;
    record.id = event.taskId;
    record.name = event.name;
    record.phase = event.phase;
    record.shielded = event.shielded;
    record.mode = event.mode;
    record.work = event.work;
    record.attempt = event.attempt;
    record.requestId = event.requestId;
    record.function = event.functionLabel;
    if (event.error)
        record.error = client::ErrorInfo{event.error->type, event.error->message};
    return record;
}

protocol::Reply refused(QString reason)
{
    return {.result = protocol::ReplyResult::Refused, .reason = std::move(reason)};
}

} // namespace

void EventPublisherPrivate::answer(QIODevice *socket, const protocol::ParsedInput &input)
{
    Subscriber *subscriber = find(socket);
    if (!subscriber)
        return;
    protocol::Reply reply;
    const bool withinRate = subscriber->takeCommandToken();
    if (subscriber->commandsOverLimit() > protocol::maxCommandsPerSecond)
        return; // readFrom() closes the connection: answering a flood would grow without bound
    if (!withinRate) {
        reply = refused(u"rate limited: at most %1 commands a second"_s.arg(protocol::maxCommandsPerSecond));
    } else if (input.verdict == protocol::ParsedInput::Invalid) {
        reply = {.result = protocol::ReplyResult::Error, .reason = input.reason};
    } else if (!options.allowControl) {
        reply = refused(u"read-only: this publisher does not accept commands"_s);
    } else if (!engine) {
        reply = refused(u"the engine is gone"_s);
    } else {
        reply = execute(input.command);
        qCInfo(lcStream).noquote() << "command" << wireName(input.command.kind) << "from a subscriber:"
                                   << wireName(reply.result) << reply.affected << reply.reason;
    }
    reply.ref = input.command.ref;
    reply.command = input.verdict == protocol::ParsedInput::IsCommand ? QString(wireName(input.command.kind))
                                                                      : input.commandName;
    QByteArray body;
    protocol::appendReplyBody(body, protocol::nowUs(), reply);
    if ((subscriber = find(socket))) { // (execute() may have ended the connection)
        subscriber->pushReply(body);
        // Handed to the socket at once: the next command's broadcasts may overflow the queue,
        // which drops unwritten lines.
        subscriber->writePending();
    }
}

protocol::Reply EventPublisherPrivate::execute(const protocol::Command &command)
{
    try {
        return executeOrThrow(command);
    } catch (const std::exception &error) { // (a throwing taskEvent receiver, an allocation failure)
        return refused(u"the command failed: %1"_s.arg(QString::fromUtf8(error.what())));
    } catch (...) {
        return refused(u"the command failed"_s);
    }
}

protocol::Reply EventPublisherPrivate::executeOrThrow(const protocol::Command &command)
{
    switch (command.kind) {
    case protocol::CommandKind::Cancel: {
        QList<quint64> ids = command.ids;
        std::sort(ids.begin(), ids.end(), std::greater<>()); // newest first: each look-up is short
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end()); // a repeated id counts once
        int cancelled = 0;
        for (const quint64 id : std::as_const(ids))
            cancelled += engine->cancel(id) ? 1 : 0;
        if (cancelled == 0)
            return {.result = protocol::ReplyResult::UnknownTask, .reason = u"no live task has any of these ids"_s};
        return {.result = protocol::ReplyResult::Accepted, .affected = cancelled};
    }
    case protocol::CommandKind::CancelMatching: {
        auto parsed = client::TaskFilter::parse(command.filter);
        if (const auto *error = std::get_if<client::FilterError>(&parsed))
            return {.result = protocol::ReplyResult::Error, .reason = error->toString()};
        const client::TaskFilter &filter = std::get<client::TaskFilter>(parsed);
        int cancelled = 0;
        const QList<TaskEvent> live = engine->liveTasks();
        // Newest first: the engine finds a task by walking back from the newest, and a queued task
        // leaves the live list as it is cancelled, so each look-up is short.
        for (auto task = live.crbegin(); task != live.crend(); ++task) {
            if (filter.matches(recordOf(*task)))
                cancelled += engine->cancel(task->taskId) ? 1 : 0;
        }
        return {.result = protocol::ReplyResult::Accepted, .affected = cancelled};
    }
    case protocol::CommandKind::Drain: {
        if (engine->state() != EngineState::Running)
            return refused(u"the engine is already shutting down"_s);
        const int live = int(engine->counters().live);
        // Started after the reply is written (queued): a shutdown may end connections, or a
        // receiver of shutdownFinished may delete the publisher, and neither may happen under
        // the reply's feet.
        QMetaObject::invokeMethod(
            q,
            [engine = engine, onDrain = options.onDrain, deadline = command.deadline] {
                try {
                    if (onDrain)
                        onDrain(deadline);
                    else if (engine)
                        engine->startShutdown(deadline);
                } catch (...) {
                    qCWarning(lcStream) << "a drain command's shutdown threw; ignored";
                }
            },
            Qt::QueuedConnection);
        return {.result = protocol::ReplyResult::Accepted, .affected = live};
    }
    }
    return refused(u"unknown command"_s);
}

} // namespace afterwork::detail
