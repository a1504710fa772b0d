// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <optional>

namespace afterwork::monitor {

//! Where the source's shutdown is, from its `shutdown` lines (docs/protocol.md).
class DrainState
{
public:
    enum class Stage : quint8 { None, Draining, Finished };

    //! One `shutdown` line, \a tsUs being its `ts_us`.
    void apply(const client::ShutdownEvent &event, qint64 tsUs);
    void clear() { *this = DrainState{}; }

    Stage stage() const noexcept { return m_stage; }
    bool isActive() const noexcept { return m_stage != Stage::None; }
    //! When the `started` line was made (or the first shutdown line seen, if we joined late).
    qint64 startedUs() const noexcept { return m_startedUs; }
    qint64 deadlineUs() const noexcept { return m_latest.deadlineUs; }
    //! When the `finished` line was made; 0 before.
    qint64 finishedUs() const noexcept { return m_finishedUs; }
    //! The latest line's counts (pending, cancelled, finished, abandoned, dropped, ...).
    const client::ShutdownEvent &latest() const noexcept { return m_latest; }
    //! µs left until the deadline at \a nowUs (never negative); 0 once finished.
    qint64 remainingUs(qint64 nowUs) const noexcept;
    //! Whether a task that ended at \a finishedUs (0: still live) took part in this shutdown: it
    //! was live when the shutdown began, or came later (and was dropped).
    bool involves(qint64 finishedUs) const noexcept;
    //! Whether the `started` line was seen (a late joiner knows neither the start nor the duration).
    bool sawStart() const noexcept { return m_sawStart; }
    //! How many shutdown lines arrived (a late joiner may have missed `started`).
    int linesSeen() const noexcept { return m_lines; }

private:
    Stage m_stage = Stage::None;
    qint64 m_startedUs = 0;
    qint64 m_finishedUs = 0;
    client::ShutdownEvent m_latest;
    int m_lines = 0;
    bool m_sawStart = false;
};

} // namespace afterwork::monitor
