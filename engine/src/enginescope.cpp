// SPDX-License-Identifier: MIT
// The after-route and after-response batches of a TaskScope, and its start gate. Part of EngineCore
// (enginecore.h).
#include "enginecore.h"

#include <QtCore/QScopeGuard>

#include <algorithm>
#include <span>

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
    std::erase_if(tasks, [](const auto &task) {
        return task->stageNow() != Stage::Batched; // ended meanwhile (cancelled, or abandoned by a shutdown)
    });
    enterGate(*scope, tasks);
}

void EngineCore::enterGate(ScopeState &scope, std::span<const std::shared_ptr<TaskState>> tasks)
{
    if (tasks.empty())
        return;
    StartGate &gate = scope.gate;
    const quint32 group = ++gate.lastGroup;
    for (const auto &task : tasks)
        task->advance(Stage::Gated);
    if (gate.next == gate.waiting.size() && gate.unbegun == 0 && !gate.releasing && !m_abandoning) {
        // Nothing ahead of it, the commonest case: let the group through without queueing it
        // (no allocation). What its starts schedule or end meanwhile is queued and released after.
        gate.releasing = true;
        {
            const auto released = qScopeGuard([&gate] { gate.releasing = false; });
            gate.openGroup = group;
            for (const auto &task : tasks) {
                if (task->stageNow() != Stage::Gated)
                    continue; // a start before it ended it (a slot cancelled it)
                ++gate.unbegun;
                task->holdsGate = true;
                startAttempt(task);
            }
        }
        if (gate.unbegun == 0)
            releaseGated(scope);
        return;
    }
    for (const auto &task : tasks)
        gate.waiting.push_back({group, task});
    releaseGated(scope);
}

void EngineCore::releaseGated(ScopeState &scope)
{
    StartGate &gate = scope.gate;
    // Not re-entered: starting async work, or ending a task, lands here again; the loop below
    // sees what that changed. Nothing starts once the deadline abandons what is left.
    if (gate.releasing || m_abandoning)
        return;
    gate.releasing = true;
    // Reset however this ends: a slot of an event emitted below may throw.
    const auto released = qScopeGuard([&gate] { gate.releasing = false; });
    while (gate.next < gate.waiting.size()
           && (gate.unbegun == 0 || gate.waiting[gate.next].group == gate.openGroup)) {
        StartGate::Entry entry = std::move(gate.waiting[gate.next++]);
        gate.openGroup = entry.group;
        ++gate.unbegun;
        entry.task->holdsGate = true;
        startAttempt(entry.task);
    }
    if (gate.next == gate.waiting.size()) {
        gate.waiting.clear();
        gate.next = 0;
    }
}

void EngineCore::noteBegun(const std::shared_ptr<TaskState> &task)
{
    if (!task->holdsGate)
        return;
    task->holdsGate = false;
    ScopeState &scope = *task->scope;
    if (--scope.gate.unbegun == 0)
        releaseGated(scope);
}

void EngineCore::leaveGate(ScopeState &scope, const std::shared_ptr<TaskState> &task)
{
    StartGate &gate = scope.gate;
    const auto waiting = gate.waiting.begin() + std::ptrdiff_t(gate.next);
    gate.waiting.erase(std::remove_if(waiting, gate.waiting.end(),
                                      [&](const StartGate::Entry &entry) { return entry.task == task; }),
                       gate.waiting.end());
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
