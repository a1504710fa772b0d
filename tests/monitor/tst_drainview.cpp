// SPDX-License-Identifier: MIT
// The shutdown drain view fed a recorded shutdown (data/shutdown-drain.ndjson): as a recording
// (the end state: deadline reached, what finished, what was cancelled, what was abandoned), and
// replayed live through a socket with its times moved to now (the countdown, the tasks waited
// for, then the end).
#include "monitortestsupport.h"

#include "core/drainstate.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"
#include "models/drainmodel.h"
#include "widgets/drainview.h"

#include <QtCore/QDateTime>
#include <QtCore/QFile>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace afterwork;
using namespace afterwork::monitor;
using Outcome = DrainModel::Outcome;

class tst_DrainView : public QObject
{
    Q_OBJECT

private:
    static QList<QByteArray> recordedLines()
    {
        QFile file(QStringLiteral(AFTERWORK_MONITOR_TEST_DATA "/shutdown-drain.ndjson"));
        if (!file.open(QIODevice::ReadOnly))
            return {};
        QList<QByteArray> lines = file.readAll().split('\n');
        while (!lines.isEmpty() && lines.constLast().isEmpty())
            lines.removeLast();
        return lines;
    }
    static QString outcomeOf(const DrainModel &model, quint64 id)
    {
        for (int row = 0; row < model.rowCount(); ++row) {
            if (model.index(row, DrainModel::IdColumn).data().toString() == QString::number(id))
                return model.index(row, DrainModel::OutcomeColumn).data().toString();
        }
        return QStringLiteral("(absent)");
    }

private Q_SLOTS:
    void drainStateFollowsTheStages()
    {
        DrainState drain;
        QVERIFY(!drain.isActive());
        client::ShutdownEvent started{QStringLiteral("started"), 5'000, 2, 0, 0, 0};
        drain.apply(started, 1'000);
        QCOMPARE(drain.stage(), DrainState::Stage::Draining);
        QVERIFY(drain.sawStart());
        QCOMPARE(drain.startedUs(), 1'000);
        QCOMPARE(drain.remainingUs(2'000), 3'000);
        QCOMPARE(drain.remainingUs(9'000), 0);
        QVERIFY(drain.involves(0));      // live
        QVERIFY(drain.involves(1'500));  // ended during the shutdown
        QVERIFY(!drain.involves(999));   // ended before it
        client::ShutdownEvent finished{QStringLiteral("finished"), 5'000, 0, 1, 1, 0};
        drain.apply(finished, 4'000);
        QCOMPARE(drain.stage(), DrainState::Stage::Finished);
        QCOMPARE(drain.finishedUs(), 4'000);
        QCOMPARE(drain.remainingUs(2'000), 0);

        // A late joiner sees progress first: it is draining, without a known start.
        DrainState late;
        late.apply(client::ShutdownEvent{QStringLiteral("progress"), 5'000, 1, 0, 0, 0}, 3'000);
        QVERIFY(late.isActive());
        QVERIFY(!late.sawStart());
    }

    void recordedShutdownEndState()
    {
        MonitorSession session;
        SourceSet sources(&session);
        DrainView view(&sources);
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        connect(&session, &MonitorSession::flushed, &view, &DrainView::refresh);
        QSignalSpy started(&session, &MonitorSession::shutdownStarted);
        QSignalSpy ended(&session, &MonitorSession::recordingEnded);
        QVERIFY(view.isShowingPlaceholder());

        session.openRecording(QStringLiteral(AFTERWORK_MONITOR_TEST_DATA "/shutdown-drain.ndjson"));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 10000);
        QCOMPARE(started.count(), 1);
        QVERIFY(session.recordingSummary()->isClean());
        QVERIFY(!view.isShowingPlaceholder());

        // The engine's own counts, and how long it took against the deadline.
        QCOMPARE(view.countsText(), QStringLiteral("pending 0  ·  cancelled 2  ·  finished 2  ·  abandoned 1  ·  dropped 0"));
        QCOMPARE(view.countdownText(), QStringLiteral("deadline reached after 5.00 s"));
        QVERIFY2(view.stageText().startsWith(QStringLiteral("Shutdown finished at")), qPrintable(view.stageText()));

        // Every task live when it began, and what became of it; task 6 ended before: absent.
        const DrainModel &model = *view.model();
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(outcomeOf(model, 1), QStringLiteral("finished (failed)"));
        QCOMPARE(outcomeOf(model, 2), QStringLiteral("finished"));
        QCOMPARE(outcomeOf(model, 3), QStringLiteral("cancelled"));
        QCOMPARE(outcomeOf(model, 4), QStringLiteral("cancelled"));
        QCOMPARE(outcomeOf(model, 5), QStringLiteral("abandoned"));
        QCOMPARE(outcomeOf(model, 6), QStringLiteral("(absent)"));
        QCOMPARE(model.count(Outcome::Abandoned), 1);
        QCOMPARE(view.summaryText(),
                 QStringLiteral("2 task(s) finished while the shutdown waited, 2 were cancelled, 1 abandoned at the deadline: export_report (#5)."));
        // The abandoned task ran 10 s (its run_us), the cancelled queued one never ran.
        for (int row = 0; row < model.rowCount(); ++row) {
            if (model.index(row, DrainModel::IdColumn).data().toString() == QStringLiteral("5"))
                QCOMPARE(model.index(row, DrainModel::ElapsedColumn).data().toString(), QStringLiteral("10.0 s"));
        }
    }

    void recordedShutdownReplayedLive()
    {
        // The recording's times moved so that the shutdown began a second ago: deadline in 4 s.
        const QList<QByteArray> recorded = recordedLines();
        QCOMPARE(recorded.size(), 23);
        const qint64 recordedStart = 1'718'000'010'000'000;
        const qint64 offset = QDateTime::currentMSecsSinceEpoch() * 1000 - 1'000'000 - recordedStart;
        const QList<QByteArray> lines = monitortest::shiftTimes(recorded, offset);
        // Up to the line after resize_avatar succeeded (its progress line).
        qsizetype cut = 0;
        for (qsizetype i = 0; i < lines.size(); ++i) {
            if (lines.at(i).contains("\"resize_avatar\",\"phase\":\"succeeded\""))
                cut = i + 2;
        }
        QVERIFY(cut > 0);

        testing::FakePublisher server;
        const QString name = testing::uniqueSocketName("drain");
        QVERIFY(server.listen(name));
        server.setGreeting(testing::Lines::join(lines.first(cut)));

        MonitorSession session;
        SourceSet sources(&session);
        DrainView view(&sources);
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        connect(&session, &MonitorSession::flushed, &view, &DrainView::refresh);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        session.watchSocket(name);
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 5, 10000);

        // Mid-drain: the countdown runs against the wall clock.
        QVERIFY2(view.stageText().startsWith(QStringLiteral("Shutting down")), qPrintable(view.stageText()));
        static const QRegularExpression left(QStringLiteral(R"(^(\d+\.\d+) s left$)"));
        const QRegularExpressionMatch match = left.match(view.countdownText());
        QVERIFY2(match.hasMatch(), qPrintable(view.countdownText()));
        const double secondsLeft = match.captured(1).toDouble();
        QVERIFY2(secondsLeft > 1.0 && secondsLeft <= 4.0, qPrintable(view.countdownText()));
        QCOMPARE(view.countsText(), QStringLiteral("pending 2  ·  cancelled 2  ·  finished 1  ·  abandoned 0"));
        QCOMPARE(outcomeOf(*view.model(), 1), QStringLiteral("waited for"));
        QCOMPARE(outcomeOf(*view.model(), 5), QStringLiteral("waited for"));
        QCOMPARE(outcomeOf(*view.model(), 2), QStringLiteral("finished"));
        QCOMPARE(outcomeOf(*view.model(), 3), QStringLiteral("cancelled"));
        QCOMPARE(view.model()->count(Outcome::WaitedFor), 2);
        QVERIFY2(view.summaryText().startsWith(QStringLiteral("Waiting for 2 task(s)")), qPrintable(view.summaryText()));
        // The countdown moves by itself while draining.
        const QString before = view.countdownText();
        QTRY_VERIFY_WITH_TIMEOUT(view.countdownText() != before, 3000);

        // The rest: the shielded payment fails, the report is abandoned at the deadline.
        server.writeToAll(testing::Lines::join(lines.mid(cut)));
        QTRY_VERIFY_WITH_TIMEOUT(view.stageText().startsWith(QStringLiteral("Shutdown finished")), 10000);
        QCOMPARE(view.countdownText(), QStringLiteral("deadline reached after 5.00 s"));
        QCOMPARE(outcomeOf(*view.model(), 5), QStringLiteral("abandoned"));
        QCOMPARE(outcomeOf(*view.model(), 1), QStringLiteral("finished (failed)"));
        QVERIFY(view.summaryText().contains(QStringLiteral("1 abandoned at the deadline: export_report (#5)")));
    }

    void newRunClearsTheDrain()
    {
        // A shutdown, then the application starts again: the new run has no shutdown.
        monitortest::LineWriter first(QStringLiteral("run-one"));
        monitortest::LineWriter second(QStringLiteral("run-two"));
        const qint64 t0 = monitortest::T0;
        const QByteArray bytes = testing::Lines::join({first.hello(t0), first.snapshot(t0 + 1, {monitortest::LineWriter::taskObject(t0, 1, "started")}),
                                                       first.shutdown(t0 + 10, "started", t0 + 1000, 1, 0, 0, 0),
                                                       first.task(t0 + 20, 1, "succeeded"),
                                                       first.shutdown(t0 + 30, "finished", t0 + 1000, 0, 0, 1, 0),
                                                       first.bye(t0 + 40), second.hello(t0 + 100), second.snapshot(t0 + 101),
                                                       second.task(t0 + 102, 1, "scheduled"), second.bye(t0 + 200)});
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("two-runs.ndjson"));
        QVERIFY(monitortest::writeFile(path, bytes));
        MonitorSession session;
        SourceSet sources(&session);
        DrainView view(&sources);
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        connect(&session, &MonitorSession::flushed, &view, &DrainView::refresh);
        QSignalSpy ended(&session, &MonitorSession::recordingEnded);
        session.openRecording(path);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 10000);
        QCOMPARE(session.runNumber(), 2);
        QVERIFY(!session.drain().isActive());
        QCOMPARE(view.model()->rowCount(), 0);
        QVERIFY(view.isShowingPlaceholder());
    }
};

QTEST_MAIN(tst_DrainView)
#include "tst_drainview.moc"
