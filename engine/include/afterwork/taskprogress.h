// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/protocol/wire.h>

#include <QtCore/QMetaType>
#include <QtCore/QString>

namespace afterwork {

//! How far a running task has come, as its work last reported it (CancellationToken::reportProgress,
//! or a QFuture's progress). TaskEngine::taskProgress() carries it; Task::progress() reads the latest.
//! Progress is not a lifecycle step: it never changes the task's Phase.
struct TaskProgress
{
    quint64 taskId = 0;    //!< Task::id() of the reporting task
    qint64 done = 0;       //!< units of work done, as the work counts them
    qint64 total = 0;      //!< units in all; 0 when the work does not know (indeterminate)
    QString message{};     //!< an optional short description of the current step; empty if none
    //! Wall clock (µs since the Unix epoch) when the value was reported, read from a coarse clock
    //! where the platform has one (Linux): up to one kernel tick (a few ms) early, but never
    //! before the start of the attempt that reported it, and never before the task's previous
    //! value. A report takes tens of nanoseconds; a precise reading would be most of that.
    qint64 timestampUs = 0;

    //! done / total clamped to [0, 1]; -1 when total is not positive (indeterminate).
    double fraction() const { return progressFraction(done, total); }
    //! Equal values (the timestamp included).
    friend bool operator==(const TaskProgress &, const TaskProgress &) = default;
};

} // namespace afterwork

Q_DECLARE_METATYPE(afterwork::TaskProgress)
