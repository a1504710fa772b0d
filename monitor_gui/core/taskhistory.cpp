// SPDX-License-Identifier: MIT
#include "core/taskhistory.h"

namespace afterwork::monitor {


void TaskHistory::add(const client::TaskRecord &step, bool fromSnapshot)
{
    append(step.id, HistoryEntry{0, step.tsUs, step.phase, step.attempt, fromSnapshot, step.error, step.handlerError});
}

void TaskHistory::addLost(quint64 id, qint64 tsUs)
{
    const auto it = m_steps.constFind(id);
    if (it == m_steps.cend())
        return; // never seen: nothing to add a conclusion to
    append(id, HistoryEntry{0, tsUs, Phase::Lost, it->isEmpty() ? 1 : it->constLast().attempt, false, {}, {}});
}

void TaskHistory::append(quint64 id, HistoryEntry entry)
{
    QList<HistoryEntry> &steps = m_steps[id];
    if (!steps.isEmpty()) {
        const HistoryEntry &last = steps.constLast();
        // A snapshot repeats the latest step, and a step racing with a snapshot arrives twice.
        if (last.phase == entry.phase && last.attempt == entry.attempt && last.tsUs == entry.tsUs)
            return;
    }
    if (steps.size() >= m_maxPerTask)
        steps.removeAt(1); // keep how it began; drop the oldest step after that
    entry.serial = m_nextSerial++;
    steps.append(std::move(entry));
}

const QList<HistoryEntry> *TaskHistory::steps(quint64 id) const
{
    const auto it = m_steps.constFind(id);
    return it == m_steps.cend() ? nullptr : &it.value();
}

} // namespace afterwork::monitor
