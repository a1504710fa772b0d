// SPDX-License-Identifier: MIT
// Failure grouping: by task name (generated "#id" names folded) and error type, with counts,
// first and last seen and the latest message; the model stays consistent, and a group's filter
// selects exactly its tasks.
#include "monitortestsupport.h"

#include "core/failuregroups.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"
#include "models/failuregroupmodel.h"
#include "models/fleetfailuremodel.h"
#include "models/taskfilterproxy.h"
#include "models/tasktablemodel.h"
#include "widgets/failuresview.h"

#include <QtCore/QTemporaryDir>
#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWidgets/QTableView>

#include <algorithm>

using namespace afterwork;
using namespace afterwork::monitor;
using namespace afterwork::monitortest;

class tst_FailureGroups : public QObject
{
    Q_OBJECT

private:
    static client::TaskRecord failed(quint64 id, const QString &name, const QString &type, const QString &message)
    {
        client::TaskRecord task;
        task.id = id;
        task.name = name;
        task.phase = Phase::Failed;
        if (!type.isNull())
            task.error = client::ErrorInfo{type, message};
        return task;
    }

private Q_SLOTS:
    void groupsByNameAndErrorType()
    {
        FailureGroups groups;
        groups.addFailure(failed(1, "send_email", "SmtpError", "421"), T0 + 100);
        groups.addFailure(failed(2, "send_email", "SmtpError", "550 no such user"), T0 + 300);
        groups.addFailure(failed(3, "send_email", "std::runtime_error", "dns"), T0 + 200);
        groups.addFailure(failed(4, "charge_card", "SmtpError", "odd"), T0 + 250);
        // Out of order: an earlier failure arriving late moves first-seen, not the latest message.
        groups.addFailure(failed(5, "send_email", "SmtpError", "early"), T0 + 50);

        QCOMPARE(groups.totalFailures(), 5);
        QCOMPARE(groups.groups().size(), 3);
        const qsizetype smtp = groups.indexOf("send_email", "SmtpError");
        QVERIFY(smtp >= 0);
        const FailureGroup &group = groups.groups().at(smtp);
        QCOMPARE(group.count, 3);
        QCOMPARE(group.firstSeenUs, T0 + 50);
        QCOMPARE(group.lastSeenUs, T0 + 300);
        QCOMPARE(group.latestMessage, QStringLiteral("550 no such user"));
        QCOMPARE(group.latestTaskId, 2u);
        QCOMPARE(groups.groups().at(groups.indexOf("send_email", "std::runtime_error")).count, 1);
        QCOMPARE(groups.groups().at(groups.indexOf("charge_card", "SmtpError")).count, 1);
        QCOMPARE(groups.indexOf("charge_card", "std::runtime_error"), -1);
    }

    void generatedNamesFoldIntoOneGroup()
    {
        QCOMPARE(FailureGroups::groupName("generatePdf#17"), QStringLiteral("generatePdf#…"));
        QCOMPARE(FailureGroups::groupName("job#v2"), QStringLiteral("job#v2"));
        QCOMPARE(FailureGroups::groupName("#12"), QStringLiteral("#12"));
        QCOMPARE(FailureGroups::groupName("plain"), QStringLiteral("plain"));
        FailureGroups groups;
        groups.addFailure(failed(17, "generatePdf#17", "E", "a"), T0);
        groups.addFailure(failed(18, "generatePdf#18", "E", "b"), T0 + 1);
        QCOMPARE(groups.groups().size(), 1);
        QCOMPARE(groups.groups().constFirst().name, QStringLiteral("generatePdf#…"));
        QCOMPARE(groups.groups().constFirst().count, 2);
    }

    void failuresWithoutErrorObject()
    {
        FailureGroups groups;
        groups.addFailure(failed(1, "x", QString(), QString()), T0);
        QCOMPARE(groups.indexOf("x", QString()), 0);
        FailureGroupModel model(&groups);
        model.sync();
        QCOMPARE(model.index(0, FailureGroupModel::ErrorTypeColumn).data().toString(), QStringLiteral("(no error type)"));
        QCOMPARE(FailureGroups::filterExpression(groups.groups().constFirst()), QStringLiteral("phase:failed name:x"));
    }

    void boundedNumberOfGroups()
    {
        FailureGroups groups(2);
        groups.addFailure(failed(1, "a", "E", "m"), T0);
        groups.addFailure(failed(2, "b", "E", "m"), T0);
        groups.addFailure(failed(3, "c", "E", "m"), T0);
        groups.addFailure(failed(4, "a", "E", "m"), T0);
        QCOMPARE(groups.groups().size(), 2);
        QCOMPARE(groups.totalFailures(), 4);
        QCOMPARE(groups.overflowCount(), 1);
        QCOMPARE(groups.groups().at(0).count, 2);
    }

    void modelUpdatesIncrementally()
    {
        FailureGroups groups;
        FailureGroupModel model(&groups);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

        groups.addFailure(failed(1, "a", "E1", "m1"), T0);
        groups.addFailure(failed(2, "b", "E1", "m2"), T0 + 1);
        model.sync();
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(changed.count(), 0);

        groups.addFailure(failed(3, "b", "E1", "m3"), T0 + 2);
        groups.addFailure(failed(4, "c", "E2", "m4"), T0 + 3);
        model.sync();
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.constFirst().at(0).toModelIndex().row(), 1);
        QCOMPARE(model.index(1, FailureGroupModel::CountColumn).data().toString(), QStringLiteral("2"));
        QCOMPARE(model.index(1, FailureGroupModel::MessageColumn).data().toString(), QStringLiteral("m3"));
        QCOMPARE(resets.count(), 0);

