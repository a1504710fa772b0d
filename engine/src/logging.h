// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QLoggingCategory>

#include <chrono>

namespace afterwork {
Q_DECLARE_LOGGING_CATEGORY(lcTask)   // "afterwork.task": task failures, handler failures
Q_DECLARE_LOGGING_CATEGORY(lcEngine) // "afterwork.engine": engine lifecycle, shutdown

struct TaskError;
} // namespace afterwork

namespace afterwork::detail {
struct TaskState;

//! What the engine does after an attempt failed: the end of the attempt's log line.
struct AfterFailure
{
    enum Kind { Retry, Handler, NoHandler } kind;
    std::chrono::milliseconds backoff{0}; //!< Retry: the wait before the next attempt
};

//! Logs a failed attempt in afterwork.task, in the one format docs/logging.md describes: info when
//! the task retries, a warning when it gives up. The printable arguments are in the line only when
//! the task gives up, so they are logged once per failed task.
void logAttemptFailed(const TaskState &task, int attempt, const TaskError &error, AfterFailure next);
} // namespace afterwork::detail
