// SPDX-License-Identifier: MIT
// SourceConcatenation, the base of the tables of every source: parts that are plain list models
// (one per source of a SourceSet whose sources watch nothing), changed directly, under
// QAbstractItemModelTester. Rows and their offsets stay right as rows come and go in several
// parts, a part resets, sources are added and removed; the signals carry the parts' offsets.
#include "core/monitorsession.h"
#include "core/sourceset.h"
#include "models/sourceconcatenation.h"

#include "../support/socketnames.h"

#include <QtCore/QStringListModel>
#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <map>

using namespace afterwork;
using namespace afterwork::monitor;
using namespace Qt::StringLiterals;

namespace {

//! A concatenation of one QStringListModel per source, each row "LABEL:value".
class ListConcatenation final : public SourceConcatenation
{
public:
    explicit ListConcatenation(const SourceSet *sources) : SourceConcatenation(sources, 1) { follow(); }

    //! Source \a index's list.
    QStringListModel *list(int index) const { return static_cast<QStringListModel *>(parts().at(size_t(index)).model); }
    //! Every row's text, in order.
    QStringList rows() const
    {
        QStringList out;
        for (int row = 0; row < rowCount(); ++row)
            out.append(index(row, 0).data().toString());
        return out;
    }
    using SourceConcatenation::partAt;
    using SourceConcatenation::partOf;
    using SourceConcatenation::parts;
    std::map<const QAbstractItemModel *, QString> labels;

protected:
    QAbstractItemModel *makePart(MonitorSession *) override { return new QStringListModel(this); }
    void labelPart(QAbstractItemModel *part, const QString &label, bool) override { labels[part] = label; }
};

//! "label:value" for each value.
QStringList tagged(const QString &label, const QStringList &values)
{
    QStringList out;
    for (const QString &value : values)
        out.append(label + u':' + value);
    return out;
}

//! Sets \a list to "label:value" rows, one insertion at the end.
void append(QStringListModel *list, const QString &label, const QStringList &values)
{
    const int first = list->rowCount();
    list->insertRows(first, int(values.size()));
    for (qsizetype i = 0; i < values.size(); ++i)
        list->setData(list->index(first + int(i)), label + u':' + values.at(i));
}

//! The (first, last) of each signal \a spy caught (rowsInserted/rowsRemoved-like).
QList<std::pair<int, int>> ranges(const QSignalSpy &spy)
{
    QList<std::pair<int, int>> out;
    for (const QList<QVariant> &arguments : spy)
        out.append({arguments.at(1).toInt(), arguments.at(2).toInt()});
    return out;
}

//! Rows a:1 | b:1 b:2 | c:1, one list at a time.
void fillOneTwoOne(ListConcatenation &table)
{
    table.list(0)->setStringList({u"a:1"_s});
    table.list(1)->setStringList({u"b:1"_s, u"b:2"_s});
    table.list(2)->setStringList({u"c:1"_s});
}

struct ThreeSources
{
    ThreeSources() : sources(&primary)
    {
        sources.setPrimarySpec({.label = QStringLiteral("a"), .address = testing::uniqueSocketName("concat-a")});
        QString error;
        b = sources.addSource({.label = QStringLiteral("b"), .address = testing::uniqueSocketName("concat-b")}, &error);
        c = sources.addSource({.label = QStringLiteral("c"), .address = testing::uniqueSocketName("concat-c")}, &error);
    }
    MonitorSession primary;
    SourceSet sources;
    MonitorSession *b = nullptr;
    MonitorSession *c = nullptr;
};

} // namespace

