// SPDX-License-Identifier: MIT
// IncrementalSortFilterProxy, under the task filter and the tables of every source: a list of
// "KEY|ID" rows, sorted by KEY and filtered by a largest KEY, changed at random and compared with
// what sorting and filtering it afresh gives, persistent indexes following their rows, under
// QAbstractItemModelTester; and how many signals a batch costs (one per change, not per place).
#include "models/incrementalsortfilterproxy.h"

#include <QtCore/QAbstractListModel>
#include <QtCore/QRandomGenerator>
#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <algorithm>
#include <memory>

using namespace afterwork::monitor;
using namespace Qt::StringLiterals;

namespace {

//! A row's sort key and its identity.
struct Item
{
    int key = 0;
    int id = 0;
};

//! A list of items, changed a block at a time (one signal per change).
class ItemList final : public QAbstractListModel
{
public:
    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(items.size()); }
    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role != Qt::DisplayRole || !checkIndex(index, CheckIndexOption::IndexIsValid))
            return {};
        const Item &item = items.at(index.row());
        return u"%1|%2"_s.arg(item.key).arg(item.id);
    }
    void insert(int at, const QList<Item> &added)
    {
        beginInsertRows({}, at, at + int(added.size()) - 1);
        for (qsizetype i = 0; i < added.size(); ++i)
            items.insert(at + i, added.at(i));
        endInsertRows();
    }
    void remove(int first, int count)
    {
        beginRemoveRows({}, first, first + count - 1);
        items.remove(first, count);
        endRemoveRows();
    }
    //! New keys for rows \a first.. (their ids stay).
    void rekey(int first, const QList<int> &keys)
    {
        for (qsizetype i = 0; i < keys.size(); ++i)
            items[first + i].key = keys.at(i);
        Q_EMIT dataChanged(index(first), index(first + int(keys.size()) - 1));
    }
    void reset(const QList<Item> &all)
    {
        beginResetModel();
        items = all;
        endResetModel();
    }

    QList<Item> items;
};

//! Sorted by key (column 0); shown while the key is at most maxKey.
class KeyProxy final : public IncrementalSortFilterProxy
{
public:
    void setMaxKey(int key)
    {
        maxKey = key;
        refilter();
    }
    const ItemList *list() const { return static_cast<const ItemList *>(sourceModel()); }
    int compared = 0; // compareRows() calls
    int prepared = 0; // aboutToCompare() calls

protected:
    bool acceptsRow(int sourceRow) const override { return list()->items.at(sourceRow).key <= maxKey; }
    int compareRows(int, int left, int right) const override
    {
        ++const_cast<KeyProxy *>(this)->compared;
        return list()->items.at(left).key - list()->items.at(right).key;
    }
    void aboutToCompare() override { ++prepared; }

private:
    int maxKey = 1'000'000;
};

//! The ids the proxy shows, in order.
QList<int> shownIds(const KeyProxy &proxy)
{
    QList<int> ids;
    for (int row = 0; row < proxy.rowCount(); ++row)
        ids.append(proxy.index(row, 0).data().toString().section(u'|', 1).toInt());
    return ids;
}

//! The ids that filtering and sorting \a items afresh shows: equal keys in the list's order; the
//! list's order unless sorted by its column (0).
QList<int> expectedIds(const QList<Item> &items, int maxKey, int sortColumn, Qt::SortOrder order)
{
    QList<Item> shown;
    std::copy_if(items.cbegin(), items.cend(), std::back_inserter(shown), [maxKey](const Item &item) { return item.key <= maxKey; });
    if (sortColumn == 0) {
        std::stable_sort(shown.begin(), shown.end(), [order](const Item &a, const Item &b) {
            return order == Qt::AscendingOrder ? a.key < b.key : a.key > b.key;
        });
    }
    QList<int> ids;
    for (const Item &item : std::as_const(shown))
        ids.append(item.id);
    return ids;
}

//! Rows 1..count with keys of \a keys (cycled) and ids from \a firstId.
QList<Item> makeItems(const QList<int> &keys, int count, int firstId)
{
    QList<Item> out;
    for (int i = 0; i < count; ++i)
        out.append({keys.at(i % keys.size()), firstId + i});
    return out;
}

} // namespace

