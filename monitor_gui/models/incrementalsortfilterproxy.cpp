// SPDX-License-Identifier: MIT
#include "models/incrementalsortfilterproxy.h"

#include <algorithm>

namespace afterwork::monitor {

//! Whether a source row comes before another as sorted; equals in the source's order.
class IncrementalSortFilterProxy::Order
{
public:
    explicit Order(const IncrementalSortFilterProxy *proxy)
        : m_proxy(proxy), m_column(proxy->sortsByColumn() ? proxy->m_sortColumn : -1), m_descending(proxy->m_sortOrder == Qt::DescendingOrder)
    {
    }
    bool operator()(int left, int right) const
    {
        if (m_column >= 0) {
            if (const int order = m_proxy->compareRows(m_column, left, right); order != 0)
                return m_descending ? order > 0 : order < 0;
        }
        return left < right;
    }

private:
    const IncrementalSortFilterProxy *m_proxy;
    int m_column;
    bool m_descending;
};

namespace {

//! Where each of \a rows (sorted by \a before) goes among \a into (sorted alike): after the rows
//! of \a into that do not come after it. Each search gallops on from where the previous one ended
//! (1, 2, 4, ... rows on, then a binary search in the last step), so a batch of rows that land
//! near each other costs a few comparisons each, and the places never go back even if \a into
//! has drifted out of order.
template<typename Before>
std::vector<int> placesAmong(const std::vector<int> &into, const std::vector<int> &rows, const Before &before)
{
    std::vector<int> places;
    places.reserve(rows.size());
    const auto end = into.cend();
    auto from = into.cbegin();
    for (const int row : rows) {
        // The place is in [first, probe]: the rows before first do not come after row; probe
        // does (or is the end).
        auto first = from;
        auto probe = from;
        for (std::ptrdiff_t step = 1; probe != end && !before(row, *probe); step *= 2) {
            first = probe + 1;
            probe = end - first > step ? first + step : end;
        }
        from = std::upper_bound(first, probe, row, before);
        places.push_back(int(from - into.cbegin()));
    }
    return places;
}

//! Sorts \a rows by \a before; rows already in that order, or in the reverse order (new rows of
//! a table sorted from the newest down), cost one pass.
template<typename Before>
void sortRows(std::vector<int> &rows, const Before &before)
{
    if (std::is_sorted(rows.cbegin(), rows.cend(), before))
        return;
    if (std::is_sorted(rows.crbegin(), rows.crend(), before)) {
        std::reverse(rows.begin(), rows.end()); // no two rows are equal: ties go by source row
        return;
    }
    std::sort(rows.begin(), rows.end(), before);
}

//! \a into with \a rows put in at \a places (placesAmong()).
std::vector<int> merged(const std::vector<int> &into, const std::vector<int> &rows, const std::vector<int> &places)
{
    std::vector<int> out;
    out.reserve(into.size() + rows.size());
    size_t next = 0;
    for (size_t at = 0; at <= into.size(); ++at) {
        while (next < rows.size() && size_t(places[next]) == at)
            out.push_back(rows[next++]);
        if (at < into.size())
            out.push_back(into[at]);
    }
    return out;
}

} // namespace

IncrementalSortFilterProxy::IncrementalSortFilterProxy(QObject *parent) : QAbstractProxyModel(parent) {}

void IncrementalSortFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    beginResetModel();
    for (const QMetaObject::Connection &connection : m_connections)
        disconnect(connection);
    m_connections.clear();
    QAbstractProxyModel::setSourceModel(model);
    if (model) {
        m_connections = {
            connect(model, &QAbstractItemModel::rowsInserted, this, &IncrementalSortFilterProxy::onRowsInserted),
            connect(model, &QAbstractItemModel::rowsAboutToBeRemoved, this, &IncrementalSortFilterProxy::onRowsAboutToBeRemoved),
            connect(model, &QAbstractItemModel::rowsRemoved, this, &IncrementalSortFilterProxy::onRowsRemoved),
            connect(model, &QAbstractItemModel::dataChanged, this, &IncrementalSortFilterProxy::onDataChanged),
            connect(model, &QAbstractItemModel::modelAboutToBeReset, this, [this] { beginResetModel(); }),
            connect(model, &QAbstractItemModel::modelReset, this, &IncrementalSortFilterProxy::onReset),
            // Rows reordered or columns changed in the source: rare enough to start afresh.
            connect(model, &QAbstractItemModel::layoutAboutToBeChanged, this, [this] { beginResetModel(); }),
            connect(model, &QAbstractItemModel::layoutChanged, this, &IncrementalSortFilterProxy::onReset),
            connect(model, &QAbstractItemModel::rowsAboutToBeMoved, this, [this] { beginResetModel(); }),
            connect(model, &QAbstractItemModel::rowsMoved, this, &IncrementalSortFilterProxy::onReset),
            connect(model, &QAbstractItemModel::columnsAboutToBeInserted, this, [this] { beginResetModel(); }),
            connect(model, &QAbstractItemModel::columnsInserted, this, &IncrementalSortFilterProxy::onReset),
            connect(model, &QAbstractItemModel::columnsAboutToBeRemoved, this, [this] { beginResetModel(); }),
            connect(model, &QAbstractItemModel::columnsRemoved, this, &IncrementalSortFilterProxy::onReset),
            connect(model, &QAbstractItemModel::columnsAboutToBeMoved, this, [this] { beginResetModel(); }),
            connect(model, &QAbstractItemModel::columnsMoved, this, &IncrementalSortFilterProxy::onReset),
            connect(model, &QAbstractItemModel::headerDataChanged, this, &IncrementalSortFilterProxy::onHeaderDataChanged),
            // Gone with it: nothing of it may be looked at any more.
            connect(model, &QObject::destroyed, this, &IncrementalSortFilterProxy::clear),
        };
    }
    rebuild();
    endResetModel();
}

