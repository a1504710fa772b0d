// SPDX-License-Identifier: MIT
// Progress (docs/architecture.md, "Progress"): work reports through its CancellationToken or its
// QFuture; the engine emits TaskEngine::taskProgress() on its thread at most once per 100 ms per
// task, never loses the latest value, and emits nothing for a task after its terminal event.
#include "enginetestsupport.h"
#include "progressreport.h" // the progress clock, tested directly

#include <afterwork/taskengine.h>

#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>
#include <QtCore/QPromise>
#include <QtCore/QThread>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <variant>
#include <vector>

using namespace afterwork;
using namespace afterwork::test;
using namespace std::chrono_literals;

namespace {

//! Progress events and lifecycle events of an engine, in the order it emitted them, each checked
//! to arrive on the engine thread.
class ProgressLog
{
public:
    explicit ProgressLog(TaskEngine &engine) : m_engineThread(engine.thread())
    {
        QObject::connect(&engine, &TaskEngine::taskProgress, &engine, [this](const TaskProgress &progress) {
            m_offThread += QThread::currentThread() != m_engineThread;
            m_entries.append(progress);
            m_progressArrivalsMs.append(m_clock.elapsed());
        });
        QObject::connect(&engine, &TaskEngine::taskEvent, &engine, [this](const TaskEvent &event) {
            m_offThread += QThread::currentThread() != m_engineThread;
            m_entries.append(event);
        });
        m_clock.start();
    }

    QList<TaskProgress> progress(quint64 taskId) const
    {
        QList<TaskProgress> result;
        for (const auto &entry : m_entries) {
            if (const auto *p = std::get_if<TaskProgress>(&entry); p && p->taskId == taskId)
                result.append(*p);
        }
        return result;
    }
    bool ended(quint64 taskId) const
    {
        for (const auto &entry : m_entries) {
            if (const auto *e = std::get_if<TaskEvent>(&entry); e && e->taskId == taskId && isTerminal(e->phase))
                return true;
        }
        return false;
    }
    //! True when every progress event of \a taskId comes before its terminal event.
    bool noProgressAfterEnd(quint64 taskId) const
    {
        bool ended = false;
        for (const auto &entry : m_entries) {
            if (const auto *e = std::get_if<TaskEvent>(&entry); e && e->taskId == taskId && isTerminal(e->phase))
                ended = true;
            else if (const auto *p = std::get_if<TaskProgress>(&entry); p && p->taskId == taskId && ended)
                return false;
        }
        return true;
    }
    const QList<qint64> &progressArrivalsMs() const { return m_progressArrivalsMs; }
    int offThread() const { return m_offThread; }

private:
    QThread *m_engineThread;
    QList<std::variant<TaskProgress, TaskEvent>> m_entries;
    QList<qint64> m_progressArrivalsMs;
    QElapsedTimer m_clock;
    int m_offThread = 0;
};

} // namespace

class tst_TaskProgress : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void burstFromPoolIsThrottledAndEndsExact();
    void latestValueIsEmittedWithoutFurtherReports();
    void futureProgressIsTaskProgress();
    void readyFutureReportsItsProgress();
    void tokensNotGivenByTheEngineIgnoreReports();
    void reportsAfterTheEndAreIgnored();
    void liveTasksCarryTheLatestProgress();
    void timestampsAreNeverBeforeTheStart();
    void reportsRacingTheEndNeverOutliveTheFinalValue();
    void theProgressClockNeverGoesBack();
};

void tst_TaskProgress::burstFromPoolIsThrottledAndEndsExact()
{
    TaskEngine engine({}, poolOf(2));
    ProgressLog log(engine);
    constexpr int reports = 10'000;
    const Task task = engine.schedule([](const CancellationToken &token) {
        for (int i = 1; i <= reports; ++i)
            token.reportProgress(i, reports, QStringLiteral("row %1").arg(i));
    });
    QTRY_VERIFY_WITH_TIMEOUT(log.ended(task.id()), waitMs);
    const QList<TaskProgress> events = log.progress(task.id());
    QVERIFY2(!events.isEmpty() && events.size() <= 3, qPrintable(QString::number(events.size())));
    QCOMPARE(events.last().done, reports);
    QCOMPARE(events.last().total, reports);
    QCOMPARE(events.last().message, QStringLiteral("row %1").arg(reports));
    QVERIFY(events.last().timestampUs > 0);
    QVERIFY(log.noProgressAfterEnd(task.id()));
    QCOMPARE(log.offThread(), 0);
    QCOMPARE(task.progress().value().done, reports);
    QCOMPARE(task.phase(), Phase::Succeeded);
}

