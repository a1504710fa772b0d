// SPDX-License-Identifier: MIT
// The client library against the real publisher: an in-process TaskEngine + EventPublisher, and
// a real source in a child process (afterwork_test_source) that can be killed and restarted.
#include "../support/socketnames.h"
#include "testsourceprocess.h"

#include <afterwork/client/localsocketsource.h>
#include <afterwork/client/taskstore.h>
#include <afterwork/eventpublisher.h>
#include <afterwork/taskengine.h>

#include <QtCore/QSemaphore>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <algorithm>
#include <memory>
#include <stdexcept>

using namespace afterwork;
using namespace afterwork::client;
using afterwork::testing::TestSourceProcess;
using afterwork::testing::uniqueSocketName;
using namespace std::chrono_literals;

namespace {

PublisherOptions options()
{
    PublisherOptions result;
    result.app = QStringLiteral("tst_livepublisher");
    result.heartbeatInterval = 100ms;
    return result;
}

//! Counts the stream's problems as the client sees them.
struct Watch
{
    explicit Watch(EventSource &source)
    {
        QObject::connect(&source, &EventSource::sequenceGap, &source, [this](quint64, quint64, qint64) { ++seqGaps; });
        QObject::connect(&source, &EventSource::linesReceived, &source, [this](const QList<StreamLine> &lines) {
            for (const StreamLine &line : lines)
                malformed += line.error() != nullptr;
        });
    }
    int seqGaps = 0;
    int malformed = 0;
};

} // namespace

class tst_LivePublisher : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void lateClientSeesInFlightTasksWithTrueStartTimes();
    void everyEventArrivesParsedAndInOrder();
    void failuresShieldsModesAndRequestsParse();
    void killedSourceLeavesItsLiveTasksLost();
    void restartedSourceIsANewRun();
};

void tst_LivePublisher::lateClientSeesInFlightTasksWithTrueStartTimes()
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, options());
    const QString name = uniqueSocketName("late");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));

    // One task running (held by a semaphore handshake), one queued behind nothing: scheduled.
    auto release = std::make_shared<QSemaphore>();
    auto started = std::make_shared<QSemaphore>();
    QList<afterwork::TaskEvent> engineEvents;
    connect(&engine, &TaskEngine::taskEvent, this, [&](const afterwork::TaskEvent &event) { engineEvents.append(event); });
    const Task running = engine.task({.name = QStringLiteral("long_running")}).schedule([release, started] {
        started->release();
        release->acquire();
    });
    QVERIFY(started->tryAcquire(1, 10000));
    QTRY_VERIFY(std::any_of(engineEvents.cbegin(), engineEvents.cend(),
                            [](const afterwork::TaskEvent &e) { return e.phase == afterwork::Phase::Started; }));
    qint64 trueStartUs = 0;
    qint64 trueScheduledUs = 0;
    for (const afterwork::TaskEvent &event : engineEvents) {
        if (event.phase == afterwork::Phase::Started) {
            trueStartUs = event.startedUs;
            trueScheduledUs = event.scheduledUs;
        }
    }

    LocalSocketSource source(name, {.reconnect = false});
    TaskStore store;
    store.attach(&source);
    source.start();
    QTRY_COMPARE(store.liveCount(), 1);
    const TaskState *state = store.task(running.id());
    QVERIFY(state);
    QCOMPARE(state->task.name, QStringLiteral("long_running"));
    QCOMPARE(state->task.phase, Phase::Started);
    QCOMPARE(state->task.startedUs, trueStartUs); // not the time we connected
    QCOMPARE(state->firstSeenUs, trueScheduledUs);

    release->release();
    QTRY_COMPARE(store.count(Phase::Succeeded), 1);
    QCOMPARE(store.liveCount(), 0);
    QVERIFY(store.task(running.id())->task.runUs >= 0);
}

void tst_LivePublisher::everyEventArrivesParsedAndInOrder()
{
    TaskEngine engine({}, EngineOptions{.maxThreads = 4});
    auto *publisher = new EventPublisher(&engine, options());
    const QString name = uniqueSocketName("all");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    LocalSocketSource source(name, {.reconnect = false});
    Watch watch(source);
    TaskStore store(TaskStoreOptions{.finishedLimit = 100});
    store.attach(&source);
    QSignalSpy changes(&store, &TaskStore::changed);
    source.start();
    // Subscribed once the hello is here (the socket connects before the publisher accepts).
    QTRY_VERIFY(store.source().has_value());

    constexpr int Tasks = 5000;
    for (int i = 0; i < Tasks; ++i)
        engine.schedule([i] {
            if (i % 10 == 0)
                throw std::runtime_error("every tenth fails");
        });
    QTRY_VERIFY2_WITH_TIMEOUT(store.count(Phase::Succeeded) + store.count(Phase::Failed) == Tasks,
                              qPrintable(QStringLiteral("succeeded %1 failed %2 live %3 gaps %4 seq gaps %5 malformed %6 lines %7")
                                             .arg(store.count(Phase::Succeeded))
                                             .arg(store.count(Phase::Failed))
                                             .arg(store.liveCount())
                                             .arg(store.gapCount())
                                             .arg(watch.seqGaps)
                                             .arg(watch.malformed)
                                             .arg(source.lineCount())),
                              30000);
    QCOMPARE(store.count(Phase::Failed), qint64(Tasks / 10));
    QCOMPARE(store.liveCount(), 0);
    QCOMPARE(store.finishedCount(), 100); // bounded history, exact counters
    QCOMPARE(watch.seqGaps, 0);
    QCOMPARE(watch.malformed, 0);
    QCOMPARE(store.gapCount(), 0);
    QVERIFY(changes.size() < Tasks); // batched, not one signal per event
    // The source's own counters agree once a heartbeat after the last task arrives.
    QTRY_COMPARE(store.lastHeartbeat() ? store.lastHeartbeat()->counter(u"succeeded") : -1,
                 store.count(Phase::Succeeded));
}

