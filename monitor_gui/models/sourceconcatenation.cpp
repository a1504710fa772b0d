// SPDX-License-Identifier: MIT
#include "models/sourceconcatenation.h"

#include "core/sourceset.h"

#include <algorithm>

namespace afterwork::monitor {

SourceConcatenation::SourceConcatenation(const SourceSet *sources, int columns, QObject *parent)
    : QAbstractTableModel(parent), m_sources(sources), m_columns(columns)
{
}

SourceConcatenation::~SourceConcatenation()
{
    // The parts are children, destroyed after this model: nothing they say may reach it then.
    for (const Part &part : m_parts)
        part.model->disconnect(this);
}

int SourceConcatenation::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int SourceConcatenation::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_columns;
}

QVariant SourceConcatenation::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto [part, row] = partAt(index.row());
    return part ? part->model->data(part->model->index(row, index.column()), role) : QVariant();
}

QVariant SourceConcatenation::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || m_parts.empty())
        return QAbstractTableModel::headerData(section, orientation, role);
    return m_parts.front().model->headerData(section, orientation, role);
}

Qt::ItemFlags SourceConcatenation::flags(const QModelIndex &index) const
{
    const auto [part, row] = index.isValid() ? partAt(index.row()) : std::pair<const Part *, int>{nullptr, -1};
    return part ? part->model->flags(part->model->index(row, index.column())) : QAbstractTableModel::flags(index);
}

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
    // Sources are only ever added at the end: the new part's rows come after all others.
    Q_ASSERT(index == int(m_parts.size()));
    MonitorSession *session = m_sources->session(index);
    QAbstractItemModel *model = makePart(session);
    Q_ASSERT(model->columnCount() == m_columns);
    const int rows = model->rowCount();
    if (rows > 0)
        beginInsertRows({}, m_rows, m_rows + rows - 1);
    m_parts.push_back(Part{.session = session, .model = model, .first = m_rows, .rows = rows});
    m_rows += rows;
    listenTo(model);
    if (rows > 0)
        endInsertRows();
}

void SourceConcatenation::removePart(int index)
{
    if (index < 0 || index >= int(m_parts.size()))
        return;
    const Part part = m_parts[size_t(index)];
    part.model->disconnect(this);
    if (part.rows > 0)
        beginRemoveRows({}, part.first, part.first + part.rows - 1);
    setPartRows(index, 0);
    m_parts.erase(m_parts.begin() + index);
    if (part.rows > 0)
        endRemoveRows();
    delete part.model;
}

void SourceConcatenation::relabel()
{
    // Called while the set may still hold a source on its way out: look each part's label up.
    const bool several = m_parts.size() > 1;
    for (const Part &part : m_parts)
        labelPart(part.model, m_sources->labelOf(part.session), several);
}

