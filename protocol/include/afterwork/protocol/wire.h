// SPDX-License-Identifier: MIT
#pragma once

// The event stream's vocabulary, defined once for the publisher, the client and the tools
// (docs/protocol.md): the protocol version, the enums a line carries and their wire spellings.
// Adding a phase, a kind or a stage means adding it here and to src/wire.cpp, nowhere else.

#include <QtCore/QByteArrayView>
#include <QtCore/QLatin1StringView>
#include <QtCore/QObject>
#include <QtCore/QStringView>

#include <optional>

namespace afterwork {
Q_NAMESPACE

//! One step in a task's life. Terminal phases end a task; each task reaches exactly one.
//! Lost and Unknown are a reader's values: no publisher ever sends them.
enum class Phase : quint8 {
    Scheduled,        //!< accepted; queued on the pool, or waiting in an after-route/after-response batch
    Started,          //!< its work (or one attempt of it) is running
    Retrying,         //!< an attempt failed and the retry policy will run another after a backoff
    ShutdownPending,  //!< shutdown is waiting for it (shielded, or sync work already running)
    Succeeded,        //!< terminal: the work returned normally
    Failed,           //!< terminal: the work threw (or timed out); its error handler has run
    Cancelled,        //!< terminal: cancelled by cancel() or shutdown; never an error
    Abandoned,        //!< terminal: still running when the shutdown deadline passed
    Dropped,          //!< terminal: its batch was discarded because the route failed
    Lost,             //!< reader only: the source vanished (or a gap hid the outcome) while the task was live
    Unknown,          //!< reader only: a phase name this reader does not know (the protocol may grow)
};
Q_ENUM_NS(Phase)

//! When, relative to an HTTP request (or any TaskScope), a task is started.
enum class Mode : quint8 {
    Immediate,     //!< at once, when scheduled
    AfterRoute,    //!< when its scope flushes the after-route batch (over HTTP: the route returned)
    AfterResponse, //!< when its scope flushes the after-response batch (over HTTP: the response is sent)
    Unknown,       //!< reader only
};
Q_ENUM_NS(Mode)

//! How the work runs: a plain callable on the engine's pool, or async work on the engine thread.
enum class WorkKind : quint8 {
    Sync,    //!< a callable run on the engine's thread pool
    Async,   //!< a callable returning a QFuture or a QCoro::Task, called on the engine thread
    Unknown, //!< reader only
};
Q_ENUM_NS(WorkKind)

//! What a line is: its `kind` member.
enum class EventKind : quint8 {
    Hello,
    Snapshot,
    Task,
    Heartbeat,
    Gap,
    Shutdown,
    Bye,
    Request,
    Progress, //!< how far a running task has come (TaskEngine::taskProgress)
    Reply, //!< the answer to a command, on the connection that sent it (protocol/command.h)
    Other, //!< reader only: a kind this reader does not know, kept by name and otherwise ignored
};
Q_ENUM_NS(EventKind)

//! The `stage` of a `shutdown` line.
enum class ShutdownStage : quint8 {
    Started,
    Progress,
    Finished,
    Unknown, //!< reader only
};
Q_ENUM_NS(ShutdownStage)

//! The `stage` of a `request` line: one step of one HTTP request. Every request goes
//! `received` → (`route_returned` | `failed`) → (`response_written` | `client_gone`);
//! requests no route takes (404, 405, 413, 503) skip the middle step.
enum class RequestStage : quint8 {
    Received,        //!< the request was parsed and routed; its task scope is open
    RouteReturned,   //!< the route produced its response (after-route tasks start now)
    ResponseWritten, //!< every byte was handed to the socket (after-response tasks start now)
    Failed,          //!< the route threw: error response, both batches dropped
    ClientGone,      //!< the client went away before the response was written (after-response tasks still start)
    Unknown,         //!< reader only
};
Q_ENUM_NS(RequestStage)

//! A phase the engine reports as the end of a task (exactly one per task). Lost is not one: it is
//! what an observer concludes, and a reconnect to the same source may revive the task.
constexpr bool isTerminal(Phase phase) noexcept
{
    return phase >= Phase::Succeeded && phase <= Phase::Dropped;
}

//! A task's progress as a fraction: \a done / \a total clamped to [0, 1]; -1 when \a total is not
//! positive (the work does not know how much there is).
constexpr double progressFraction(qint64 done, qint64 total) noexcept
{
    if (total <= 0)
        return -1.0;
    const double fraction = double(done) / double(total);
    return fraction < 0.0 ? 0.0 : (fraction > 1.0 ? 1.0 : fraction);
}

//! The protocol's spellings, snake_case ASCII: "shutdown_pending", "after_response", ... The
//! reader-only values are spelled too ("lost", "unknown", "other"), so that every value prints.
//! @{
QLatin1StringView wireName(Phase phase) noexcept;
QLatin1StringView wireName(Mode mode) noexcept;
QLatin1StringView wireName(WorkKind work) noexcept;
QLatin1StringView wireName(EventKind kind) noexcept;
QLatin1StringView wireName(ShutdownStage stage) noexcept;
QLatin1StringView wireName(RequestStage stage) noexcept;
//! @}

//! Strict look-ups of any value's spelling, reader-only values included: std::nullopt for a name
//! that is none. A parser maps what a publisher may not send (e.g. "lost") to Unknown itself.
//! @{
std::optional<Phase> phaseFromWireName(QStringView name) noexcept;
std::optional<Phase> phaseFromWireName(QByteArrayView name) noexcept;
std::optional<Mode> modeFromWireName(QStringView name) noexcept;
std::optional<Mode> modeFromWireName(QByteArrayView name) noexcept;
std::optional<WorkKind> workFromWireName(QStringView name) noexcept;
std::optional<WorkKind> workFromWireName(QByteArrayView name) noexcept;
std::optional<EventKind> kindFromWireName(QStringView name) noexcept;
std::optional<EventKind> kindFromWireName(QByteArrayView name) noexcept;
std::optional<ShutdownStage> shutdownStageFromWireName(QStringView name) noexcept;
std::optional<ShutdownStage> shutdownStageFromWireName(QByteArrayView name) noexcept;
std::optional<RequestStage> requestStageFromWireName(QStringView name) noexcept;
std::optional<RequestStage> requestStageFromWireName(QByteArrayView name) noexcept;
//! @}

namespace protocol {

//! The `v` of every line. A reader accepts lines of its own version and ignores unknown members
//! and kinds; docs/protocol.md says what may change without a new version.
inline constexpr int version = 1;
//! The longest line a subscriber may send, newline included.
inline constexpr qsizetype maxInputLineBytes = 4096;
//! The member of a `snapshot` entry that carries its task's latest progress, present only once the
//! work has reported some: an object with the `done`, `total` and optional `message` of a
//! `progress` line, so that a subscriber connecting mid-task need not wait for the next report.
//! Readers that predate it skip it as an unknown member: no new version.
inline constexpr QLatin1StringView snapshotProgressMember("progress", 8);

//! Microseconds since the Unix epoch, from the wall clock: the unit of every `*_us` time.
qint64 nowUs();

} // namespace protocol

} // namespace afterwork
