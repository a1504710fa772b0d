// SPDX-License-Identifier: MIT
#pragma once

#include "models/sourceconcatenation.h"
#include "models/taskrows.h"

namespace afterwork::monitor {

class TaskTableModel;

//! The tasks of every source in one table: each source's TaskTableModel (labelled with its
//! source) one after the other. A row is a task of one source: task ids are the sources' own and
//! may repeat across sources.
class FleetTaskModel final : public SourceConcatenation, public TaskRows
{
    Q_OBJECT
public:
    explicit FleetTaskModel(const SourceSet *sources, QObject *parent = nullptr);

    const client::TaskState *taskAt(int row) const override;
    QString sourceLabelAt(int row) const override;
    //! The latest "now" of all sources.
    qint64 nowUs() const override;

    //! The table of source \a index (the set's order); nullptr if out of range.
    TaskTableModel *table(int index) const;
    //! The id of the task in \a row (0 if out of range).
    quint64 idAt(int row) const;
    //! The row of task \a id of \a session, or -1.
    int rowOf(const MonitorSession *session, quint64 id) const;

    //! Moves each source's "now" on: the live rows' durations change.
    void refreshLiveDurations();

protected:
    QAbstractItemModel *makePart(MonitorSession *session) override;
    void labelPart(QAbstractItemModel *part, const QString &label, bool several) override;
};

} // namespace afterwork::monitor
