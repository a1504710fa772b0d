// SPDX-License-Identifier: MIT
#include "../support/fakepublisher.h"
#include "scriptedsource.h"

#include <afterwork/client/eventsource.h>
#include <afterwork/client/lineparser.h>
#include <afterwork/client/taskstore.h>

#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace afterwork;
using namespace afterwork::client;
using afterwork::testing::Lines;
using afterwork::testing::ScriptedSource;

namespace {

QList<StreamEvent> events(const QList<QByteArray> &lines)
{
    QList<StreamEvent> out;
    for (const QByteArray &line : lines) {
        auto parsed = parseLine(line);
        if (auto *error = std::get_if<ParseError>(&parsed))
            qFatal("bad test line %s: %s", line.constData(), qPrintable(error->toString()));
        out.append(std::get<StreamEvent>(std::move(parsed)));
    }
    return out;
}

const QString InstanceA = QStringLiteral("aaaaaaaa-0000-0000-0000-000000000001");
const QString InstanceB = QStringLiteral("bbbbbbbb-0000-0000-0000-000000000002");

} // namespace

class tst_TaskStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void snapshotGivesLiveTasksWithTrueStartTimes();
    void taskEventsMoveTasksToHistory();
    void snapshotReplacesTheLiveSet();
    void snapshotGivesTheLatestProgress();
    void historyIsBoundedButCountersStayExact();
    void repeatedAndLateStepsAreIdempotent();
    void terminalStepOfAnUnknownTaskIsAValidEnd();
    void disconnectWithoutByeMarksLiveTasksLost();
    void disconnectAfterByeLosesNothing();
    void reconnectToTheSameInstanceRevivesTasks();
    void newInstanceResetsEverything();
    void changesAreBatched();
    void sourceStatusHeartbeatShutdownGap();
    void stepsAreBounded();
};

void tst_TaskStore::snapshotGivesLiveTasksWithTrueStartTimes()
{
    TaskStore store;
    store.apply(events({
        Lines::hello(0, InstanceA, 5'000'000),
        Lines::snapshot(1, {Lines::taskObject(7, "started", 2'000'000, R"(,"started_us":1500000)"),
                            Lines::taskObject(9, "scheduled", 3'000'000)}, 5'000'000),
    }));
    QCOMPARE(store.liveTaskIds(), (QList<quint64>{7, 9}));
    QCOMPARE(store.liveCount(), 2);
    QCOMPARE(store.count(Phase::Started), 1);
    QCOMPARE(store.count(Phase::Scheduled), 1);
    const TaskState *seven = store.task(7);
    QVERIFY(seven);
    QVERIFY(seven->isLive());
    QCOMPARE(seven->task.startedUs, 1'500'000);        // true start, not the time we connected
    QCOMPARE(seven->firstSeenUs, 2'000'000 - 10);       // its scheduled_us
    QCOMPARE(seven->task.tsUs, 2'000'000);
    QCOMPARE(store.source()->instance, InstanceA);
    QCOMPARE(store.sourceStatus(), TaskStore::SourceStatus::Connected);
}

void tst_TaskStore::taskEventsMoveTasksToHistory()
{
    TaskStore store;
    store.apply(events({
        Lines::hello(0, InstanceA),
        Lines::snapshot(1, {}),
        Lines::task(2, 1, "scheduled", 10),
        Lines::task(3, 1, "started", 20),
        Lines::task(4, 2, "scheduled", 30),
        Lines::task(5, 1, "failed", 40, R"(,"error":{"type":"E","message":"boom"},"wait_us":10,"run_us":20)"),
    }));
    QCOMPARE(store.liveTaskIds(), QList<quint64>{2});
    QCOMPARE(store.finishedTaskIds(), QList<quint64>{1});
    const TaskState *one = store.task(1);
    QVERIFY(!one->isLive());
    QCOMPARE(one->task.phase, Phase::Failed);
    QCOMPARE(one->task.error->message, QStringLiteral("boom"));
    QCOMPARE(one->finishedUs, 40);
    QCOMPARE(one->steps, (QList<PhaseStep>{{Phase::Scheduled, 10}, {Phase::Started, 20}, {Phase::Failed, 40}}));
    QCOMPARE(store.count(Phase::Failed), 1);
    QCOMPARE(store.count(Phase::Started), 0);
    QCOMPARE(store.count(Phase::Scheduled), 1);
}

