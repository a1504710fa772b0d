// SPDX-License-Identifier: MIT
#include "core/throughputseries.h"

#include <algorithm>

namespace afterwork::monitor {

ThroughputSeries::ThroughputSeries(int windowSeconds) : m_ring(size_t(std::max(windowSeconds, 1)))
{
}

ThroughputSeries::Second *ThroughputSeries::slotFor(qint64 tsUs)
{
    if (tsUs <= 0)
        return nullptr;
    const qint64 second = tsUs / 1'000'000;
    const qint64 window = qint64(m_ring.size());
    if (m_latestSecond >= 0 && second <= m_latestSecond - window)
        return nullptr; // older than the window: it has scrolled out already
    Second &slot = m_ring[size_t(second % window)];
    if (slot.second != second)
        slot = Second{second};
    m_latestSecond = std::max(m_latestSecond, second);
    return &slot;
}

void ThroughputSeries::addScheduled(qint64 tsUs)
{
    if (Second *slot = slotFor(tsUs))
        ++slot->scheduled;
}

void ThroughputSeries::addEnded(qint64 tsUs, Outcome outcome)
{
    Second *slot = slotFor(tsUs);
    if (!slot)
        return;
    switch (outcome) {
    case Outcome::Succeeded:
        ++slot->succeeded;
        break;
    case Outcome::Failed:
        ++slot->failed;
        break;
    case Outcome::OtherEnd:
        ++slot->otherEnds;
        break;
    }
}

void ThroughputSeries::clear()
{
    std::fill(m_ring.begin(), m_ring.end(), Second{});
    m_latestSecond = -1;
}

QList<ThroughputSeries::Second> ThroughputSeries::lastSeconds(qint64 lastSecond, int count) const
{
    QList<Second> out;
    out.reserve(std::max(count, 0));
    const qint64 window = qint64(m_ring.size());
    for (qint64 second = lastSecond - count + 1; second <= lastSecond; ++second) {
        Second entry{second};
        // Seconds that scrolled out of the window may still sit in a slot nothing reused yet.
        const bool inWindow = m_latestSecond < 0 || second > m_latestSecond - window;
        if (second >= 0 && inWindow) {
            const Second &slot = m_ring[size_t(second % window)];
            if (slot.second == second)
                entry = slot;
        }
        out.append(entry);
    }
    return out;
}

} // namespace afterwork::monitor
