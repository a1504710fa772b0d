// SPDX-License-Identifier: MIT
// Several sources: the SourceSet (labels, adding, removing, the saved list, flushing together),
// the Sources table and the tasks of every source in one table (FleetTaskModel) under
// QAbstractItemModelTester, fed by fake publishers on unique sockets; and how the combined table
// copes with 8 sources of 5,000 tasks each (timings printed, bounds generous).
#include "monitortestsupport.h"

#include "core/connectionstatus.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"
#include "models/failuregroupmodel.h"
#include "models/fleetfailuremodel.h"
#include "models/fleettaskmodel.h"
#include "models/sourcetablemodel.h"
#include "models/taskfilterproxy.h"
#include "models/tasktablemodel.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QSettings>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>
#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace afterwork;
using namespace afterwork::monitor;
using namespace std::chrono_literals;
using testing::Lines;

namespace {

//! A fake publisher on a unique socket whose greeting is a hello and a snapshot of \a tasks
//! started tasks, ids 1..tasks (ids that every such source shares).
std::unique_ptr<testing::FakePublisher> publisherWith(int tasks, QString *name)
{
    auto publisher = std::make_unique<testing::FakePublisher>();
    *name = testing::uniqueSocketName("sourceset");
    if (!publisher->listen(*name))
        return nullptr;
    QList<QByteArray> objects;
    objects.reserve(tasks);
    for (int id = 1; id <= tasks; ++id)
        objects.append(Lines::taskObject(quint64(id), id % 3 ? "started" : "scheduled"));
    publisher->setGreeting(Lines::join({Lines::hello(0, QUuid::createUuid().toString(QUuid::WithoutBraces)), Lines::snapshot(1, objects)}));
    return publisher;
}

//! Two fake publishers ("api" with \a tasksA started tasks, "worker" with \a tasksB) and a set
//! whose first session watches nothing yet: the models under test are made before it does.
struct TwoSources
{
    TwoSources(int tasksA, int tasksB)
        : api(publisherWith(tasksA, &nameA)), worker(publisherWith(tasksB, &nameB)), sources(&primary)
    {
    }
    //! The first session watches "api"; the "worker" is added. Its session, or nullptr.
    MonitorSession *watchBoth()
    {
        if (!primary.watchSocket(nameA))
            return nullptr;
        sources.setPrimarySpec({.label = QStringLiteral("api"), .address = nameA});
        QString error;
        return sources.addSource({.label = QStringLiteral("worker"), .address = nameB}, &error);
    }

    QString nameA;
    QString nameB;
    std::unique_ptr<testing::FakePublisher> api;
    std::unique_ptr<testing::FakePublisher> worker;
    MonitorSession primary{SessionOptions{.flushInterval = 20ms}};
    SourceSet sources;
};

} // namespace