void tst_TaskStore::snapshotReplacesTheLiveSet()
{
    TaskStore store;
    store.apply(events({
        Lines::hello(0, InstanceA),
        Lines::snapshot(1, {Lines::taskObject(1, "started"), Lines::taskObject(2, "started")}),
        // A gap: events were missed; the fresh snapshot no longer lists task 1.
        Lines::gap(10, 8),
        Lines::snapshot(11, {Lines::taskObject(2, "started"), Lines::taskObject(3, "scheduled")}, 2'000'000),
    }));
    QCOMPARE(store.liveTaskIds(), (QList<quint64>{2, 3}));
    QCOMPARE(store.task(1)->task.phase, Phase::Lost); // ended unseen: outcome unknown
    QCOMPARE(store.task(1)->lastReportedPhase, Phase::Started);
    QCOMPARE(store.task(1)->finishedUs, 2'000'000);
    QCOMPARE(store.count(Phase::Lost), 1);
    QCOMPARE(store.count(Phase::Started), 1);
    QCOMPARE(store.gapCount(), 1);
    QCOMPARE(store.missedEvents(), 8);
}

void tst_TaskStore::snapshotGivesTheLatestProgress()
{
    ScriptedSource source;
    TaskStore store;
    store.attach(&source);
    source.start();
    QSignalSpy changes(&store, &TaskStore::changed);
    // Joining while tasks run: their progress is known at once, before any progress line.
    source.feed(Lines::join({Lines::hello(0, InstanceA),
                             Lines::snapshot(1, {Lines::taskObject(1, "started", 1'000'000, R"(,"progress":{"done":3,"total":10,"message":"page 3"})"),
                                                 Lines::taskObject(2, "started"),
                                                 Lines::taskObject(3, "started", 1'000'000, R"(,"progress":{"done":7,"total":0})")})}));
    QCOMPARE(changes.size(), 1);
    QCOMPARE(store.task(1)->progress, (ProgressEvent{1, 3, 10, QStringLiteral("page 3")}));
    QVERIFY(!store.task(1)->task.progress); // one copy, in TaskState::progress
    QVERIFY(!store.task(2)->progress);
    QCOMPARE(store.task(3)->progress, (ProgressEvent{3, 7, 0, {}}));

    // Progress lines go on from there; a snapshot after a gap brings the value the lost lines had.
    source.feed(Lines::join({Lines::progress(2, 1, 4, 10, "page 4"), Lines::gap(8, 5),
                             Lines::snapshot(9, {Lines::taskObject(1, "started", 1'000'000, R"(,"progress":{"done":9,"total":10})"),
                                                 Lines::taskObject(2, "started", 1'000'000, R"(,"progress":{"done":1,"total":2})")})}));
    QCOMPARE(store.task(1)->progress, (ProgressEvent{1, 9, 10, {}}));
    QCOMPARE(store.task(2)->progress, (ProgressEvent{2, 1, 2, {}}));
    QCOMPARE(store.task(3)->task.phase, Phase::Lost); // ended unseen: its last value stays
    QCOMPARE(store.task(3)->progress, (ProgressEvent{3, 7, 0, {}}));

    // An entry without progress leaves the value the store has (a task's progress never goes away).
    source.feed(Lines::join({Lines::gap(15, 5), Lines::snapshot(16, {Lines::taskObject(1, "started"), Lines::taskObject(2, "started")})}));
    QCOMPARE(store.task(1)->progress, (ProgressEvent{1, 9, 10, {}}));
}

void tst_TaskStore::historyIsBoundedButCountersStayExact()
{
    TaskStore store(TaskStoreOptions{.finishedLimit = 3});
    QSignalSpy changes(&store, &TaskStore::changed);
    QList<QByteArray> lines{Lines::hello(0, InstanceA), Lines::snapshot(1, {})};
    quint64 seq = 2;
    for (quint64 id = 1; id <= 10; ++id) {
        lines.append(Lines::task(seq++, id, "started", qint64(id) * 10));
        lines.append(Lines::task(seq++, id, id % 2 ? "succeeded" : "cancelled", qint64(id) * 10 + 5));
    }
    store.apply(events(lines));
    QCOMPARE(store.finishedCount(), 3);
    QCOMPARE(store.finishedTaskIds(), (QList<quint64>{8, 9, 10}));
    QVERIFY(!store.task(1));
    QCOMPARE(store.count(Phase::Succeeded), 5);
    QCOMPARE(store.count(Phase::Cancelled), 5);
    QCOMPARE(store.liveCount(), 0);
    QCOMPARE(changes.size(), 1);
    const auto change = changes.at(0).at(0).value<TaskStoreChange>();
    QCOMPARE(change.updated, (QList<quint64>{8, 9, 10}));      // the evicted ones are not "updated"
    QCOMPARE(change.removed, (QList<quint64>{1, 2, 3, 4, 5, 6, 7}));
}

