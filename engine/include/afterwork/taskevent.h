// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/taskenums.h>
#include <afterwork/taskerror.h>
#include <afterwork/taskprogress.h>

#include <QtCore/QMetaType>
#include <QtCore/QString>

#include <optional>

namespace afterwork {

//! One lifecycle step of one task, as a value. TaskEngine::taskEvent() carries it; liveTasks()
//! describes each live task by its latest step. Times are wall-clock microseconds since the Unix
//! epoch; durations are microseconds, -1 when not applicable.
struct TaskEvent
{
    quint64 taskId = 0;                  //!< Task::id(): unique per engine, from 1
    QString name{};                      //!< Task::name(): configured, or generated "label#id"
    Phase phase = Phase::Scheduled;      //!< the step this event reports
    bool shielded = false;               //!< whether the task is shielded (TaskConfig::shield)
    Mode mode = Mode::Immediate;         //!< when the task starts: at once or in a scope's batch
    WorkKind work = WorkKind::Sync;      //!< sync work on the pool, or async on the engine thread
    int attempt = 1;                     //!< 1 for the first run; each retry counts up
    quint64 requestId = 0;               //!< 0 when not scheduled through a TaskScope with an id
    QString functionLabel{};             //!< the work's label: named(), AFTERWORK_FN or its type
    std::optional<TaskError> error{};    //!< on Failed and Retrying; on Dropped, the reason
    std::optional<TaskError> handlerError{}; //!< on Failed, when the error handler itself threw
    qint64 timestampUs = 0;              //!< when this step happened
    qint64 scheduledUs = 0;              //!< when the task was scheduled
    qint64 startedUs = 0;                //!< when its current attempt started; 0 before that
    qint64 waitUs = -1;                  //!< queue wait: scheduled to first start (terminal phases)
    qint64 runUs = -1;                   //!< first start to end (terminal phases, if it started)
    //! The latest progress its work reported, in TaskEngine::liveTasks() only (taskEvent() leaves it
    //! empty: progress has its own signal, TaskEngine::taskProgress()).
    std::optional<TaskProgress> progress{};
};

} // namespace afterwork

Q_DECLARE_METATYPE(afterwork::TaskEvent)