        groups.clear(); // a new run
        groups.addFailure(failed(1, "z", "E", "m"), T0 + 10);
        model.sync();
        QCOMPARE(resets.count(), 1);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, FailureGroupModel::NameColumn).data().toString(), QStringLiteral("z"));
    }

    void groupFilterSelectsExactlyItsTasks_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QList<quint64>>("expected");
        QTest::newRow("plain") << QStringLiteral("send_email") << QStringLiteral("SmtpError") << QList<quint64>{1, 4};
        QTest::newRow("type with colons") << QStringLiteral("send_email") << QStringLiteral("std::runtime_error") << QList<quint64>{2};
        QTest::newRow("name with a space") << QStringLiteral("send email") << QStringLiteral("E \"quoted\"") << QList<quint64>{5};
        QTest::newRow("generated names") << QStringLiteral("generatePdf#…") << QStringLiteral("E") << QList<quint64>{6, 7};
    }
    void groupFilterSelectsExactlyItsTasks()
    {
        QFETCH(QString, name);
        QFETCH(QString, type);
        QFETCH(QList<quint64>, expected);

        // Through the session, as the dashboard does: a recording of failures (and a success
        // with the same name, which the filter must leave out).
        LineWriter w;
        const QList<QByteArray> lines{
            w.hello(T0), w.snapshot(T0 + 1),
            w.task(T0 + 10, 1, "failed", "send_email", R"("error":{"type":"SmtpError","message":"421"})"),
            w.task(T0 + 11, 2, "failed", "send_email", R"("error":{"type":"std::runtime_error","message":"dns"})"),
            w.task(T0 + 12, 3, "succeeded", "send_email"),
            w.task(T0 + 13, 4, "failed", "send_email", R"("error":{"type":"SmtpError","message":"550"})"),
            w.task(T0 + 14, 5, "failed", "send email", "\"error\":{\"type\":\"E \\\"quoted\\\"\",\"message\":\"x\"}"),
            w.task(T0 + 15, 6, "failed", "generatePdf#6", R"("error":{"type":"E","message":"x"})"),
            w.task(T0 + 16, 7, "failed", "generatePdf#7", R"("error":{"type":"E","message":"x"})"),
            w.task(T0 + 17, 8, "failed", "generatePdf#8", R"("error":{"type":"X1","message":"x"})"),
            w.bye(T0 + 20)};
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("failures.ndjson"));
        QVERIFY(monitortest::writeFile(path, testing::Lines::join(lines)));
        MonitorSession session;
        QSignalSpy ended(&session, &MonitorSession::recordingEnded);
        session.openRecording(path);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 10000);

        const qsizetype index = session.failures().indexOf(name, type);
        QVERIFY(index >= 0);
        const QString expression = FailureGroups::filterExpression(session.failures().groups().at(index));
        TaskTableModel model(&session.store());
        TaskFilterProxy proxy;
        proxy.setTaskModel(&model);
        const auto error = proxy.setFilterExpression(expression);
        QVERIFY2(!error, qPrintable(expression + QStringLiteral(": ") + (error ? error->toString() : QString())));
        QList<quint64> shown;
        for (int row = 0; row < proxy.rowCount(); ++row)
            shown.append(proxy.index(row, 0).data(TaskTableModel::TaskIdRole).toULongLong());
        std::sort(shown.begin(), shown.end());
        QCOMPARE(shown, expected);
    }

    void clickingAGroupAsksForItsTasks()
    {
        LineWriter w;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.ndjson"));
        QVERIFY(monitortest::writeFile(path, testing::Lines::join({w.hello(T0), w.snapshot(T0 + 1),
                                                                   w.task(T0 + 2, 1, "failed", "a", R"("error":{"type":"E1","message":"m"})"),
                                                                   w.task(T0 + 3, 2, "failed", "b", R"("error":{"type":"E2","message":"m"})"),
                                                                   w.task(T0 + 4, 3, "failed", "b", R"("error":{"type":"E2","message":"m"})"),
                                                                   w.bye(T0 + 5)})));
        MonitorSession session;
        SourceSet sources(&session);
        FailuresView view(&sources);
        connect(&session, &MonitorSession::flushed, &view, &FailuresView::refresh);
        view.resize(800, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy ended(&session, &MonitorSession::recordingEnded);
        session.openRecording(path);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 10000);
        QCOMPARE(view.model()->rowCount(), 2);
        // Sorted by count: b/E2 (2) first.
        QTableView *table = view.table();
        QCOMPARE(table->model()->index(0, FailureGroupModel::NameColumn).data().toString(), QStringLiteral("b"));
        QSignalSpy requested(&view, &FailuresView::showTasksRequested);
        const QRect cell = table->visualRect(table->model()->index(0, FailureGroupModel::CountColumn));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.constFirst().constFirst().toString(), QStringLiteral("phase:failed name:b error~E2"));
    }
};

QTEST_MAIN(tst_FailureGroups)
#include "tst_failuregroups.moc"