QModelIndex IncrementalSortFilterProxy::index(int row, int column, const QModelIndex &parent) const
{
    if (parent.isValid() || row < 0 || row >= rowCount() || column < 0 || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex IncrementalSortFilterProxy::parent(const QModelIndex &) const
{
    return {};
}

int IncrementalSortFilterProxy::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_order.size());
}

int IncrementalSortFilterProxy::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || !sourceModel() ? 0 : sourceModel()->columnCount();
}

bool IncrementalSortFilterProxy::hasChildren(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_order.empty();
}

QModelIndex IncrementalSortFilterProxy::mapToSource(const QModelIndex &proxyIndex) const
{
    if (!proxyIndex.isValid() || proxyIndex.model() != this || proxyIndex.row() >= int(m_order.size()) || !sourceModel())
        return {};
    return sourceModel()->index(m_order[size_t(proxyIndex.row())], proxyIndex.column());
}

QModelIndex IncrementalSortFilterProxy::mapFromSource(const QModelIndex &sourceIndex) const
{
    if (!sourceIndex.isValid() || sourceIndex.model() != sourceModel() || sourceIndex.parent().isValid()
        || sourceIndex.row() >= int(m_position.size()))
        return {};
    const int row = m_position[size_t(sourceIndex.row())];
    return row < 0 ? QModelIndex() : createIndex(row, sourceIndex.column());
}

QVariant IncrementalSortFilterProxy::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (!sourceModel())
        return {};
    if (orientation == Qt::Horizontal)
        return sourceModel()->headerData(section, orientation, role);
    if (section < 0 || section >= int(m_order.size()))
        return QAbstractProxyModel::headerData(section, orientation, role);
    return sourceModel()->headerData(m_order[size_t(section)], orientation, role);
}

void IncrementalSortFilterProxy::sort(int column, Qt::SortOrder order)
{
    m_sortColumn = std::max(column, -1);
    m_sortOrder = order;
    sortAll();
}

bool IncrementalSortFilterProxy::sortsByColumn() const
{
    return m_sortColumn >= 0 && m_sortColumn < columnCount();
}

IncrementalSortFilterProxy::Order IncrementalSortFilterProxy::ordering()
{
    if (sortsByColumn())
        aboutToCompare();
    return Order(this);
}

void IncrementalSortFilterProxy::sortAll()
{
    // One pass when the order holds; otherwise one sort and one layout change. (Order is total:
    // ties go by source row, so there is one sorted order.)
    const Order before = ordering();
    if (std::is_sorted(m_order.cbegin(), m_order.cend(), before))
        return;
    std::vector<int> sorted = m_order;
    std::sort(sorted.begin(), sorted.end(), before);
    relayout(std::move(sorted));
}

