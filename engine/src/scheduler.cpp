// SPDX-License-Identifier: MIT
#include <afterwork/scheduler.h>

#include "enginecore.h"

namespace afterwork {

Scheduler::Scheduler(std::shared_ptr<detail::EngineCore> core, std::shared_ptr<detail::ScopeState> scope, Mode mode,
                     TaskConfig config)
    : m_core(std::move(core))
    , m_scope(std::move(scope))
    , m_mode(mode)
    , m_config(std::move(config))
{
    if (!m_core)
        return;
    const bool inherits = !m_config.name && !m_config.shield && !m_config.onError && !m_config.timeout
                          && !m_config.retry;
    m_effective = inherits ? m_core->globalConfig()
                           : std::make_shared<const TaskConfig>(m_core->globalConfig()->merge(m_config));
}

Scheduler Scheduler::task(const TaskConfig &config) const
{
    return Scheduler(m_core, m_scope, m_mode, m_config.merge(config));
}

Task Scheduler::submit(detail::Work &&work) const
{
    if (!m_core)
        throw EngineShutDownError("this Scheduler belongs to no Afterwork engine");
    return m_core->submit(m_effective, m_mode, m_scope, std::move(work));
}

} // namespace afterwork
