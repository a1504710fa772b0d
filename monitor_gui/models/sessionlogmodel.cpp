// SPDX-License-Identifier: MIT
#include "models/sessionlogmodel.h"

#include <QtCore/QDateTime>

#include <algorithm>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

SessionLogModel::SessionLogModel(const SessionLog *log, QObject *parent)
    : TableModel({u"Time"_s, u"Level"_s, u"Message"_s}, parent), m_log(log)
{
    Q_ASSERT(columnCount() == COUNT); // a title for every column
    m_first = m_log->firstIndex();
    m_rows = int(m_log->entries().size());
    m_generation = m_log->generation();
}

void SessionLogModel::sync()
{
    const qint64 first = m_log->firstIndex();
    const qint64 end = first + qint64(m_log->entries().size());
    if (m_log->generation() != m_generation) {
        beginResetModel(); // the log was cleared (another source)
        m_generation = m_log->generation();
        m_first = first;
        m_rows = int(end - first);
        endResetModel();
        return;
    }
    const int dropped = int(std::clamp<qint64>(first - m_first, 0, m_rows));
    if (dropped > 0) {
        beginRemoveRows({}, 0, dropped - 1);
        m_first += dropped;
        m_rows -= dropped;
        endRemoveRows();
    }
    if (m_rows == 0)
        m_first = first;
    if (m_first + m_rows < end) {
        beginInsertRows({}, m_rows, int(end - m_first) - 1);
        m_rows = int(end - m_first);
        endInsertRows();
    }
}

int SessionLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

QVariant SessionLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SessionLog::Entry *found = m_log->at(m_first + index.row());
    if (!found)
        return {}; // dropped from the log since the last sync()
    const SessionLog::Entry &entry = *found;
    if (role == LevelRole)
        return int(entry.level);
    if (role == Qt::ToolTipRole && index.column() == MessageColumn)
        return entry.text;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case TimeColumn:
        return QDateTime::fromMSecsSinceEpoch(entry.wallMs).toString(u"HH:mm:ss.zzz"_s);
    case LevelColumn:
        switch (entry.level) {
        case SessionLog::Level::Info:
            return u"info"_s;
        case SessionLog::Level::Warning:
            return u"warning"_s;
        case SessionLog::Level::Error:
            return u"error"_s;
        }
        break;
    case MessageColumn:
        return entry.text;
    }
    return {};
}

} // namespace afterwork::monitor
