// SPDX-License-Identifier: MIT
#include <afterwork/taskscope.h>

#include "enginecore.h"

namespace afterwork {

TaskScope::TaskScope(std::shared_ptr<detail::EngineCore> core, std::shared_ptr<detail::ScopeState> state)
    : m_core(std::move(core))
    , m_state(std::move(state))
{
}

Scheduler TaskScope::immediate() const { return Scheduler(m_core, m_state, Mode::Immediate, {}); }
Scheduler TaskScope::afterRoute() const { return Scheduler(m_core, m_state, Mode::AfterRoute, {}); }
Scheduler TaskScope::afterResponse() const { return Scheduler(m_core, m_state, Mode::AfterResponse, {}); }

void TaskScope::flush(Mode batch) const
{
    Q_ASSERT_X(batch != Mode::Immediate, "TaskScope::flush", "only after-route and after-response batches wait");
    if (batch != Mode::Immediate)
        m_core->flush(m_state, batch);
}

void TaskScope::drop(const QString &reason) const
{
    m_core->drop(m_state, reason);
}

int TaskScope::pendingCount(Mode batch) const
{
    if (batch == Mode::Immediate)
        return 0;
    QMutexLocker lock(&m_state->mutex);
    return int(m_state->batch(batch).size());
}

bool TaskScope::isFlushed(Mode batch) const
{
    if (batch == Mode::Immediate)
        return true;
    QMutexLocker lock(&m_state->mutex);
    return m_state->flushed(batch);
}

quint64 TaskScope::requestId() const { return m_state->requestId; }

} // namespace afterwork
