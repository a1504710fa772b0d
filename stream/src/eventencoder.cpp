// SPDX-License-Identifier: MIT
// The lines of the event stream protocol (docs/protocol.md). Keys are literals with their commas
// and quotes already in place; only values are formatted at run time.

#include <afterwork/eventencoder.h>
#include <afterwork/protocol/rawwriter.h>

#include <QtCore/QJsonValue>


namespace afterwork::protocol {

namespace {

using detail::RawWriter;
using detail::maxIntegerBytes;
using detail::maxStringBytes;

// Room for everything in a line but its strings and integers (keys, punctuation, wire names).
constexpr qsizetype fixedBytes = 512;

void writeBodyStart(RawWriter &w, qint64 tsUs, QLatin1StringView kind)
{
    w.literal(",\"ts_us\":");
    w.integer(tsUs);
    w.literal(",\"kind\":\"");
    w.ascii(kind); // kinds are plain identifiers (checked by the publisher)
    w.character('"');
}

void writeBodyEnd(RawWriter &w)
{
    w.literal("}\n");
}

void writeWireName(RawWriter &w, QLatin1StringView name)
{
    w.character('"');
    w.ascii(name); // wire names are snake_case ASCII
    w.character('"');
}

qsizetype errorBytes(const std::optional<TaskError> &error)
{
    return error ? maxStringBytes(error->type.size()) + maxStringBytes(error->message.size()) : 0;
}

//! An upper bound for the task's members, strings and integers included.
qsizetype maxTaskBytes(const TaskEvent &event)
{
    return fixedBytes + 10 * maxIntegerBytes + maxStringBytes(event.name.size())
        + maxStringBytes(event.functionLabel.size()) + errorBytes(event.error) + errorBytes(event.handlerError);
}

void writeError(RawWriter &w, const TaskError &error)
{
    w.literal("{\"type\":");
    w.string(error.type);
    w.literal(",\"message\":");
    w.string(error.message);
    w.character('}');
}

// Every task member after `ts_us`, each with its leading comma.
void writeTaskMembers(RawWriter &w, const TaskEvent &event)
{
    w.literal(",\"id\":");
    w.unsignedInteger(event.taskId);
    w.literal(",\"name\":");
    w.string(event.name);
    w.literal(",\"phase\":");
    writeWireName(w, wireName(event.phase));
    if (event.shielded)
        w.literal(",\"shielded\":true,\"mode\":");
    else
        w.literal(",\"shielded\":false,\"mode\":");
    writeWireName(w, wireName(event.mode));
    w.literal(",\"work\":");
    writeWireName(w, wireName(event.work));
    w.literal(",\"attempt\":");
    w.integer(event.attempt);
    w.literal(",\"scheduled_us\":");
    w.integer(event.scheduledUs);
    if (event.startedUs > 0) {
        w.literal(",\"started_us\":");
        w.integer(event.startedUs);
    }
    if (!event.functionLabel.isEmpty()) {
        w.literal(",\"function\":");
        w.string(event.functionLabel);
    }
    if (event.requestId != 0) {
        w.literal(",\"request\":");
        w.unsignedInteger(event.requestId);
    }
    if (event.error) {
        w.literal(",\"error\":");
        writeError(w, *event.error);
    }
    if (event.handlerError) {
        w.literal(",\"handler_error\":");
        writeError(w, *event.handlerError);
    }
    if (isTerminal(event.phase)) {
        if (event.waitUs >= 0) {
            w.literal(",\"wait_us\":");
            w.integer(event.waitUs);
        }
        if (event.runUs >= 0) {
            w.literal(",\"run_us\":");
            w.integer(event.runUs);
        }
    }
}

//! An upper bound for a progress value's members (done, total, message).
qsizetype maxProgressBytes(const TaskProgress &progress)
{
    return 64 + 2 * maxIntegerBytes + maxStringBytes(progress.message.size());
}

// `"done":D,"total":T` and `,"message":M` when there is one: the value of a `progress` line, and
// of a snapshot entry's progress object, written once for both.
void writeProgressMembers(RawWriter &w, const TaskProgress &progress)
{
    w.literal("\"done\":");
    w.integer(progress.done);
    w.literal(",\"total\":");
    w.integer(progress.total);
    if (!progress.message.isEmpty()) {
        w.literal(",\"message\":");
        w.string(progress.message);
    }
}

void writeShutdownCounts(RawWriter &w, qint64 deadlineUs, int pending, int cancelled, int finished, int abandoned)
{
    w.literal(",\"deadline_us\":");
    w.integer(deadlineUs);
    w.literal(",\"pending\":");
    w.integer(pending);
    w.literal(",\"cancelled\":");
    w.integer(cancelled);
    w.literal(",\"finished\":");
    w.integer(finished);
    w.literal(",\"abandoned\":");
    w.integer(abandoned);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Lines

void appendLinePrefix(QByteArray &out, quint64 seq)
{
    static_assert(version == 1, "the literal below spells the protocol version");
    RawWriter w(out, 16 + maxIntegerBytes);
    w.literal("{\"v\":1,\"seq\":");
    w.unsignedInteger(seq);
}

void appendHelloBody(QByteArray &out, qint64 tsUs, const SourceInfo &source, bool control)
{
    const QByteArray instance = source.instance.toByteArray(QUuid::WithoutBraces);
    RawWriter w(out, fixedBytes + 3 * maxIntegerBytes + maxStringBytes(source.app.size())
                         + maxStringBytes(source.host.size()) + maxStringBytes(instance.size()));
    writeBodyStart(w, tsUs, wireName(EventKind::Hello));
    w.literal(",\"source\":{\"app\":");
    w.string(source.app);
    w.literal(",\"pid\":");
    w.integer(source.pid);
    w.literal(",\"host\":");
    w.string(source.host);
    w.literal(",\"instance\":");
    w.string(QLatin1StringView(instance));
    w.literal(",\"started_us\":");
    w.integer(source.startedUs);
    w.character('}');
    if (control)
        w.literal(",\"control\":true");
    else
        w.literal(",\"control\":false");
    writeBodyEnd(w);
}

void appendTaskFields(QByteArray &out, const TaskEvent &event)
{
    RawWriter w(out, maxTaskBytes(event));
    w.literal("\"ts_us\":");
    w.integer(event.timestampUs);
    writeTaskMembers(w, event);
}

void appendSnapshotBody(QByteArray &out, qint64 tsUs, const QList<TaskEvent> &liveTasks)
{
    {
        RawWriter w(out, fixedBytes + maxIntegerBytes);
        writeBodyStart(w, tsUs, wireName(EventKind::Snapshot));
        w.literal(",\"tasks\":[");
    }
    bool first = true;
    for (const TaskEvent &task : liveTasks) {
        RawWriter w(out, maxTaskBytes(task) + (task.progress ? maxProgressBytes(*task.progress) : 0) + 3);
        if (!first)
            w.character(',');
        first = false;
        w.literal("{\"ts_us\":");
        w.integer(task.timestampUs);
        writeTaskMembers(w, task);
        // Only here, never on a `task` line: progress lines carry every later value.
        if (task.progress) {
            w.literal(",\"");
            w.ascii(snapshotProgressMember);
            w.literal("\":{");
            writeProgressMembers(w, *task.progress);
            w.character('}');
        }
        w.character('}');
    }
    RawWriter w(out, 4);
    w.character(']');
    writeBodyEnd(w);
}

void appendTaskBody(QByteArray &out, const TaskEvent &event)
{
    RawWriter w(out, maxTaskBytes(event));
    writeBodyStart(w, event.timestampUs, wireName(EventKind::Task));
    writeTaskMembers(w, event);
    writeBodyEnd(w);
}

void appendHeartbeatBody(QByteArray &out, qint64 tsUs, const HeartbeatInfo &info)
{
    const EngineCounters &c = info.counters;
    RawWriter w(out, fixedBytes + 16 * maxIntegerBytes);
    writeBodyStart(w, tsUs, wireName(EventKind::Heartbeat));
    w.literal(",\"counters\":{\"scheduled\":");
    w.unsignedInteger(c.scheduled);
    w.literal(",\"started\":");
    w.unsignedInteger(c.started);
    w.literal(",\"retrying\":");
    w.unsignedInteger(c.retried);
    w.literal(",\"succeeded\":");
    w.unsignedInteger(c.succeeded);
    w.literal(",\"failed\":");
    w.unsignedInteger(c.failed);
    w.literal(",\"cancelled\":");
    w.unsignedInteger(c.cancelled);
    w.literal(",\"abandoned\":");
    w.unsignedInteger(c.abandoned);
    w.literal(",\"dropped\":");
    w.unsignedInteger(c.dropped);
    w.literal(",\"handler_errors\":");
    w.unsignedInteger(c.handlerErrors);
    w.literal("},\"live\":");
    w.integer(c.live);
    w.literal(",\"pool\":{\"busy\":");
    w.integer(c.poolActive);
    w.literal(",\"max\":");
    w.integer(c.poolMax);
    w.literal("},\"events_dropped\":");
    w.unsignedInteger(info.eventsDropped);
    w.literal(",\"subscribers\":");
    w.integer(info.subscribers);
    writeBodyEnd(w);
}

void appendGapBody(QByteArray &out, qint64 tsUs, quint64 missed)
{
    RawWriter w(out, fixedBytes + 2 * maxIntegerBytes);
    writeBodyStart(w, tsUs, wireName(EventKind::Gap));
    w.literal(",\"missed\":");
    w.unsignedInteger(missed);
    writeBodyEnd(w);
}

void appendReplyBody(QByteArray &out, qint64 tsUs, const Reply &reply)
{
    RawWriter w(out, fixedBytes + 2 * maxIntegerBytes + maxStringBytes(reply.ref.size())
                         + maxStringBytes(reply.command.size()) + maxStringBytes(reply.reason.size()));
    writeBodyStart(w, tsUs, wireName(EventKind::Reply));
    w.literal(",\"ref\":");
    w.string(reply.ref);
    w.literal(",\"cmd\":");
    w.string(reply.command);
    w.literal(",\"result\":");
    w.string(wireName(reply.result));
    if (reply.result == ReplyResult::Accepted) {
        w.literal(",\"affected\":");
        w.integer(reply.affected);
    } else {
        w.literal(",\"reason\":");
        w.string(reply.reason);
    }
    writeBodyEnd(w);
}

void appendShutdownBody(QByteArray &out, qint64 tsUs, ShutdownStage stage, const ShutdownProgress &progress)
{
    RawWriter w(out, fixedBytes + 6 * maxIntegerBytes);
    writeBodyStart(w, tsUs, wireName(EventKind::Shutdown));
    w.literal(",\"stage\":");
    writeWireName(w, wireName(stage));
    writeShutdownCounts(w, progress.deadlineUs, progress.pending, progress.cancelled, progress.finished,
                        progress.abandoned);
    writeBodyEnd(w);
}

void appendShutdownFinishedBody(QByteArray &out, qint64 tsUs, qint64 deadlineUs, const ShutdownReport &report)
{
    RawWriter w(out, fixedBytes + 8 * maxIntegerBytes);
    writeBodyStart(w, tsUs, wireName(EventKind::Shutdown));
    w.literal(",\"stage\":\"finished\"");
    writeShutdownCounts(w, deadlineUs, 0, report.cancelled, report.finished, report.abandoned);
    w.literal(",\"dropped\":");
    w.integer(report.dropped);
    if (report.deadlineReached)
        w.literal(",\"deadline_reached\":true");
    else
        w.literal(",\"deadline_reached\":false");
    w.literal(",\"elapsed_ms\":");
    w.integer(report.elapsedMs);
    writeBodyEnd(w);
}

void appendByeBody(QByteArray &out, qint64 tsUs)
{
    RawWriter w(out, fixedBytes + maxIntegerBytes);
    writeBodyStart(w, tsUs, wireName(EventKind::Bye));
    writeBodyEnd(w);
}

void appendProgressBody(QByteArray &out, const TaskProgress &progress)
{
    RawWriter w(out, fixedBytes + 2 * maxIntegerBytes + maxProgressBytes(progress));
    writeBodyStart(w, progress.timestampUs, wireName(EventKind::Progress));
    w.literal(",\"id\":");
    w.unsignedInteger(progress.taskId);
    w.character(',');
    writeProgressMembers(w, progress);
    writeBodyEnd(w);
}

void appendEventBody(QByteArray &out, qint64 tsUs, QLatin1StringView kind, QByteArrayView encodedFields)
{
    RawWriter w(out, fixedBytes + maxIntegerBytes + kind.size() + encodedFields.size());
    writeBodyStart(w, tsUs, kind);
    if (!encodedFields.isEmpty()) {
        w.character(',');
        w.bytes(encodedFields.data(), encodedFields.size());
    }
    writeBodyEnd(w);
}

QByteArray makeLine(quint64 seq, QByteArrayView body)
{
    QByteArray line;
    line.reserve(32 + body.size());
    appendLinePrefix(line, seq);
    line.append(body.data(), body.size());
    return line;
}

} // namespace afterwork::protocol