void tst_TaskProgress::latestValueIsEmittedWithoutFurtherReports()
{
    TaskEngine engine({}, poolOf(2));
    ProgressLog log(engine);
    auto reported = std::make_shared<Gate>();
    auto release = std::make_shared<Gate>();
    OpenOnExit openOnExit{reported, release};
    const Task task = engine.schedule([reported, release](const CancellationToken &token) {
        token.reportProgress(1, 3);
        token.reportProgress(2, 3, QStringLiteral("halfway"));
        reported->open();
        release->pass(token); // holds the task running: nothing else is reported
    });
    // The first report is emitted at once; the second waits for the throttle's interval and is
    // emitted by its timer, while the task still runs.
    QTRY_VERIFY_WITH_TIMEOUT(!log.progress(task.id()).isEmpty() && log.progress(task.id()).last().done == 2, waitMs);
    QVERIFY(!log.ended(task.id()));
    const QList<TaskProgress> events = log.progress(task.id());
    QCOMPARE(events.last().message, QStringLiteral("halfway"));
    if (events.size() == 2)
        QVERIFY2(log.progressArrivalsMs()[1] - log.progressArrivalsMs()[0] >= 90,
                 "two emissions of one task less than 100 ms apart");
    release->open();
    QTRY_VERIFY_WITH_TIMEOUT(log.ended(task.id()), waitMs);
    QCOMPARE(log.progress(task.id()).size(), events.size()); // nothing new to emit at the end
}

void tst_TaskProgress::futureProgressIsTaskProgress()
{
    TaskEngine engine({}, poolOf(1));
    ProgressLog log(engine);
    auto promise = std::make_shared<QPromise<int>>();
    const Task task = engine.schedule([promise] {
        promise->start();
        return promise->future();
    });
    QTRY_COMPARE_WITH_TIMEOUT(task.phase(), Phase::Started, waitMs);
    promise->setProgressRange(10, 14);
    promise->setProgressValue(13);
    QTRY_VERIFY_WITH_TIMEOUT(!log.progress(task.id()).isEmpty() && log.progress(task.id()).last().done == 3, waitMs);
    QCOMPARE(log.progress(task.id()).last().total, 4);
    promise->setProgressValueAndText(14, QStringLiteral("written"));
    promise->addResult(7);
    promise->finish();
    QTRY_VERIFY_WITH_TIMEOUT(log.ended(task.id()), waitMs);
    QVERIFY(log.noProgressAfterEnd(task.id()));
    const TaskProgress last = log.progress(task.id()).last();
    QCOMPARE(last.done, 4);
    QCOMPARE(last.total, 4);
    QCOMPARE(last.message, QStringLiteral("written"));
    QCOMPARE(last.fraction(), 1.0);
}

void tst_TaskProgress::readyFutureReportsItsProgress()
{
    // Finished before the engine sees it: no watcher signals anything, yet its progress counts.
    TaskEngine engine({}, poolOf(1));
    ProgressLog log(engine);
    const Task task = engine.schedule([] {
        QPromise<int> promise;
        promise.start();
        promise.setProgressRange(0, 8);
        promise.setProgressValueAndText(8, QStringLiteral("all rows"));
        promise.addResult(8);
        promise.finish();
        return promise.future();
    });
    QTRY_VERIFY_WITH_TIMEOUT(log.ended(task.id()), waitMs);
    QVERIFY(log.noProgressAfterEnd(task.id()));
    QCOMPARE(log.progress(task.id()).size(), 1);
    const TaskProgress last = log.progress(task.id()).last();
    QCOMPARE(last.done, 8);
    QCOMPARE(last.total, 8);
    QCOMPARE(last.message, QStringLiteral("all rows"));
}

void tst_TaskProgress::tokensNotGivenByTheEngineIgnoreReports()
{
    TaskEngine engine({}, poolOf(1));
    QSignalSpy spy(&engine, &TaskEngine::taskProgress);
    CancellationToken().reportProgress(1, 2, QStringLiteral("nobody listens"));
    CancellationSource own;
    own.token().reportProgress(1, 2);
    CancellationSource::childOf(own).token().reportProgress(1, 2);
    // A task that never reports has no progress, and emits none.
    const Task task = engine.schedule([] {});
    QTRY_VERIFY_WITH_TIMEOUT(isTerminal(task.phase()), waitMs);
    QVERIFY(!task.progress());
    QCOMPARE(spy.count(), 0);
}

void tst_TaskProgress::reportsAfterTheEndAreIgnored()
{
    TaskEngine engine({}, poolOf(1));
    ProgressLog log(engine);
    // With a timeout, the work's token is a per-attempt child of the task's: it reports too.
    const Task task = engine.task({.timeout = 10s}).schedule([](const CancellationToken &token) {
        token.reportProgress(5, 5);
    });
    QTRY_VERIFY_WITH_TIMEOUT(log.ended(task.id()), waitMs);
    QCOMPARE(log.progress(task.id()).size(), 1);
    task.cancellationToken().reportProgress(1, 5);
    QCOMPARE(task.progress()->done, 5);
    QTest::qWait(0); // let anything posted by mistake arrive
    QCOMPARE(log.progress(task.id()).size(), 1);
}

