// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QList>
#include <QtCore/QtGlobal>

#include <vector>

namespace afterwork::monitor {

//! Tasks scheduled and ended per second of the source's clock, for the last `windowSeconds`
//! seconds: a ring of per-second buckets, so memory is fixed however long the dashboard runs.
class ThroughputSeries
{
public:
    enum class Outcome : quint8 { Succeeded, Failed, OtherEnd };

    struct Second
    {
        qint64 second = -1; //!< seconds since the epoch; -1: nothing recorded in it
        int scheduled = 0;
        int succeeded = 0;
        int failed = 0;
        int otherEnds = 0; //!< cancelled, abandoned, dropped
        int ended() const noexcept { return succeeded + failed + otherEnds; }
    };

    explicit ThroughputSeries(int windowSeconds = 600);

    void addScheduled(qint64 tsUs);
    void addEnded(qint64 tsUs, Outcome outcome);
    void clear();

    int windowSeconds() const noexcept { return int(m_ring.size()); }
    //! The \a count seconds ending with \a lastSecond (inclusive), oldest first; seconds outside
    //! the window or without events are empty (their `second` is still set).
    QList<Second> lastSeconds(qint64 lastSecond, int count) const;
    //! The latest second anything was recorded in, or -1.
    qint64 latestSecond() const noexcept { return m_latestSecond; }

private:
    Second *slotFor(qint64 tsUs);

    std::vector<Second> m_ring;
    qint64 m_latestSecond = -1;
};

} // namespace afterwork::monitor
