// SPDX-License-Identifier: MIT
#include "models/taskfilterproxy.h"

#include "models/fleettaskmodel.h"
#include "models/tasktablemodel.h"

namespace afterwork::monitor {

TaskFilterProxy::TaskFilterProxy(QObject *parent) : IncrementalSortFilterProxy(parent) {}

void TaskFilterProxy::setTaskModel(TaskTableModel *model)
{
    setRows(model, model);
}

void TaskFilterProxy::setTaskModel(FleetTaskModel *model)
{
    setRows(model, model);
}

void TaskFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    setRows(model, nullptr);
}

void TaskFilterProxy::setRows(QAbstractItemModel *model, const TaskRows *rows)
{
    m_rows = rows;
    IncrementalSortFilterProxy::setSourceModel(model);
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
    refilter();
    return std::nullopt;
}

bool TaskFilterProxy::acceptsRow(int sourceRow) const
{
    if (!m_rows)
        return false;
    if (m_filter.isEmpty())
        return true;
    const client::TaskState *state = m_rows->taskAt(sourceRow);
    return state && m_filter.matches(state->task, m_rows->sourceLabelAt(sourceRow));
}

void TaskFilterProxy::aboutToCompare()
{
    if (m_rows)
        m_nowUs = m_rows->nowUs();
    m_leftRow = -1; // the tasks may have changed since the last round
}

int TaskFilterProxy::compareRows(int column, int left, int right) const
{
    // A row being placed is the left side of every comparison of its search: looked up once.
    if (left != m_leftRow) {
        m_leftRow = left;
        m_leftTask = m_rows ? m_rows->taskAt(left) : nullptr;
    }
    const client::TaskState *l = m_leftTask;
    const client::TaskState *r = m_rows ? m_rows->taskAt(right) : nullptr;
    if (!l || !r)
        return int(bool(l)) - int(bool(r)); // never for rows in range; unknown ones first
    if (column == TaskTableModel::SourceColumn) {
        if (const int order = m_rows->sourceLabelAt(left).compare(m_rows->sourceLabelAt(right), Qt::CaseInsensitive))
            return order;
    } else if (TaskTableModel::lessThan(column, *l, *r, m_nowUs)) {
        return -1;
    } else if (TaskTableModel::lessThan(column, *r, *l, m_nowUs)) {
        return 1;
    }
    // Ties fall back to the id, so equal keys keep a stable, meaningful order.
    return l->task.id < r->task.id ? -1 : l->task.id > r->task.id ? 1 : 0;
}

} // namespace afterwork::monitor
