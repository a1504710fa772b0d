// SPDX-License-Identifier: MIT
#include "models/taskhistorymodel.h"

#include "core/formatting.h"
#include "core/rowranges.h"

#include <QtCore/QSet>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

TaskHistoryModel::TaskHistoryModel(const TaskHistory *history, QObject *parent)
    : TableModel({u"Time"_s, u"Phase"_s, u"Attempt"_s, u"Detail"_s}, parent), m_history(history)
{
    Q_ASSERT(columnCount() == COUNT); // a title for every column
}

void TaskHistoryModel::setTaskId(std::optional<quint64> id)
{
    if (id == m_taskId)
        return;
    beginResetModel(); // another task: not an update of this one
    m_taskId = id;
    m_rows.clear();
    if (const QList<HistoryEntry> *steps = m_taskId ? m_history->steps(*m_taskId) : nullptr)
        m_rows = *steps;
    endResetModel();
}

void TaskHistoryModel::setHistory(const TaskHistory *history)
{
    if (history == m_history)
        return;
    beginResetModel();
    m_history = history;
    m_taskId.reset();
    m_rows.clear();
    endResetModel();
}

void TaskHistoryModel::sync()
{
    if (!m_taskId)
        return;
    const QList<HistoryEntry> *steps = m_history->steps(*m_taskId);
    const QList<HistoryEntry> current = steps ? *steps : QList<HistoryEntry>{};

    QSet<quint64> kept;
    for (const HistoryEntry &entry : current)
        kept.insert(entry.serial);
    QList<int> gone;
    for (int row = 0; row < m_rows.size(); ++row) {
        if (!kept.contains(m_rows.at(row).serial))
            gone.append(row);
    }
    const QList<RowRange> ranges = contiguousRanges(gone, 0);
    for (auto it = ranges.crbegin(); it != ranges.crend(); ++it) {
        beginRemoveRows({}, it->first, it->last);
        m_rows.remove(it->first, it->last - it->first + 1);
        endRemoveRows();
    }

    const quint64 lastSerial = m_rows.isEmpty() ? 0 : m_rows.constLast().serial;
    QList<HistoryEntry> fresh;
    for (const HistoryEntry &entry : current) {
        if (entry.serial > lastSerial)
            fresh.append(entry);
    }
    if (!fresh.isEmpty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + fresh.size()) - 1);
        m_rows.append(fresh);
        endInsertRows();
    }
}

int TaskHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant TaskHistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const HistoryEntry &entry = m_rows.at(index.row());
    if (role == PhaseRole)
        return int(entry.phase);
    if (role == TimestampRole)
        return entry.tsUs;
    if (role == Qt::ToolTipRole && index.column() == TimeColumn)
        return formatDateTime(entry.tsUs);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case TimeColumn:
        return formatTime(entry.tsUs);
    case PhaseColumn:
        return QString(afterwork::wireName(entry.phase));
    case AttemptColumn:
        return entry.attempt;
    case DetailColumn: {
        QStringList parts;
        if (entry.error)
            parts << u"%1: %2"_s.arg(entry.error->type, entry.error->message);
        if (entry.handlerError)
            parts << u"error handler threw %1: %2"_s.arg(entry.handlerError->type, entry.handlerError->message);
        if (entry.phase == Phase::Lost)
            parts << u"the source vanished while the task was live; its outcome is unknown"_s;
        if (entry.fromSnapshot)
            parts << u"(from a snapshot)"_s;
        return parts.join(u"; "_s);
    }
    }
    return {};
}

} // namespace afterwork::monitor
