// SPDX-License-Identifier: MIT
#pragma once

// How a CancellationToken's progress reports reach the engine. Internal.

#include <QtCore/QString>
#include <QtCore/QtGlobal>

#include <memory>

namespace afterwork {
class CancellationSource;
}

namespace afterwork::detail {

struct TaskState;

//! Ties a task's own cancellation source to the task, so that its tokens (and those of its
//! per-attempt children) report progress to it. The engine binds each task once, when it is
//! submitted, before any token is handed out.
struct ProgressBinding
{
    static void bind(const CancellationSource &source, std::weak_ptr<TaskState> task);
};

//! Stores the latest value on \a task and, unless an emission is already on its way, asks the
//! engine thread to emit it (enginecore.cpp). Any thread; never runs user code.
void reportTaskProgress(const std::shared_ptr<TaskState> &task, qint64 done, qint64 total, const QString &message);

} // namespace afterwork::detail
