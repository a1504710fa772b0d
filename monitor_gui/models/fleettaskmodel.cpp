// SPDX-License-Identifier: MIT
#include "models/fleettaskmodel.h"

#include "core/monitorsession.h"
#include "models/tasktablemodel.h"

namespace afterwork::monitor {

namespace {

//! The parts are made by makePart(): TaskTableModels.
TaskTableModel *tableOf(QAbstractItemModel *part)
{
    return static_cast<TaskTableModel *>(part);
}

} // namespace

FleetTaskModel::FleetTaskModel(const SourceSet *sources, QObject *parent)
    : SourceConcatenation(sources, TaskTableModel::COUNT, parent)
{
    follow();
}

QAbstractItemModel *FleetTaskModel::makePart(MonitorSession *session)
{
    return new TaskTableModel(&session->store(), this);
}

void FleetTaskModel::labelPart(QAbstractItemModel *part, const QString &label, bool)
{
    // Always labelled: `source:` terms match the only source too (the column is hidden then).
    tableOf(part)->setSourceLabel(label);
}

const client::TaskState *FleetTaskModel::taskAt(int row) const
{
    const auto [part, partRow] = partAt(row);
    return part ? tableOf(part->model)->taskAt(partRow) : nullptr;
}

QString FleetTaskModel::sourceLabelAt(int row) const
{
    const auto [part, partRow] = partAt(row);
    return part ? tableOf(part->model)->sourceLabelAt(partRow) : QString();
}

qint64 FleetTaskModel::nowUs() const
{
    qint64 now = 0;
    for (const Part &part : parts())
        now = std::max(now, tableOf(part.model)->nowUs());
    return now;
}

TaskTableModel *FleetTaskModel::table(int index) const
{
    return index >= 0 && index < int(parts().size()) ? tableOf(parts()[size_t(index)].model) : nullptr;
}

quint64 FleetTaskModel::idAt(int row) const
{
    const auto [part, partRow] = partAt(row);
    return part ? tableOf(part->model)->idAt(partRow) : 0;
}

int FleetTaskModel::rowOf(const MonitorSession *session, quint64 id) const
{
    int offset = 0;
    const Part *part = partOf(session, &offset);
    const int row = part ? tableOf(part->model)->rowOf(id) : -1;
    return row < 0 ? -1 : offset + row;
}

void FleetTaskModel::refreshLiveDurations()
{
    for (const Part &part : parts())
        tableOf(part.model)->refreshLiveDurations(part.session->nowUs());
}

} // namespace afterwork::monitor
