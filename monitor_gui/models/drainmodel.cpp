// SPDX-License-Identifier: MIT
#include "models/drainmodel.h"

#include "core/formatting.h"
#include "core/rowranges.h"

#include <algorithm>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;
using client::TaskState;

DrainModel::DrainModel(const client::TaskStore *store, const DrainState *drain, QObject *parent)
    : TableModel({u"Id"_s, u"Task"_s, u"Shielded"_s, u"Outcome"_s, u"Elapsed"_s}, parent), m_store(store), m_drain(drain)
{
    Q_ASSERT(columnCount() == COUNT); // a title for every column
    connect(store, &client::TaskStore::changed, this, &DrainModel::onStoreChanged);
    connect(store, &client::TaskStore::reset, this, &DrainModel::onStoreReset);
}

DrainModel::Outcome DrainModel::outcomeOf(Phase phase, bool live)
{
    switch (phase) {
    case Phase::ShutdownPending:
        return Outcome::WaitedFor;
    case Phase::Cancelled:
        return Outcome::Cancelled;
    case Phase::Succeeded:
        return Outcome::Finished;
    case Phase::Failed:
        return Outcome::Failed;
    case Phase::Abandoned:
        return Outcome::Abandoned;
    case Phase::Dropped:
        return Outcome::Dropped;
    case Phase::Lost:
        return Outcome::Lost;
    case Phase::Scheduled:
    case Phase::Retrying:
        return live ? Outcome::Queued : Outcome::Lost;
    default:
        return live ? Outcome::Running : Outcome::Lost;
    }
}

QString DrainModel::outcomeText(Outcome outcome)
{
    switch (outcome) {
    case Outcome::WaitedFor:
        return u"waited for"_s;
    case Outcome::Running:
        return u"running"_s;
    case Outcome::Queued:
        return u"queued"_s;
    case Outcome::Cancelled:
        return u"cancelled"_s;
    case Outcome::Finished:
        return u"finished"_s;
    case Outcome::Failed:
        return u"finished (failed)"_s;
    case Outcome::Abandoned:
        return u"abandoned"_s;
    case Outcome::Dropped:
        return u"dropped"_s;
    case Outcome::Lost:
        return u"lost"_s;
    }
    return {};
}

void DrainModel::onStoreReset()
{
    if (m_rows.isEmpty() && !m_filled)
        return;
    beginResetModel(); // a new source or a new run: its shutdown, if any, starts from nothing
    m_rows.clear();
    m_rowOf.clear();
    m_filled = false;
    endResetModel();
}

void DrainModel::onStoreChanged(const client::TaskStoreChange &change)
{
    if (!m_drain->isActive())
        return;
    m_nowUs = std::max(m_nowUs, m_store->latestTsUs());
    QList<quint64> candidates = change.updated;
    if (!m_filled) {
        // The batch the shutdown began in: every task live now is part of it.
        m_filled = true;
        candidates.append(m_store->liveTaskIds());
        std::sort(candidates.begin(), candidates.end());
        candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    }
    QList<int> changedRows;
    QList<TaskState> added;
    for (const quint64 id : std::as_const(candidates)) {
        if (const TaskState *state = m_store->task(id))
            upsert(*state, changedRows, added);
    }
    for (const RowRange &range : contiguousRanges(std::move(changedRows), 4))
        Q_EMIT dataChanged(index(range.first, 0), index(range.last, COUNT - 1));
    if (!added.isEmpty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        for (TaskState &state : added) {
            m_rowOf.insert(state.task.id, int(m_rows.size()));
            m_rows.append(std::move(state));
        }
        endInsertRows();
    }
}

void DrainModel::upsert(const TaskState &state, QList<int> &changedRows, QList<TaskState> &added)
{
    const auto it = m_rowOf.constFind(state.task.id);
    if (it != m_rowOf.cend()) {
        m_rows[it.value()] = state;
        changedRows.append(it.value());
    } else if (m_drain->involves(state.finishedUs)) {
        added.append(state);
    }
}

void DrainModel::refreshElapsed(qint64 nowUs)
{
    m_nowUs = std::max(m_nowUs, nowUs);
    QList<int> rows;
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).isLive())
            rows.append(row);
    }
    for (const RowRange &range : contiguousRanges(std::move(rows), 16))
        Q_EMIT dataChanged(index(range.first, ElapsedColumn), index(range.last, ElapsedColumn));
}

int DrainModel::count(Outcome outcome) const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(), [outcome](const TaskState &state) {
        return outcomeOf(state.task.phase, state.isLive()) == outcome;
    }));
}

int DrainModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant DrainModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TaskState &state = m_rows.at(index.row());
    const client::TaskRecord &task = state.task;
    const Outcome outcome = outcomeOf(task.phase, state.isLive());
    // Time in the task's current attempt (or waiting for one), up to its end or now.
    const qint64 since = task.startedUs > 0 ? task.startedUs : state.firstSeenUs;
    const qint64 until = state.isLive() ? m_nowUs : state.finishedUs;
    const qint64 elapsed = task.runUs >= 0 ? task.runUs : (since > 0 && until > 0 ? std::max<qint64>(until - since, 0) : -1);

    switch (role) {
    case PhaseRole:
        return int(task.phase);
    case OutcomeRole:
        return int(outcome);
    case SortRole:
        switch (index.column()) {
        case IdColumn:
            return QVariant::fromValue(task.id);
        case OutcomeColumn:
            return int(outcome);
        case ElapsedColumn:
            return elapsed;
        default:
            break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn:
            return QString::number(task.id);
        case NameColumn:
            return task.name;
        case ShieldedColumn:
            return task.shielded ? u"shielded"_s : QString();
        case OutcomeColumn:
            return outcomeText(outcome);
        case ElapsedColumn:
            return formatDuration(elapsed);
        }
        break;
    case Qt::ToolTipRole:
        if (outcome == Outcome::WaitedFor)
            return u"The shutdown waits for this task (it is shielded, or its sync work was already running)."_s;
        if (outcome == Outcome::Abandoned)
            return u"Still running at the deadline: the application exited without it."_s;
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == IdColumn || index.column() == ElapsedColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        break;
    }
    return {};
}

} // namespace afterwork::monitor
