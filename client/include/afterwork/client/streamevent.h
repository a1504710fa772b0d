// SPDX-License-Identifier: MIT
#pragma once

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
Q_NAMESPACE

//! A task's phase as the stream reports it, plus what only an observer can know.
//! Unknown is any phase name this reader does not know yet (the protocol may grow).
enum class TaskPhase : quint8 {
    Scheduled,
    Started,
    Retrying,
    Progress,
    ShutdownPending,
    Succeeded,
    Failed,
    Cancelled,
    Abandoned,
    Dropped,
    Lost,    //!< observer-only: the source vanished (or a gap hid the outcome) while the task was live
    Unknown, //!< a phase name this reader does not know
};
Q_ENUM_NS(TaskPhase)

enum class TaskMode : quint8 { Immediate, AfterRoute, AfterResponse, Unknown };
Q_ENUM_NS(TaskMode)

enum class TaskWork : quint8 { Sync, Async, Unknown };
Q_ENUM_NS(TaskWork)

//! A phase the engine reports as the end of a task (exactly one per task). Lost is not one: it is
//! what the observer concludes, and a reconnect to the same source may revive the task.
constexpr bool isTerminal(TaskPhase phase) noexcept
{
    return phase >= TaskPhase::Succeeded && phase <= TaskPhase::Dropped;
}

//! The protocol's spellings ("shutdown_pending", "after_response", ...). Lost is "lost", Unknown
//! "unknown".
QLatin1StringView wireName(TaskPhase phase) noexcept;
QLatin1StringView wireName(TaskMode mode) noexcept;
QLatin1StringView wireName(TaskWork work) noexcept;

//! Strict look-ups: std::nullopt for a name that is not a known spelling.
std::optional<TaskPhase> phaseFromName(QStringView name) noexcept;
std::optional<TaskMode> modeFromName(QStringView name) noexcept;
std::optional<TaskWork> workFromName(QStringView name) noexcept;

struct ErrorInfo
{
    QString type;
    QString message;
    friend bool operator==(const ErrorInfo &, const ErrorInfo &) = default;
};

//! One task as a `task` line (or one entry of a `snapshot`) describes it. Times are wall-clock
//! microseconds since the Unix epoch, 0 when absent; durations are microseconds, -1 when absent.
struct TaskRecord
{
    quint64 id = 0;
    QString name;
    TaskPhase phase = TaskPhase::Unknown;
    bool shielded = false;
    TaskMode mode = TaskMode::Unknown;
    TaskWork work = TaskWork::Unknown;
    int attempt = 1;
    std::optional<ErrorInfo> error;
    std::optional<ErrorInfo> handlerError;
    qint64 waitUs = -1;
    qint64 runUs = -1;
    quint64 requestId = 0; //!< 0: not scheduled from a request
    qint64 scheduledUs = 0;
    qint64 startedUs = 0;
    qint64 tsUs = 0; //!< when this step happened (a snapshot entry's own ts_us, else the line's)
    QString function; //!< a label for the work's function, when the source knows it
    friend bool operator==(const TaskRecord &, const TaskRecord &) = default;
};

struct SourceInfo
{
    QString app;
    qint64 pid = 0;
    QString host;
    QString instance; //!< one per engine run: a new one means a restarted source
    qint64 startedUs = 0;
    friend bool operator==(const SourceInfo &, const SourceInfo &) = default;
};

struct HelloEvent
{
    SourceInfo source;
};

struct SnapshotEvent
{
    QList<TaskRecord> tasks;
};

//! Counters are kept by name as the source sends them, so new counters need no reader change.
struct HeartbeatEvent
{
    //! Exact counts since the engine started, by phase wire name (and "handler_errors").
    QList<std::pair<QString, qint64>> counters;
    qint64 live = -1;
    qint64 poolBusy = -1;
    qint64 poolMax = -1;
    qint64 eventsDropped = -1; //!< events the source dropped for slow subscribers so far (all of them)
    qint64 subscribers = -1;
    //! The counter \a name, or -1 if the heartbeat has none.
    qint64 counter(QStringView name) const;
};

struct GapEvent
{
    qint64 missed = 0;
};

struct ShutdownEvent
{
    QString stage; //!< "started", "progress" or "finished"
    qint64 deadlineUs = 0;
    qint64 pending = -1;
    qint64 cancelled = -1;
    qint64 finished = -1;
    qint64 abandoned = -1;
    qint64 dropped = -1;          //!< on "finished"
    bool deadlineReached = false; //!< on "finished"
};

struct ByeEvent
{
};

//! A line from the HTTP layer about one request step (docs/http.md, "Request events").
struct RequestEvent
{
    quint64 requestId = 0;
    QString method;
    QString path;
    QString stage;  //!< "received", "route_returned", "response_written", "failed", "client_gone"
    int status = 0; //!< 0 until known
    std::optional<ErrorInfo> error; //!< on "failed"
};

//! A kind this reader does not know: kept by name and otherwise ignored.
struct OtherEvent
{
    QString kind;
};

//! The kinds, in the order of StreamEvent::Payload's alternatives.
enum class EventKind : quint8 { Hello, Snapshot, Task, Heartbeat, Gap, Shutdown, Bye, Request, Other };
Q_ENUM_NS(EventKind)

QLatin1StringView wireName(EventKind kind) noexcept;

//! One parsed line of the stream.
struct StreamEvent
{
    using Payload = std::variant<HelloEvent, SnapshotEvent, TaskRecord, HeartbeatEvent, GapEvent,
                                 ShutdownEvent, ByeEvent, RequestEvent, OtherEvent>;

    int version = 1;
    quint64 seq = 0;
    qint64 tsUs = 0;
    Payload payload;

    EventKind kind() const noexcept { return static_cast<EventKind>(payload.index()); }
    template<typename T>
    const T *as() const noexcept { return std::get_if<T>(&payload); }
};

//! Why a line was rejected: a byte offset into the line and a sentence naming the problem.
struct ParseError
{
    qsizetype offset = 0;
    QString message;
    QString toString() const;
};

//! One line as a source received it, with its bytes (without the newline) and what they parse to.
struct StreamLine
{
    qint64 lineNumber = 0; //!< 1-based, per connection (a file: per file)
    QByteArray bytes;
    std::variant<StreamEvent, ParseError> parsed;

    const StreamEvent *event() const noexcept { return std::get_if<StreamEvent>(&parsed); }
    const ParseError *error() const noexcept { return std::get_if<ParseError>(&parsed); }
};

} // namespace afterwork::client

Q_DECLARE_METATYPE(afterwork::client::StreamLine)
Q_DECLARE_METATYPE(afterwork::client::SourceInfo)
