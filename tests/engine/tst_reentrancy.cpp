// SPDX-License-Identifier: MIT
// Receivers of the engine's signals that call back into it (cancel, shutdown) in the middle of a
// state transition, and cancellation racing a timeout. Each of these once broke (engine review).
#include <afterwork/taskengine.h>
#include "enginetestsupport.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <thread>

using namespace afterwork;
using namespace std::chrono_literals;

class ReentrancyTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shutdownFromATerminalEventSlotDoesNotWaitForThatTask();
    void nestedStartShutdownRunsTheShutdownOnce();
    void shutdownFromAShutdownStartedSlotIsBounded();
    void cancelledThenTimedOutEndsCancelledWithoutHandler();
    void shutdownCancelledThenTimedOutEndsCancelledWithoutHandler();
    void asyncWorkCancelledFromItsStartedEventNeverRuns();
};

// (6) A slot on Started cancels the task (e.g. a dashboard's "cancel" racing the start): the
// engine emits Cancelled from inside onStarted(), then startAttempt() still calls the work.
void ReentrancyTest::asyncWorkCancelledFromItsStartedEventNeverRuns()
{
    TaskEngine engine;
    QStringList log;
    connect(&engine, &TaskEngine::taskEvent, this, [&](const TaskEvent &e) {
        log.append(wireName(e.phase));
        if (e.phase == Phase::Started)
            engine.cancel(e.taskId);
    });
    Task task = engine.schedule([&log]() -> QFuture<void> {
        log.append(QStringLiteral("WORK CALLED"));
        return test::readyFuture();
    });
    QTRY_VERIFY_WITH_TIMEOUT(isTerminal(task.phase()), 3000);
    // The work would be called right after the Started slot returns, on this thread, before the
    // event loop runs again: once the task is terminal, the log is complete.
    QCOMPARE(log, (QStringList{QStringLiteral("scheduled"), QStringLiteral("started"), QStringLiteral("cancelled")}));
}

// (1) A slot reacting to the last task's terminal event calls shutdown(): the terminal task is
// still in m_live while its event is emitted, so shutdown() thinks one task is live and waits
// for the whole deadline, then reports deadlineReached.
void ReentrancyTest::shutdownFromATerminalEventSlotDoesNotWaitForThatTask()
{
    TaskEngine engine;
    ShutdownReport report;
    bool called = false;
    QElapsedTimer clock;
    connect(&engine, &TaskEngine::taskEvent, this, [&](const TaskEvent &e) {
        if (e.phase == Phase::Succeeded && !called) {
            called = true;
            clock.start();
            report = engine.shutdown(1500ms);
        }
    });
    engine.schedule([] {});
    QTRY_VERIFY_WITH_TIMEOUT(called, 5000);
    QVERIFY(!report.deadlineReached);
    QVERIFY(clock.elapsed() < 1000);
}

// (2) A slot that calls startShutdown() runs inside the outer beginShutdown()'s drainInbox():
// the nested shutdown completes (Stopped), then the outer one sets Draining again and emits a
// second shutdownStarted / shutdownFinished.
void ReentrancyTest::nestedStartShutdownRunsTheShutdownOnce()
{
    TaskEngine engine({}, {.maxThreads = 1});
    QSignalSpy started(&engine, &TaskEngine::shutdownStarted);
    QSignalSpy finished(&engine, &TaskEngine::shutdownFinished);
    QList<EngineState> statesSeen;
    connect(&engine, &TaskEngine::shutdownFinished, this, [&] { statesSeen.append(engine.state()); });
    connect(&engine, &TaskEngine::taskEvent, this, [&](const TaskEvent &e) {
        if (e.phase == Phase::Succeeded)
            engine.startShutdown(1000ms); // e.g. "stop once the import task is done"
    });
    auto gate = std::make_shared<test::Gate>();
    auto done2 = std::make_shared<std::atomic<bool>>(false);
    const Task task = engine.schedule([gate, done2] { gate->pass(); done2->store(true); });
    QVERIFY(gate->waitArrived(1));
    QTRY_COMPARE_WITH_TIMEOUT(task.phase(), Phase::Started, 3000); // the Started notice is read
    gate->open();
    while (!done2->load())
        QThread::yieldCurrentThread(); // NOT processing events: the Finished notice stays in the inbox
    engine.startShutdown(1000ms); // app quits at the same time
    QTRY_COMPARE_WITH_TIMEOUT(engine.state(), EngineState::Stopped, 3000);
    // A second shutdown would come from the outer call's own stack or from something it posted:
    // run whatever is queued, then count.
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    QCOMPARE(started.count(), 1);
    QCOMPARE(finished.count(), 1);
}

