// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <chrono>

namespace afterwork::monitor {

//! A trailing throttler (the idea of KDToolBox's KDSignalThrottler): however often poke() is
//! called, triggered() fires at most once per interval, one interval after the first poke of a
//! quiet period. Event floods thus reach the models as a few batches a second, never per event.
class BatchThrottler final : public QObject
{
    Q_OBJECT
public:
    explicit BatchThrottler(std::chrono::milliseconds interval, QObject *parent = nullptr);

    //! Something is pending: make sure triggered() fires within one interval.
    void poke();
    //! Fires now if something is pending (e.g. before the source's state changes).
    void flushNow();
    bool isPending() const noexcept { return m_timer.isActive(); }
    std::chrono::milliseconds interval() const noexcept { return m_timer.intervalAsDuration(); }

Q_SIGNALS:
    void triggered();

private:
    QTimer m_timer;
};

} // namespace afterwork::monitor