void tst_TaskStore::repeatedAndLateStepsAreIdempotent()
{
    TaskStore store;
    store.apply(events({
        Lines::hello(0, InstanceA),
        Lines::snapshot(1, {Lines::taskObject(1, "started", 10)}),
        Lines::task(2, 1, "started", 10), // raced with the snapshot: in both
        Lines::task(3, 1, "succeeded", 20),
        Lines::task(4, 1, "succeeded", 20),
        Lines::task(5, 1, "failed", 30),
    }));
    QCOMPARE(store.count(Phase::Succeeded), 1);
    QCOMPARE(store.count(Phase::Failed), 0);
    QCOMPARE(store.task(1)->task.phase, Phase::Succeeded);
    QCOMPARE(store.task(1)->steps.size(), 2);
}

void tst_TaskStore::terminalStepOfAnUnknownTaskIsAValidEnd()
{
    TaskStore store;
    store.apply(events({Lines::hello(0, InstanceA), Lines::snapshot(1, {}), Lines::task(2, 5, "abandoned", 50)}));
    QCOMPARE(store.liveCount(), 0);
    QCOMPARE(store.finishedTaskIds(), QList<quint64>{5});
    QCOMPARE(store.count(Phase::Abandoned), 1);
}

void tst_TaskStore::disconnectWithoutByeMarksLiveTasksLost()
{
    ScriptedSource source;
    TaskStore store;
    store.attach(&source);
    source.start();
    source.feed(Lines::join({Lines::hello(0, InstanceA), Lines::snapshot(1, {Lines::taskObject(1, "started")}),
                             Lines::task(2, 2, "scheduled", 2'000'000), Lines::task(3, 3, "scheduled", 2'000'000),
                             Lines::task(4, 3, "succeeded", 3'000'000)}));
    QCOMPARE(store.liveCount(), 2);
    QSignalSpy changes(&store, &TaskStore::changed);
    source.end(); // the source vanished: no bye
    QCOMPARE(store.sourceStatus(), TaskStore::SourceStatus::Vanished);
    QCOMPARE(store.liveCount(), 0);
    QCOMPARE(store.task(1)->task.phase, Phase::Lost);
    QCOMPARE(store.task(2)->task.phase, Phase::Lost);
    QCOMPARE(store.task(2)->lastReportedPhase, Phase::Scheduled);
    QCOMPARE(store.task(3)->task.phase, Phase::Succeeded);
    QCOMPARE(store.count(Phase::Lost), 2);
    QCOMPARE(changes.size(), 1);
    QCOMPARE(changes.at(0).at(0).value<TaskStoreChange>().updated, (QList<quint64>{1, 2}));
}

void tst_TaskStore::disconnectAfterByeLosesNothing()
{
    ScriptedSource source;
    TaskStore store;
    store.attach(&source);
    source.start();
    source.feed(Lines::join({Lines::hello(0, InstanceA), Lines::snapshot(1, {Lines::taskObject(1, "started")}),
                             Lines::bye(2)}));
    source.end();
    QCOMPARE(store.sourceStatus(), TaskStore::SourceStatus::Ended);
    QCOMPARE(store.count(Phase::Lost), 0);
    QCOMPARE(store.task(1)->task.phase, Phase::Started);
}

void tst_TaskStore::reconnectToTheSameInstanceRevivesTasks()
{
    ScriptedSource source;
    TaskStore store(TaskStoreOptions{.finishedLimit = 100});
    store.attach(&source);
    source.start();
    source.feed(Lines::join({Lines::hello(0, InstanceA),
                             Lines::snapshot(1, {Lines::taskObject(1, "started"), Lines::taskObject(2, "started")})}));
    source.end();
    QCOMPARE(store.count(Phase::Lost), 2);

    QSignalSpy resets(&store, &TaskStore::reset);
    source.start(); // the connection comes back: same run
    source.feed(Lines::join({Lines::hello(0, InstanceA), Lines::snapshot(1, {Lines::taskObject(1, "started")}),
                             Lines::task(2, 1, "succeeded", 2'000'000)}));
    QCOMPARE(resets.size(), 0);
    QCOMPARE(store.task(1)->task.phase, Phase::Succeeded);
    QCOMPARE(store.task(2)->task.phase, Phase::Lost);
    QCOMPARE(store.count(Phase::Lost), 1);
    QCOMPARE(store.count(Phase::Succeeded), 1);
    QCOMPARE(store.finishedTaskIds(), (QList<quint64>{2, 1}));
    QCOMPARE(store.finishedCount(), 2);
}

