// SPDX-License-Identifier: MIT
// The after-route and after-response batches of a TaskScope. Part of EngineCore (enginecore.h).
#include "enginecore.h"

namespace afterwork::detail {

void EngineCore::flushNow(const std::shared_ptr<ScopeState> &scope, Mode batch)
{
    std::vector<std::shared_ptr<TaskState>> tasks;
    {
        QMutexLocker lock(&scope->mutex);
        if (scope->dropped || scope->flushed(batch))
            return;
        scope->flushed(batch) = true;
        tasks.swap(scope->batch(batch));
    }
    for (const auto &task : tasks) {
        if (task->stageNow() != Stage::Batched)
            continue; // ended meanwhile (cancelled, or abandoned by a shutdown)
        startAttempt(task);
    }
}

void EngineCore::dropNow(const std::shared_ptr<ScopeState> &scope)
{
    std::vector<std::shared_ptr<TaskState>> tasks;
    QString reason;
    {
        QMutexLocker lock(&scope->mutex);
        if (scope->dropped)
            return;
        scope->dropped = true;
        scope->dropReason = reason = scope->requestedDropReason.value_or(QString());
        for (Mode batch : {Mode::AfterRoute, Mode::AfterResponse}) {
            if (!scope->flushed(batch)) {
                auto &queued = scope->batch(batch);
                tasks.insert(tasks.end(), queued.begin(), queued.end());
                queued.clear();
            }
        }
    }
    for (const auto &task : tasks) {
        if (task->stageNow() != Stage::Batched)
            continue;
        task->setError(TaskError{QStringLiteral("dropped"), reason, {}});
        finish(task, Phase::Dropped);
    }
}

} // namespace afterwork::detail
