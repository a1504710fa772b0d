// SPDX-License-Identifier: MIT
#include "models/failuregroupmodel.h"

#include "core/formatting.h"
#include "core/rowranges.h"

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

FailureGroupModel::FailureGroupModel(FailureGroups *groups, QObject *parent)
    : TableModel({u"Source"_s, u"Task"_s, u"Error type"_s, u"Count"_s, u"First seen"_s, u"Last seen"_s, u"Latest message"_s}, parent), m_groups(groups)
{
    Q_ASSERT(columnCount() == COUNT); // a title for every column
    m_groups->takeChanges();
    m_rows = int(m_groups->groups().size());
}

void FailureGroupModel::sync()
{
    const FailureGroups::Changes changes = m_groups->takeChanges();
    const int total = int(m_groups->groups().size());
    if (changes.cleared) {
        beginResetModel(); // a new run: none of the old groups exist any more
        m_rows = total;
        endResetModel();
        return;
    }
    QList<int> touched;
    for (const qsizetype row : changes.touched) {
        if (row < m_rows)
            touched.append(int(row));
    }
    for (const RowRange &range : contiguousRanges(std::move(touched), 4))
        Q_EMIT dataChanged(index(range.first, 0), index(range.last, COUNT - 1));
    if (total > m_rows) {
        beginInsertRows({}, m_rows, total - 1);
        m_rows = total;
        endInsertRows();
    }
}

void FailureGroupModel::setSourceLabel(const QString &label)
{
    if (label == m_sourceLabel)
        return;
    m_sourceLabel = label;
    if (m_rows > 0)
        Q_EMIT dataChanged(index(0, 0), index(m_rows - 1, COUNT - 1));
}

QString FailureGroupModel::filterExpression(const FailureGroup &group) const
{
    const QString expression = FailureGroups::filterExpression(group);
    return m_sourceLabel.isEmpty() ? expression : u"source:%1 %2"_s.arg(filterValue(m_sourceLabel), expression);
}

int FailureGroupModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

QVariant FailureGroupModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FailureGroup &group = m_groups->groups().at(index.row());
    switch (role) {
    case FilterExpressionRole:
        return filterExpression(group);
    case SortRole:
        switch (index.column()) {
        case CountColumn:
            return group.count;
        case FirstSeenColumn:
            return group.firstSeenUs;
        case LastSeenColumn:
            return group.lastSeenUs;
        default:
            break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case SourceColumn:
            return m_sourceLabel;
        case NameColumn:
            return group.name;
        case ErrorTypeColumn:
            return group.errorType.isEmpty() ? u"(no error type)"_s : group.errorType;
        case CountColumn:
            return formatCount(group.count);
        case FirstSeenColumn:
            return formatTime(group.firstSeenUs);
        case LastSeenColumn:
            return formatTime(group.lastSeenUs);
        case MessageColumn:
            return group.latestMessage;
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == MessageColumn)
            return u"Task #%1: %2"_s.arg(group.latestTaskId).arg(group.latestMessage);
        return u"Click to show these tasks (%1)"_s.arg(filterExpression(group));
    case Qt::TextAlignmentRole:
        if (index.column() == CountColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        break;
    }
    return {};
}

} // namespace afterwork::monitor
