// SPDX-License-Identifier: MIT
#include "models/tasktablemodel.h"

#include "core/formatting.h"
#include "core/rowranges.h"

#include <algorithm>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;
using client::TaskState;

TaskTableModel::TaskTableModel(const client::TaskStore *store, QObject *parent)
    : TableModel({u"Source"_s, u"Id"_s, u"Name"_s, u"Phase"_s, u"Shielded"_s, u"Mode"_s, u"Work"_s, u"Attempt"_s, u"Queue wait"_s,
                  u"Run time"_s, u"Progress"_s, u"Error"_s},
                 parent)
    , m_store(store)
{
    Q_ASSERT(columnCount() == COUNT); // a title for every column
    connect(store, &client::TaskStore::changed, this, &TaskTableModel::applyChange);
    connect(store, &client::TaskStore::reset, this, &TaskTableModel::rebuild);
    m_nowUs = store->latestTsUs();
    rebuild();
}

int TaskTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

void TaskTableModel::setSourceLabel(const QString &label)
{
    if (label == m_sourceLabel)
        return;
    m_sourceLabel = label;
    if (!m_ids.isEmpty())
        Q_EMIT dataChanged(index(0, SourceColumn), index(int(m_ids.size()) - 1, SourceColumn));
}

const TaskState *TaskTableModel::taskAt(int row) const
{
    if (row < 0 || row >= m_ids.size())
        return nullptr;
    return m_store->task(m_ids.at(row));
}

qint64 TaskTableModel::queueWaitUs(const TaskState &state, qint64 nowUs)
{
    const client::TaskRecord &task = state.task;
    if (task.waitUs >= 0)
        return task.waitUs;
    const qint64 scheduled = task.scheduledUs > 0 ? task.scheduledUs : state.firstSeenUs;
    if (task.startedUs > 0 && scheduled > 0)
        return std::max<qint64>(task.startedUs - scheduled, 0);
    if (state.isLive() && scheduled > 0 && nowUs > 0)
        return std::max<qint64>(nowUs - scheduled, 0); // still queued: waiting so far
    return -1;
}

qint64 TaskTableModel::runTimeUs(const TaskState &state, qint64 nowUs)
{
    const client::TaskRecord &task = state.task;
    if (task.runUs >= 0)
        return task.runUs;
    if (task.startedUs <= 0)
        return -1;
    if (state.isLive())
        return nowUs > 0 ? std::max<qint64>(nowUs - task.startedUs, 0) : -1; // running so far
    return state.finishedUs > 0 ? std::max<qint64>(state.finishedUs - task.startedUs, 0) : -1;
}

QString TaskTableModel::errorText(const client::TaskRecord &task)
{
    if (!task.error)
        return {};
    QString text = task.error->type.isEmpty() ? task.error->message : task.error->type + u": "_s + task.error->message;
    if (task.handlerError)
        text += u" (error handler: %1)"_s.arg(task.handlerError->message);
    return text;
}

double TaskTableModel::progressSortKey(const TaskState &state)
{
    return state.progress ? state.progress->fraction() : -2.0;
}

bool TaskTableModel::lessThan(int column, const TaskState &left, const TaskState &right, qint64 nowUs)
{
    const client::TaskRecord &l = left.task;
    const client::TaskRecord &r = right.task;
    switch (column) {
    case IdColumn:
        return l.id < r.id;
    case NameColumn:
        return l.name.compare(r.name, Qt::CaseInsensitive) < 0;
    case PhaseColumn:
        return l.phase < r.phase;
    case ShieldedColumn:
        return l.shielded < r.shielded;
    case ModeColumn:
        return l.mode < r.mode;
    case WorkColumn:
        return l.work < r.work;
    case AttemptColumn:
        return l.attempt < r.attempt;
    case QueueWaitColumn:
        return queueWaitUs(left, nowUs) < queueWaitUs(right, nowUs);
    case RunTimeColumn:
        return runTimeUs(left, nowUs) < runTimeUs(right, nowUs);
    case ProgressColumn:
        return progressSortKey(left) < progressSortKey(right);
    case ErrorColumn:
        return errorText(l).compare(errorText(r), Qt::CaseInsensitive) < 0;
    default:
        return l.id < r.id;
    }
}

