// SPDX-License-Identifier: MIT
#include <afterwork/client/lineparser.h>

#include "jsoncursor.h"

#include <cstring>
#include <exception>
#include <limits>
#include <new>

namespace afterwork::client {

namespace {

using detail::JsonCursor;

enum class Member { Handled, Unknown, Failed };

//! Whether a member's name is \a literal. Every member of every line is looked up through a chain
//! of these, so the comparison is inline (the length is known here): QByteArrayView's == calls out
//! to compareMemory() for each key of the same length, about a thousand instructions a line.
template<std::size_t N>
bool keyIs(QByteArrayView key, const char (&literal)[N]) noexcept
{
    return key.size() == qsizetype(N - 1) && std::memcmp(key.data(), literal, N - 1) == 0;
}

//! The same for a name the protocol library defines.
bool keyIs(QByteArrayView key, QLatin1StringView name) noexcept
{
    return key.size() == name.size() && std::memcmp(key.data(), name.data(), size_t(name.size())) == 0;
}

//! A phase as a publisher may send it: "lost" is an observer's conclusion, never on the wire.
Phase phaseSent(QByteArrayView name) noexcept
{
    const Phase phase = phaseFromWireName(name).value_or(Phase::Unknown);
    return phase == Phase::Lost ? Phase::Unknown : phase;
}

QString quoted(QByteArrayView key)
{
    return QStringLiteral("'%1': ").arg(QString::fromUtf8(key));
}

//! Runs \a read for the member \a key and puts the member's name in front of any error.
template<typename Read>
Member member(JsonCursor &c, QByteArrayView key, Read &&read)
{
    if (read())
        return Member::Handled;
    c.addErrorContext(quoted(key));
    return Member::Failed;
}

bool readNonNegative(JsonCursor &c, qint64 &out)
{
    if (!c.readInteger(out))
        return false;
    if (out < 0)
        return c.fail(QStringLiteral("must not be negative"));
    return true;
}

bool readUnsigned(JsonCursor &c, quint64 &out)
{
    qint64 value = 0;
    if (!readNonNegative(c, value))
        return false;
    out = quint64(value);
    return true;
}

bool readError(JsonCursor &c, std::optional<ErrorInfo> &out, int depth)
{
    if (c.tryNull()) {
        out.reset();
        return true;
    }
    if (c.peek() != '{')
        return c.fail(QStringLiteral("expected an object or null"));
    ErrorInfo info;
    const bool ok = c.readObject(
        [&](QByteArrayView key) {
            if (keyIs(key, "type"))
                return member(c, key, [&] { return c.readString(info.type); }) != Member::Failed;
            if (keyIs(key, "message"))
                return member(c, key, [&] { return c.readString(info.message); }) != Member::Failed;
            return c.skipValue(depth + 1);
        },
        depth);
    if (ok)
        out = std::move(info);
    return ok;
}

struct TaskPresence
{
    bool id = false;
    bool phase = false;
};

struct ProgressPresence
{
    bool done = false;
    bool total = false;
};

//! One member of a progress value: a `progress` line's top level, or a snapshot entry's progress
//! object (the same members, read the same way).
Member readProgressMember(JsonCursor &c, QByteArrayView key, ProgressEvent &progress, ProgressPresence &seen)
{
    if (keyIs(key, "done")) {
        seen.done = true;
        return member(c, key, [&] { return c.readInteger(progress.done); });
    }
    if (keyIs(key, "total")) {
        seen.total = true;
        return member(c, key, [&] { return c.readInteger(progress.total); });
    }
    if (keyIs(key, "message"))
        return member(c, key, [&] { return c.readString(progress.message); });
    return Member::Unknown;
}

//! A snapshot entry's progress object (protocol::snapshotProgressMember); null reads as absent.
bool readSnapshotProgress(JsonCursor &c, std::optional<ProgressEvent> &out, int depth)
{
    if (c.tryNull()) {
        out.reset();
        return true;
    }
    if (c.peek() != '{')
        return c.fail(QStringLiteral("expected an object or null"));
    ProgressEvent progress;
    ProgressPresence seen;
    const bool ok = c.readObject(
        [&](QByteArrayView key) {
            switch (readProgressMember(c, key, progress, seen)) {
            case Member::Handled: return true;
            case Member::Failed: return false;
            case Member::Unknown: return c.skipValue(depth + 1);
            }
            return false;
        },
        depth);
    if (!ok)
        return false;
    if (!seen.done || !seen.total)
        return c.fail(QStringLiteral("expected 'done' and 'total'"));
    out = std::move(progress);
    return true;
}

//! One member of a task (a `task` line's top level or a snapshot entry).
Member readTaskMember(JsonCursor &c, QByteArrayView key, TaskRecord &task, TaskPresence &seen, int depth)
{
    QByteArray scratch;
    QByteArrayView text;
    switch (key.size()) {
    case 2:
        if (keyIs(key, "id")) {
            seen.id = true;
            return member(c, key, [&] { return readUnsigned(c, task.id); });
        }
        break;
    case 4:
        if (keyIs(key, "name"))
            return member(c, key, [&] { return c.readString(task.name); });
        if (keyIs(key, "mode"))
            return member(c, key, [&] {
                if (!c.readString(text, scratch))
                    return false;
                task.mode = modeFromWireName(text).value_or(Mode::Unknown);
                return true;
            });
        if (keyIs(key, "work"))
            return member(c, key, [&] {
                if (!c.readString(text, scratch))
                    return false;
                task.work = workFromWireName(text).value_or(WorkKind::Unknown);
                return true;
            });
        break;
    case 5:
        if (keyIs(key, "ts_us"))
            return member(c, key, [&] { return c.readInteger(task.tsUs); });
        if (keyIs(key, "phase")) {
            seen.phase = true;
            return member(c, key, [&] {
                if (!c.readString(text, scratch))
                    return false;
                task.phase = phaseSent(text);
                return true;
            });
        }
        if (keyIs(key, "error"))
            return member(c, key, [&] { return readError(c, task.error, depth + 1); });
        break;
    case 6:
        if (keyIs(key, "run_us"))
            return member(c, key, [&] { return c.readInteger(task.runUs); });
        break;
    case 7:
        if (keyIs(key, "attempt"))
            return member(c, key, [&] {
                qint64 attempt = 0;
                if (!c.readInteger(attempt))
                    return false;
                if (attempt < 0 || attempt > std::numeric_limits<int>::max())
                    return c.fail(QStringLiteral("out of range"));
                task.attempt = int(attempt);
                return true;
            });
        if (keyIs(key, "wait_us"))
            return member(c, key, [&] { return c.readInteger(task.waitUs); });
        if (keyIs(key, "request"))
            return member(c, key, [&] {
                if (c.tryNull()) {
                    task.requestId = 0;
                    return true;
                }
                return readUnsigned(c, task.requestId);
            });
        break;
    case 8:
        if (keyIs(key, "shielded"))
            return member(c, key, [&] { return c.readBool(task.shielded); });
        if (keyIs(key, "function"))
            return member(c, key, [&] { return c.readString(task.function); });
        break;
    case 10:
        if (keyIs(key, "started_us"))
            return member(c, key, [&] { return c.readInteger(task.startedUs); });
        break;
    case 12:
        if (keyIs(key, "scheduled_us"))
            return member(c, key, [&] { return c.readInteger(task.scheduledUs); });
        break;
    case 13:
        if (keyIs(key, "handler_error"))
            return member(c, key, [&] { return readError(c, task.handlerError, depth + 1); });
        break;
    default:
        break;
    }
    return Member::Unknown;
}

bool checkTask(JsonCursor &c, const TaskPresence &seen)
{
    if (!seen.id)
        return c.fail(QStringLiteral("task without 'id'"));
    if (!seen.phase)
        return c.fail(QStringLiteral("task without 'phase'"));
    return true;
}

bool readSnapshotTask(JsonCursor &c, TaskRecord &task, int depth)
{
    TaskPresence seen;
    const bool ok = c.readObject(
        [&](QByteArrayView key) {
            // Only in a snapshot entry: at a line's top level the name is free for other kinds.
            if (keyIs(key, protocol::snapshotProgressMember))
                return member(c, key, [&] { return readSnapshotProgress(c, task.progress, depth + 1); }) != Member::Failed;
            switch (readTaskMember(c, key, task, seen, depth)) {
            case Member::Handled: return true;
            case Member::Failed: return false;
            case Member::Unknown: return c.skipValue(depth + 1);
            }
            return false;
        },
        depth);
    if (!ok || !checkTask(c, seen))
        return false;
    if (task.progress)
        task.progress->taskId = task.id; // the object may come before the id
    return true;
}

bool readSource(JsonCursor &c, SourceInfo &source, int depth)
{
    return c.readObject(
        [&](QByteArrayView key) {
            if (keyIs(key, "app"))
                return member(c, key, [&] { return c.readString(source.app); }) != Member::Failed;
            if (keyIs(key, "pid"))
                return member(c, key, [&] { return c.readInteger(source.pid); }) != Member::Failed;
            if (keyIs(key, "host"))
                return member(c, key, [&] { return c.readString(source.host); }) != Member::Failed;
            if (keyIs(key, "instance"))
                return member(c, key, [&] { return c.readString(source.instance); }) != Member::Failed;
            if (keyIs(key, "started_us"))
                return member(c, key, [&] { return c.readInteger(source.startedUs); }) != Member::Failed;
            return c.skipValue(depth + 1);
        },
        depth);
}

bool readCounters(JsonCursor &c, QList<std::pair<QString, qint64>> &counters, int depth)
{
    return c.readObject(
        [&](QByteArrayView key) {
            qint64 value = 0;
            if (c.peek() != '-' && (c.peek() < '0' || c.peek() > '9'))
                return c.skipValue(depth + 1); // not a count: a later protocol's richer value
            return member(c, key, [&] {
                       if (!c.readInteger(value))
                           return false;
                       counters.append({QString::fromUtf8(key), value});
                       return true;
                   })
                != Member::Failed;
        },
        depth);
}

bool readPool(JsonCursor &c, HeartbeatEvent &heartbeat, int depth)
{
    return c.readObject(
        [&](QByteArrayView key) {
            if (keyIs(key, "busy"))
                return member(c, key, [&] { return c.readInteger(heartbeat.poolBusy); }) != Member::Failed;
            if (keyIs(key, "max"))
                return member(c, key, [&] { return c.readInteger(heartbeat.poolMax); }) != Member::Failed;
            return c.skipValue(depth + 1);
        },
        depth);
}

//! Everything a line's top level may hold; the kind (which may come last) decides what is used.
struct Envelope
{
    bool hasVersion = false;
    bool hasSeq = false;
    bool hasTs = false;
    bool hasKind = false;
    bool hasSource = false;
    bool hasTasks = false;
    bool hasMissed = false;
    bool hasRequest = false;
    bool hasResult = false;
    bool control = false;
    qint64 version = 0;
    quint64 seq = 0;
    qint64 tsUs = 0;
    EventKind kind = EventKind::Other;
    QString kindName;
    TaskRecord task;
    TaskPresence taskSeen;
    SourceInfo source;
    QList<TaskRecord> tasks;
    HeartbeatEvent heartbeat;
    qint64 missed = 0;
    ShutdownEvent shutdown;
    RequestEvent request;
    ProgressEvent progress;
    ProgressPresence progressSeen;
    ReplyEvent reply;
};

Member readEnvelopeMember(JsonCursor &c, QByteArrayView key, Envelope &e)
{
    constexpr int depth = 0;
    QByteArray scratch;
    QByteArrayView text;
    if (keyIs(key, "v")) {
        e.hasVersion = true;
        return member(c, key, [&] { return c.readInteger(e.version); });
    }
    if (keyIs(key, "seq")) {
        e.hasSeq = true;
        return member(c, key, [&] { return readUnsigned(c, e.seq); });
    }
    if (keyIs(key, "ts_us")) {
        e.hasTs = true;
        return member(c, key, [&] { return c.readInteger(e.tsUs); });
    }
    if (keyIs(key, "kind")) {
        e.hasKind = true;
        return member(c, key, [&] {
            if (!c.readString(text, scratch))
                return false;
            e.kind = kindFromWireName(text).value_or(EventKind::Other);
            if (e.kind == EventKind::Other)
                e.kindName = QString::fromUtf8(text);
            return true;
        });
    }
    // "request" is the request id both on task lines and on request lines.
    if (keyIs(key, "request")) {
        const Member result = readTaskMember(c, key, e.task, e.taskSeen, depth);
        e.hasRequest = result == Member::Handled;
        e.request.requestId = e.task.requestId;
        return result;
    }
    const Member taskMember = readTaskMember(c, key, e.task, e.taskSeen, depth);
    if (taskMember != Member::Unknown)
        return taskMember;
    if (keyIs(key, "source")) {
        e.hasSource = true;
        return member(c, key, [&] { return readSource(c, e.source, depth + 1); });
    }
    if (keyIs(key, "tasks")) {
        e.hasTasks = true;
        return member(c, key, [&] {
            qsizetype index = 0;
            return c.readArray(
                [&] {
                    TaskRecord task;
                    if (!readSnapshotTask(c, task, depth + 2)) {
                        c.addErrorContext(QStringLiteral("[%1]: ").arg(index));
                        return false;
                    }
                    e.tasks.append(std::move(task));
                    ++index;
                    return true;
                },
                depth + 1);
        });
    }
    if (keyIs(key, "missed")) {
        e.hasMissed = true;
        return member(c, key, [&] { return readNonNegative(c, e.missed); });
    }
    if (keyIs(key, "stage"))
        return member(c, key, [&] {
            if (!c.readString(e.shutdown.stage))
                return false;
            e.request.stage = e.shutdown.stage;
            return true;
        });
    if (keyIs(key, "deadline_us"))
        return member(c, key, [&] { return c.readInteger(e.shutdown.deadlineUs); });
    if (keyIs(key, "pending"))
        return member(c, key, [&] { return c.readInteger(e.shutdown.pending); });
    if (keyIs(key, "cancelled"))
        return member(c, key, [&] { return c.readInteger(e.shutdown.cancelled); });
    if (keyIs(key, "finished"))
        return member(c, key, [&] { return c.readInteger(e.shutdown.finished); });
    if (keyIs(key, "abandoned"))
        return member(c, key, [&] { return c.readInteger(e.shutdown.abandoned); });
    if (keyIs(key, "dropped"))
        return member(c, key, [&] { return c.readInteger(e.shutdown.dropped); });
    if (keyIs(key, "deadline_reached"))
        return member(c, key, [&] { return c.readBool(e.shutdown.deadlineReached); });
    const Member progressMember = readProgressMember(c, key, e.progress, e.progressSeen);
    if (progressMember != Member::Unknown)
        return progressMember;
    if (keyIs(key, "method"))
        return member(c, key, [&] { return c.readString(e.request.method); });
    if (keyIs(key, "path"))
        return member(c, key, [&] { return c.readString(e.request.path); });
    if (keyIs(key, "status"))
        return member(c, key, [&] {
            qint64 status = 0;
            if (!c.readInteger(status))
                return false;
            if (status < 0 || status > 999)
                return c.fail(QStringLiteral("out of range"));
            e.request.status = int(status);
            return true;
        });
    // The members of `hello`'s control flag and of `reply` lines are common words that lines of
    // other kinds (an application's own) may use with other types: read only when they have
    // their own type, else skipped like any unknown member.
    const char next = c.peek();
    if (keyIs(key, "control") && (next == 't' || next == 'f'))
        return member(c, key, [&] { return c.readBool(e.control); });
    if (next == '"') {
        if (keyIs(key, "ref"))
            return member(c, key, [&] { return c.readString(e.reply.ref); });
        if (keyIs(key, "cmd"))
            return member(c, key, [&] { return c.readString(e.reply.command); });
        if (keyIs(key, "result")) {
            e.hasResult = true;
            return member(c, key, [&] { return c.readString(e.reply.result); });
        }
        if (keyIs(key, "reason"))
            return member(c, key, [&] { return c.readString(e.reply.reason); });
    }
    if (keyIs(key, "affected") && next >= '0' && next <= '9')
        return member(c, key, [&] { return readNonNegative(c, e.reply.affected); });
    if (keyIs(key, "counters"))
        return member(c, key, [&] { return readCounters(c, e.heartbeat.counters, depth + 1); });
    if (keyIs(key, "live"))
        return member(c, key, [&] { return c.readInteger(e.heartbeat.live); });
    if (keyIs(key, "pool"))
        return member(c, key, [&] { return readPool(c, e.heartbeat, depth + 1); });
    if (keyIs(key, "events_dropped"))
        return member(c, key, [&] { return c.readInteger(e.heartbeat.eventsDropped); });
    if (keyIs(key, "subscribers"))
        return member(c, key, [&] { return c.readInteger(e.heartbeat.subscribers); });
    return Member::Unknown;
}

bool buildEvent(JsonCursor &c, Envelope &e, StreamEvent &event)
{
    if (!e.hasVersion)
        return c.fail(QStringLiteral("missing 'v'"));
    if (e.version != protocol::version)
        return c.fail(QStringLiteral("unsupported protocol version %1 (this reader knows %2)")
                          .arg(e.version)
                          .arg(protocol::version));
    if (!e.hasSeq)
        return c.fail(QStringLiteral("missing 'seq'"));
    if (!e.hasTs)
        return c.fail(QStringLiteral("missing 'ts_us'"));
    if (!e.hasKind)
        return c.fail(QStringLiteral("missing 'kind'"));
    event.version = int(e.version);
    event.seq = e.seq;
    event.tsUs = e.tsUs;
    switch (e.kind) {
    case EventKind::Hello:
        if (!e.hasSource)
            return c.fail(QStringLiteral("hello without 'source'"));
        event.payload = HelloEvent{std::move(e.source), e.control};
        return true;
    case EventKind::Snapshot:
        if (!e.hasTasks)
            return c.fail(QStringLiteral("snapshot without 'tasks'"));
        for (TaskRecord &task : e.tasks) {
            if (task.tsUs == 0)
                task.tsUs = e.tsUs;
        }
        event.payload = SnapshotEvent{std::move(e.tasks)};
        return true;
    case EventKind::Task:
        if (!checkTask(c, e.taskSeen))
            return false;
        e.task.tsUs = e.tsUs;
        event.payload = std::move(e.task);
        return true;
    case EventKind::Heartbeat:
        event.payload = std::move(e.heartbeat);
        return true;
    case EventKind::Gap:
        if (!e.hasMissed)
            return c.fail(QStringLiteral("gap without 'missed'"));
        event.payload = GapEvent{e.missed};
        return true;
    case EventKind::Shutdown:
        event.payload = std::move(e.shutdown);
        return true;
    case EventKind::Bye:
        event.payload = ByeEvent{};
        return true;
    case EventKind::Request:
        if (!e.hasRequest)
            return c.fail(QStringLiteral("request line without 'request'"));
        e.request.error = std::move(e.task.error);
        event.payload = std::move(e.request);
        return true;
    case EventKind::Progress:
        if (!e.taskSeen.id)
            return c.fail(QStringLiteral("progress without 'id'"));
        if (!e.progressSeen.done || !e.progressSeen.total)
            return c.fail(QStringLiteral("progress without 'done' and 'total'"));
        e.progress.taskId = e.task.id;
        event.payload = std::move(e.progress);
        return true;
    case EventKind::Reply:
        if (!e.hasResult)
            return c.fail(QStringLiteral("reply without 'result'"));
        event.payload = std::move(e.reply);
        return true;
    case EventKind::Other:
        event.payload = OtherEvent{std::move(e.kindName)};
        return true;
    }
    return c.fail(QStringLiteral("internal error: unhandled kind"));
}

std::variant<StreamEvent, ParseError> parse(QByteArrayView line)
{
    if (line.endsWith('\r'))
        line.chop(1);
    JsonCursor c(line);
    if (c.peek() != '{') {
        if (c.atEnd())
            return ParseError{0, QStringLiteral("empty line")};
        c.fail(QStringLiteral("expected a JSON object"));
        return ParseError{c.errorOffset(), c.error()};
    }
    Envelope envelope;
    const bool ok = c.readObject([&](QByteArrayView key) {
        switch (readEnvelopeMember(c, key, envelope)) {
        case Member::Handled: return true;
        case Member::Failed: return false;
        case Member::Unknown: return c.skipValue(1);
        }
        return false;
    });
    if (ok && !c.atEnd())
        c.fail(QStringLiteral("unexpected characters after the object"));
    StreamEvent event;
    if (!c.failed())
        buildEvent(c, envelope, event);
    if (c.failed())
        return ParseError{c.errorOffset(), c.error()};
    return event;
}

} // namespace

std::variant<StreamEvent, ParseError> parseLine(QByteArrayView line) noexcept
{
    try {
        return parse(line);
    } catch (const std::bad_alloc &) {
        return ParseError{0, QStringLiteral("out of memory while parsing")};
    } catch (...) {
        return ParseError{0, QStringLiteral("internal error while parsing")};
    }
}

std::optional<ValueSpan> findTopLevelValue(QByteArrayView line, QByteArrayView key) noexcept
{
    try {
        JsonCursor c(line);
        std::optional<ValueSpan> found;
        const bool ok = c.readObject([&](QByteArrayView memberKey) {
            c.skipWhitespace();
            const qsizetype start = c.offset();
            const bool matches = memberKey == key;
            if (!c.skipValue(1))
                return false;
            if (matches)
                found = ValueSpan{start, c.offset() - start};
            return true;
        });
        if (!ok)
            return std::nullopt;
        return found;
    } catch (...) {
        return std::nullopt;
    }
}

} // namespace afterwork::client
