// SPDX-License-Identifier: MIT
#include "models/sourcetablemodel.h"

#include "core/connectionstatus.h"
#include "core/formatting.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"

#include <limits>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

SourceTableModel::SourceTableModel(const SourceSet *sources, QObject *parent)
    : TableModel({u"Source"_s, u"Address"_s, u"State"_s, u"Live"_s, u"Running"_s, u"Failed"_s, u"Events/s"_s, u"Last seen"_s}, parent),
      m_sources(sources),
      m_rows(sources->count())
{
    Q_ASSERT(columnCount() == COUNT);
    // The set changes first and says so after: the row count announced to views changes here,
    // between begin and end, as the model contract wants.
    connect(sources, &SourceSet::sourceAdded, this, [this](int index) {
        beginInsertRows({}, index, index);
        ++m_rows;
        endInsertRows();
    });
    connect(sources, &SourceSet::sourceAboutToBeRemoved, this, [this](int index) { beginRemoveRows({}, index, index); });
    connect(sources, &SourceSet::sourceRemoved, this, [this] {
        --m_rows;
        endRemoveRows();
    });
    connect(sources, &SourceSet::labelChanged, this, [this](int index) {
        Q_EMIT dataChanged(this->index(index, 0), this->index(index, COUNT - 1));
    });
}

int SourceTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

void SourceTableModel::refresh()
{
    if (m_rows > 0)
        Q_EMIT dataChanged(index(0, 0), index(m_rows - 1, COUNT - 1));
}

QVariant SourceTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const MonitorSession *session = m_sources->session(index.row());
    if (!session)
        return {};
    const client::TaskStore &store = session->store();
    const SourceState state = sourceState(*session);
    const qint64 sinceLastMs = session->msSinceLastLine();

    switch (role) {
    case StateRole:
        return int(state);
    case SortRole:
        switch (index.column()) {
        case LiveColumn:
            return qint64(store.liveCount());
        case RunningColumn:
            return store.count(Phase::Started);
        case FailedColumn:
            return store.count(Phase::Failed);
        case RateColumn:
            return session->lineRate();
        case LastSeenColumn:
            return sinceLastMs < 0 ? std::numeric_limits<qint64>::max() : sinceLastMs;
        default:
            break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case LabelColumn:
            return m_sources->label(index.row());
        case AddressColumn:
            return session->sourceName();
        case StateColumn:
            return state == SourceState::NotWatching ? ConnectionStatus::describe(*session).state : sourceStateName(state);
        case LiveColumn:
            return formatCount(store.liveCount());
        case RunningColumn:
            return formatCount(store.count(Phase::Started));
        case FailedColumn:
            return formatCount(store.count(Phase::Failed));
        case RateColumn:
            return formatCount(qint64(session->lineRate()));
        case LastSeenColumn:
            return sinceLastMs < 0 ? u"never"_s : u"%1 ago"_s.arg(formatDuration(sinceLastMs * 1000));
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == StateColumn)
            return ConnectionStatus::describe(*session).state;
        break;
    case Qt::TextAlignmentRole:
        return index.column() >= LiveColumn ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter)
                                            : QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        break;
    }
    return {};
}

} // namespace afterwork::monitor
