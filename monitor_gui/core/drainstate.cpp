// SPDX-License-Identifier: MIT
#include "core/drainstate.h"

#include <algorithm>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

void DrainState::apply(const client::ShutdownEvent &event, qint64 tsUs)
{
    ++m_lines;
    if (event.stage == wireName(ShutdownStage::Started) && !m_sawStart) {
        m_sawStart = true;
        m_startedUs = tsUs;
    } else if (m_stage == Stage::None) {
        m_startedUs = tsUs; // joined late: the first line we saw is the best guess
    }
    if (m_stage == Stage::None)
        m_stage = Stage::Draining;
    if (event.stage == wireName(ShutdownStage::Finished)) {
        m_stage = Stage::Finished;
        m_finishedUs = tsUs;
    }
    m_latest = event;
}

qint64 DrainState::remainingUs(qint64 nowUs) const noexcept
{
    if (m_stage != Stage::Draining || m_latest.deadlineUs <= 0)
        return 0;
    return std::max<qint64>(m_latest.deadlineUs - nowUs, 0);
}

bool DrainState::involves(qint64 finishedUs) const noexcept
{
    if (m_stage == Stage::None)
        return false;
    return finishedUs == 0 || finishedUs >= m_startedUs;
}

} // namespace afterwork::monitor