QVariant TaskTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TaskState *state = taskAt(index.row());
    if (!state)
        return {};
    const client::TaskRecord &task = state->task;
    const int column = index.column();

    switch (role) {
    case TaskIdRole:
        return QVariant::fromValue(task.id);
    case PhaseRole:
        return int(task.phase);
    case LiveRole:
        return state->isLive();
    case ProgressFractionRole:
        return state->progress ? QVariant(state->progress->fraction()) : QVariant();
    case ProgressDoneRole:
        return state->progress ? QVariant(state->progress->done) : QVariant();
    case ProgressTotalRole:
        return state->progress ? QVariant(state->progress->total) : QVariant();
    case ProgressMessageRole:
        return state->progress ? QVariant(state->progress->message) : QVariant();
    case SortRole:
        switch (column) {
        case IdColumn:
            return QVariant::fromValue(task.id);
        case PhaseColumn:
            return int(task.phase);
        case ShieldedColumn:
            return task.shielded;
        case ModeColumn:
            return int(task.mode);
        case WorkColumn:
            return int(task.work);
        case AttemptColumn:
            return task.attempt;
        case QueueWaitColumn:
            return queueWaitUs(*state, m_nowUs);
        case RunTimeColumn:
            return runTimeUs(*state, m_nowUs);
        case ProgressColumn:
            return progressSortKey(*state);
        default:
            break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (column) {
        case SourceColumn:
            return m_sourceLabel;
        case IdColumn:
            return QString::number(task.id);
        case NameColumn:
            return task.name;
        case PhaseColumn:
            return QString(afterwork::wireName(task.phase));
        case ShieldedColumn:
            return task.shielded ? u"shielded"_s : QString();
        case ModeColumn:
            return QString(afterwork::wireName(task.mode));
        case WorkColumn:
            return QString(afterwork::wireName(task.work));
        case AttemptColumn:
            return task.attempt;
        case QueueWaitColumn:
            return formatDuration(queueWaitUs(*state, m_nowUs));
        case RunTimeColumn:
            return formatDuration(runTimeUs(*state, m_nowUs));
        case ProgressColumn:
            return state->progress ? formatProgressShort(*state->progress) : QString();
        case ErrorColumn:
            return errorText(task);
        }
        break;
    case Qt::ToolTipRole:
        if (column == ProgressColumn && state->progress)
            return state->isLive() ? formatProgress(*state->progress)
                                   : u"%1 (the last value reported before it ended)"_s.arg(formatProgress(*state->progress));
        if (column == ErrorColumn && task.error)
            return errorText(task);
        if (column == NameColumn && !task.function.isEmpty())
            return u"%1 — function %2"_s.arg(task.name, task.function);
        break;
    case Qt::TextAlignmentRole:
        switch (column) {
        case IdColumn:
        case AttemptColumn:
        case QueueWaitColumn:
        case RunTimeColumn:
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        }
    default:
        break;
    }
    return {};
}

void TaskTableModel::rebuild()
{
    // Only for a store that reset itself (new source, restarted source): everything changed.
    beginResetModel();
    m_ids = m_store->liveTaskIds();
    const QList<quint64> finished = m_store->finishedTaskIds();
    m_ids.append(finished);
    std::sort(m_ids.begin(), m_ids.end()); // ids grow with scheduling: first seen first
    m_rowOf.clear();
    m_rowOf.reserve(m_ids.size());
    for (int row = 0; row < m_ids.size(); ++row)
        m_rowOf.insert(m_ids.at(row), row);
    m_nowUs = std::max(m_nowUs, m_store->latestTsUs());
    endResetModel();
}

void TaskTableModel::applyChange(const client::TaskStoreChange &change)
{
    m_nowUs = std::max(m_nowUs, m_store->latestTsUs());

    // Evicted tasks, plus any the store no longer knows (defensive: never show a dangling row).
    QList<int> gone;
    for (const quint64 id : change.removed) {
        const int row = rowOf(id);
        if (row >= 0)
            gone.append(row);
    }
    QList<quint64> added;
    QList<int> changed;
    for (const quint64 id : change.updated) {
        const int row = rowOf(id);
        if (!m_store->task(id)) {
            if (row >= 0)
                gone.append(row);
        } else if (row >= 0) {
            changed.append(row);
        } else {
            added.append(id);
        }
    }

    if (!gone.isEmpty())
        removeRowList(std::move(gone)); // also renumbers the changed rows, see below
    if (!changed.isEmpty()) {
        // Rows moved up if rows above them were removed: look them up again.
        QList<int> rows;
        rows.reserve(changed.size());
        for (const quint64 id : change.updated) {
            const int row = rowOf(id);
            if (row >= 0)
                rows.append(row);
        }
        for (const RowRange &range : contiguousRanges(std::move(rows), 8))
            Q_EMIT dataChanged(index(range.first, 0), index(range.last, COUNT - 1));
    }
    if (!added.isEmpty()) {
        const int first = int(m_ids.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        for (const quint64 id : std::as_const(added)) {
            m_rowOf.insert(id, int(m_ids.size()));
            m_ids.append(id);
        }
        endInsertRows();
    }
}

void TaskTableModel::removeRowList(QList<int> rows)
{
    const QList<RowRange> ranges = contiguousRanges(std::move(rows), 0);
    // From the bottom up, so the rows of the ranges still to remove do not move.
    for (auto it = ranges.crbegin(); it != ranges.crend(); ++it) {
        beginRemoveRows({}, it->first, it->last);
        for (int row = it->first; row <= it->last; ++row)
            m_rowOf.remove(m_ids.at(row));
        m_ids.remove(it->first, it->last - it->first + 1);
        endRemoveRows();
    }
    if (!ranges.isEmpty())
        reindexFrom(ranges.constFirst().first);
}

void TaskTableModel::reindexFrom(int row)
{
    for (int r = row; r < m_ids.size(); ++r)
        m_rowOf[m_ids.at(r)] = r;
}

void TaskTableModel::refreshLiveDurations(qint64 nowUs)
{
    m_nowUs = std::max(m_nowUs, nowUs);
    if (m_store->liveCount() == 0 || m_ids.isEmpty())
        return;
    QList<int> rows;
    rows.reserve(m_store->liveCount());
    for (const quint64 id : m_store->liveTaskIds()) {
        const int row = rowOf(id);
        if (row >= 0)
            rows.append(row);
    }
    static_assert(RunTimeColumn == QueueWaitColumn + 1, "the columns that follow the clock are side by side");
    for (const RowRange &range : contiguousRanges(std::move(rows), 32))
        Q_EMIT dataChanged(index(range.first, QueueWaitColumn), index(range.last, RunTimeColumn));
}

} // namespace afterwork::monitor
