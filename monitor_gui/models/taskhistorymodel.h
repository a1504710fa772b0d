// SPDX-License-Identifier: MIT
#pragma once

#include "core/taskhistory.h"
#include "models/tablemodel.h"


#include <optional>

namespace afterwork::monitor {

//! The steps of one task (the selected one), oldest first. sync() after each flush appends the
//! new steps and removes the ones the bounded history let go; choosing another task resets.
class TaskHistoryModel final : public TableModel
{
    Q_OBJECT
public:
    enum Columns { TimeColumn, PhaseColumn, AttemptColumn, DetailColumn, COUNT };
    Q_ENUM(Columns)
    enum Roles { PhaseRole = Qt::UserRole, TimestampRole };

    explicit TaskHistoryModel(const TaskHistory *history, QObject *parent = nullptr);

    void setTaskId(std::optional<quint64> id);
    //! Reads \a history from now on (another source's); shows no task until setTaskId().
    void setHistory(const TaskHistory *history);
    std::optional<quint64> taskId() const noexcept { return m_taskId; }
    void sync();

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    const HistoryEntry &entryAt(int row) const { return m_rows.at(row); }

private:
    const TaskHistory *m_history; // Not owning.
    std::optional<quint64> m_taskId;
    QList<HistoryEntry> m_rows; //!< a copy: the history may change between syncs
};

} // namespace afterwork::monitor
