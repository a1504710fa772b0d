// SPDX-License-Identifier: MIT
// The session behind the dashboard: events reach the store in batches on a timer (never one
// change per event), derived data (history, throughput, run times, requests, log) follows the
// stream, memory stays bounded, and recordings are read, summarised and saved faithfully, also
// when malformed or truncated.
#include "monitortestsupport.h"

#include "core/batchthrottler.h"
#include "core/monitorsession.h"
#include "core/runtimehistogram.h"
#include "core/taskcsv.h"
#include "core/throughputseries.h"
#include "models/sessionlogmodel.h"
#include "models/taskhistorymodel.h"

#include <QtCore/QFile>
#include <QtCore/QTemporaryDir>
#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace afterwork;
using namespace afterwork::monitor;
using namespace afterwork::monitortest;

class tst_MonitorSession : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        return monitortest::writeFile(path, bytes) ? path : QString();
    }
    //! Opens \a path in \a session and waits for its end.
    //! Waits for the end of the recording: a bound for a hang, not a speed test (the dashboard's
    //! load time is a benchmark, bench_dashboard); generous for the sanitizer builds.
    static bool readAll(MonitorSession &session, const QString &path, int timeoutMs = 20000)
    {
        QSignalSpy ended(&session, &MonitorSession::recordingEnded);
        session.openRecording(path);
        return QTest::qWaitFor([&] { return ended.count() > 0; }, timeoutMs);
    }

