// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/taskstore.h>

#include <QtCore/QString>

namespace afterwork::monitor {

//! What TaskFilterProxy needs of the task model it sorts and filters, one source's
//! (TaskTableModel) or every source's (FleetTaskModel): the task in a row and where it came from.
class TaskRows
{
public:
    virtual ~TaskRows() = default;
    //! The task in \a row, or nullptr if out of range.
    virtual const client::TaskState *taskAt(int row) const = 0;
    //! The label of the source of the task in \a row ("" when its source has none).
    virtual QString sourceLabelAt(int row) const = 0;
    //! "Now" for the durations of live tasks.
    virtual qint64 nowUs() const = 0;

protected:
    TaskRows() = default;
    TaskRows(const TaskRows &) = default;            //!< for subclasses only
    TaskRows &operator=(const TaskRows &) = default; //!< for subclasses only
};

} // namespace afterwork::monitor