class tst_SourceConcatenation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rowsOfSeveralPartsKeepTheirOffsets()
    {
        ThreeSources three;
        QVERIFY(three.b && three.c);
        ListConcatenation table(&three.sources);
        QAbstractItemModelTester tester(&table, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(table.columnCount(), 1);
        QCOMPARE(table.labels[table.list(1)], QStringLiteral("b"));

        QSignalSpy inserted(&table, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&table, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&table, &QAbstractItemModel::dataChanged);
        append(table.list(1), QStringLiteral("b"), {QStringLiteral("1"), QStringLiteral("2")});
        append(table.list(0), QStringLiteral("a"), {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3")});
        append(table.list(2), QStringLiteral("c"), {QStringLiteral("1")});
        QCOMPARE(ranges(inserted), (QList<std::pair<int, int>>{{0, 1}, {0, 2}, {5, 5}}));
        QCOMPARE(table.rows(), tagged(QStringLiteral("a"), {u"1"_s, u"2"_s, u"3"_s}) + tagged(QStringLiteral("b"), {u"1"_s, u"2"_s})
                                   + tagged(QStringLiteral("c"), {u"1"_s}));

        // Inserted and removed in the middle part: the last part's rows move along.
        table.list(1)->insertRows(1, 2);
        QCOMPARE(inserted.last().at(1).toInt(), 4);
        QCOMPARE(inserted.last().at(2).toInt(), 5);
        QCOMPARE(table.index(7, 0).data().toString(), QStringLiteral("c:1"));
        QCOMPARE(table.sessionAt(7), three.c);
        table.list(1)->setData(table.list(1)->index(1), QStringLiteral("b:x"));
        QCOMPARE(changed.last().at(0).toModelIndex().row(), 4);
        QCOMPARE(table.index(4, 0).data().toString(), QStringLiteral("b:x"));
        table.list(0)->removeRows(0, 2);
        QCOMPARE(ranges(removed), (QList<std::pair<int, int>>{{0, 1}}));
        table.list(1)->removeRows(1, 2); // b:x and the empty row after it
        QCOMPARE(ranges(removed).last(), (std::pair<int, int>{2, 3}));
        QCOMPARE(table.rows(), tagged(QStringLiteral("a"), {u"3"_s}) + tagged(QStringLiteral("b"), {u"1"_s, u"2"_s})
                                   + tagged(QStringLiteral("c"), {u"1"_s}));

        // Where each row is: its part, its row there; a session's first row.
        QCOMPARE(table.sessionAt(0), &three.primary);
        QCOMPARE(table.sessionAt(1), three.b);
        QCOMPARE(table.sessionAt(3), three.c);
        QCOMPARE(table.sessionAt(4), nullptr);
        QCOMPARE(table.partAt(2).second, 1);
        int offset = -1;
        QVERIFY(table.partOf(three.c, &offset));
        QCOMPARE(offset, 3);

        // An empty part between others: rows on either side are found past it.
        table.list(1)->removeRows(0, 2);
        QCOMPARE(table.rows(), (QStringList{u"a:3"_s, u"c:1"_s}));
        QCOMPARE(table.sessionAt(1), three.c);
        QVERIFY(table.partOf(three.b, &offset));
        QCOMPARE(offset, 1);
    }

    void aPartsResetIsItsRowsGoingAndComing()
    {
        ThreeSources three;
        QVERIFY(three.b && three.c);
        ListConcatenation table(&three.sources);
        QAbstractItemModelTester tester(&table, QAbstractItemModelTester::FailureReportingMode::QtTest);
        fillOneTwoOne(table);
        // A row of another source held (a selection): it stays through b's reset.
        const QPersistentModelIndex held = table.index(3, 0);
        QSignalSpy reset(&table, &QAbstractItemModel::modelReset);
        QSignalSpy removed(&table, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&table, &QAbstractItemModel::rowsInserted);

        table.list(1)->setStringList({u"b:9"_s, u"b:8"_s, u"b:7"_s});
        QCOMPARE(reset.count(), 0);
        QCOMPARE(ranges(removed), (QList<std::pair<int, int>>{{1, 2}}));
        QCOMPARE(ranges(inserted), (QList<std::pair<int, int>>{{1, 3}}));
        QCOMPARE(table.rows(), (QStringList{u"a:1"_s, u"b:9"_s, u"b:8"_s, u"b:7"_s, u"c:1"_s}));
        QVERIFY(held.isValid());
        QCOMPARE(held.row(), 4);
        QCOMPARE(held.data().toString(), QStringLiteral("c:1"));

        // Reset to nothing, then from nothing.
        table.list(1)->setStringList({});
        QCOMPARE(table.rows(), (QStringList{u"a:1"_s, u"c:1"_s}));
        table.list(1)->setStringList({u"b:1"_s});
        QCOMPARE(table.rows(), (QStringList{u"a:1"_s, u"b:1"_s, u"c:1"_s}));

        // A part reordering its rows resets the whole table, which is right afterwards.
        table.list(1)->setStringList({u"b:2"_s, u"b:1"_s});
        table.list(1)->sort(0);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(table.rows(), (QStringList{u"a:1"_s, u"b:1"_s, u"b:2"_s, u"c:1"_s}));
    }

    void sourcesComeAndGo()
    {
        ThreeSources three;
        QVERIFY(three.b && three.c);
        ListConcatenation table(&three.sources);
        QAbstractItemModelTester tester(&table, QAbstractItemModelTester::FailureReportingMode::QtTest);
        fillOneTwoOne(table);
        QSignalSpy removed(&table, &QAbstractItemModel::rowsRemoved);

        // The middle source goes: its rows, at their offset; c's rows move up.
        QVERIFY(three.sources.removeSource(1));
        QCOMPARE(ranges(removed), (QList<std::pair<int, int>>{{1, 2}}));
        QCOMPARE(table.rows(), (QStringList{u"a:1"_s, u"c:1"_s}));
        QCOMPARE(table.sessionAt(1), three.c);
        QCOMPARE(table.parts().size(), size_t(2));

        // A source added comes last; an empty one adds no rows; its rows come after the rest.
        QSignalSpy inserted(&table, &QAbstractItemModel::rowsInserted);
        QString error;
        MonitorSession *d = three.sources.addSource({.label = QStringLiteral("d"), .address = testing::uniqueSocketName("concat-d")}, &error);
        QVERIFY2(d, qPrintable(error));
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(table.labels[table.list(2)], QStringLiteral("d"));
        append(table.list(2), QStringLiteral("d"), {u"1"_s});
        QCOMPARE(ranges(inserted), (QList<std::pair<int, int>>{{2, 2}}));
        QCOMPARE(table.sessionAt(2), d);

        // The last removed.
        QVERIFY(three.sources.removeSource(2));
        QCOMPARE(ranges(removed).last(), (std::pair<int, int>{2, 2}));
        QCOMPARE(table.rows(), (QStringList{u"a:1"_s, u"c:1"_s}));
    }
};

QTEST_MAIN(tst_SourceConcatenation)
#include "tst_sourceconcatenation.moc"
