// SPDX-License-Identifier: MIT
#include "models/sourceconcatenation.h"

#include "core/sourceset.h"

namespace afterwork::monitor {

SourceConcatenation::SourceConcatenation(const SourceSet *sources, QObject *parent)
    : QConcatenateTablesProxyModel(parent), m_sources(sources)
{
}

// The parts are children: they go after the concatenation, which then no longer listens to them.
SourceConcatenation::~SourceConcatenation() = default;

void SourceConcatenation::follow()
{
    for (int i = 0; i < m_sources->count(); ++i)
        addPart(i);
    relabel();
    connect(m_sources, &SourceSet::sourceAdded, this, [this](int index) {
        addPart(index);
        relabel();
    });
    connect(m_sources, &SourceSet::sourceAboutToBeRemoved, this, &SourceConcatenation::removePart);
    connect(m_sources, &SourceSet::sourceRemoved, this, &SourceConcatenation::relabel);
    connect(m_sources, &SourceSet::labelChanged, this, &SourceConcatenation::relabel);
}

void SourceConcatenation::addPart(int index)
{
    MonitorSession *session = m_sources->session(index);
    QAbstractItemModel *model = makePart(session);
    m_parts.insert(m_parts.begin() + index, Part{session, model});
    addSourceModel(model); // sources are only ever added at the end
}

void SourceConcatenation::removePart(int index)
{
    if (index < 0 || index >= int(m_parts.size()))
        return;
    QAbstractItemModel *model = m_parts[size_t(index)].model;
    removeSourceModel(model);
    m_parts.erase(m_parts.begin() + index);
    delete model;
}

void SourceConcatenation::relabel()
{
    // Called while the set may still hold a source on its way out: look each part's label up.
    const bool several = m_parts.size() > 1;
    for (const Part &part : m_parts)
        labelPart(part.model, m_sources->labelOf(part.session), several);
}

std::pair<const SourceConcatenation::Part *, int> SourceConcatenation::partAt(int row) const
{
    if (row < 0)
        return {nullptr, -1};
    for (const Part &part : m_parts) {
        const int rows = part.model->rowCount();
        if (row < rows)
            return {&part, row};
        row -= rows;
    }
    return {nullptr, -1};
}

const SourceConcatenation::Part *SourceConcatenation::partOf(const MonitorSession *session, int *offset) const
{
    *offset = 0;
    for (const Part &part : m_parts) {
        if (part.session == session)
            return &part;
        *offset += part.model->rowCount();
    }
    return nullptr;
}

MonitorSession *SourceConcatenation::sessionAt(int row) const
{
    const Part *part = partAt(row).first;
    return part ? part->session : nullptr;
}

} // namespace afterwork::monitor