// (3) A slot on shutdownStarted calls shutdown(): it runs a nested loop before the sweep and
// before the deadline timer is armed, so a queued unshielded task (claim Skipped, never posts)
// is never finished: shutdown() never returns. A watchdog cancels the queued task to unblock.
void ReentrancyTest::shutdownFromAShutdownStartedSlotIsBounded()
{
    TaskEngine engine({}, {.maxThreads = 1});
    auto gate = std::make_shared<test::Gate>();
    engine.schedule([gate](const CancellationToken &t) { gate->pass(t); });
    QVERIFY(gate->waitArrived(1));
    Task queued = engine.schedule([] {});
    QTRY_COMPARE_WITH_TIMEOUT(engine.liveTasks().size(), 2, 3000); // both announced
    bool watchdogFired = false;
    QTimer::singleShot(3000, this, [&] {
        watchdogFired = true;
        engine.cancel(queued.id());
    });
    ShutdownReport inner;
    connect(&engine, &TaskEngine::shutdownStarted, this, [&] { inner = engine.shutdown(200ms); });
    QElapsedTimer clock;
    clock.start();
    engine.shutdown(200ms);
    QVERIFY2(!watchdogFired, qPrintable(QStringLiteral("shutdown() returned after %1 ms").arg(clock.elapsed())));
}

// (4) cancel() then the attempt's timeout: the task is reported Failed(TimeoutError) and its
// error handler runs, although it was cancelled (docs/architecture.md: cancellation never calls the handler).
void ReentrancyTest::cancelledThenTimedOutEndsCancelledWithoutHandler()
{
    std::atomic<int> handlerCalls{0};
    TaskEngine engine;
    auto arrived = std::make_shared<std::atomic<bool>>(false);
    Task task = engine.task({.onError = [&](const Task &, const TaskError &) { ++handlerCalls; }, .timeout = 150ms})
                    .schedule([arrived](const CancellationToken &token) {
                        arrived->store(true);
                        // Cooperative work that notices the cancel at once but cleans up for 300 ms.
                        while (!token.isCancelled())
                            QThread::msleep(1);
                        QThread::msleep(300); // cleanup outlasting the timeout
                        token.throwIfCancelled();
                    });
    QTRY_VERIFY_WITH_TIMEOUT(arrived->load(), 5000);
    engine.cancel(task.id());
    QTRY_VERIFY_WITH_TIMEOUT(isTerminal(task.phase()), 5000);
    // The handler runs only on the way to Failed: once the task is Cancelled it never will.
    QCOMPARE(task.phase(), Phase::Cancelled);
    QCOMPARE(handlerCalls.load(), 0);
}

// (5) Same root cause during shutdown: an unshielded running sync task is cancelled by shutdown,
// its timeout elapses before it stops, and it ends Failed with the handler run mid-drain.
void ReentrancyTest::shutdownCancelledThenTimedOutEndsCancelledWithoutHandler()
{
    std::atomic<int> handlerCalls{0};
    TaskEngine engine;
    auto arrived = std::make_shared<std::atomic<bool>>(false);
    Task task = engine.task({.onError = [&](const Task &, const TaskError &) { ++handlerCalls; }, .timeout = 150ms})
                    .schedule([arrived](const CancellationToken &token) {
                        arrived->store(true);
                        while (!token.isCancelled())
                            QThread::msleep(1);
                        QThread::msleep(300);
                    });
    QTRY_VERIFY_WITH_TIMEOUT(arrived->load(), 5000);
    const ShutdownReport report = engine.shutdown(3000ms);
    QCOMPARE(task.phase(), Phase::Cancelled);
    QCOMPARE(report.cancelled, 1);
    QCOMPARE(handlerCalls.load(), 0);
}

QTEST_GUILESS_MAIN(ReentrancyTest)
#include "tst_reentrancy.moc"
