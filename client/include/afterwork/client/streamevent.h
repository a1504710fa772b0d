// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/protocol/wire.h>

#include <QtCore/QLatin1StringView>
#include <QtCore/QList>
#include <QtCore/QMetaType>
#include <QtCore/QObject>
#include <QtCore/QString>

#include <optional>
#include <utility>
#include <variant>

//! The client side of the lifecycle event stream (docs/protocol.md): typed events, the line parser,
//! sources (live socket, recorded file), a state model and the filter grammar.
namespace afterwork::client {

//! An error as a line carries it: `{"type": ..., "message": ...}`.
struct ErrorInfo
{
    QString type;    //!< the exception's type, such as "std::runtime_error"
    QString message; //!< its message
    friend bool operator==(const ErrorInfo &, const ErrorInfo &) = default; //!< member-wise
};

//! How far a running task has come, as its work last reported it: a `progress` line, or the
//! progress object of a `snapshot` entry (TaskRecord::progress). The source sends at most one
//! line per task per 100 ms, and none after the task's terminal `task` line.
struct ProgressEvent
{
    quint64 taskId = 0; //!< the task's id (TaskRecord::id)
    qint64 done = 0;    //!< units done
    qint64 total = 0;   //!< units in all; 0 when the work does not know
    QString message;    //!< the work's short description of its step; empty when none was sent
    //! done / total clamped to [0, 1]; -1 when total is not positive (indeterminate).
    double fraction() const;
    //! The whole percent done, rounded down in exact arithmetic (29 of 100 is 29, never 28),
    //! clamped to [0, 100]; -1 when total is not positive. What `tail` and the dashboard show.
    int percent() const;
    friend bool operator==(const ProgressEvent &, const ProgressEvent &) = default; //!< member-wise
};

//! One task as a `task` line (or one entry of a `snapshot`) describes it. Times are wall-clock
//! microseconds since the Unix epoch, 0 when absent; durations are microseconds, -1 when absent.
struct TaskRecord
{
    quint64 id = 0;          //!< the task's id, unique within a SourceInfo::instance
    QString name;            //!< the task's name
    Phase phase = Phase::Unknown;      //!< the step; Unknown for a spelling this reader lacks
    bool shielded = false;             //!< whether it survives shutdown's cancel
    Mode mode = Mode::Unknown;         //!< when it starts: at once, after the route, after the response
    WorkKind work = WorkKind::Unknown; //!< sync (the engine's pool) or async (the engine thread)
    int attempt = 1;         //!< 1 for the first run; retries count up
    std::optional<ErrorInfo> error;        //!< on failed and retrying; on dropped, the reason
    std::optional<ErrorInfo> handlerError; //!< on failed, when the error handler threw
    qint64 waitUs = -1;      //!< terminal phases: scheduled to first start (or to the end)
    qint64 runUs = -1;       //!< terminal phases, if it started: first start to end
    quint64 requestId = 0; //!< 0: not scheduled from a request
    qint64 scheduledUs = 0;  //!< when the task was scheduled
    qint64 startedUs = 0;    //!< when its current attempt started; 0 before that
    qint64 tsUs = 0; //!< when this step happened (a snapshot entry's own ts_us, else the line's)
    QString function; //!< a label for the work's function, when the source knows it
    //! A snapshot entry's latest progress (its `taskId` is `id`), when the work has reported any.
    //! Never on a `task` line: `progress` lines carry the values that follow.
    std::optional<ProgressEvent> progress;
    friend bool operator==(const TaskRecord &, const TaskRecord &) = default; //!< member-wise
};

//! Who publishes: the `source` object of a `hello` line.
struct SourceInfo
{
    QString app;          //!< the application's name
    qint64 pid = 0;       //!< its process id
    QString host;         //!< the machine's host name
    QString instance; //!< one per engine run: a new one means a restarted source
    qint64 startedUs = 0; //!< when the publisher started
    friend bool operator==(const SourceInfo &, const SourceInfo &) = default; //!< member-wise
};

//! The first line of every connection: who publishes.
struct HelloEvent
{
    SourceInfo source; //!< the publisher and its process
    bool control = false; //!< it accepts commands (docs/protocol.md, "Commands"); false: read-only
};

//! The second line of every connection, and after a gap: every live task, by its latest step.
struct SnapshotEvent
{
    QList<TaskRecord> tasks; //!< ordered by id; none in a terminal phase
};

//! Counters are kept by name as the source sends them, so new counters need no reader change.
struct HeartbeatEvent
{
    //! Exact counts since the engine started, by phase wire name (and "handler_errors").
    QList<std::pair<QString, qint64>> counters;
    qint64 live = -1;          //!< tasks not yet in a terminal phase; -1 when absent
    qint64 poolBusy = -1;      //!< pool threads running work now; -1 when absent
    qint64 poolMax = -1;       //!< the pool's size; -1 when absent
    qint64 eventsDropped = -1; //!< events the source dropped for slow subscribers so far (all of them)
    qint64 subscribers = -1;   //!< the source's connected subscribers; -1 when absent
    //! The counter \a name, or -1 if the heartbeat has none.
    qint64 counter(QStringView name) const;
};

//! Events this subscriber lost because it read too slowly; a fresh snapshot follows.
struct GapEvent
{
    qint64 missed = 0; //!< how many
};

//! A step of the source engine's shutdown; the counts are as in TaskEngine's ShutdownProgress
//! and ShutdownReport, -1 when absent.
struct ShutdownEvent
{
    QString stage; //!< "started", "progress" or "finished"
    qint64 deadlineUs = 0; //!< when the shutdown abandons what still runs
    qint64 pending = -1;   //!< live tasks the shutdown still waits for
    qint64 cancelled = -1; //!< tasks cancelled since it started
    qint64 finished = -1;  //!< tasks that succeeded or failed since it started
    qint64 abandoned = -1; //!< tasks abandoned at the deadline
    qint64 dropped = -1;          //!< on "finished"
    bool deadlineReached = false; //!< on "finished"
};

//! The last line of a connection the publisher closes in order; one that ends without it ended
//! abnormally.
struct ByeEvent
{
};

//! A line from the HTTP layer about one request step (docs/http.md, "Request events").
struct RequestEvent
{
    quint64 requestId = 0; //!< the request's id, as tasks' TaskRecord::requestId carry it
    QString method;        //!< "GET", "POST", ...
    QString path;          //!< the URL's path
    QString stage;  //!< "received", "route_returned", "response_written", "failed", "client_gone"
    int status = 0; //!< 0 until known
    std::optional<ErrorInfo> error; //!< on "failed"
};

//! The publisher's answer to a command this connection sent (docs/protocol.md, "Commands").
struct ReplyEvent
{
    QString ref;     //!< the command's `ref`, as sent
    QString command; //!< its `cmd`, as sent
    //! "accepted", "refused", "unknown_task" or "error" (protocol::replyResultFromWireName reads it)
    QString result;
    qint64 affected = 0; //!< on "accepted": how many tasks it touched
    QString reason;      //!< on "refused" and "error": why
};
//! A kind this reader does not know: kept by name and otherwise ignored.
struct OtherEvent
{
    QString kind; //!< the line's `kind`, as spelled
};

//! One parsed line of the stream.
struct StreamEvent
{
    //! In the order of EventKind's values, so that kind() is the alternative's index.
    using Payload = std::variant<HelloEvent, SnapshotEvent, TaskRecord, HeartbeatEvent, GapEvent,
                                 ShutdownEvent, ByeEvent, RequestEvent, ProgressEvent, ReplyEvent, OtherEvent>;
    static_assert(std::variant_size_v<Payload> == size_t(EventKind::Other) + 1);