IncrementalSortFilterProxy::Verdicts IncrementalSortFilterProxy::judge(int first, int last) const
{
    Verdicts verdicts;
    for (int row = first; row <= last; ++row) {
        const int at = m_position[size_t(row)];
        const bool accepted = acceptsRow(row);
        if (at >= 0 && !accepted)
            verdicts.hidden.push_back(at);
        else if (at < 0 && accepted)
            verdicts.shown.push_back(row);
        else if (at >= 0)
            verdicts.kept.push_back(row);
    }
    return verdicts;
}

void IncrementalSortFilterProxy::refilter()
{
    Verdicts verdicts = judge(0, int(m_position.size()) - 1);
    removeProxyRows(std::move(verdicts.hidden));
    insertSourceRows(std::move(verdicts.shown));
}

void IncrementalSortFilterProxy::clear()
{
    // The source is being destroyed: shown as no source at all, announced as a reset, without
    // asking it anything more (setSourceModel() only disconnects from it).
    setSourceModel(nullptr);
}

void IncrementalSortFilterProxy::onHeaderDataChanged(Qt::Orientation orientation, int first, int last)
{
    if (orientation == Qt::Horizontal) {
        Q_EMIT headerDataChanged(orientation, first, last);
    } else if (!m_order.empty()) {
        // Source rows first..last may be shown anywhere: every row's header, once.
        Q_EMIT headerDataChanged(orientation, 0, int(m_order.size()) - 1);
    }
}

void IncrementalSortFilterProxy::invalidateSort()
{
    // Without a sort column the order is the source's, which no key change can break.
    if (sortsByColumn())
        sortAll();
}

void IncrementalSortFilterProxy::rebuild()
{
    m_order.clear();
    m_position.assign(sourceModel() ? size_t(sourceModel()->rowCount()) : 0, -1);
    for (size_t row = 0; row < m_position.size(); ++row) {
        if (acceptsRow(int(row)))
            m_order.push_back(int(row));
    }
    if (sortsByColumn())
        std::sort(m_order.begin(), m_order.end(), ordering());
    renumberFrom(0);
}

void IncrementalSortFilterProxy::renumberFrom(size_t proxyRow)
{
    for (size_t row = proxyRow; row < m_order.size(); ++row)
        m_position[size_t(m_order[row])] = int(row);
}

