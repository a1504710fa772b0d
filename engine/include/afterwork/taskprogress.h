// SPDX-License-Identifier: MIT
#pragma once

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
    qint64 timestampUs = 0; //!< wall clock (µs since the Unix epoch) when the value was reported

    //! done / total clamped to [0, 1]; -1 when total is not positive (indeterminate).
    double fraction() const
    {
        if (total <= 0)
            return -1.0;
        const double f = double(done) / double(total);
        return f < 0.0 ? 0.0 : (f > 1.0 ? 1.0 : f);
    }
    //! Equal values (the timestamp included).
    friend bool operator==(const TaskProgress &, const TaskProgress &) = default;
};

} // namespace afterwork

Q_DECLARE_METATYPE(afterwork::TaskProgress)
