// SPDX-License-Identifier: MIT
// The tasks table's filter: the grammar of docs/filter.md applied to the model, sorting, and a
// rejected expression that leaves the previous filter in place.
#include "monitortestsupport.h"

#include "models/taskfilterproxy.h"
#include "models/tasktablemodel.h"

#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QTest>

#include <algorithm>

using namespace afterwork;
using namespace afterwork::monitor;
using namespace afterwork::monitortest;

class tst_TaskFilterProxy : public QObject
{
    Q_OBJECT

private:
    //! Ten tasks covering every field the grammar looks at.
    static void fill(client::TaskStore &store)
    {
        LineWriter w;
        store.apply(parsed({
            w.hello(T0), w.snapshot(T0 + 1),
            w.task(T0 + 10, 1, "succeeded", "send_email", R"("mode":"after_response","run_us":30)"),
            w.task(T0 + 11, 2, "failed", "send_email", R"("mode":"after_response","error":{"type":"SmtpError","message":"timeout talking to smtp"},"run_us":50)"),
            w.task(T0 + 12, 3, "failed", "charge_card", R"("shielded":true,"mode":"after_route","error":{"type":"std::runtime_error","message":"gateway 503"},"request":7,"run_us":20)"),
            w.task(T0 + 13, 4, "cancelled", "reindex", R"("work":"async")"),
            w.task(T0 + 14, 5, "started", "reindex", R"("work":"async","started_us":1700000000000014)"),
            w.task(T0 + 15, 6, "scheduled", "send email", R"("request":7)"),
            w.task(T0 + 16, 7, "shutdown_pending", "charge_card", R"("shielded":true,"started_us":1700000000000016)"),
            w.task(T0 + 17, 8, "abandoned", "heartbeat_ping", R"("shielded":true,"run_us":900)"),
            w.task(T0 + 18, 9, "dropped", "std::vector", R"("error":{"type":"EngineShutDownError","message":"engine stopped"})"),
            w.task(T0 + 19, 10, "retrying", "charge_card", R"("attempt":2,"error":{"type":"std::runtime_error","message":"connection reset by peer"})"),
        }));
    }

    static QList<quint64> shownIds(const TaskFilterProxy &proxy)
    {
        QList<quint64> ids;
        for (int row = 0; row < proxy.rowCount(); ++row)
            ids.append(proxy.index(row, 0).data(TaskTableModel::TaskIdRole).toULongLong());
        std::sort(ids.begin(), ids.end());
        return ids;
    }

private Q_SLOTS:
    void grammar_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QList<quint64>>("expected");
        using Ids = QList<quint64>;
        QTest::newRow("empty: everything") << QString() << Ids{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        QTest::newRow("name contains") << QStringLiteral("name~EMAIL") << Ids{1, 2, 6};
        QTest::newRow("bare word") << QStringLiteral("card") << Ids{3, 7, 10};
        QTest::newRow("name exact") << QStringLiteral("name:send_email") << Ids{1, 2};
        QTest::newRow("quoted name") << QStringLiteral("name:\"send email\"") << Ids{6};
        QTest::newRow("quoted bare word with colons") << QStringLiteral("\"std::vector\"") << Ids{9};
        QTest::newRow("phase list") << QStringLiteral("phase:failed,cancelled") << Ids{2, 3, 4};
        QTest::newRow("live phases") << QStringLiteral("phase:started,scheduled,shutdown_pending,retrying") << Ids{5, 6, 7, 10};
        QTest::newRow("shielded") << QStringLiteral("shielded:true") << Ids{3, 7, 8};
        QTest::newRow("mode") << QStringLiteral("mode:after_response") << Ids{1, 2};
        QTest::newRow("work") << QStringLiteral("work:async") << Ids{4, 5};
        QTest::newRow("ids") << QStringLiteral("id:1,3,99") << Ids{1, 3};
        QTest::newRow("request") << QStringLiteral("request:7") << Ids{3, 6};
        QTest::newRow("error text in message") << QStringLiteral("error~timeout") << Ids{2};
        QTest::newRow("error text in type") << QStringLiteral("error~runtime_error") << Ids{3, 10};
        QTest::newRow("negation") << QStringLiteral("-name~heartbeat -error~\"connection reset\"")
                                  << Ids{1, 2, 3, 4, 5, 6, 7, 9};
        QTest::newRow("all at once") << QStringLiteral("name~card phase:failed shielded:true mode:after_route") << Ids{3};
        QTest::newRow("nothing") << QStringLiteral("name:nobody") << Ids{};
        QTest::newRow("a failure group's filter") << QStringLiteral("phase:failed name:charge_card error~\"std::runtime_error\"") << Ids{3};
    }
    void grammar()
    {
        QFETCH(QString, expression);
        QFETCH(QList<quint64>, expected);
        client::TaskStore store;
        TaskTableModel model(&store);
        TaskFilterProxy proxy;
        proxy.setTaskModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        fill(store);
        const auto error = proxy.setFilterExpression(expression);
        QVERIFY2(!error, error ? qPrintable(error->toString()) : "");
        QCOMPARE(shownIds(proxy), expected);
    }

