// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QLatin1StringView>
#include <QtCore/QObject>

#include <optional>

namespace afterwork {
Q_NAMESPACE

//! One step in a task's life. Terminal phases end a task; each task reaches exactly one.
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
};
Q_ENUM_NS(Phase)

//! When, relative to an HTTP request (or any TaskScope), a task is started.
enum class Mode : quint8 { Immediate, AfterRoute, AfterResponse };
Q_ENUM_NS(Mode)

//! How the work runs: a plain callable on the engine's pool, or async work on the engine thread.
enum class WorkKind : quint8 { Sync, Async };
Q_ENUM_NS(WorkKind)

constexpr bool isTerminal(Phase phase) noexcept
{
    return phase >= Phase::Succeeded;
}

//! The protocol's spelling (snake_case): "scheduled", "shutdown_pending", ...
QLatin1StringView wireName(Phase phase) noexcept;
QLatin1StringView wireName(Mode mode) noexcept;
QLatin1StringView wireName(WorkKind work) noexcept;

std::optional<Phase> phaseFromWireName(QStringView name) noexcept;
std::optional<Mode> modeFromWireName(QStringView name) noexcept;
std::optional<WorkKind> workFromWireName(QStringView name) noexcept;

} // namespace afterwork
