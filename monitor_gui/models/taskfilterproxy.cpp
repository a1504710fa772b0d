// SPDX-License-Identifier: MIT
#include "models/taskfilterproxy.h"

#include "models/fleettaskmodel.h"
#include "models/tasktablemodel.h"

namespace afterwork::monitor {

TaskFilterProxy::TaskFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    setSortRole(TaskTableModel::SortRole);
}

void TaskFilterProxy::setTaskModel(TaskTableModel *model)
{
    setRows(model, model);
}

void TaskFilterProxy::setTaskModel(FleetTaskModel *model)
{
    setRows(model, model);
}

void TaskFilterProxy::setRows(QAbstractItemModel *model, const TaskRows *rows)
{
    m_rows = rows;
    setSourceModel(model);
}

const client::TaskState *TaskFilterProxy::taskAtRow(int row) const
{
    const QModelIndex source = mapToSource(index(row, 0));
    return source.isValid() && m_rows ? m_rows->taskAt(source.row()) : nullptr;
}

QString TaskFilterProxy::sourceLabelAtRow(int row) const
{
    const QModelIndex source = mapToSource(index(row, 0));
    return source.isValid() && m_rows ? m_rows->sourceLabelAt(source.row()) : QString();
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
    if (sourceParent.isValid() || !m_rows)
        return false;
    if (m_filter.isEmpty())
        return true;
    const client::TaskState *state = m_rows->taskAt(sourceRow);
    return state && m_filter.matches(state->task, m_rows->sourceLabelAt(sourceRow));
}

bool TaskFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const client::TaskState *l = m_rows ? m_rows->taskAt(left.row()) : nullptr;
    const client::TaskState *r = m_rows ? m_rows->taskAt(right.row()) : nullptr;
    if (!l || !r)
        return QSortFilterProxyModel::lessThan(left, right);
    if (left.column() == TaskTableModel::SourceColumn) {
        if (const int order = m_rows->sourceLabelAt(left.row()).compare(m_rows->sourceLabelAt(right.row()), Qt::CaseInsensitive))
            return order < 0;
        return l->task.id < r->task.id;
    }
    // Ties fall back to the id, so equal keys keep a stable, meaningful order.
    const qint64 now = m_rows->nowUs();
    if (TaskTableModel::lessThan(left.column(), *l, *r, now))
        return true;
    if (TaskTableModel::lessThan(left.column(), *r, *l, now))
        return false;
    return l->task.id < r->task.id;
}

} // namespace afterwork::monitor
