// SPDX-License-Identifier: MIT
#pragma once

#include "models/taskrows.h"

#include <QtCore/QConcatenateTablesProxyModel>

#include <vector>

namespace afterwork::monitor {

class MonitorSession;
class SourceSet;
class TaskTableModel;

//! The tasks of every source in one table: each source's TaskTableModel (labelled with its
//! source) one after the other, following the SourceSet as sources come and go. A row is a task
//! of one source: task ids are the sources' own and may repeat across sources.
class FleetTaskModel final : public QConcatenateTablesProxyModel, public TaskRows
{
    Q_OBJECT
public:
    explicit FleetTaskModel(const SourceSet *sources, QObject *parent = nullptr);
    ~FleetTaskModel() override;

    const client::TaskState *taskAt(int row) const override;
    QString sourceLabelAt(int row) const override;
    //! The latest "now" of all sources.
    qint64 nowUs() const override;

    //! The table of source \a index (the set's order); nullptr if out of range.
    TaskTableModel *table(int index) const;
    //! The session the task in \a row comes from; nullptr if out of range.
    MonitorSession *sessionAt(int row) const;
    //! The id of the task in \a row (0 if out of range).
    quint64 idAt(int row) const;
    //! The row of task \a id of \a session, or -1.
    int rowOf(const MonitorSession *session, quint64 id) const;

    //! Moves each source's "now" on: the live rows' durations change.
    void refreshLiveDurations();

private:
    struct Part
    {
        MonitorSession *session; // Not owning.
        TaskTableModel *table;   // Owned (a child).
    };
    //! The part \a row falls in and the row within it; {nullptr, -1} if out of range.
    std::pair<const Part *, int> partAt(int row) const;
    void addPart(int index);
    void removePart(int index);

    const SourceSet *m_sources; // Not owning.
    std::vector<Part> m_parts;  // in the set's order
};

} // namespace afterwork::monitor
