// SPDX-License-Identifier: MIT
#pragma once

#include "core/failuregroups.h"
#include "models/tablemodel.h"

namespace afterwork::monitor {

//! Failure groups (name × error type) as a table; sync() after each flush inserts new groups and
//! announces changed counts. Cleared groups (a new run) reset it. Where several sources are
//! watched, each has one, labelled with setSourceLabel(), and FleetFailureModel puts them together.
class FailureGroupModel final : public TableModel
{
    Q_OBJECT
public:
    enum Columns { SourceColumn, NameColumn, ErrorTypeColumn, CountColumn, FirstSeenColumn, LastSeenColumn, MessageColumn, COUNT };
    Q_ENUM(Columns)
    enum Roles {
        SortRole = Qt::UserRole,
        FilterExpressionRole, //!< QString: the filter showing the group's tasks (of its source)
    };

    explicit FailureGroupModel(FailureGroups *groups, QObject *parent = nullptr);

    void sync();
    //! The source the groups come from, for the Source column and the filter of a group's
    //! tasks (`source:LABEL ...`); empty (the default) while it is the only source.
    void setSourceLabel(const QString &label);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    QString filterExpression(const FailureGroup &group) const;

    FailureGroups *m_groups; // Not owning.
    QString m_sourceLabel;
    int m_rows = 0;
};

} // namespace afterwork::monitor