void SourceConcatenation::listenTo(QAbstractItemModel *model)
{
    // Flat parts: changes under a parent (there are none) are not rows of this table.
    connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this, [this, model](const QModelIndex &parent, int first, int last) {
        if (const int at = partIndexOf(model); at >= 0 && !parent.isValid()) {
            const int offset = m_parts[size_t(at)].first;
            beginInsertRows({}, offset + first, offset + last);
        }
    });
    connect(model, &QAbstractItemModel::rowsInserted, this, [this, model](const QModelIndex &parent, int first, int last) {
        if (const int at = partIndexOf(model); at >= 0 && !parent.isValid()) {
            setPartRows(at, m_parts[size_t(at)].rows + (last - first + 1));
            endInsertRows();
        }
    });
    connect(model, &QAbstractItemModel::rowsAboutToBeRemoved, this, [this, model](const QModelIndex &parent, int first, int last) {
        if (const int at = partIndexOf(model); at >= 0 && !parent.isValid()) {
            const int offset = m_parts[size_t(at)].first;
            beginRemoveRows({}, offset + first, offset + last);
        }
    });
    connect(model, &QAbstractItemModel::rowsRemoved, this, [this, model](const QModelIndex &parent, int first, int last) {
        if (const int at = partIndexOf(model); at >= 0 && !parent.isValid()) {
            setPartRows(at, m_parts[size_t(at)].rows - (last - first + 1));
            endRemoveRows();
        }
    });
    connect(model, &QAbstractItemModel::dataChanged, this,
            [this, model](const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles) {
                const int at = partIndexOf(model);
                if (at < 0 || !topLeft.isValid() || !bottomRight.isValid() || topLeft.parent().isValid())
                    return;
                const int offset = m_parts[size_t(at)].first;
                Q_EMIT dataChanged(index(offset + topLeft.row(), topLeft.column()), index(offset + bottomRight.row(), bottomRight.column()),
                                   roles);
            });
    connect(model, &QAbstractItemModel::modelAboutToBeReset, this, [this, model] { partResetting(model); });
    connect(model, &QAbstractItemModel::modelReset, this, [this, model] { partReset(model); });
    // Rows reordered within a part: rare enough (the dashboard's parts never do) to reset for.
    connect(model, &QAbstractItemModel::layoutAboutToBeChanged, this, [this] { beginResetModel(); });
    connect(model, &QAbstractItemModel::layoutChanged, this, &SourceConcatenation::resetAll);
    connect(model, &QAbstractItemModel::rowsAboutToBeMoved, this, [this] { beginResetModel(); });
    connect(model, &QAbstractItemModel::rowsMoved, this, &SourceConcatenation::resetAll);
}

int SourceConcatenation::partIndexOf(const QObject *model) const
{
    for (size_t i = 0; i < m_parts.size(); ++i) {
        if (m_parts[i].model == model)
            return int(i);
    }
    return -1;
}

void SourceConcatenation::setPartRows(int index, int rows)
{
    m_parts[size_t(index)].rows = rows;
    int first = m_parts[size_t(index)].first;
    for (size_t i = size_t(index); i < m_parts.size(); ++i) {
        m_parts[i].first = first;
        first += m_parts[i].rows;
    }
    m_rows = first;
}

void SourceConcatenation::partResetting(const QObject *model)
{
    // Its old rows go now, while it still has them; its new ones come once it has them.
    const int at = partIndexOf(model);
    if (at < 0)
        return;
    const Part &part = m_parts[size_t(at)];
    if (part.rows > 0)
        beginRemoveRows({}, part.first, part.first + part.rows - 1);
}

void SourceConcatenation::partReset(const QObject *model)
{
    const int at = partIndexOf(model);
    if (at < 0)
        return;
    if (m_parts[size_t(at)].rows > 0) {
        setPartRows(at, 0);
        endRemoveRows();
    }
    const int rows = m_parts[size_t(at)].model->rowCount();
    if (rows > 0) {
        const int first = m_parts[size_t(at)].first;
        beginInsertRows({}, first, first + rows - 1);
        setPartRows(at, rows);
        endInsertRows();
    }
}

void SourceConcatenation::resetAll()
{
    m_rows = 0;
    for (Part &part : m_parts) {
        part.first = m_rows;
        part.rows = part.model->rowCount();
        m_rows += part.rows;
    }
    endResetModel();
}

std::pair<const SourceConcatenation::Part *, int> SourceConcatenation::partAt(int row) const
{
    if (row < 0 || row >= m_rows)
        return {nullptr, -1};
    // The last part beginning at or before the row: never an empty one, as the row is in range.
    const auto after = std::upper_bound(m_parts.cbegin(), m_parts.cend(), row, [](int r, const Part &part) { return r < part.first; });
    const Part &part = *std::prev(after);
    return {&part, row - part.first};
}

const SourceConcatenation::Part *SourceConcatenation::partOf(const MonitorSession *session, int *offset) const
{
    for (const Part &part : m_parts) {
        if (part.session == session) {
            *offset = part.first;
            return &part;
        }
    }
    *offset = 0;
    return nullptr;
}

MonitorSession *SourceConcatenation::sessionAt(int row) const
{
    const Part *part = partAt(row).first;
    return part ? part->session : nullptr;
}

} // namespace afterwork::monitor
