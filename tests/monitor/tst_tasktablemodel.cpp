// SPDX-License-Identifier: MIT
// The tasks table model: incremental inserts, changes and evictions from the store's batches,
// never a reset except when the store resets; always consistent (QAbstractItemModelTester).
#include "monitortestsupport.h"

#include "models/taskfilterproxy.h"
#include "models/tasktablemodel.h"

#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace afterwork;
using namespace afterwork::monitor;
using namespace afterwork::monitortest;

class tst_TaskTableModel : public QObject
{
    Q_OBJECT

private:
    static QList<quint64> ids(const TaskTableModel &model)
    {
        QList<quint64> out;
        for (int row = 0; row < model.rowCount(); ++row)
            out.append(model.index(row, TaskTableModel::IdColumn).data(TaskTableModel::TaskIdRole).toULongLong());
        return out;
    }

private Q_SLOTS:
    void columnsAndHeaders()
    {
        client::TaskStore store;
        TaskTableModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.columnCount(), int(TaskTableModel::COUNT));
        QCOMPARE(model.headerData(TaskTableModel::QueueWaitColumn, Qt::Horizontal).toString(), QStringLiteral("Queue wait"));
        QCOMPARE(model.headerData(TaskTableModel::ErrorColumn, Qt::Horizontal).toString(), QStringLiteral("Error"));
        QCOMPARE(model.rowCount(), 0);
    }

    void rowsAreInsertedChangedAndRemovedIncrementally()
    {
        client::TaskStore store(client::TaskStoreOptions{.finishedLimit = 3});
        TaskTableModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        LineWriter w;
        store.apply(parsed({w.hello(T0), w.snapshot(T0 + 1)}));
        QCOMPARE(model.rowCount(), 0);

        // One batch of five new tasks: one insertion.
        QList<QByteArray> batch;
        for (quint64 id = 1; id <= 5; ++id)
            batch << w.task(T0 + 10 * qint64(id), id, "scheduled");
        store.apply(parsed(batch));
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(ids(model), (QList<quint64>{1, 2, 3, 4, 5}));

        // Tasks 2 and 3 start: their rows change in place.
        changed.clear();
        store.apply(parsed({w.task(T0 + 100, 2, "started", {}, R"("started_us":1700000000000100)"),
                            w.task(T0 + 101, 3, "started", {}, R"("started_us":1700000000000101)")}));
        QCOMPARE(model.rowCount(), 5);
        QVERIFY(changed.count() >= 1);
        QCOMPARE(model.index(model.rowOf(2), TaskTableModel::PhaseColumn).data().toString(), QStringLiteral("started"));
        QCOMPARE(model.index(model.rowOf(2), TaskTableModel::PhaseColumn).data(TaskTableModel::PhaseRole).toInt(), int(Phase::Started));

        // Five tasks end; only three finished ones are kept: the two oldest finished are evicted.
        store.apply(parsed({w.task(T0 + 200, 1, "succeeded", {}, R"("wait_us":5,"run_us":7)"),
                            w.task(T0 + 201, 2, "failed", {}, R"("error":{"type":"E","message":"boom"},"run_us":101)"),
                            w.task(T0 + 202, 3, "cancelled"), w.task(T0 + 203, 4, "succeeded"), w.task(T0 + 204, 5, "dropped")}));
        QCOMPARE(store.finishedCount(), 3);
        QCOMPARE(ids(model), (QList<quint64>{3, 4, 5}));
        QVERIFY(removed.count() >= 1);
        QCOMPARE(resets.count(), 0); // never a reset for an update
        for (int row = 0; row < model.rowCount(); ++row)
            QCOMPARE(model.rowOf(model.idAt(row)), row);
    }

    void displayedValues()
    {
        client::TaskStore store;
        TaskTableModel model(&store);
        LineWriter w;
        store.apply(parsed({w.hello(T0), w.snapshot(T0 + 1),
                            w.task(T0 + 2'000, 7, "failed", "send_email",
                                   R"("shielded":true,"mode":"after_response","work":"async","attempt":3,"scheduled_us":1700000000000000,"started_us":1700000000000500,"error":{"type":"SmtpError","message":"421 later"},"wait_us":500,"run_us":1500)")}));
        const int row = model.rowOf(7);
        QVERIFY(row >= 0);
        auto text = [&](int column) { return model.index(row, column).data().toString(); };
        QCOMPARE(text(TaskTableModel::IdColumn), QStringLiteral("7"));
        QCOMPARE(text(TaskTableModel::NameColumn), QStringLiteral("send_email"));
        QCOMPARE(text(TaskTableModel::PhaseColumn), QStringLiteral("failed"));
        QCOMPARE(text(TaskTableModel::ShieldedColumn), QStringLiteral("shielded"));
        QCOMPARE(text(TaskTableModel::ModeColumn), QStringLiteral("after_response"));
        QCOMPARE(text(TaskTableModel::WorkColumn), QStringLiteral("async"));
        QCOMPARE(text(TaskTableModel::AttemptColumn), QStringLiteral("3"));
        QCOMPARE(text(TaskTableModel::QueueWaitColumn), QStringLiteral("500 µs"));
        QCOMPARE(text(TaskTableModel::RunTimeColumn), QStringLiteral("1.50 ms"));
        QCOMPARE(text(TaskTableModel::ErrorColumn), QStringLiteral("SmtpError: 421 later"));
        QCOMPARE(model.index(row, TaskTableModel::RunTimeColumn).data(TaskTableModel::SortRole).toLongLong(), 1500);
    }

    void liveDurationsGrowWithNow()
    {
        client::TaskStore store;
        TaskTableModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        LineWriter w;
        store.apply(parsed({w.hello(T0), w.snapshot(T0 + 1),
                            w.task(T0 + 1'000, 1, "started", {}, R"("scheduled_us":1700000000000000,"started_us":1700000000001000)")}));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.refreshLiveDurations(T0 + 2'001'000);
        QCOMPARE(changed.count(), 1);
        const QModelIndex topLeft = changed.first().at(0).toModelIndex();
        QCOMPARE(topLeft.column(), int(TaskTableModel::QueueWaitColumn));
        QCOMPARE(model.index(0, TaskTableModel::RunTimeColumn).data().toString(), QStringLiteral("2.00 s"));
        QCOMPARE(model.index(0, TaskTableModel::QueueWaitColumn).data().toString(), QStringLiteral("1.00 ms"));
    }

    void storeResetResetsTheModel()
    {
        client::TaskStore store;
        TaskTableModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        LineWriter first(QStringLiteral("run-a"));
        store.apply(parsed({first.hello(T0), first.snapshot(T0 + 1), first.task(T0 + 2, 1, "scheduled"), first.task(T0 + 3, 2, "scheduled")}));
        QCOMPARE(model.rowCount(), 2);

        // A hello from another instance mid-batch: the old run's rows go, the new run's arrive.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        LineWriter second(QStringLiteral("run-b"));
        store.apply(parsed({second.hello(T0 + 10), second.snapshot(T0 + 11), second.task(T0 + 12, 1, "started")}));
        QCOMPARE(resets.count(), 1);
        QCOMPARE(ids(model), (QList<quint64>{1}));
        QCOMPARE(model.index(0, TaskTableModel::PhaseColumn).data().toString(), QStringLiteral("started"));
    }

    void lostTasksStayAsLost()
    {
        client::TaskStore store;
        TaskTableModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        LineWriter w;
        store.apply(parsed({w.hello(T0), w.snapshot(T0 + 1), w.task(T0 + 2, 1, "started", {}, R"("started_us":1700000000000002)")}));
        store.markSourceLost(T0 + 5);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, TaskTableModel::PhaseColumn).data().toString(), QStringLiteral("lost"));
        QCOMPARE(model.index(0, TaskTableModel::LiveRole).data(TaskTableModel::LiveRole).toBool(), false);
    }

    void progressOfRunningTasks()
    {
        client::TaskStore store;
        TaskTableModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.headerData(TaskTableModel::ProgressColumn, Qt::Horizontal).toString(), QStringLiteral("Progress"));
        LineWriter w;
        const QByteArray started = R"("started_us":1700000000000001)";
        // Task 1 is known from the snapshot, progress included; the others report afterwards.
        store.apply(parsed({w.hello(T0), w.snapshot(T0 + 1, {LineWriter::taskObject(T0 + 1, 1, "started", {}, started + R"(,"progress":{"done":2,"total":10})")}),
                            w.task(T0 + 2, 2, "started", {}, started), w.task(T0 + 3, 3, "started", {}, started),
                            w.task(T0 + 4, 4, "started", {}, started)}));
        auto cell = [&](quint64 id, int role) { return model.index(model.rowOf(id), TaskTableModel::ProgressColumn).data(role); };
        QCOMPARE(cell(1, TaskTableModel::ProgressFractionRole).toDouble(), 0.2);
        QCOMPARE(cell(1, Qt::DisplayRole).toString(), QStringLiteral("20 %"));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        store.apply(parsed({w.progress(T0 + 10, 2, 3, 10, "page 3"), w.progress(T0 + 11, 3, 5, 0)}));
        bool progressCellChanged = false;
        for (const QList<QVariant> &args : std::as_const(changed)) {
            const QModelIndex from = args.at(0).toModelIndex();
            const QModelIndex to = args.at(1).toModelIndex();
            progressCellChanged = progressCellChanged
                || (from.row() <= model.rowOf(2) && model.rowOf(2) <= to.row() && from.column() <= TaskTableModel::ProgressColumn
                    && TaskTableModel::ProgressColumn <= to.column());
        }
        QVERIFY(progressCellChanged);
        QCOMPARE(cell(2, TaskTableModel::ProgressFractionRole).toDouble(), 0.3);
        QCOMPARE(cell(2, TaskTableModel::ProgressDoneRole).toLongLong(), 3);
        QCOMPARE(cell(2, TaskTableModel::ProgressTotalRole).toLongLong(), 10);
        QCOMPARE(cell(2, TaskTableModel::ProgressMessageRole).toString(), QStringLiteral("page 3"));
        QCOMPARE(cell(2, Qt::DisplayRole).toString(), QStringLiteral("30 %"));
        QCOMPARE(cell(2, Qt::ToolTipRole).toString(), QStringLiteral("3 / 10 (30 %) — page 3"));
        // An unknown total: no fraction, the count done.
        QCOMPARE(cell(3, TaskTableModel::ProgressFractionRole).toDouble(), -1.0);
        QCOMPARE(cell(3, Qt::DisplayRole).toString(), QStringLiteral("5 done"));
        // No progress at all: nothing to draw.
        QVERIFY(!cell(4, TaskTableModel::ProgressFractionRole).isValid());
        QCOMPARE(cell(4, Qt::DisplayRole).toString(), QString());

        // Sorting by the column orders by the fraction, unknown totals and no progress first.
        TaskFilterProxy proxy;
        proxy.setTaskModel(&model);
        proxy.sort(TaskTableModel::ProgressColumn, Qt::AscendingOrder);
        QList<quint64> sorted;
        for (int row = 0; row < proxy.rowCount(); ++row)
            sorted.append(proxy.index(row, 0).data(TaskTableModel::TaskIdRole).toULongLong());
        QCOMPARE(sorted, (QList<quint64>{4, 3, 1, 2}));

        // An ended task keeps where it stopped, and says so.
        store.apply(parsed({w.task(T0 + 20, 2, "failed", {}, started + R"(,"error":{"type":"E","message":"m"})")}));
        QCOMPARE(cell(2, TaskTableModel::LiveRole).toBool(), false);
        QCOMPARE(cell(2, TaskTableModel::ProgressFractionRole).toDouble(), 0.3);
        QVERIFY(cell(2, Qt::ToolTipRole).toString().contains(QStringLiteral("the last value reported")));
    }

    void manyBatchesStayConsistent()
    {
        // A long random-ish run through a small history: the tester checks every signal.
        client::TaskStore store(client::TaskStoreOptions{.finishedLimit = 50});
        TaskTableModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        LineWriter w;
        store.apply(parsed({w.hello(T0), w.snapshot(T0 + 1)}));
        quint64 next = 1;
        for (int round = 0; round < 40; ++round) {
            QList<QByteArray> batch;
            for (int i = 0; i < 7; ++i, ++next)
                batch << w.task(T0 + qint64(next) * 10, next, "scheduled");
            // End every third live task, oldest first, some out of order.
            for (quint64 id = next - 7; id < next; id += 3)
                batch << w.task(T0 + qint64(id) * 10 + 5, id, (id % 2) ? "succeeded" : "failed");
            if (next > 20)
                batch << w.task(T0 + qint64(next) * 10 + 6, next - 20, "succeeded");
            store.apply(parsed(batch));
            QCOMPARE(model.rowCount(), int(store.liveCount() + store.finishedCount()));
        }
        QCOMPARE(resets.count(), 0);
        for (int row = 0; row < model.rowCount(); ++row) {
            QVERIFY(model.taskAt(row));
            QCOMPARE(model.rowOf(model.idAt(row)), row);
        }
    }
};

QTEST_MAIN(tst_TaskTableModel)
#include "tst_tasktablemodel.moc"
