// SPDX-License-Identifier: MIT
#pragma once

#include "core/failuregroups.h"
#include "models/tablemodel.h"

namespace afterwork::monitor {

//! Failure groups (name × error type) as a table; sync() after each flush inserts new groups and
//! announces changed counts. Cleared groups (a new run) reset it.
class FailureGroupModel final : public TableModel
{
    Q_OBJECT
public:
    enum Columns { NameColumn, ErrorTypeColumn, CountColumn, FirstSeenColumn, LastSeenColumn, MessageColumn, COUNT };
    Q_ENUM(Columns)
    enum Roles {
        SortRole = Qt::UserRole,
        FilterExpressionRole, //!< QString: the filter showing the group's tasks
    };

    explicit FailureGroupModel(FailureGroups *groups, QObject *parent = nullptr);

    void sync();

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    FailureGroups *m_groups; // Not owning.
    int m_rows = 0;
};

} // namespace afterwork::monitor