void tst_LivePublisher::failuresShieldsModesAndRequestsParse()
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, options());
    const QString name = uniqueSocketName("fields");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    LocalSocketSource source(name, {.reconnect = false});
    Watch watch(source);
    TaskStore store;
    store.attach(&source);
    source.start();
    // Subscribed once the hello is here (the socket connects before the publisher accepts).
    QTRY_VERIFY(store.source().has_value());

    const ErrorHandler throwingHandler = [](const Task &, const TaskError &) { throw std::logic_error("handler broke"); };
    const Task failing = engine.task({.name = QStringLiteral("risky"), .onError = throwingHandler}).schedule([] {
        throw std::runtime_error("smtp timeout");
    });
    const TaskScope scope = engine.openScope(77);
    const Task after = scope.afterResponse().task({.name = QStringLiteral("notify"), .shield = true}).schedule([] {});
    scope.flush(Mode::AfterResponse);

    QTRY_COMPARE(store.count(Phase::Failed), 1);
    QTRY_COMPARE(store.count(Phase::Succeeded), 1);
    const TaskState *risky = store.task(failing.id());
    QVERIFY(risky->task.error);
    QVERIFY2(risky->task.error->message.contains(QStringLiteral("smtp timeout")), qPrintable(risky->task.error->message));
    QVERIFY(risky->task.handlerError);
    QVERIFY(risky->task.handlerError->message.contains(QStringLiteral("handler broke")));
    QCOMPARE(risky->task.mode, Mode::Immediate);
    QCOMPARE(risky->task.work, WorkKind::Sync);
    QVERIFY(risky->task.waitUs >= 0);

    const TaskState *notify = store.task(after.id());
    QCOMPARE(notify->task.mode, Mode::AfterResponse);
    QVERIFY(notify->task.shielded);
    QCOMPARE(notify->task.requestId, 77u);
    QCOMPARE(notify->task.name, QStringLiteral("notify"));
    QCOMPARE(notify->steps.first().phase, Phase::Scheduled);
    QCOMPARE(watch.malformed, 0);
    QCOMPARE(watch.seqGaps, 0);
}

void tst_LivePublisher::killedSourceLeavesItsLiveTasksLost()
{
    const QString name = uniqueSocketName("killed");
    TestSourceProcess child(name);
    QVERIFY(!child.waitUntilReady().isEmpty());
    child.command("block 3");

    LocalSocketSource source(name, {.reconnect = false});
    TaskStore store;
    store.attach(&source);
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(store.count(Phase::Started), 3, 15000);

    child.kill(); // SIGKILL: no bye
    QTRY_COMPARE_WITH_TIMEOUT(store.sourceStatus(), TaskStore::SourceStatus::Vanished, 10000);
    QCOMPARE(store.liveCount(), 0);
    QCOMPARE(store.count(Phase::Lost), 3);
    for (const quint64 id : store.finishedTaskIds()) {
        QCOMPARE(store.task(id)->task.phase, Phase::Lost);
        QCOMPARE(store.task(id)->lastReportedPhase, Phase::Started);
    }
}

void tst_LivePublisher::restartedSourceIsANewRun()
{
    const QString name = uniqueSocketName("restart");
    auto child = std::make_unique<TestSourceProcess>(name);
    const QString firstInstance = child->waitUntilReady();
    QVERIFY(!firstInstance.isEmpty());
    child->command("block 2");

    LocalSocketSource source(name, {.reconnect = true, .initialBackoff = 20ms, .maxBackoff = 200ms});
    TaskStore store;
    store.attach(&source);
    QSignalSpy instances(&source, &EventSource::instanceChanged);
    QSignalSpy resets(&store, &TaskStore::reset);
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(store.count(Phase::Started), 2, 15000);
    QCOMPARE(store.source()->instance, firstInstance);

    child->kill();
    QTRY_COMPARE_WITH_TIMEOUT(store.count(Phase::Lost), 2, 10000);

    // Same name, new process: the stale socket file is taken over, the client reconnects.
    child = std::make_unique<TestSourceProcess>(name);
    const QString secondInstance = child->waitUntilReady();
    QVERIFY(!secondInstance.isEmpty());
    QVERIFY(secondInstance != firstInstance);
    child->command("block 1");
    QTRY_COMPARE_WITH_TIMEOUT(instances.size(), 1, 15000);
    QCOMPARE(resets.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(store.count(Phase::Started), 1, 15000);
    QCOMPARE(store.source()->instance, secondInstance);
    QCOMPARE(store.count(Phase::Lost), 0); // the old run's tasks are gone with it
    QCOMPARE(store.finishedCount(), 0);

    // A clean stop: shutdown cancels the blocker, then bye.
    child->command("shutdown 2000");
    QVERIFY(child->waitForLine("bye"));
    QTRY_COMPARE_WITH_TIMEOUT(store.sourceStatus(), TaskStore::SourceStatus::Ended, 10000);
    QCOMPARE(store.count(Phase::Cancelled), 1);
    QCOMPARE(store.count(Phase::Lost), 0);
    source.stop();
}

QTEST_GUILESS_MAIN(tst_LivePublisher)
#include "tst_livepublisher.moc"
