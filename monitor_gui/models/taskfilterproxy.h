// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/taskfilter.h>
#include <afterwork/client/taskstore.h>

#include <QtCore/QSortFilterProxyModel>

#include <optional>

namespace afterwork::monitor {

class FleetTaskModel;
class TaskRows;
class TaskTableModel;

//! Sorts and filters a TaskTableModel (one source) or a FleetTaskModel (every source) with the
//! filter grammar of docs/filter.md (the same as `afterwork tail --filter`; `source:` terms
//! match the rows' source labels). A rejected expression leaves the previous filter in place.
class TaskFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit TaskFilterProxy(QObject *parent = nullptr);

    void setTaskModel(TaskTableModel *model); //!< one source's tasks
    void setTaskModel(FleetTaskModel *model); //!< every source's tasks
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
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    void setRows(QAbstractItemModel *model, const TaskRows *rows);

    const TaskRows *m_rows = nullptr; // Not owning: the source model.
    client::TaskFilter m_filter;
};

} // namespace afterwork::monitor
