// SPDX-License-Identifier: MIT
#pragma once

#include "models/tablemodel.h"
#include "models/taskrows.h"

#include <afterwork/client/taskstore.h>

#include <QtCore/QHash>
#include <QtCore/QList>

namespace afterwork::monitor {

//! The store's tasks (live and recently finished) as a table, one row per task in the order the
//! tasks were first seen. Updated incrementally from the store's batched changes: rows are
//! inserted, removed (evicted from the history) and changed, never reset, except when the store
//! itself resets (a new source or a restarted one). Where several sources are watched, each has
//! one, labelled with setSourceLabel() (the Source column), and FleetTaskModel puts them together.
class TaskTableModel final : public TableModel, public TaskRows
{
    Q_OBJECT
public:
    enum Columns {
        SourceColumn, //!< the label of the task's source (hidden while there is only one)
        IdColumn,
        NameColumn,
        PhaseColumn,
        ShieldedColumn,
        ModeColumn,
        WorkColumn,
        AttemptColumn,
        QueueWaitColumn,
        RunTimeColumn,
        ProgressColumn, //!< the latest progress its work reported (ProgressDelegate draws it)
        ErrorColumn,
        COUNT
    };
    Q_ENUM(Columns)

    enum Roles {
        SortRole = Qt::UserRole, //!< a value that orders the column (numbers for durations)
        TaskIdRole,              //!< quint64
        PhaseRole,               //!< int(Phase)
        LiveRole,                //!< bool
        //! The task's latest progress, on every column; invalid when it has reported none. A
        //! finished task keeps its last value (where it stopped).
        ProgressFractionRole,    //!< double: done / total in [0, 1]; -1 when the total is unknown
        ProgressDoneRole,        //!< qint64: units done
        ProgressTotalRole,       //!< qint64: units in all; 0 when unknown
        ProgressMessageRole,     //!< QString: the work's description of its step ("" when none)
    };

    explicit TaskTableModel(const client::TaskStore *store, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    //! The task in \a row (nullptr if out of range).
    const client::TaskState *taskAt(int row) const override;
    //! The source label, the same on every row.
    QString sourceLabelAt(int) const override { return m_sourceLabel; }
    //! Labels the rows with their source's name (the Source column, `source:` filter terms).
    void setSourceLabel(const QString &label);
    //! The row of task \a id, or -1.
    int rowOf(quint64 id) const { return m_rowOf.value(id, -1); }
    quint64 idAt(int row) const { return m_ids.value(row); }

    //! "Now" for the durations of live tasks (their queue wait or run time so far).
    void setNowUs(qint64 nowUs) { m_nowUs = nowUs; }
    //! Moves "now" on and announces the live rows' durations changed (the columns that follow
    //! the clock).
    void refreshLiveDurations(qint64 nowUs);
    //! Whether a live task's value in \a column grows with the clock: every live row's at once.
    static constexpr bool followsClock(int column) noexcept
    {
        return column == QueueWaitColumn || column == RunTimeColumn;
    }

    //! The queue wait and run time shown for \a state at \a nowUs (µs, -1: none).
    static qint64 queueWaitUs(const client::TaskState &state, qint64 nowUs);
    static qint64 runTimeUs(const client::TaskState &state, qint64 nowUs);
    //! Orders two tasks by \a column (for the proxy, without going through QVariant).
    static bool lessThan(int column, const client::TaskState &left, const client::TaskState &right, qint64 nowUs);
    static QString errorText(const client::TaskRecord &task);
    //! The key the Progress column sorts by: the fraction done, below it -1 for an unknown total,
    //! and -2 for no progress at all.
    static double progressSortKey(const client::TaskState &state);

    qint64 nowUs() const noexcept override { return m_nowUs; } //!< see setNowUs()

private:
    void applyChange(const client::TaskStoreChange &change);
    void rebuild();
    void removeRowList(QList<int> rows);
    void reindexFrom(int row);

    const client::TaskStore *m_store; // Not owning.
    QList<quint64> m_ids;
    QHash<quint64, int> m_rowOf;
    qint64 m_nowUs = 0;
    QString m_sourceLabel;
};

} // namespace afterwork::monitor