void IncrementalSortFilterProxy::relayout(std::vector<int> order)
{
    // The same rows in another order: persistent indexes follow their source rows.
    Q_ASSERT(order.size() == m_order.size());
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList from = persistentIndexList();
    std::vector<int> sourceRows;
    sourceRows.reserve(size_t(from.size()));
    for (const QModelIndex &index : from)
        sourceRows.push_back(m_order[size_t(index.row())]);
    m_order = std::move(order);
    renumberFrom(0);
    QModelIndexList to;
    to.reserve(from.size());
    for (qsizetype i = 0; i < from.size(); ++i)
        to.append(createIndex(m_position[size_t(sourceRows[size_t(i)])], from.at(i).column()));
    changePersistentIndexList(from, to);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void IncrementalSortFilterProxy::removeProxyRows(std::vector<int> proxyRows)
{
    // proxyRows: without repeats, in any order.
    if (proxyRows.empty())
        return;
    std::sort(proxyRows.begin(), proxyRows.end());
    const int count = int(proxyRows.size());
    int first = proxyRows.front();
    if (proxyRows.back() - first + 1 != count) {
        // Scattered: gathered at the end first (one layout change), then removed at once.
        std::vector<char> going(m_order.size(), 0);
        for (const int row : proxyRows)
            going[size_t(row)] = 1;
        std::vector<int> order;
        order.reserve(m_order.size());
        for (size_t row = 0; row < m_order.size(); ++row) {
            if (!going[row])
                order.push_back(m_order[row]);
        }
        for (const int row : proxyRows)
            order.push_back(m_order[size_t(row)]);
        relayout(std::move(order));
        first = int(m_order.size()) - count;
    }
    beginRemoveRows({}, first, first + count - 1);
    for (int row = first; row < first + count; ++row)
        m_position[size_t(m_order[size_t(row)])] = -1;
    m_order.erase(m_order.begin() + first, m_order.begin() + first + count);
    renumberFrom(size_t(first));
    endRemoveRows();
}

void IncrementalSortFilterProxy::insertSourceRows(std::vector<int> sourceRows)
{
    // sourceRows: rows not shown yet, to be shown.
    if (sourceRows.empty())
        return;
    const Order before = ordering();
    sortRows(sourceRows, before);
    const std::vector<int> places = placesAmong(m_order, sourceRows, before);
    const int count = int(sourceRows.size());
    if (places.front() == places.back()) {
        // All in one place: inserted there.
        const int first = places.front();
        beginInsertRows({}, first, first + count - 1);
        m_order.insert(m_order.begin() + first, sourceRows.cbegin(), sourceRows.cend());
        renumberFrom(size_t(first));
        endInsertRows();
        return;
    }
    // Scattered: appended at once (one insertion), then moved into place (one layout change).
    const std::vector<int> order = merged(m_order, sourceRows, places);
    const int end = int(m_order.size());
    beginInsertRows({}, end, end + count - 1);
    m_order.insert(m_order.end(), sourceRows.cbegin(), sourceRows.cend());
    renumberFrom(size_t(end));
    endInsertRows();
    relayout(order);
}

void IncrementalSortFilterProxy::resort(const std::vector<int> &sourceRows)
{
    // sourceRows: shown rows whose sort key may have changed. Nothing moves while each is still
    // in order with its neighbours (then the whole order still holds).
    const Order before = ordering();
    const auto inPlace = [&](int sourceRow) {
        const size_t at = size_t(m_position[size_t(sourceRow)]);
        return (at == 0 || !before(sourceRow, m_order[at - 1])) && (at + 1 == m_order.size() || !before(m_order[at + 1], sourceRow));
    };
    if (std::all_of(sourceRows.cbegin(), sourceRows.cend(), inPlace))
        return;
    std::vector<char> moving(m_order.size(), 0);
    for (const int row : sourceRows)
        moving[size_t(m_position[size_t(row)])] = 1;
    std::vector<int> staying;
    staying.reserve(m_order.size());
    for (size_t row = 0; row < m_order.size(); ++row) {
        if (!moving[row])
            staying.push_back(m_order[row]);
    }
    std::vector<int> moved = sourceRows;
    sortRows(moved, before);
    relayout(merged(staying, moved, placesAmong(staying, moved, before)));
}

void IncrementalSortFilterProxy::onRowsInserted(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid())
        return;
    const int count = last - first + 1;
    for (int &row : m_order) {
        if (row >= first)
            row += count;
    }
    m_position.insert(m_position.begin() + first, size_t(count), -1);
    std::vector<int> shown;
    for (int row = first; row <= last; ++row) {
        if (acceptsRow(row))
            shown.push_back(row);
    }
    insertSourceRows(std::move(shown));
}

void IncrementalSortFilterProxy::onRowsAboutToBeRemoved(const QModelIndex &parent, int first, int last)
{
    // Their proxy rows go now, while the source still has them; the rest is renumbered after.
    if (parent.isValid())
        return;
    std::vector<int> going;
    for (int row = first; row <= last; ++row) {
        if (const int at = m_position[size_t(row)]; at >= 0)
            going.push_back(at);
    }
    removeProxyRows(std::move(going));
}

void IncrementalSortFilterProxy::onRowsRemoved(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid())
        return;
    const int count = last - first + 1;
    m_position.erase(m_position.begin() + first, m_position.begin() + last + 1);
    for (int &row : m_order) {
        if (row > last)
            row -= count;
    }
}

void IncrementalSortFilterProxy::onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles)
{
    if (!topLeft.isValid() || topLeft.parent().isValid())
        return;
    Verdicts verdicts = judge(topLeft.row(), std::min(bottomRight.row(), int(m_position.size()) - 1));
    removeProxyRows(std::move(verdicts.hidden));
    const std::vector<int> &changed = verdicts.kept;
    if (sortsByColumn() && m_sortColumn >= topLeft.column() && m_sortColumn <= bottomRight.column() && !changed.empty())
        resort(changed);
    if (!changed.empty()) {
        // One signal over the rows they now span (views repaint only what they show of it).
        int top = int(m_order.size());
        int bottom = -1;
        for (const int row : changed) {
            top = std::min(top, m_position[size_t(row)]);
            bottom = std::max(bottom, m_position[size_t(row)]);
        }
        Q_EMIT dataChanged(index(top, topLeft.column()), index(bottom, bottomRight.column()), roles);
    }
    insertSourceRows(std::move(verdicts.shown));
}

void IncrementalSortFilterProxy::onReset()
{
    rebuild();
    endResetModel();
}

} // namespace afterwork::monitor