class tst_SourceSet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void labelsAreUniqueAndTheFirstStays()
    {
        MonitorSession primary(SessionOptions{.flushInterval = 20ms});
        SourceSet sources(&primary);
        sources.setPrimarySpec({.label = QStringLiteral("api"), .address = testing::uniqueSocketName("a")});
        QCOMPARE(sources.count(), 1);
        QCOMPARE(sources.label(0), QStringLiteral("api"));

        QString error;
        QVERIFY(!sources.addSource({.label = QStringLiteral("api"), .address = testing::uniqueSocketName("b")}, &error));
        QVERIFY2(error.contains(QStringLiteral("already labelled 'api'")), qPrintable(error));
        QVERIFY(!sources.addSource({.label = QStringLiteral("my api"), .address = testing::uniqueSocketName("b")}, &error));
        QVERIFY2(error.contains(QStringLiteral("without whitespace")), qPrintable(error));
        // A remote address without a token file cannot be watched: nothing is added.
        QVERIFY(!sources.addSource({.label = QStringLiteral("remote"), .address = QStringLiteral("tls://127.0.0.1:9")}, &error));
        QVERIFY2(error.contains(QStringLiteral("token")), qPrintable(error));
        QCOMPARE(sources.count(), 1);

        QSignalSpy added(&sources, &SourceSet::sourceAdded);
        MonitorSession *worker = sources.addSource({.label = QStringLiteral("worker"), .address = testing::uniqueSocketName("c")}, &error);
        QVERIFY2(worker, qPrintable(error));
        QCOMPARE(added.count(), 1);
        QCOMPARE(sources.indexOf(worker), 1);
        QCOMPARE(sources.labelOf(worker), QStringLiteral("worker"));
        QCOMPARE(worker->options().flushInterval, 20ms); // made like the first

        // The first source takes another address: a label already taken gets a suffix.
        sources.setPrimarySpec({.label = QStringLiteral("worker"), .address = QStringLiteral("x")});
        QCOMPARE(sources.label(0), QStringLiteral("worker (2)"));

        QVERIFY(!sources.removeSource(0)); // the connection bar's
        QVERIFY(sources.removeSource(1));
        QCOMPARE(sources.count(), 1);
        QCOMPARE(sources.indexOf(QStringLiteral("worker")), -1);
    }

    void theSavedListHoldsNoToken()
    {
        QTemporaryDir dir;
        const QString ini = dir.filePath(QStringLiteral("s.ini"));
        {
            QSettings settings(ini, QSettings::IniFormat);
            writeSourceList(settings, {{.label = QStringLiteral("api"), .address = QStringLiteral("api-events")},
                                       {.label = QStringLiteral("build 7"),
                                        .address = QStringLiteral("tls://build-7:7000"),
                                        .remote = {.tokenFile = QStringLiteral("/home/me/build-7.token"),
                                                   .caFile = QStringLiteral("/etc/ca.pem"),
                                                   .pin = QStringLiteral("sha256:ab")}}});
        }
        QSettings settings(ini, QSettings::IniFormat);
        const QList<SourceSpec> read = readSourceList(settings);
        QCOMPARE(read.size(), 2);
        QCOMPARE(read.at(0).label, QStringLiteral("api"));
        QCOMPARE(read.at(1).label, QStringLiteral("build 7"));
        QCOMPARE(read.at(1).address, QStringLiteral("tls://build-7:7000"));
        QCOMPARE(read.at(1).remote.tokenFile, QStringLiteral("/home/me/build-7.token"));
        QCOMPARE(read.at(1).remote.caFile, QStringLiteral("/etc/ca.pem"));
        QCOMPARE(read.at(1).remote.pin, QStringLiteral("sha256:ab"));
        settings.beginGroup(QStringLiteral("sources"));
        QCOMPARE(settings.value(QStringLiteral("2/tokenFile")).toString(), QStringLiteral("/home/me/build-7.token"));
        QVERIFY(!settings.childKeys().contains(QStringLiteral("token")));
    }

    void sourcesTableAndTasksOfEverySource()
    {
        TwoSources two(3, 2);
        QVERIFY(two.api && two.worker);
        MonitorSession &primary = two.primary;
        SourceSet &sources = two.sources;
        SourceTableModel table(&sources);
        FleetTaskModel tasks(&sources);
        QAbstractItemModelTester tableTester(&table, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester tasksTester(&tasks, QAbstractItemModelTester::FailureReportingMode::QtTest);
        TaskFilterProxy proxy;
        proxy.setTaskModel(&tasks);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

        MonitorSession *worker = two.watchBoth();
        QVERIFY(worker);
        QCOMPARE(table.rowCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(tasks.rowCount(), 5, 10000);
        QCOMPARE(tasks.columnCount(), int(TaskTableModel::COUNT));

        // Task 1 is in both sources: two rows, each with its source.
        QCOMPARE(tasks.rowOf(&primary, 1), 0);
        QCOMPARE(tasks.rowOf(worker, 1), 3);
        QCOMPARE(tasks.sessionAt(3), worker);
        QCOMPARE(tasks.idAt(3), 1u);
        QCOMPARE(tasks.index(3, TaskTableModel::SourceColumn).data().toString(), QStringLiteral("worker"));
        QCOMPARE(tasks.index(0, TaskTableModel::SourceColumn).data().toString(), QStringLiteral("api"));
        QCOMPARE(tasks.headerData(TaskTableModel::SourceColumn, Qt::Horizontal).toString(), QStringLiteral("Source"));

        QVERIFY(!proxy.setFilterExpression(QStringLiteral("source:worker")));
        QCOMPARE(proxy.rowCount(), 2);
        QVERIFY(!proxy.setFilterExpression(QStringLiteral("source~API phase:started")));
        QCOMPARE(proxy.rowCount(), 2); // tasks 1 and 2 of api (3 is queued)
        QVERIFY(!proxy.setFilterExpression(QString()));
        proxy.sort(TaskTableModel::SourceColumn, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, TaskTableModel::SourceColumn).data().toString(), QStringLiteral("worker"));

        // The Sources table: one row each, with its state and counts.
        QTRY_COMPARE_WITH_TIMEOUT(table.index(1, SourceTableModel::StateColumn).data().toString(), QStringLiteral("connected"), 10000);
        QCOMPARE(table.index(0, SourceTableModel::LabelColumn).data().toString(), QStringLiteral("api"));
        QCOMPARE(table.index(1, SourceTableModel::AddressColumn).data().toString(), two.nameB);
        QCOMPARE(table.index(0, SourceTableModel::LiveColumn).data().toString(), QStringLiteral("3"));
        QCOMPARE(table.index(0, SourceTableModel::RunningColumn).data().toString(), QStringLiteral("2"));
        QCOMPARE(table.index(1, SourceTableModel::LiveColumn).data().toString(), QStringLiteral("2"));
        QVERIFY(table.index(1, SourceTableModel::LastSeenColumn).data().toString().endsWith(QStringLiteral(" ago")));
        table.refresh();

        // The worker vanishes: lost there, nowhere else.
        two.worker->vanish();
        QTRY_COMPARE_WITH_TIMEOUT(table.index(1, SourceTableModel::StateColumn).data().toString(), QStringLiteral("lost"), 10000);
        QCOMPARE(table.index(1, SourceTableModel::StateColumn).data(SourceTableModel::StateRole).toInt(), int(SourceState::Lost));
        QCOMPARE(table.index(0, SourceTableModel::StateColumn).data().toString(), QStringLiteral("connected"));
        QTRY_COMPARE_WITH_TIMEOUT(worker->store().count(Phase::Lost), 2, 10000);
        QCOMPARE(primary.store().count(Phase::Lost), 0);

        // Removed: its rows go, in both tables.
        QVERIFY(sources.removeSource(1));
        QCOMPARE(table.rowCount(), 1);
        QCOMPARE(tasks.rowCount(), 3);
        QCOMPARE(proxy.rowCount(), 3);
    }

    void failureGroupsOfEverySource()
    {
        TwoSources two(0, 0);
        QVERIFY(two.api && two.worker);
        MonitorSession &primary = two.primary;
        SourceSet &sources = two.sources;
        FleetFailureModel groups(&sources);
        QAbstractItemModelTester tester(&groups, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(primary.watchSocket(two.nameA));
        sources.setPrimarySpec({.label = QStringLiteral("api"), .address = two.nameA});
        QTRY_COMPARE_WITH_TIMEOUT(primary.store().sourceStatus(), client::TaskStore::SourceStatus::Connected, 10000);
        const QByteArray failed = Lines::task(2, 1, "failed", 1'000'000, R"(,"error":{"type":"E","message":"down"})") + '\n';
        two.api->writeToAll(failed);
        QTRY_COMPARE_WITH_TIMEOUT(primary.failures().totalFailures(), 1, 10000);
        groups.syncAll();
        QCOMPARE(groups.rowCount(), 1);
        // One source: the group's tasks are found as they always were.
        QCOMPARE(groups.index(0, FailureGroupModel::NameColumn).data(FailureGroupModel::FilterExpressionRole).toString(),
                 QStringLiteral("phase:failed name:\"task-1\" error~E"));

        QString error;
        MonitorSession *worker = sources.addSource({.label = QStringLiteral("worker:2"), .address = two.nameB}, &error);
        QVERIFY2(worker, qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(worker->store().sourceStatus(), client::TaskStore::SourceStatus::Connected, 10000);
        two.worker->writeToAll(failed);
        QTRY_COMPARE_WITH_TIMEOUT(worker->failures().totalFailures(), 1, 10000);
        groups.syncAll();
        // The same name and error in two sources: a group each, each finding its own tasks.
        QCOMPARE(groups.rowCount(), 2);
        QCOMPARE(groups.index(1, FailureGroupModel::SourceColumn).data().toString(), QStringLiteral("worker:2"));
        QCOMPARE(groups.index(0, FailureGroupModel::NameColumn).data(FailureGroupModel::FilterExpressionRole).toString(),
                 QStringLiteral("source:api phase:failed name:\"task-1\" error~E"));
        QCOMPARE(groups.index(1, FailureGroupModel::NameColumn).data(FailureGroupModel::FilterExpressionRole).toString(),
                 QStringLiteral("source:\"worker:2\" phase:failed name:\"task-1\" error~E"));
        QVERIFY(sources.removeSource(1));
        QCOMPARE(groups.rowCount(), 1);
        QCOMPARE(groups.index(0, FailureGroupModel::SourceColumn).data().toString(), QString());
    }

    void theSourcesFlushTogether_data()
    {
        QTest::addColumn<int>("sliceMs");
        QTest::newRow("the default slice") << 10;
        QTest::newRow("the event loop between sources") << 0;
    }
    void theSourcesFlushTogether()
    {
        // Both sources receive lines all along: a flush round takes both (each session flushes,
        // then the set says so once: "|"), never one source twice. With no slice, the event loop
        // runs between them ("loop": posted when the api flushes).
        QFETCH(int, sliceMs);
        TwoSources two(1, 1);
        QVERIFY(two.api && two.worker);
        two.sources.setFlushSlice(std::chrono::milliseconds(sliceMs));
        QStringList events;
        connect(&two.primary, &MonitorSession::flushed, this, [this, &events] {
            events << QStringLiteral("api");
            QMetaObject::invokeMethod(this, [&events] { events << QStringLiteral("loop"); }, Qt::QueuedConnection);
        });
        connect(&two.sources, &SourceSet::flushed, this, [&events] { events << QStringLiteral("|"); });
        MonitorSession *worker = two.watchBoth();
        QVERIFY(worker);
        connect(worker, &MonitorSession::flushed, this, [&events] { events << QStringLiteral("worker"); });
        QTRY_VERIFY_WITH_TIMEOUT(two.primary.store().source() && worker->store().source(), 10000);

        quint64 seq = 2; // after the greeting's hello and snapshot
        QTimer feeder;
        feeder.setInterval(5);
        connect(&feeder, &QTimer::timeout, this, [&] {
            const QByteArray line = Lines::task(seq, seq + 100, "scheduled") + '\n';
            two.api->writeToAll(line);
            two.worker->writeToAll(line);
            ++seq;
        });
        // The rounds so far, each the sources it flushed ("loop" left out).
        const auto rounds = [&events] {
            QList<QStringList> out;
            for (const QString &round : events.join(u' ').split(u'|', Qt::SkipEmptyParts)) {
                QStringList flushed = round.split(u' ', Qt::SkipEmptyParts);
                flushed.removeAll(QStringLiteral("loop"));
                out.append(flushed);
            }
            return out;
        };
        const QStringList both{QStringLiteral("api"), QStringLiteral("worker")};
        events.clear();
        feeder.start();
        QTRY_VERIFY_WITH_TIMEOUT(rounds().contains(both), 10000);
        if (sliceMs == 0)
            QTRY_VERIFY_WITH_TIMEOUT(events.join(u' ').contains(QStringLiteral("api loop worker |")), 10000);
        feeder.stop();
        for (const QStringList &round : rounds()) {
            QVERIFY2(round.count(QStringLiteral("api")) <= 1 && round.count(QStringLiteral("worker")) <= 1,
                     qPrintable(events.join(u' ')));
        }
    }

    void aSourceRemovedMidRoundDoesNotEndTheRound()
    {
        // Three sources, the event loop between each two flushes of a round. The second is removed
        // after its flush, before the round reaches the third: the round still flushes the third.
        TwoSources two(1, 1);
        QVERIFY(two.api && two.worker);
        QString nameC;
        auto third = publisherWith(1, &nameC);
        QVERIFY(third);
        two.sources.setFlushSlice(std::chrono::milliseconds(0));
        MonitorSession *worker = two.watchBoth();
        QVERIFY(worker);
        QString error;
        MonitorSession *last = two.sources.addSource({.label = QStringLiteral("third"), .address = nameC}, &error);
        QVERIFY2(last, qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(two.primary.store().source() && worker->store().source() && last->store().source(), 10000);

        QStringList events;
        bool removed = false;
        connect(worker, &MonitorSession::flushed, this, [&] {
            events << QStringLiteral("worker");
            if (!removed) {
                removed = true; // after this flush, before the round goes on
                QMetaObject::invokeMethod(this, [&two] { QVERIFY(two.sources.removeSource(1)); }, Qt::QueuedConnection);
            }
        });
        connect(last, &MonitorSession::flushed, this, [&events] { events << QStringLiteral("third"); });
        connect(&two.sources, &SourceSet::flushed, this, [&events] { events << QStringLiteral("|"); });

        quint64 seq = 2; // after the greeting's hello and snapshot
        QTimer feeder;
        feeder.setInterval(5);
        connect(&feeder, &QTimer::timeout, this, [&] {
            const QByteArray line = Lines::task(seq, seq + 100, "scheduled") + '\n';
            two.api->writeToAll(line);
            if (!removed)
                two.worker->writeToAll(line);
            third->writeToAll(line);
            ++seq;
        });
        feeder.start();
        QTRY_VERIFY_WITH_TIMEOUT(removed && events.contains(QStringLiteral("|")) && events.indexOf(QStringLiteral("|")) > events.indexOf(QStringLiteral("worker")), 10000);
        feeder.stop();
        // The round of the worker's flush: from it to the next "|".
        const qsizetype from = events.indexOf(QStringLiteral("worker"));
        const QStringList round = events.mid(from, events.indexOf(QStringLiteral("|"), from) - from);
        QVERIFY2(round.contains(QStringLiteral("third")), qPrintable(events.join(u' ')));
        QCOMPARE(two.sources.count(), 2);
    }

    void thePrimaryFlushesByItselfOnceTheSetIsGone()
    {
        QString name;
        auto publisher = publisherWith(1, &name);
        QVERIFY(publisher);
        MonitorSession primary(SessionOptions{.flushInterval = 20ms});
        {
            SourceSet sources(&primary);
            QVERIFY(primary.watchSocket(name));
            QTRY_VERIFY_WITH_TIMEOUT(primary.store().source(), 10000);
        }
        publisher->writeToAll(Lines::task(2, 7, "scheduled") + '\n');
        QTRY_VERIFY_WITH_TIMEOUT(primary.store().task(7), 10000);
    }

    void eightSourcesOfManyTasksStayResponsive()
    {
        constexpr int Sources = 8;
        constexpr int TasksEach = 5000;
        std::vector<std::unique_ptr<testing::FakePublisher>> publishers;
        QStringList names;
        for (int i = 0; i < Sources; ++i) {
            QString name;
            publishers.push_back(publisherWith(TasksEach, &name));
            QVERIFY(publishers.back());
            names << name;
        }
        MonitorSession primary(SessionOptions{.flushInterval = 50ms});
        SourceSet sources(&primary);
        FleetTaskModel tasks(&sources);
        TaskFilterProxy proxy;
        proxy.setTaskModel(&tasks);
        proxy.sort(TaskTableModel::IdColumn, Qt::DescendingOrder);
        QVERIFY(primary.watchSocket(names.at(0)));
        sources.setPrimarySpec({.label = QStringLiteral("s0"), .address = names.at(0)});
        QString error;
        for (int i = 1; i < Sources; ++i)
            QVERIFY2(sources.addSource({.label = QStringLiteral("s%1").arg(i), .address = names.at(i)}, &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(tasks.rowCount(), Sources * TasksEach, 30000);
        QCOMPARE(proxy.rowCount(), Sources * TasksEach);

        QElapsedTimer clock;
        clock.start();
        proxy.sort(TaskTableModel::RunTimeColumn, Qt::AscendingOrder);
        const qint64 sortMs = clock.restart();
        QVERIFY(!proxy.setFilterExpression(QStringLiteral("source:s3 phase:started")));
        const qint64 filterMs = clock.restart();
        QCOMPARE(proxy.rowCount(), TasksEach - TasksEach / 3);
        QVERIFY(!proxy.setFilterExpression(QString()));
        clock.restart();
        // A batch of changes in every source: each store announces one change.
        for (const auto &publisher : publishers) {
            QByteArray batch;
            for (int id = 1; id <= 200; ++id)
                batch += Lines::task(1 + quint64(id), quint64(id), "succeeded") + '\n';
            publisher->writeToAll(batch);
        }
        QTRY_COMPARE_WITH_TIMEOUT(primary.store().count(Phase::Succeeded), 200, 10000);
        for (int i = 0; i < Sources; ++i)
            QTRY_COMPARE_WITH_TIMEOUT(sources.session(i)->store().count(Phase::Succeeded), 200, 10000);
        const qint64 updateMs = clock.restart();
        tasks.refreshLiveDurations();
        const qint64 tickMs = clock.elapsed();
        qInfo("%d sources x %d tasks: sort %lld ms, filter %lld ms, 8 update batches applied within %lld ms, live durations tick %lld ms",
              Sources, TasksEach, sortMs, filterMs, updateMs, tickMs);
        // Generous bounds: a shared 2-core machine, a debug build. What they catch is a blow-up.
        QVERIFY2(sortMs < 5000, "sorting 40,000 rows");
        QVERIFY2(filterMs < 5000, "filtering 40,000 rows");
        QVERIFY2(tickMs < 2000, "the one-second tick of live durations");
    }
};

QTEST_MAIN(tst_SourceSet)
#include "tst_sourceset.moc"
