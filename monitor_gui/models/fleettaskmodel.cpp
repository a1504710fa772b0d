// SPDX-License-Identifier: MIT
#include "models/fleettaskmodel.h"

#include "core/monitorsession.h"
#include "core/sourceset.h"
#include "models/tasktablemodel.h"

namespace afterwork::monitor {

FleetTaskModel::FleetTaskModel(const SourceSet *sources, QObject *parent)
    : QConcatenateTablesProxyModel(parent), m_sources(sources)
{
    for (int i = 0; i < sources->count(); ++i)
        addPart(i);
    connect(sources, &SourceSet::sourceAdded, this, &FleetTaskModel::addPart);
    connect(sources, &SourceSet::sourceAboutToBeRemoved, this, &FleetTaskModel::removePart);
    connect(sources, &SourceSet::labelChanged, this, [this](int index) {
        if (TaskTableModel *part = table(index))
            part->setSourceLabel(m_sources->label(index));
    });
}

// The parts are children: they go after the concatenation, which then no longer listens to them.
FleetTaskModel::~FleetTaskModel() = default;

void FleetTaskModel::addPart(int index)
{
    MonitorSession *session = m_sources->session(index);
    auto *table = new TaskTableModel(&session->store(), this);
    table->setSourceLabel(m_sources->label(index));
    m_parts.insert(m_parts.begin() + index, Part{session, table});
    addSourceModel(table); // sources are only ever added at the end
}

void FleetTaskModel::removePart(int index)
{
    if (index < 0 || index >= int(m_parts.size()))
        return;
    TaskTableModel *table = m_parts[size_t(index)].table;
    removeSourceModel(table);
    m_parts.erase(m_parts.begin() + index);
    delete table;
}

std::pair<const FleetTaskModel::Part *, int> FleetTaskModel::partAt(int row) const
{
    if (row < 0)
        return {nullptr, -1};
    for (const Part &part : m_parts) {
        const int rows = part.table->rowCount();
        if (row < rows)
            return {&part, row};
        row -= rows;
    }
    return {nullptr, -1};
}

const client::TaskState *FleetTaskModel::taskAt(int row) const
{
    const auto [part, partRow] = partAt(row);
    return part ? part->table->taskAt(partRow) : nullptr;
}

QString FleetTaskModel::sourceLabelAt(int row) const
{
    const auto [part, partRow] = partAt(row);
    return part ? part->table->sourceLabelAt(partRow) : QString();
}

qint64 FleetTaskModel::nowUs() const
{
    qint64 now = 0;
    for (const Part &part : m_parts)
        now = std::max(now, part.table->nowUs());
    return now;
}

TaskTableModel *FleetTaskModel::table(int index) const
{
    return index >= 0 && index < int(m_parts.size()) ? m_parts[size_t(index)].table : nullptr;
}

MonitorSession *FleetTaskModel::sessionAt(int row) const
{
    const auto [part, partRow] = partAt(row);
    return part ? part->session : nullptr;
}

quint64 FleetTaskModel::idAt(int row) const
{
    const auto [part, partRow] = partAt(row);
    return part ? part->table->idAt(partRow) : 0;
}

int FleetTaskModel::rowOf(const MonitorSession *session, quint64 id) const
{
    int offset = 0;
    for (const Part &part : m_parts) {
        if (part.session == session) {
            const int row = part.table->rowOf(id);
            return row < 0 ? -1 : offset + row;
        }
        offset += part.table->rowCount();
    }
    return -1;
}

void FleetTaskModel::refreshLiveDurations()
{
    for (const Part &part : m_parts)
        part.table->refreshLiveDurations(part.session->nowUs());
}

} // namespace afterwork::monitor
