// SPDX-License-Identifier: MIT
#pragma once

// How a CancellationToken's progress reports reach the engine. Internal.
//
// The latest value lives beside the task's cancellation state (cancellationtoken.cpp), where a
// token reaches it without touching the task: a report that the throttle suppresses takes one
// uncontended lock and a coarse clock reading, and no reference count. Only the first report after
// an emission posts a notice; the engine thread then emits the latest value, at most once per
// kProgressInterval (enginecore.cpp).

#include <afterwork/taskprogress.h>

#include <QtCore/QtGlobal>

#include <optional>

namespace afterwork {
class CancellationSource;
}

namespace afterwork::detail {

struct TaskState;

//! A value as it was reported, with the attempt it was reported in.
struct ReportedProgress
{
    TaskProgress value;
    int attempt = 0;
};

//! The engine's side of a task's progress, reached through the task's own cancellation source.
struct ProgressBinding
{
    //! Ties \a source to \a task, so that its tokens (and those of its per-attempt children)
    //! report progress to it. The engine binds each task once, when it is submitted, before any
    //! token is handed out, and closes it (takeForEmission(source, true)) before it unregisters
    //! the task: \a task is used only in between. A source never bound ignores reports.
    static void bind(const CancellationSource &source, TaskState *task);
    //! The latest value reported, if any. Any thread.
    static std::optional<ReportedProgress> latest(const CancellationSource &source);
    //! Engine thread: the latest value if it changed since the last call, and in any case lets the
    //! next report ask for an emission again. With \a close (the task ends), later reports are
    //! ignored, so that the value returned is the last one.
    static std::optional<ReportedProgress> takeForEmission(const CancellationSource &source, bool close);
};

//! Asks \a task's engine thread to emit its latest value (a Progress notice through its inbox).
//! Any thread, while \a task is registered (it holds its own reference then); never runs user
//! code. enginecore.cpp.
void postTaskProgress(TaskState &task);

//! The wall clock for progress timestamps, in µs since the epoch: a coarse reading (within one
//! kernel tick, a few ms, before the true time) where the platform has one, so that a suppressed
//! report stays cheap; successive readings never go back. enginecore.cpp.
qint64 coarseWallClockUs();

} // namespace afterwork::detail