    int version = protocol::version; //!< the line's `v`
    quint64 seq = 0;   //!< the line's `seq`: per connection, from 0; a gap skips GapEvent::missed
    qint64 tsUs = 0;   //!< the line's `ts_us`: wall-clock microseconds since the Unix epoch
    Payload payload;   //!< what the kind carries

    //! The line's kind; EventKind::Other for a kind this reader does not know.
    EventKind kind() const noexcept { return static_cast<EventKind>(payload.index()); }
    //! The payload as \a T (TaskRecord, HeartbeatEvent, ...), or nullptr if it is another kind.
    template<typename T>
    const T *as() const noexcept { return std::get_if<T>(&payload); }
};

//! Why a line was rejected: a byte offset into the line and a sentence naming the problem.
struct ParseError
{
    qsizetype offset = 0; //!< where in the line, in bytes from 0
    QString message;      //!< what is wrong, such as "missing 'seq'"
    QString toString() const; //!< "message (at byte offset)"
};

//! One line as a source received it, with its bytes (without the newline) and what they parse to.
struct StreamLine
{
    qint64 lineNumber = 0; //!< 1-based, per connection (a file: per file)
    QByteArray bytes; //!< the line as received, without its newline
    std::variant<StreamEvent, ParseError> parsed; //!< what parseLine() made of it
    //! The event, or nullptr if the line was rejected.
    const StreamEvent *event() const noexcept { return std::get_if<StreamEvent>(&parsed); }
    //! Why the line was rejected, or nullptr if it parsed.
    const ParseError *error() const noexcept { return std::get_if<ParseError>(&parsed); }
};

} // namespace afterwork::client

Q_DECLARE_METATYPE(afterwork::client::StreamLine)
Q_DECLARE_METATYPE(afterwork::client::SourceInfo)
