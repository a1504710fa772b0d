// SPDX-License-Identifier: MIT
#pragma once

#include "models/incrementalsortfilterproxy.h"

#include <afterwork/client/taskfilter.h>
#include <afterwork/client/taskstore.h>

#include <optional>

namespace afterwork::monitor {

class FleetTaskModel;
class TaskRows;
class TaskTableModel;

//! Sorts and filters a TaskTableModel (one source) or a FleetTaskModel (every source) with the
//! filter grammar of docs/filter.md (the same as `afterwork tail --filter`; `source:` terms
//! match the rows' source labels). A rejected expression leaves the previous filter in place.
//! Rows stay sorted and filtered as tasks come, change and go, a batch costing one pass over the
//! table however its rows are spread (IncrementalSortFilterProxy). Tasks a column does not tell
//! apart are ordered by id.
class TaskFilterProxy final : public IncrementalSortFilterProxy
{
    Q_OBJECT
public:
    explicit TaskFilterProxy(QObject *parent = nullptr);

    void setTaskModel(TaskTableModel *model); //!< one source's tasks
    void setTaskModel(FleetTaskModel *model); //!< every source's tasks
    //! Use setTaskModel(): the rows' tasks are needed to sort and filter, and a model set here
    //! (or nullptr) shows no rows.
    void setSourceModel(QAbstractItemModel *model) override;
    //! The tasks of the model set, by its rows; nullptr before one is set.
    const TaskRows *taskRows() const noexcept { return m_rows; }
    //! The task in proxy row \a row, or nullptr.
    const client::TaskState *taskAtRow(int row) const;
    //! The label of the source of the task in proxy row \a row ("" if none).
    QString sourceLabelAtRow(int row) const;

    //! Applies \a expression; on a parse error nothing changes and the error is returned.
    std::optional<client::FilterError> setFilterExpression(const QString &expression);
    const client::TaskFilter &taskFilter() const noexcept { return m_filter; } //!< the filter applied

protected:
    bool acceptsRow(int sourceRow) const override;
    int compareRows(int column, int left, int right) const override;
    void aboutToCompare() override;

private:
    void setRows(QAbstractItemModel *model, const TaskRows *rows);

    const TaskRows *m_rows = nullptr; // Not owning: the source model.
    client::TaskFilter m_filter;
    qint64 m_nowUs = 0; // "now" for the live tasks' durations, taken before comparing
    mutable int m_leftRow = -1; // the row m_leftTask is of, within one round of comparisons
    mutable const client::TaskState *m_leftTask = nullptr;
};

} // namespace afterwork::monitor
