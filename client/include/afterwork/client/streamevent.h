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
    Phase phase = Phase::Unknown;
    bool shielded = false;
    Mode mode = Mode::Unknown;
    WorkKind work = WorkKind::Unknown;
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

//! One parsed line of the stream.
struct StreamEvent
{
    //! In the order of EventKind's values, so that kind() is the alternative's index.
    using Payload = std::variant<HelloEvent, SnapshotEvent, TaskRecord, HeartbeatEvent, GapEvent,
                                 ShutdownEvent, ByeEvent, RequestEvent, OtherEvent>;
    static_assert(std::variant_size_v<Payload> == size_t(EventKind::Other) + 1);

    int version = protocol::version;
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