class tst_IncrementalSortFilterProxy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void staysSortedAndFilteredThroughRandomChanges()
    {
        ItemList list;
        KeyProxy proxy;
        proxy.setSourceModel(&list);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QRandomGenerator random(20240607);
        int nextId = 1;
        int maxKey = 1'000'000;
        const auto newItems = [&](int count) {
            QList<Item> out;
            for (int i = 0; i < count; ++i)
                out.append({int(random.bounded(10)), nextId++});
            return out;
        };
        // Persistent indexes on shown rows, with the id each was on.
        QList<std::pair<QPersistentModelIndex, int>> held;

        for (int step = 0; step < 400; ++step) {
            const int size = int(list.items.size());
            switch (random.bounded(7)) {
            case 0:
            case 1: {
                const int count = 1 + int(random.bounded(20));
                list.insert(int(random.bounded(size + 1)), newItems(count));
                break;
            }
            case 2:
                if (size > 0) {
                    const int first = int(random.bounded(size));
                    list.remove(first, 1 + int(random.bounded(std::min(size - first, 15))));
                }
                break;
            case 3:
                if (size > 0) {
                    const int first = int(random.bounded(size));
                    QList<int> keys;
                    for (int i = 0, n = 1 + int(random.bounded(std::min(size - first, 10))); i < n; ++i)
                        keys.append(int(random.bounded(10)));
                    list.rekey(first, keys);
                }
                break;
            case 4: // by the key, by nothing (-1), or by a column the list does not have (none either)
                proxy.sort(int(random.bounded(3)) - 1, random.bounded(2) ? Qt::AscendingOrder : Qt::DescendingOrder);
                break;
            case 5:
                maxKey = random.bounded(4) ? int(random.bounded(10)) : 1'000'000;
                proxy.setMaxKey(maxKey);
                break;
            case 6:
                if (random.bounded(8) == 0)
                    list.reset(newItems(int(random.bounded(60))));
                break;
            }
            const QList<int> shown = shownIds(proxy);
            QCOMPARE(shown, expectedIds(list.items, maxKey, proxy.sortColumn(), proxy.sortOrder()));
            for (const auto &[index, id] : std::as_const(held)) {
                if (shown.contains(id)) {
                    QVERIFY2(index.isValid(), qPrintable(u"step %1: row of id %2 lost"_s.arg(step).arg(id)));
                    QCOMPARE(shown.at(index.row()), id);
                } else {
                    QVERIFY2(!index.isValid(), qPrintable(u"step %1: id %2 is gone, its index is not"_s.arg(step).arg(id)));
                }
            }
            // A row hidden and shown again later is a new row: indexes on it went when it was hidden.
            held.removeIf([](const auto &entry) { return !entry.first.isValid(); });
            if (!shown.isEmpty() && held.size() < 20) {
                const int row = int(random.bounded(int(shown.size())));
                held.append({QPersistentModelIndex(proxy.index(row, 0)), shown.at(row)});
            }
        }
    }

    void aBatchInManyPlacesIsOneInsertionAndOneMove()
    {
        // Keys 0, 2, 4, ... shown; then odd keys arrive, one between each two rows shown.
        ItemList list;
        list.reset(makeItems({0, 2, 4, 6, 8, 10, 12, 14}, 8, 1));
        KeyProxy proxy;
        proxy.setSourceModel(&list);
        proxy.sort(0, Qt::AscendingOrder);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QPersistentModelIndex six = proxy.index(3, 0);
        QSignalSpy inserted(&proxy, &QAbstractItemModel::rowsInserted);
        QSignalSpy moved(&proxy, &QAbstractItemModel::layoutChanged);
        QSignalSpy removed(&proxy, &QAbstractItemModel::rowsRemoved);

        list.insert(8, makeItems({1, 3, 5, 7, 9, 11, 13}, 7, 100));
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(moved.count(), 1);
        QCOMPARE(proxy.rowCount(), 15);
        QCOMPARE(proxy.index(0, 0).data().toString(), u"0|1"_s);
        QCOMPARE(proxy.index(1, 0).data().toString(), u"1|100"_s);
        QCOMPARE(proxy.index(14, 0).data().toString(), u"14|8"_s);
        QCOMPARE(six.row(), 6);
        QCOMPARE(six.data().toString(), u"6|4"_s);

        // Going from many places: gathered at the end in one move, removed in one removal.
        list.remove(8, 7);
        QCOMPARE(moved.count(), 2);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(shownIds(proxy), (QList<int>{1, 2, 3, 4, 5, 6, 7, 8}));
        QCOMPARE(six.row(), 3);

        // All in one place: inserted there, nothing moved.
        list.insert(8, makeItems({20, 21, 22}, 3, 200));
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted.last().at(1).toInt(), 8);
        QCOMPARE(moved.count(), 2);
        // A changed key still in order moves nothing; one out of order moves once.
        list.rekey(9, {21});
        QCOMPARE(moved.count(), 2);
        list.rekey(9, {-1});
        QCOMPARE(moved.count(), 3);
        QCOMPARE(proxy.index(0, 0).data().toString(), u"-1|201"_s);
        QCOMPARE(six.row(), 4);
    }

    void newRowsFindTheirPlaceBySearchingNotScanning()
    {
        // 4,096 rows: a new one is placed in at most 2 x log2(4096) = 24 comparisons (a gallop and
        // a binary search), not 4,096.
        ItemList list;
        list.reset(makeItems({0, 2, 4, 6, 8}, 4096, 1));
        KeyProxy proxy;
        proxy.setSourceModel(&list);
        proxy.sort(0, Qt::DescendingOrder);
        proxy.compared = 0;
        proxy.prepared = 0;
        list.insert(0, makeItems({5}, 1, 10'000));
        QVERIFY2(proxy.compared <= 24, qPrintable(QString::number(proxy.compared)));
        QCOMPARE(proxy.prepared, 1); // once per change, not per comparison
        // Sorted from the largest key down: it lands after the 6s and before the 4s.
        const int row = int(shownIds(proxy).indexOf(10'000));
        QCOMPARE(proxy.index(row - 1, 0).data().toString().section(u'|', 0, 0), u"6"_s);
        QCOMPARE(proxy.index(row + 1, 0).data().toString().section(u'|', 0, 0), u"4"_s);

        // 100 rows landing together: each after the first starts where the previous one went
        // (a search each would be 100 x 12 comparisons).
        proxy.compared = 0;
        list.insert(0, makeItems({3}, 100, 20'000));
        QVERIFY2(proxy.compared <= 300, qPrintable(QString::number(proxy.compared)));
        QCOMPARE(proxy.rowCount(), 4096 + 101);
    }

    void keysChangedWithoutAnnouncementAreSortedAgain()
    {
        // What a clock does to live rows: their keys all move, and the announcements, one range at
        // a time, are made among rows that have already moved. invalidateSort() looks again.
        ItemList list;
        list.reset({{10, 1}, {15, 2}, {20, 3}, {22, 4}, {30, 5}, {40, 6}});
        KeyProxy proxy;
        proxy.setSourceModel(&list);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(0);
        const QPersistentModelIndex live(proxy.index(1, 0)); // id 2
        list.items[1].key = 35; // ids 2 and 4 run on: +20
        list.items[3].key = 42;
        list.rekey(1, {35});    // announced one at a time, as the rows of two sources are
        list.rekey(3, {42});
        proxy.invalidateSort();
        QCOMPARE(shownIds(proxy), expectedIds(list.items, 1'000'000, 0, Qt::AscendingOrder));
        QCOMPARE(live.data().toString(), u"35|2"_s);

        // Nothing out of order: a look, no layout change.
        QSignalSpy layouts(&proxy, &QAbstractItemModel::layoutChanged);
        proxy.invalidateSort();
        QCOMPARE(layouts.count(), 0);

        // Changed behind the model's back altogether, descending.
        proxy.sort(0, Qt::DescendingOrder);
        list.items[0].key = 50;
        proxy.invalidateSort();
        QCOMPARE(shownIds(proxy), expectedIds(list.items, 1'000'000, 0, Qt::DescendingOrder));
    }

    void aDestroyedSourceLeavesAnEmptyProxyAndSaysSo()
    {
        auto list = std::make_unique<ItemList>();
        list->reset(makeItems({3, 1, 2}, 6, 1));
        KeyProxy proxy;
        proxy.setSourceModel(list.get());
        proxy.sort(0);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&proxy, &QAbstractItemModel::modelReset);
        list.reset();
        QCOMPARE(resets.count(), 1);
        QCOMPARE(proxy.rowCount(), 0);
        QCOMPARE(proxy.columnCount(), 0);
        QVERIFY(!proxy.sourceModel());
        QVERIFY(!proxy.index(0, 0).isValid());
    }

    void headerChangesOfTheSourceAreForwarded()
    {
        ItemList list;
        list.reset(makeItems({1, 2}, 4, 1));
        KeyProxy proxy;
        proxy.setSourceModel(&list);
        QSignalSpy headers(&proxy, &QAbstractItemModel::headerDataChanged);
        Q_EMIT list.headerDataChanged(Qt::Horizontal, 0, 0);
        QVERIFY(!headers.isEmpty());
        QCOMPARE(headers.at(0).at(0).value<Qt::Orientation>(), Qt::Horizontal);
        QCOMPARE(headers.at(0).at(1).toInt(), 0);
        QCOMPARE(headers.at(0).at(2).toInt(), 0);
    }

    void theHeaderIsTheSourcesEvenWithNoRowShown()
    {
        ItemList list;
        list.reset(makeItems({5}, 3, 1));
        KeyProxy proxy;
        proxy.setSourceModel(&list);
        proxy.setMaxKey(0);
        QCOMPARE(proxy.rowCount(), 0);
        QCOMPARE(proxy.headerData(0, Qt::Horizontal), list.headerData(0, Qt::Horizontal));
        QVERIFY(!proxy.hasChildren());
        QCOMPARE(proxy.columnCount(), 1);
    }
};

QTEST_MAIN(tst_IncrementalSortFilterProxy)
#include "tst_incrementalsortfilterproxy.moc"
