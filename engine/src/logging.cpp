// SPDX-License-Identifier: MIT
#include "logging.h"

#include "taskstate.h"

#include <afterwork/taskerror.h>

#include <QtCore/QString>

#include <algorithm>

namespace afterwork {
Q_LOGGING_CATEGORY(lcTask, "afterwork.task")
Q_LOGGING_CATEGORY(lcEngine, "afterwork.engine")
} // namespace afterwork

namespace afterwork::detail {

namespace {
QString attemptFailedLine(const TaskState &task, int attempt, const TaskError &error, AfterFailure next)
{
    // A task without a retry policy has one attempt; a policy allows at least one.
    const int maxAttempts = task.config->retry ? std::max(1, task.config->retry->maxAttempts) : 1;
    QString line = QLatin1String("task ") + task.name() + QLatin1String(" (id ") + QString::number(task.id)
                   + QLatin1String(", function ") + task.work.label;
    if (next.kind != AfterFailure::Retry)
        line += QLatin1String(", arguments (") + task.work.arguments.join(QLatin1String(", ")) + QLatin1Char(')');
    line += QLatin1String(") attempt ") + QString::number(attempt) + QLatin1Char('/') + QString::number(maxAttempts)
            + QLatin1String(" failed: ") + error.type + QLatin1String(": ") + error.message;
    switch (next.kind) {
    case AfterFailure::Retry:
        return line + QLatin1String("; retrying in ") + QString::number(next.backoff.count()) + QLatin1String(" ms");
    case AfterFailure::Handler:
        return line + QLatin1String("; giving up, calling the error handler");
    case AfterFailure::NoHandler:
        break;
    }
    return line + QLatin1String("; giving up, no error handler");
}
} // namespace

void logAttemptFailed(const TaskState &task, int attempt, const TaskError &error, AfterFailure next)
{
    // The macros format the line only when their level is enabled.
    if (next.kind == AfterFailure::Retry)
        qCInfo(lcTask).noquote() << attemptFailedLine(task, attempt, error, next);
    else
        qCWarning(lcTask).noquote() << attemptFailedLine(task, attempt, error, next);
}
} // namespace afterwork::detail
