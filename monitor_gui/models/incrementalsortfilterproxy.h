// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QAbstractProxyModel>

#include <vector>

namespace afterwork::monitor {

//! Sorts and filters the rows of a flat table model, kept sorted and filtered as it changes, like
//! a QSortFilterProxyModel with dynamic sorting; the subclass says which rows pass and how two
//! rows compare.
//!
//! What differs is the cost of a change. QSortFilterProxyModel announces a batch of source rows
//! that lands in many places of the sorted order (the new tasks of one source among those of
//! others, sorted by id) one place at a time, and each announcement costs it, and every view,
//! time in proportion to the whole table. Here a change costs one pass over the table however its
//! rows are spread: rows that land in one place are inserted (or removed) there; rows scattered
//! over many are appended at the end in one insertion and moved into place in one layout change
//! (or, to go, gathered at the end in one layout change and removed in one removal). New rows
//! find their places by searching on from where the previous one went (a gallop, then a binary
//! search); rows whose sort key changed move only if they are out of order. Persistent indexes
//! (selection, current row) follow their rows throughout.
//!
//! Rows that compare equal keep the source's order, in either sort order.
class IncrementalSortFilterProxy : public QAbstractProxyModel
{
    Q_OBJECT
public:
    //! Shows \a model (a flat table; nullptr: none), filtered and sorted as set.
    void setSourceModel(QAbstractItemModel *model) override;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QModelIndex mapToSource(const QModelIndex &proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex &sourceIndex) const override;
    //! Horizontal: the source's header as it is (whether rows are shown or not).
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    //! Sorts by \a column in \a order and keeps the rows so; the source's order while \a column is
    //! not one of the source's (-1, or before a source with that many columns is set).
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    //! Re-sorts after sort keys changed without each change being announced (a clock that moves
    //! every live row's key at once): one pass to see whether the order still holds, and a sort
    //! (one layout change) only when it does not.
    void invalidateSort();
    int sortColumn() const noexcept { return m_sortColumn; }           //!< as sort() set it
    Qt::SortOrder sortOrder() const noexcept { return m_sortOrder; }  //!< as sort() set it

protected:
    explicit IncrementalSortFilterProxy(QObject *parent = nullptr);

    //! Whether source row \a sourceRow is shown.
    virtual bool acceptsRow(int sourceRow) const = 0;
    //! How source rows \a left and \a right compare by \a column, ascending: negative if \a left
    //! comes first, positive if \a right does, 0 if the column does not tell them apart.
    virtual int compareRows(int column, int left, int right) const = 0;
    //! Called before a round of compareRows(): the time to take what they all share (a clock).
    virtual void aboutToCompare() {}

    //! What acceptsRow() says changed: hides and shows rows accordingly; the others stay put.
    void refilter();

private:
    class Order;
    //! What acceptsRow() says of some source rows, against what is shown.
    struct Verdicts
    {
        std::vector<int> hidden; //!< proxy rows no longer accepted
        std::vector<int> shown;  //!< source rows accepted now, not shown before
        std::vector<int> kept;   //!< source rows shown before and after
    };

    bool sortsByColumn() const; // the sort column is one of the source's
    //! The order shown, after aboutToCompare() when a column sorts.
    Order ordering();
    //! Sorts every row, if the order does not hold.
    void sortAll();
    //! Source rows \a first..\a last judged.
    Verdicts judge(int first, int last) const;
    void clear();
    void rebuild();
    void renumberFrom(size_t proxyRow);
    void relayout(std::vector<int> order);
    void removeProxyRows(std::vector<int> proxyRows);
    void insertSourceRows(std::vector<int> sourceRows);
    void resort(const std::vector<int> &sourceRows);

    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void onRowsAboutToBeRemoved(const QModelIndex &parent, int first, int last);
    void onRowsRemoved(const QModelIndex &parent, int first, int last);
    void onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles);
    void onReset();
    void onHeaderDataChanged(Qt::Orientation orientation, int first, int last);

    std::vector<int> m_order;    // proxy row -> source row, in the order shown
    std::vector<int> m_position; // source row -> proxy row, -1 when filtered out
    std::vector<QMetaObject::Connection> m_connections;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
};

} // namespace afterwork::monitor
