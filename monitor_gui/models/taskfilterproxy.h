// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/taskfilter.h>

#include <QtCore/QSortFilterProxyModel>

#include <optional>

namespace afterwork::monitor {

class TaskTableModel;

//! Sorts and filters a TaskTableModel with the filter grammar of docs/filter.md (the same as
//! `afterwork tail --filter`). A rejected expression leaves the previous filter in place.
class TaskFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit TaskFilterProxy(QObject *parent = nullptr);

    void setTaskModel(TaskTableModel *model);
    TaskTableModel *taskModel() const noexcept { return m_model; }

    //! Applies \a expression; on a parse error nothing changes and the error is returned.
    std::optional<client::FilterError> setFilterExpression(const QString &expression);
    const client::TaskFilter &taskFilter() const noexcept { return m_filter; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    TaskTableModel *m_model = nullptr; // Not owning.
    client::TaskFilter m_filter;
};

} // namespace afterwork::monitor
