// SPDX-License-Identifier: MIT
#include "core/batchthrottler.h"

namespace afterwork::monitor {

BatchThrottler::BatchThrottler(std::chrono::milliseconds interval, QObject *parent) : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::CoarseTimer);
    m_timer.setInterval(interval);
    connect(&m_timer, &QTimer::timeout, this, &BatchThrottler::triggered);
}

void BatchThrottler::poke()
{
    // Not restarted when already running: a steady flood must still flush every interval.
    if (!m_timer.isActive())
        m_timer.start();
}

void BatchThrottler::flushNow()
{
    if (!m_timer.isActive())
        return;
    m_timer.stop();
    Q_EMIT triggered();
}

} // namespace afterwork::monitor