private Q_SLOTS:
    void throttlerFiresOncePerInterval()
    {
        BatchThrottler throttler(std::chrono::milliseconds(30));
        QSignalSpy fired(&throttler, &BatchThrottler::triggered);
        for (int i = 0; i < 1000; ++i)
            throttler.poke();
        QVERIFY(throttler.isPending());
        QCOMPARE(fired.count(), 0); // not per poke
        QTRY_COMPARE_WITH_TIMEOUT(fired.count(), 1, 2000);
        QVERIFY(!throttler.isPending());
        throttler.poke();
        throttler.flushNow();
        QCOMPARE(fired.count(), 2);
        throttler.flushNow(); // nothing pending: nothing fires
        QCOMPARE(fired.count(), 2);
    }

    void eventsReachTheStoreInBatches()
    {
        // 3,000 events over a socket: a handful of store changes, not thousands.
        testing::FakePublisher server;
        const QString name = testing::uniqueSocketName("batches");
        QVERIFY(server.listen(name));
        LineWriter w;
        QList<QByteArray> lines{w.hello(T0), w.snapshot(T0 + 1)};
        for (quint64 id = 1; id <= 1000; ++id) {
            lines << w.task(T0 + qint64(id) * 100, id, "scheduled") << w.task(T0 + qint64(id) * 100 + 10, id, "started", {}, R"("started_us":1)")
                  << w.task(T0 + qint64(id) * 100 + 50, id, "succeeded", {}, R"("wait_us":10,"run_us":40)");
        }
        server.setGreeting(testing::Lines::join(lines));

        MonitorSession session(SessionOptions{.flushInterval = std::chrono::milliseconds(50)});
        QSignalSpy changes(&session.store(), &client::TaskStore::changed);
        QSignalSpy flushes(&session, &MonitorSession::flushed);
        session.watchSocket(name);
        QTRY_COMPARE_WITH_TIMEOUT(session.store().count(Phase::Succeeded), 1000, 10000);
        QVERIFY2(changes.count() <= 20, qPrintable(QString::number(changes.count())));
        QCOMPARE(changes.count(), flushes.count());
        QCOMPARE(session.linesReceived(), 3002);
        QCOMPARE(session.runTimes().count(), 1000);
        QCOMPARE(session.runTimes().percentile(0.5), 40);
        QCOMPARE(session.runNumber(), 1);
        // What was received is kept for File > Save recording, byte for byte.
        QCOMPARE(session.recording().bytes(), testing::Lines::join(lines));
        session.closeSource();
    }

    void derivedDataFollowsTheStream()
    {
        LineWriter w;
        const QString path = write(QStringLiteral("derived.ndjson"),
                                   testing::Lines::join({
                                       w.hello(T0), w.snapshot(T0 + 1, {LineWriter::taskObject(T0, 1, "started", "early", R"("started_us":1700000000000000)")}),
                                       w.request(T0 + 5, 7),
                                       w.task(T0 + 1'000'000, 2, "scheduled", "mail", R"("request":7)"),
                                       w.task(T0 + 1'000'010, 2, "started", "mail", R"("request":7,"started_us":1700000001000010)"),
                                       w.task(T0 + 1'000'100, 2, "retrying", "mail", R"("request":7,"attempt":2,"error":{"type":"Smtp","message":"421"})"),
                                       w.task(T0 + 1'500'000, 2, "failed", "mail", R"("request":7,"attempt":2,"error":{"type":"Smtp","message":"550"},"run_us":499990)"),
                                       w.task(T0 + 2'000'000, 1, "succeeded", "early", R"("run_us":2000000)"),
                                       w.heartbeat(T0 + 2'000'001, 0),
                                       w.bye(T0 + 2'000'002),
                                   }));
        MonitorSession session;
        QVERIFY(readAll(session, path));
        QVERIFY(session.recordingSummary()->isClean());

        // History with error details, oldest first; the snapshot step is marked as such.
        const QList<HistoryEntry> *mail = session.history().steps(2);
        QVERIFY(mail);
        QCOMPARE(mail->size(), 4);
        QCOMPARE(mail->at(2).phase, Phase::Retrying);
        QCOMPARE(mail->at(2).attempt, 2);
        QCOMPARE(mail->at(2).error->message, QStringLiteral("421"));
        QCOMPARE(mail->at(3).error->message, QStringLiteral("550"));
        QVERIFY(session.history().steps(1)->constFirst().fromSnapshot);

        QCOMPARE(session.failures().totalFailures(), 1);
        QCOMPARE(session.failures().groups().constFirst().errorType, QStringLiteral("Smtp"));
        QCOMPARE(session.requests().total(), 1);
        QCOMPARE(session.requests().markers().front().request.requestId, 7u);
        QCOMPARE(session.runTimes().count(), 2);
        QCOMPARE(session.runTimes().max(), 2'000'000);
        // Throughput by second of the source's clock.
        const QList<ThroughputSeries::Second> seconds = session.throughput().lastSeconds((T0 + 2'000'000) / 1'000'000, 3);
        QCOMPARE(seconds.at(1).scheduled, 1);
        QCOMPARE(seconds.at(1).failed, 1);
        QCOMPARE(seconds.at(2).succeeded, 1);
        QVERIFY(session.store().lastHeartbeat().has_value());
        QCOMPARE(session.nowUs(), T0 + 2'000'002); // a recording's "now" is its latest time

        // The history model shows the selected task's steps, and follows new ones.
        TaskHistoryModel history(&session.history());
        QAbstractItemModelTester tester(&history, QAbstractItemModelTester::FailureReportingMode::QtTest);
        history.setTaskId(2);
        QCOMPARE(history.rowCount(), 4);
        QCOMPARE(history.index(2, TaskHistoryModel::DetailColumn).data().toString(), QStringLiteral("Smtp: 421"));
        QCOMPARE(history.index(3, TaskHistoryModel::PhaseColumn).data().toString(), QStringLiteral("failed"));
        history.setTaskId(1);
        QCOMPARE(history.rowCount(), 2);
        QVERIFY(history.index(0, TaskHistoryModel::DetailColumn).data().toString().contains(QStringLiteral("snapshot")));
    }

    void historyIsBoundedAndModelFollowsIt()
    {
        TaskHistory history(4);
        TaskHistoryModel model(&history);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        client::TaskRecord step;
        step.id = 9;
        step.phase = Phase::Scheduled;
        step.tsUs = 1;
        history.add(step, false);
        model.setTaskId(9);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(resets.count(), 1); // choosing a task
        for (int attempt = 2; attempt <= 9; ++attempt) {
            step.phase = Phase::Retrying;
            step.attempt = attempt;
            step.tsUs = attempt;
            history.add(step, false);
            history.add(step, true); // a snapshot repeating the same step adds nothing
            model.sync();
        }
        QCOMPARE(history.steps(9)->size(), 4);
        QCOMPARE(history.steps(9)->constFirst().phase, Phase::Scheduled); // how it began is kept
        QCOMPARE(history.steps(9)->constLast().attempt, 9);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.index(3, TaskHistoryModel::AttemptColumn).data().toInt(), 9);
        QCOMPARE(resets.count(), 1); // followed without resets
        history.remove(9);
        model.sync();
        QCOMPARE(model.rowCount(), 0);
    }

    void finishedTasksAreBoundedCountersExact()
    {
        LineWriter w;
        QList<QByteArray> lines{w.hello(T0), w.snapshot(T0 + 1)};
        for (quint64 id = 1; id <= 500; ++id)
            lines << w.task(T0 + qint64(id) * 10, id, id % 5 ? "succeeded" : "failed", {}, R"("error":{"type":"E","message":"m"})");
        lines << w.bye(T0 + 10'000);
        MonitorSession session(SessionOptions{.finishedLimit = 50, .historyPerTask = 8});
        QVERIFY(readAll(session, write(QStringLiteral("bounded.ndjson"), testing::Lines::join(lines))));
        QCOMPARE(session.store().finishedCount(), 50);
        QCOMPARE(session.store().count(Phase::Succeeded), 400);
        QCOMPARE(session.store().count(Phase::Failed), 100);
        QCOMPARE(session.failures().totalFailures(), 100);
        QCOMPARE(session.history().taskCount(), 50); // evicted tasks' steps go too
        QVERIFY(!session.history().steps(1));
        QVERIFY(session.history().steps(500));
    }

    void malformedAndTruncatedRecordings()
    {
        LineWriter w;
        QByteArray bytes = testing::Lines::join({w.hello(T0), w.snapshot(T0 + 1), w.task(T0 + 2, 1, "started", {}, R"("started_us":1700000000000002)")});
        bytes += "{\"v\":1,\"seq\":3,\"ts_us\":12,\"kind\":\"task\",\"id\":\"not a number\"}\n";
        bytes += "this is not json\n";
        const QByteArray next = w.task(T0 + 5, 2, "scheduled"); // seq 3: after the two bad lines the seq jumps
        bytes += testing::Lines::join({next});
        bytes += R"({"v":1,"seq":4,"ts_us":170000)"; // cut mid-line, no bye: a truncated file

        MonitorSession session;
        QVERIFY(readAll(session, write(QStringLiteral("bad.ndjson"), bytes)));
        const RecordingSummary summary = *session.recordingSummary();
        QVERIFY(!summary.isClean());
        QVERIFY(!summary.error);
        QCOMPARE(summary.lines, 7);
        QCOMPARE(summary.malformed, 3);
        QCOMPARE(summary.firstMalformedLine, 4);
        QVERIFY(!summary.byeSeen);
        const QString text = summary.describe();
        QVERIFY2(text.contains(QStringLiteral("3 malformed (first at line 4")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("showing what could be read")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("ends without bye")), qPrintable(text));
        // What could be read is shown: both tasks, lost since the recording stops mid-run.
        QCOMPARE(session.store().count(Phase::Lost), 2);
        // The log names the bad lines.
        bool named = false;
        for (const SessionLog::Entry &entry : session.log().entries())
            named = named || entry.text.startsWith(QStringLiteral("Line 5 is malformed"));
        QVERIFY(named);
    }

    void missingRecording()
    {
        MonitorSession session;
        QVERIFY(readAll(session, m_dir.filePath(QStringLiteral("does-not-exist.ndjson"))));
        QVERIFY(session.recordingSummary()->error.has_value());
        QVERIFY2(session.recordingSummary()->describe().startsWith(QStringLiteral("Cannot read")), qPrintable(session.recordingSummary()->describe()));
    }

    void savedRecordingReadsBackTheSame()
    {
        testing::FakePublisher server;
        const QString name = testing::uniqueSocketName("save");
        QVERIFY(server.listen(name));
        LineWriter w;
        const QList<QByteArray> lines{w.hello(T0), w.snapshot(T0 + 1), w.task(T0 + 2, 1, "scheduled"), w.task(T0 + 3, 1, "failed", "x", R"("error":{"type":"E","message":"m"})"),
                                      w.task(T0 + 4, 2, "started", {}, R"("started_us":1700000000000004)"), w.bye(T0 + 5)};
        server.setGreeting(testing::Lines::join(lines));
        MonitorSession live;
        live.watchSocket(name);
        QTRY_COMPARE_WITH_TIMEOUT(live.store().sourceStatus(), client::TaskStore::SourceStatus::Ended, 10000);
        live.closeSource(); // no reconnect to the same greeting
        const QString path = m_dir.filePath(QStringLiteral("saved.ndjson"));
        QCOMPARE(live.saveRecording(path), std::nullopt);

        MonitorSession replay;
        QVERIFY(readAll(replay, path));
        QVERIFY(replay.recordingSummary()->isClean());
        QCOMPARE(replay.store().count(Phase::Failed), live.store().count(Phase::Failed));
        QCOMPARE(replay.store().liveTaskIds(), live.store().liveTaskIds());
        QCOMPARE(replay.store().finishedTaskIds(), live.store().finishedTaskIds());
        // Saving a recording writes the file that was read.
        const QString copy = m_dir.filePath(QStringLiteral("copy.ndjson"));
        QCOMPARE(replay.saveRecording(copy), std::nullopt);
        QFile a(path), b(copy);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QCOMPARE(a.readAll(), b.readAll());
        QVERIFY(replay.saveRecording(path).has_value()); // not onto itself
    }

    void recordingBufferStopsAtItsLimit()
    {
        RecordingBuffer buffer(100);
        LineWriter w;
        buffer.append(monitortest::parsed({w.hello(T0)})); // ~150 bytes: over the limit at once
        QVERIFY(buffer.isTruncated());
        QCOMPARE(buffer.lineCount(), 0);
        RecordingBuffer roomy(1000);
        roomy.append(monitortest::parsed({w.hello(T0), w.snapshot(T0)}));
        QCOMPARE(roomy.lineCount(), 2);
        QVERIFY(!roomy.isTruncated());
        roomy.append(monitortest::parsed({QByteArray(900, 'x'), w.bye(T0)}));
        QCOMPARE(roomy.lineCount(), 2); // never a gap in the middle: it stops for good
        QCOMPARE(roomy.droppedLineCount(), 2);
    }

    void runTimePercentiles_data()
    {
        QTest::addColumn<QList<qint64>>("values");
        QTest::addColumn<double>("p");
        QTest::addColumn<qint64>("expected");
        QList<qint64> hundred;
        for (qint64 v = 1; v <= 100; ++v)
            hundred << v * 1000; // 1 ms … 100 ms
        QTest::newRow("median") << hundred << 0.5 << qint64(50'000);
        QTest::newRow("p95") << hundred << 0.95 << qint64(95'000);
        QTest::newRow("p99") << hundred << 0.99 << qint64(99'000);
        QTest::newRow("p100 is the max") << hundred << 1.0 << qint64(100'000);
        QTest::newRow("small exact values") << QList<qint64>{3, 3, 3, 9} << 0.5 << qint64(3);
        QTest::newRow("one value") << QList<qint64>{123'456} << 0.99 << qint64(123'456);
    }
    void runTimePercentiles()
    {
        QFETCH(QList<qint64>, values);
        QFETCH(double, p);
        QFETCH(qint64, expected);
        RunTimeHistogram histogram;
        for (const qint64 v : values)
            histogram.add(v);
        const qint64 actual = histogram.percentile(p);
        // Buckets are 1/16 of a power of two wide: within about 3.2%.
        QVERIFY2(std::abs(actual - expected) <= std::max<qint64>(expected / 30, 0), qPrintable(QStringLiteral("%1 vs %2").arg(actual).arg(expected)));
        QCOMPARE(histogram.count(), values.size());
    }

    void histogramBuckets()
    {
        for (const qint64 v : {0LL, 1LL, 15LL, 16LL, 17LL, 1000LL, 123'456'789LL, (1LL << 43)}) {
            const int bucket = RunTimeHistogram::bucketOf(v);
            QVERIFY2(RunTimeHistogram::bucketLower(bucket) <= v && v < RunTimeHistogram::bucketUpper(bucket), qPrintable(QString::number(v)));
        }
        RunTimeHistogram histogram;
        QCOMPARE(histogram.percentile(0.5), -1);
        histogram.add(-5); // unknown run times are not counted
        QCOMPARE(histogram.count(), 0);
    }

    void throughputWindowScrolls()
    {
        ThroughputSeries series(10);
        series.addScheduled(100'000'000);
        series.addEnded(100'500'000, ThroughputSeries::Outcome::Succeeded);
        series.addEnded(101'000'000, ThroughputSeries::Outcome::Failed);
        series.addEnded(109'000'000, ThroughputSeries::Outcome::OtherEnd);
        QList<ThroughputSeries::Second> last = series.lastSeconds(109, 10);
        QCOMPARE(last.size(), 10);
        QCOMPARE(last.at(0).second, 100);
        QCOMPARE(last.at(0).scheduled, 1);
        QCOMPARE(last.at(0).succeeded, 1);
        QCOMPARE(last.at(1).failed, 1);
        QCOMPARE(last.at(9).otherEnds, 1);
        // Ten seconds later the old seconds have scrolled out; an event that old is ignored.
        series.addEnded(115'000'000, ThroughputSeries::Outcome::Succeeded);
        series.addEnded(100'000'000, ThroughputSeries::Outcome::Succeeded);
        last = series.lastSeconds(115, 10);
        QCOMPARE(last.at(9).succeeded, 1);
        QCOMPARE(last.at(3).otherEnds, 1); // second 109
        int total = 0;
        for (const auto &second : last)
            total += second.ended();
        QCOMPARE(total, 2);
        QCOMPARE(series.lastSeconds(100, 1).at(0).ended(), 0); // out of the window now
    }

    void logIsBoundedAndItsModelFollows()
    {
        SessionLog log(3);
        SessionLogModel model(&log);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        log.append(SessionLog::Level::Info, QStringLiteral("a"));
        log.append(SessionLog::Level::Warning, QStringLiteral("b"));
        model.sync();
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(1, SessionLogModel::LevelColumn).data().toString(), QStringLiteral("warning"));
        for (const char *text : {"c", "d", "e", "f", "g"})
            log.append(SessionLog::Level::Error, QString::fromLatin1(text));
        model.sync();
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, SessionLogModel::MessageColumn).data().toString(), QStringLiteral("e"));
        QCOMPARE(model.index(2, SessionLogModel::MessageColumn).data().toString(), QStringLiteral("g"));
        log.clear();
        log.append(SessionLog::Level::Info, QStringLiteral("new source"));
        model.sync();
        QCOMPARE(model.rowCount(), 1);
    }

    void csvQuotesWhatNeedsQuoting()
    {
        QCOMPARE(csvRecord({QStringLiteral("a"), QStringLiteral("b,c"), QStringLiteral("say \"hi\""), QStringLiteral("two\nlines"), QString()}),
                 QByteArray("a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n"));
        QCOMPARE(taskCsvHeader().size(), 20);
        QCOMPARE(taskCsvHeader().mid(16), (QStringList{QStringLiteral("progress_done"), QStringLiteral("progress_total"),
                                                       QStringLiteral("progress_message"), QStringLiteral("source")}));
        client::TaskState state;
        state.task.id = 3;
        state.task.name = QStringLiteral("x");
        state.task.phase = Phase::Failed;
        state.task.error = client::ErrorInfo{QStringLiteral("E"), QStringLiteral("m, n")};
        state.task.runUs = 12;
        const QStringList fields = taskCsvFields(state);
        QCOMPARE(fields.size(), taskCsvHeader().size());
        QCOMPARE(fields.at(2), QStringLiteral("failed"));
        QCOMPARE(fields.at(7), QString()); // unknown queue wait: empty, not -1
        QCOMPARE(fields.at(8), QStringLiteral("12"));
        QCOMPARE(fields.at(10), QStringLiteral("m, n"));
        QCOMPARE(fields.mid(16), (QStringList{QString(), QString(), QString(), QString()})); // no progress, no source
        state.progress = client::ProgressEvent{3, 7, 10, QStringLiteral("page 7")};
        QCOMPARE(taskCsvFields(state, QStringLiteral("worker")).mid(16),
                 (QStringList{QStringLiteral("7"), QStringLiteral("10"), QStringLiteral("page 7"), QStringLiteral("worker")}));
    }

    void readsALargeRecordingWhole()
    {
        // 200,000 events (40,000 tasks), more than the finished-task limit keeps. How fast is
        // bench_dashboard's figure 9a, not this test's.
        LineWriter w;
        QByteArray bytes = testing::Lines::join({w.hello(T0), w.snapshot(T0 + 1)});
        bytes.reserve(60'000'000);
        for (quint64 id = 1; id <= 40'000; ++id) {
            const qint64 t = T0 + qint64(id) * 1000;
            bytes += testing::Lines::join({w.task(t, id, "scheduled", "job"), w.task(t + 10, id, "started", "job", R"("started_us":1)"),
                                           w.task(t + 20, id, "retrying", "job", R"("attempt":2,"error":{"type":"E","message":"again"})"),
                                           w.task(t + 30, id, "started", "job", R"("attempt":2,"started_us":1)"),
                                           w.task(t + 500, id, id % 10 ? "succeeded" : "failed", "job", R"("attempt":2,"error":{"type":"E","message":"m"},"wait_us":10,"run_us":490)")});
        }
        bytes += w.bye(T0 + 100'000'000) + '\n';
        const QString path = write(QStringLiteral("large.ndjson"), bytes);
        MonitorSession session;
        QVERIFY(readAll(session, path, 120'000));
        QCOMPARE(session.linesReceived(), 200'003);
        QCOMPARE(session.store().count(Phase::Succeeded), 36'000);
        QCOMPARE(session.store().count(Phase::Failed), 4'000);
        QCOMPARE(session.store().finishedCount(), session.options().finishedLimit);
        QVERIFY(session.recordingSummary() && session.recordingSummary()->isClean());
    }
};

QTEST_MAIN(tst_MonitorSession)
#include "tst_monitorsession.moc"