    void rejectedExpressionKeepsTheFilter_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown field") << QStringLiteral("phaze:failed") << QStringLiteral("unknown field 'phaze'");
        QTest::newRow("unknown phase") << QStringLiteral("phase:faild") << QStringLiteral("unknown phase 'faild'");
        QTest::newRow("contains on id") << QStringLiteral("id~4") << QString();
        QTest::newRow("open quote") << QStringLiteral("name:\"send") << QString();
    }
    void rejectedExpressionKeepsTheFilter()
    {
        QFETCH(QString, expression);
        QFETCH(QString, message);
        client::TaskStore store;
        TaskTableModel model(&store);
        TaskFilterProxy proxy;
        proxy.setTaskModel(&model);
        fill(store);
        QVERIFY(!proxy.setFilterExpression(QStringLiteral("phase:failed")));
        QCOMPARE(shownIds(proxy), (QList<quint64>{2, 3}));
        const auto error = proxy.setFilterExpression(expression);
        QVERIFY(error.has_value());
        QVERIFY2(error->toString().contains(message), qPrintable(error->toString()));
        QVERIFY(error->toString().startsWith(QStringLiteral("column ")));
        QCOMPARE(shownIds(proxy), (QList<quint64>{2, 3})); // unchanged
        QCOMPARE(proxy.taskFilter().expression(), QStringLiteral("phase:failed"));
    }

    void typingAnExpressionCharacterByCharacter()
    {
        // As the search box applies it: every prefix, valid or not, then the whole.
        client::TaskStore store;
        TaskTableModel model(&store);
        TaskFilterProxy proxy;
        proxy.setTaskModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(TaskTableModel::IdColumn, Qt::DescendingOrder);
        fill(store);
        const QString expression = QStringLiteral("phase:failed");
        for (qsizetype length = 1; length <= expression.size(); ++length)
            proxy.setFilterExpression(expression.left(length));
        QCOMPARE(proxy.taskFilter().expression(), expression);
        QCOMPARE(shownIds(proxy), (QList<quint64>{2, 3}));
    }

    void newTasksAreFilteredAsTheyArrive()
    {
        client::TaskStore store;
        TaskTableModel model(&store);
        TaskFilterProxy proxy;
        proxy.setTaskModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        fill(store);
        QVERIFY(!proxy.setFilterExpression(QStringLiteral("phase:failed")));
        LineWriter w;
        // Task 5 (started) fails: it joins the filtered rows; a new failed task too.
        store.apply(parsed({w.task(T0 + 100, 5, "failed", "reindex", R"("work":"async","error":{"type":"E","message":"m"})"),
                            w.task(T0 + 101, 11, "failed", "new")}));
        QCOMPARE(shownIds(proxy), (QList<quint64>{2, 3, 5, 11}));
    }

    void sortsByTheColumnsValue()
    {
        client::TaskStore store;
        TaskTableModel model(&store);
        TaskFilterProxy proxy;
        proxy.setTaskModel(&model);
        fill(store);
        QVERIFY(!proxy.setFilterExpression(QStringLiteral("phase:succeeded,failed,abandoned")));
        proxy.sort(TaskTableModel::RunTimeColumn, Qt::DescendingOrder);
        QList<quint64> order;
        for (int row = 0; row < proxy.rowCount(); ++row)
            order.append(proxy.index(row, 0).data(TaskTableModel::TaskIdRole).toULongLong());
        QCOMPARE(order, (QList<quint64>{8, 2, 1, 3})); // 900, 50, 30, 20 µs
        proxy.sort(TaskTableModel::NameColumn, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, TaskTableModel::NameColumn).data().toString(), QStringLiteral("charge_card"));
    }
};

QTEST_MAIN(tst_TaskFilterProxy)
#include "tst_taskfilterproxy.moc"
