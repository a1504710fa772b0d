// SPDX-License-Identifier: MIT
#pragma once

#include "core/drainstate.h"
#include "models/tablemodel.h"

#include <afterwork/client/taskstore.h>

#include <QtCore/QHash>

namespace afterwork::monitor {

//! The tasks a shutdown deals with: those live when it began (or scheduled during it), and what
//! became of each: still waited for, cancelled, finished, abandoned. Rows keep a copy of their
//! task, so the store evicting it changes nothing here. Filled from the store's changes once
//! the DrainState is active; cleared when the store resets.
class DrainModel final : public TableModel
{
    Q_OBJECT
public:
    enum Columns { IdColumn, NameColumn, ShieldedColumn, OutcomeColumn, ElapsedColumn, COUNT };
    Q_ENUM(Columns)
    enum Roles { SortRole = Qt::UserRole, PhaseRole, OutcomeRole };

    //! What became of a task during the shutdown, in the order the view sorts by.
    enum class Outcome : quint8 { WaitedFor, Running, Queued, Cancelled, Finished, Failed, Abandoned, Dropped, Lost };
    Q_ENUM(Outcome)

    DrainModel(const client::TaskStore *store, const DrainState *drain, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    //! Announces that the elapsed times of unfinished rows moved on to \a nowUs.
    void refreshElapsed(qint64 nowUs);

    static Outcome outcomeOf(Phase phase, bool live);
    static QString outcomeText(Outcome outcome);
    //! Rows per outcome.
    int count(Outcome outcome) const;
    const client::TaskState &rowTask(int row) const { return m_rows.at(row); }

private:
    void onStoreChanged(const client::TaskStoreChange &change);
    void onStoreReset();
    void upsert(const client::TaskState &state, QList<int> &changedRows, QList<client::TaskState> &added);

    const client::TaskStore *m_store; // Not owning.
    const DrainState *m_drain;        // Not owning.
    bool m_filled = false;            //!< the tasks live at the shutdown's start were taken in
    QList<client::TaskState> m_rows;
    QHash<quint64, int> m_rowOf;
    qint64 m_nowUs = 0;
};

} // namespace afterwork::monitor
