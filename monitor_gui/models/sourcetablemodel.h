// SPDX-License-Identifier: MIT
#pragma once

#include "models/tablemodel.h"

namespace afterwork::monitor {

class SourceSet;

//! The sources the dashboard watches, one row each, in the set's order: label, address, state
//! (connecting, connected, reconnecting, lost, ended), live, running and failed tasks, events per
//! second and the time since the last line. Rows follow the set as sources come and go; what
//! moves by itself (rates, "last seen") is brought up to date by refresh().
class SourceTableModel final : public TableModel
{
    Q_OBJECT
public:
    enum Columns {
        LabelColumn,
        AddressColumn,
        StateColumn,
        LiveColumn,
        RunningColumn,
        FailedColumn,    //!< tasks failed since the run began
        RateColumn,      //!< events per second
        LastSeenColumn,  //!< time since the last line
        COUNT
    };
    Q_ENUM(Columns)

    enum Roles {
        SortRole = Qt::UserRole, //!< a number for the numeric columns, else the text
        StateRole,               //!< int(SourceState)
    };

    explicit SourceTableModel(const SourceSet *sources, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    //! Announces that every row may have changed (after a flush, and once a second).
    void refresh();

private:
    const SourceSet *m_sources; // Not owning.
    int m_rows = 0;             // the set's count as announced to views
};

} // namespace afterwork::monitor