void tst_TaskStore::newInstanceResetsEverything()
{
    ScriptedSource source;
    TaskStore store;
    store.attach(&source);
    source.start();
    source.feed(Lines::join({Lines::hello(0, InstanceA), Lines::snapshot(1, {Lines::taskObject(1, "started")}),
                             Lines::task(2, 2, "succeeded")}));
    source.end();
    QSignalSpy resets(&store, &TaskStore::reset);
    source.start();
    QSignalSpy changes(&store, &TaskStore::changed);
    source.feed(Lines::join({Lines::hello(0, InstanceB), Lines::snapshot(1, {Lines::taskObject(1, "scheduled")})}));
    QCOMPARE(resets.size(), 1);
    QCOMPARE(store.source()->instance, InstanceB);
    QCOMPARE(store.liveTaskIds(), QList<quint64>{1});
    QCOMPARE(store.task(1)->task.phase, Phase::Scheduled); // the new run's task 1, not the old one
    QCOMPARE(store.finishedCount(), 0);
    QCOMPARE(store.count(Phase::Lost), 0);
    QCOMPARE(store.count(Phase::Succeeded), 0);
    QCOMPARE(changes.size(), 1);
}

void tst_TaskStore::changesAreBatched()
{
    ScriptedSource source;
    TaskStore store;
    store.attach(&source);
    source.start();
    QSignalSpy changes(&store, &TaskStore::changed);
    QList<QByteArray> lines{Lines::hello(0, InstanceA), Lines::snapshot(1, {})};
    for (quint64 i = 0; i < 1000; ++i)
        lines.append(Lines::task(2 + i, i + 1, "scheduled"));
    source.feed(Lines::join(lines)); // one chunk: one batch
    QCOMPARE(changes.size(), 1);
    QCOMPARE(changes.at(0).at(0).value<TaskStoreChange>().updated.size(), 1000);
    QCOMPARE(store.liveCount(), 1000);
}

void tst_TaskStore::sourceStatusHeartbeatShutdownGap()
{
    TaskStore store;
    QCOMPARE(store.sourceStatus(), TaskStore::SourceStatus::NotConnected);
    store.apply(events({Lines::hello(0, InstanceA), Lines::snapshot(1, {}), Lines::heartbeat(2, 7),
                        Lines::shutdown(3, "started", 8), Lines::gap(9, 5, 9)}));
    QVERIFY(store.lastHeartbeat());
    QCOMPARE(store.lastHeartbeat()->poolMax, 2);
    QCOMPARE(store.lastShutdown()->stage, QStringLiteral("started"));
    QCOMPARE(store.missedEvents(), 5);
    QCOMPARE(store.latestTsUs(), 1'000'000);
    store.apply(events({Lines::bye(10, 2'000'000)}));
    QCOMPARE(store.sourceStatus(), TaskStore::SourceStatus::Ended);
    QCOMPARE(store.latestTsUs(), 2'000'000);
}

void tst_TaskStore::stepsAreBounded()
{
    TaskStore store(TaskStoreOptions{.maxStepsPerTask = 4});
    QList<QByteArray> lines{Lines::hello(0, InstanceA), Lines::snapshot(1, {}), Lines::task(2, 1, "scheduled", 1)};
    quint64 seq = 3;
    for (int i = 0; i < 50; ++i) {
        lines.append(Lines::task(seq++, 1, "started", 10 + i * 2));
        lines.append(Lines::task(seq++, 1, "retrying", 11 + i * 2));
    }
    store.apply(events(lines));
    const TaskState *task = store.task(1);
    QCOMPARE(task->steps.size(), 4);
    QCOMPARE(task->steps.first().phase, Phase::Scheduled);
    QCOMPARE(task->steps.last().phase, Phase::Retrying);
    QCOMPARE(store.count(Phase::Retrying), 1);
}

QTEST_GUILESS_MAIN(tst_TaskStore)
#include "tst_taskstore.moc"