void tst_TaskProgress::liveTasksCarryTheLatestProgress()
{
    TaskEngine engine({}, poolOf(1));
    auto reported = std::make_shared<Gate>();
    auto release = std::make_shared<Gate>();
    OpenOnExit openOnExit{reported, release};
    const Task task = engine.schedule([reported, release](const CancellationToken &token) {
        token.reportProgress(7, 9, QStringLiteral("seven"));
        reported->pass();
        release->pass(token);
    });
    QVERIFY(reported->waitArrived(1));
    const QList<TaskEvent> live = engine.liveTasks();
    QCOMPARE(live.size(), 1);
    QVERIFY(live.first().progress);
    QCOMPARE(live.first().progress->done, 7);
    QCOMPARE(live.first().progress->message, QStringLiteral("seven"));
    reported->open();
    release->open();
    QTRY_VERIFY_WITH_TIMEOUT(isTerminal(task.phase()), waitMs);
}

void tst_TaskProgress::timestampsAreNeverBeforeTheStart()
{
    // Reports read a coarse clock (TaskProgress::timestampUs); a report made right after the start
    // must still not appear to precede it, and must be close to the true time.
    TaskEngine engine({}, poolOf(2));
    ProgressLog log(engine);
    QList<TaskEvent> started;
    QObject::connect(&engine, &TaskEngine::taskEvent, &engine, [&started](const TaskEvent &event) {
        if (event.phase == Phase::Started)
            started.append(event);
    });
    QList<Task> tasks;
    for (int i = 0; i < 50; ++i)
        tasks.append(engine.schedule([](const CancellationToken &token) { token.reportProgress(1, 2); }));
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(tasks.cbegin(), tasks.cend(), [&](const Task &t) { return log.ended(t.id()); }),
                             waitMs);
    const qint64 nowUs = QDateTime::currentMSecsSinceEpoch() * 1000;
    for (const TaskEvent &start : std::as_const(started)) {
        const QList<TaskProgress> progress = log.progress(start.taskId);
        QCOMPARE(progress.size(), 1);
        QVERIFY2(progress.first().timestampUs >= start.startedUs,
                 qPrintable(QStringLiteral("progress at %1 before its start at %2")
                                .arg(progress.first().timestampUs)
                                .arg(start.startedUs)));
        QVERIFY(qAbs(nowUs - progress.first().timestampUs) < 5'000'000);
    }
    QCOMPARE(started.size(), tasks.size());
}

void tst_TaskProgress::reportsRacingTheEndNeverOutliveTheFinalValue()
{
    // Each task's token goes to a thread that keeps reporting while the task ends. Whatever the
    // interleaving, the value emitted last (just before the terminal event) is the task's last
    // word: Task::progress() agrees with it after the end, and nothing is emitted after it.
    TaskEngine engine({}, poolOf(2));
    ProgressLog log(engine);
    std::atomic<bool> stop{false};
    std::vector<std::thread> reporters;
    QList<Task> tasks;
    for (int i = 0; i < 40; ++i) {
        const Task task = engine.schedule([](const CancellationToken &) {});
        const CancellationToken token = task.cancellationToken();
        reporters.emplace_back([token, &stop] {
            for (qint64 done = 1; !stop.load(std::memory_order_relaxed); ++done)
                token.reportProgress(done, 0);
        });
        tasks.append(task);
    }
    const auto allEnded = [&] {
        return std::all_of(tasks.cbegin(), tasks.cend(), [&](const Task &t) { return log.ended(t.id()); });
    };
    QTRY_VERIFY_WITH_TIMEOUT(allEnded(), waitMs);
    QTest::qWait(0); // anything posted after an end arrives now
    stop = true;
    for (std::thread &reporter : reporters)
        reporter.join();
    for (const Task &task : std::as_const(tasks)) {
        QVERIFY(log.noProgressAfterEnd(task.id()));
        const QList<TaskProgress> emitted = log.progress(task.id());
        if (emitted.isEmpty()) {
            QVERIFY(!task.progress());
        } else {
            QVERIFY(task.progress());
            QCOMPARE(task.progress()->done, emitted.last().done);
        }
    }
}

void tst_TaskProgress::theProgressClockNeverGoesBack()
{
    // The clock reports read (coarse, engine/src/progressreport.h): a reading that renews the
    // wall-clock offset, after 100 ms without one, must not be followed by an earlier reading.
    for (int round = 0; round < 5; ++round) {
        QTest::qWait(110); // not a synchronisation: the stale offset is the condition under test
        const qint64 first = detail::coarseWallClockUs();
        const qint64 second = detail::coarseWallClockUs();
        QVERIFY2(second >= first, qPrintable(QStringLiteral("%1 after %2").arg(second).arg(first)));
    }
}

QTEST_GUILESS_MAIN(tst_TaskProgress)
#include "tst_taskprogress.moc"
