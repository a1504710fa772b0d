// SPDX-License-Identifier: MIT
#include "models/taskfilterproxy.h"

#include "models/tasktablemodel.h"

namespace afterwork::monitor {

TaskFilterProxy::TaskFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    setSortRole(TaskTableModel::SortRole);
}

void TaskFilterProxy::setTaskModel(TaskTableModel *model)
{
    m_model = model;
    setSourceModel(model);
}

std::optional<client::FilterError> TaskFilterProxy::setFilterExpression(const QString &expression)
{
    auto parsed = client::TaskFilter::parse(expression);
    if (auto *error = std::get_if<client::FilterError>(&parsed))
        return *error;
    m_filter = std::get<client::TaskFilter>(std::move(parsed));
    invalidateFilter();
    return std::nullopt;
}

bool TaskFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid() || !m_model)
        return false;
    if (m_filter.isEmpty())
        return true;
    const client::TaskState *state = m_model->taskAt(sourceRow);
    return state && m_filter.matches(state->task);
}

bool TaskFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const client::TaskState *l = m_model ? m_model->taskAt(left.row()) : nullptr;
    const client::TaskState *r = m_model ? m_model->taskAt(right.row()) : nullptr;
    if (!l || !r)
        return QSortFilterProxyModel::lessThan(left, right);
    // Ties fall back to the id, so equal keys keep a stable, meaningful order.
    if (TaskTableModel::lessThan(left.column(), *l, *r, m_model->nowUs()))
        return true;
    if (TaskTableModel::lessThan(left.column(), *r, *l, m_model->nowUs()))
        return false;
    return l->task.id < r->task.id;
}

} // namespace afterwork::monitor
