// SPDX-License-Identifier: MIT
#pragma once

#include "core/sessionlog.h"
#include "models/tablemodel.h"

namespace afterwork::monitor {

//! The session log as a table; sync() appends new entries and removes the ones the bounded log
//! dropped from its front.
class SessionLogModel final : public TableModel
{
    Q_OBJECT
public:
    enum Columns { TimeColumn, LevelColumn, MessageColumn, COUNT };
    Q_ENUM(Columns)
    enum Roles { LevelRole = Qt::UserRole };

    explicit SessionLogModel(const SessionLog *log, QObject *parent = nullptr);

    void sync();

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    const SessionLog *m_log; // Not owning.
    qint64 m_first = 0; //!< the log's absolute index of row 0
    int m_rows = 0;
    int m_generation = 0;
};

} // namespace afterwork::monitor
