// SPDX-License-Identifier: MIT
// TaskEngine::shutdown(), startShutdown() and ~TaskEngine: what is cancelled, what is waited for,
// what is abandoned at the deadline, and the report's exact counts.

#include "enginetestsupport.h"

#include <afterwork/delay.h>
#include <afterwork/taskengine.h>
#if defined(AFTERWORK_TEST_QCORO)
#include <afterwork/qcoro.h>
#endif

#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>
#include <QtCore/QPromise>
#include <QtCore/QScopeGuard>
#include <QtCore/QThreadPool>
#include <QtCore/QTimer>
#include <QtTest/QTest>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>

using namespace afterwork;
using namespace afterwork::test;
using namespace std::chrono_literals;

namespace {

QString describe(const ShutdownReport &report)
{
    return QStringLiteral("finished=%1 cancelled=%2 abandoned=%3 dropped=%4 deadlineReached=%5")
        .arg(report.finished)
        .arg(report.cancelled)
        .arg(report.abandoned)
        .arg(report.dropped)
        .arg(report.deadlineReached);
}

// Delivers what the pool threads posted to the engine thread, without waiting for anything new.
void deliverPostedEvents()
{
    for (int round = 0; round < 3; ++round) {
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
    }
}

} // namespace

class ShutdownTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void schedulingAfterShutdownThrows()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        const Task before = engine.schedule([] {});
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(before.id()), Phase::Succeeded, waitMs);
        const Scheduler keptScheduler = engine.task({.name = QStringLiteral("kept")});
        const TaskScope scope = engine.openScope(7);
        const qsizetype eventsBefore = log.all().size();

        QElapsedTimer timer;
        timer.start();
        const ShutdownReport report = engine.shutdown(5s);
        QVERIFY2(timer.elapsed() < 4000, "an idle engine does not wait for the deadline");
        QCOMPARE(describe(report), describe(ShutdownReport{})); // finished tasks are not counted
        QCOMPARE(engine.state(), EngineState::Stopped);

        QVERIFY_THROWS_EXCEPTION(EngineShutDownError, engine.schedule([] {}));
        QVERIFY_THROWS_EXCEPTION(EngineShutDownError, engine.schedule([](int) {}, 1));
        QVERIFY_THROWS_EXCEPTION(EngineShutDownError, engine.schedule([] { return readyFuture(1); }));
        QVERIFY_THROWS_EXCEPTION(EngineShutDownError, engine.task({.shield = true}).schedule([] {}));
        QVERIFY_THROWS_EXCEPTION(EngineShutDownError, keptScheduler.schedule([] {}));
        QVERIFY_THROWS_EXCEPTION(EngineShutDownError, scope.schedule([] {}));
        QVERIFY_THROWS_EXCEPTION(EngineShutDownError, scope.afterRoute().schedule([] {}));
        QVERIFY_THROWS_EXCEPTION(EngineShutDownError, scope.afterResponse().schedule([] {}));
        QVERIFY_THROWS_EXCEPTION(EngineShutDownError, engine.openScope(8).afterRoute().schedule([] {}));

        deliverPostedEvents();
        QCOMPARE(log.all().size(), eventsBefore); // rejected work leaves no trace
        QCOMPARE(engine.counters().scheduled, quint64(1));

        // Calling shutdown again returns the first report at once.
        const ShutdownReport again = engine.shutdown(1s);
        QCOMPARE(describe(again), describe(report));
    }

    void schedulingFromOutsideDuringTheDrainThrows()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        const Task holding = engine.task({.shield = true}).schedule([gate] { gate->pass(); });
        QVERIFY(gate->waitArrived(1));

        bool threwOnEngineThread = false;
        std::atomic<bool> threwOnOtherThread = false;
        EngineState stateDuringDrain = EngineState::Running;
        int startedSignals = 0;
        ShutdownProgress progress;
        QObject::connect(&engine, &TaskEngine::shutdownStarted, &engine, [&](const ShutdownProgress &started) {
            ++startedSignals;
            progress = started;
            stateDuringDrain = engine.state();
            try {
                engine.schedule([] {});
            } catch (const EngineShutDownError &) {
                threwOnEngineThread = true;
            }
            std::thread other([&] {
                try {
                    engine.schedule([] {});
                } catch (const EngineShutDownError &) {
                    threwOnOtherThread = true;
                }
            });
            other.join();
            gate->open();
        });

        const qint64 nowUs = QDateTime::currentMSecsSinceEpoch() * 1000;
        const ShutdownReport report = engine.shutdown(10s);
        QCOMPARE(startedSignals, 1);
        QCOMPARE(stateDuringDrain, EngineState::Draining);
        QVERIFY(threwOnEngineThread);
        QVERIFY(threwOnOtherThread);
        QVERIFY(progress.deadlineUs >= nowUs + 9'000'000 && progress.deadlineUs <= nowUs + 11'000'000);
        QCOMPARE(describe(report), describe(ShutdownReport{.finished = 1}));
        QCOMPARE(log.terminalPhase(holding.id()), Phase::Succeeded);
        QCOMPARE(engine.counters().scheduled, quint64(1));
    }

    void unshieldedTasksAreCancelledAndQueuedOnesNeverStart()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        auto reason = std::make_shared<std::atomic<CancelReason>>(CancelReason::None);
        const Task running = engine.schedule([gate, reason](const CancellationToken &token) {
            gate->pass(token); // never opened: only the shutdown's cancellation lets it through
            *reason = token.reason();
            token.throwIfCancelled();
        });
        QVERIFY(gate->waitArrived(1));
        // Hold the window open that the engine must never leave: when shutdown cancels the
        // running work (on the engine thread), wait right there until the pool thread that work
        // frees has gone idle, or has run whatever it found queued. (A test-only stall: cancel
        // callbacks are meant to be short.)
        QThreadPool *pool = engine.threadPool();
        running.cancellationToken().onCancel([pool] { pool->waitForDone(2000); });
        auto ran = std::make_shared<std::atomic<int>>(0);
        const Task queued = engine.schedule([ran] { ++*ran; });
        const Task queuedNamed = engine.task({.name = QStringLiteral("queued")}).schedule([ran] { ++*ran; });
        int expectedCancelled = 3;
#if defined(AFTERWORK_TEST_QCORO)
        auto resumed = std::make_shared<bool>(false);
        const Task suspended = engine.schedule([resumed](const CancellationToken &token) -> QCoro::Task<> {
            co_await afterwork::delay(token, std::chrono::hours(1));
            *resumed = true;
        });
        ++expectedCancelled;
#endif

        QElapsedTimer timer;
        timer.start();
        const ShutdownReport report = engine.shutdown(10s);
        QVERIFY2(timer.elapsed() < 9000, "nothing was left to wait for");
        QCOMPARE(describe(report), describe(ShutdownReport{.cancelled = expectedCancelled}));

        QCOMPARE(log.terminalPhase(running.id()), Phase::Cancelled);
        QCOMPARE(reason->load(), CancelReason::Shutdown);
        QCOMPARE(log.terminalPhase(queued.id()), Phase::Cancelled);
        QCOMPARE(log.terminalPhase(queuedNamed.id()), Phase::Cancelled);
        QCOMPARE(log.phaseNames(queued.id()), EventLog::names({Phase::Scheduled, Phase::Cancelled}));
#if defined(AFTERWORK_TEST_QCORO)
        QCOMPARE(log.terminalPhase(suspended.id()), Phase::Cancelled);
        QCOMPARE(*resumed, false);
#endif
        QVERIFY(engine.threadPool()->waitForDone(waitMs));
        QCOMPARE(ran->load(), 0);
        QCOMPARE(handled->count(), 0);
        QCOMPARE(engine.counters().cancelled, quint64(expectedCancelled));
        QCOMPARE(engine.counters().failed, quint64(0));
        for (const Task &task : {running, queued, queuedNamed})
            QVERIFY2(log.lifecycleProblem(task.id()).isEmpty(), qPrintable(log.lifecycleProblem(task.id())));
    }

    void shieldedTasksAreWaitedFor()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        auto sawCancellation = std::make_shared<std::atomic<bool>>(true);
        const Task shieldedRunning = engine.task({.name = QStringLiteral("shielded running"), .shield = true})
                                         .schedule([gate, sawCancellation](const CancellationToken &token) {
                                             gate->pass();
                                             *sawCancellation = token.isCancelled();
                                         });
        QVERIFY(gate->waitArrived(1));
        auto unshieldedRan = std::make_shared<std::atomic<bool>>(false);
        auto shieldedRan = std::make_shared<std::atomic<bool>>(false);
        const Task unshieldedQueued = engine.schedule([unshieldedRan] { *unshieldedRan = true; });
        const Task shieldedQueued = engine.task({.shield = true}).schedule([shieldedRan] { *shieldedRan = true; });

        // The shielded task is let go only once the engine says the shutdown waits for it.
        log.onEvent = [&](const TaskEvent &event) {
            if (event.taskId == shieldedRunning.id() && event.phase == Phase::ShutdownPending)
                gate->open();
        };
        const ShutdownReport report = engine.shutdown(5s);
        QCOMPARE(describe(report), describe(ShutdownReport{.finished = 2, .cancelled = 1}));

        // Every terminal event was emitted before shutdown() returned.
        QCOMPARE(log.terminalPhase(shieldedRunning.id()), Phase::Succeeded);
        QCOMPARE(log.terminalPhase(shieldedQueued.id()), Phase::Succeeded);
        QCOMPARE(log.terminalPhase(unshieldedQueued.id()), Phase::Cancelled);
        QCOMPARE(log.phaseNames(shieldedRunning.id()),
                 EventLog::names({Phase::Scheduled, Phase::Started, Phase::ShutdownPending, Phase::Succeeded}));
        QVERIFY(shieldedRan->load());
        QCOMPARE(sawCancellation->load(), false);
        QVERIFY(!shieldedRunning.cancellationToken().isCancelled());
        QVERIFY(engine.threadPool()->waitForDone(waitMs));
        QCOMPARE(unshieldedRan->load(), false);
        for (const Task &task : {shieldedRunning, shieldedQueued, unshieldedQueued})
            QVERIFY2(log.lifecycleProblem(task.id()).isEmpty(), qPrintable(log.lifecycleProblem(task.id())));
    }

    void runningUnshieldedSyncWorkIsWaitedFor()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        auto reason = std::make_shared<std::atomic<CancelReason>>(CancelReason::None);
        auto finishedItsStep = std::make_shared<std::atomic<bool>>(false);
        // Notices the cancellation, but finishes what it was doing instead of throwing.
        const Task task = engine.schedule([gate, reason, finishedItsStep](const CancellationToken &token) {
            gate->pass(token);
            *reason = token.reason();
            *finishedItsStep = true;
        });
        QVERIFY(gate->waitArrived(1));

        const ShutdownReport report = engine.shutdown(10s);
        QVERIFY2(finishedItsStep->load(), "shutdown() returned before running sync work ended");
        QCOMPARE(reason->load(), CancelReason::Shutdown);
        QVERIFY(!report.deadlineReached);
        QCOMPARE(report.abandoned, 0);
        // The work returned normally after seeing the cancellation; the contract does not say
        // whether that is Succeeded or Cancelled, but the report must agree with the event.
        const Phase phase = log.terminalPhase(task.id());
        QVERIFY2(phase == Phase::Succeeded || phase == Phase::Cancelled, wireName(phase).data());
        QCOMPARE(report.finished, phase == Phase::Succeeded ? 1 : 0);
        QCOMPARE(report.cancelled, phase == Phase::Cancelled ? 1 : 0);
        QVERIFY2(log.lifecycleProblem(task.id()).isEmpty(), qPrintable(log.lifecycleProblem(task.id())));
    }

    void shieldCoversTheHandlerDuringShutdown_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::newRow("sync handler already running") << "sync handler";
        QTest::newRow("async handler already running") << "async handler";
        QTest::newRow("work fails during the drain") << "fails during drain";
    }

    void shieldCoversTheHandlerDuringShutdown()
    {
        QFETCH(QString, scenario);
        auto handlerGate = std::make_shared<Gate>();
        auto handlerFinished = std::make_shared<std::atomic<bool>>(false);
        auto promise = std::make_shared<QPromise<void>>();
        std::optional<ErrorHandler> handler;
        if (scenario == QLatin1String("async handler")) {
            handler = [promise, handlerGate](const Task &, const TaskError &) {
                handlerGate->pass(); // already open: only counts the arrival
                promise->start();
                return promise->future();
            };
            handlerGate->open();
        } else {
            handler = [handlerGate, handlerFinished](const Task &, const TaskError &) {
                handlerGate->pass();
                *handlerFinished = true;
            };
        }
        TaskEngine engine({}, poolOf(2));
        EventLog log(engine);
        auto workGate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{workGate, handlerGate};
        const bool failsDuringDrain = scenario == QLatin1String("fails during drain");
        if (!failsDuringDrain)
            workGate->open();
        const Task task = engine.task({.shield = true, .onError = *handler}).schedule([workGate] {
            workGate->pass();
            throw std::runtime_error("shielded work failed");
        });
        if (failsDuringDrain)
            QVERIFY(workGate->waitArrived(1));
        else
            QVERIFY(handlerGate->waitArrived(1)); // the handler is running when shutdown starts

        // Release what is held a little after the drain began: shutdown must still be waiting.
        QObject::connect(&engine, &TaskEngine::shutdownStarted, &engine, [&] {
            QTimer::singleShot(20ms, &engine, [&] {
                workGate->open();
                handlerGate->open();
                if (scenario == QLatin1String("async handler")) {
                    *handlerFinished = true;
                    promise->finish();
                }
            });
        });
        const ShutdownReport report = engine.shutdown(10s);

        QVERIFY2(handlerFinished->load(), "shutdown() returned before the shielded task's handler finished");
        QCOMPARE(describe(report), describe(ShutdownReport{.finished = 1}));
        QCOMPARE(log.terminalPhase(task.id()), Phase::Failed);
        const TaskEvent failed = *log.terminal(task.id());
        QCOMPARE(failed.error->message, QStringLiteral("shielded work failed"));
        QVERIFY(!failed.handlerError);
        QVERIFY2(log.lifecycleProblem(task.id()).isEmpty(), qPrintable(log.lifecycleProblem(task.id())));
    }

    void neverEndingShieldedTaskIsAbandonedAtTheDeadline_data()
    {
        QTest::addColumn<bool>("async");
        QTest::newRow("sync work") << false;
        QTest::newRow("async work") << true;
    }

    void neverEndingShieldedTaskIsAbandonedAtTheDeadline()
    {
        QFETCH(bool, async);
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        auto promise = std::make_shared<QPromise<void>>();
        const Scheduler shielded = engine.task({.name = QStringLiteral("never ends"), .shield = true});
        const Task task = async ? shielded.schedule([promise] {
            promise->start();
            return promise->future();
        })
                                : shielded.schedule([gate] {
                                      gate->pass();
                                      throw std::runtime_error("ended after the deadline");
                                  });
        if (async)
            QTRY_VERIFY_WITH_TIMEOUT(log.has(task.id(), Phase::Started), waitMs);
        else
            QVERIFY(gate->waitArrived(1));

        QElapsedTimer timer;
        timer.start();
        const ShutdownReport report = engine.shutdown(200ms);
        const qint64 elapsed = timer.elapsed();
        QVERIFY2(elapsed >= 150 && elapsed < 5000, qPrintable(QString::number(elapsed)));
        QVERIFY2(report.elapsedMs >= 150 && report.elapsedMs < 5000, qPrintable(QString::number(report.elapsedMs)));
        QCOMPARE(describe(report), describe(ShutdownReport{.abandoned = 1, .deadlineReached = true}));
        QCOMPARE(log.terminalPhase(task.id()), Phase::Abandoned);
        QCOMPARE(task.phase(), Phase::Abandoned);
        QVERIFY(log.phases(task.id()).contains(Phase::ShutdownPending));
        QCOMPARE(engine.counters().abandoned, quint64(1));
        QCOMPARE(engine.state(), EngineState::Stopped);

        // When the work finally ends, its outcome is ignored: no second terminal, no handler.
        const qsizetype eventsAtDeadline = log.events(task.id()).size();
        if (async) {
            promise->setException(std::make_exception_ptr(std::runtime_error("ended after the deadline")));
            promise->finish();
        } else {
            gate->open();
            QVERIFY(gate->waitLeft(1));
            QVERIFY(engine.threadPool()->waitForDone(waitMs));
        }
        deliverPostedEvents();
        QCOMPARE(log.events(task.id()).size(), eventsAtDeadline);
        QCOMPARE(log.terminalCount(task.id()), 1);
        QCOMPARE(handled->count(), 0);
        QCOMPARE(task.phase(), Phase::Abandoned);
    }

    void reportCountsAreExact()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(3));
        EventLog log(engine);
        const Task alreadyDone = engine.schedule([] {});
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(alreadyDone.id()), Phase::Succeeded, waitMs);

        auto finishingGate = std::make_shared<Gate>();
        auto stuckGate = std::make_shared<Gate>();
        auto cooperativeGate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{finishingGate, stuckGate, cooperativeGate};
        const Scheduler shielded = engine.task({.shield = true});
        // Three running tasks fill the pool.
        const Task finishing = shielded.schedule([finishingGate] { finishingGate->pass(); });
        const Task stuck = shielded.schedule([stuckGate] { stuckGate->pass(); });
        const Task cooperative = engine.schedule([cooperativeGate](const CancellationToken &token) {
            cooperativeGate->pass(token);
            token.throwIfCancelled();
        });
        QVERIFY(finishingGate->waitArrived(1));
        QVERIFY(stuckGate->waitArrived(1));
        QVERIFY(cooperativeGate->waitArrived(1));
        // Queued behind them.
        auto unshieldedRan = std::make_shared<std::atomic<int>>(0);
        const Task queued1 = engine.schedule([unshieldedRan] { ++*unshieldedRan; });
        const Task queued2 = engine.schedule([unshieldedRan] { ++*unshieldedRan; });
        const Task queuedShielded = shielded.schedule([] {});
        const Task queuedShieldedFailing = shielded.schedule([] { throw std::runtime_error("fails in the drain"); });
        int expectedCancelled = 3;
#if defined(AFTERWORK_TEST_QCORO)
        const Task suspended = engine.schedule([](const CancellationToken &token) -> QCoro::Task<> {
            co_await afterwork::delay(token, std::chrono::hours(1));
        });
        ++expectedCancelled;
#endif
        const int liveAtStart = engine.counters().live;
        QCOMPARE(liveAtStart, 4 + expectedCancelled);

        int startedSignals = 0;
        int finishedSignals = 0;
        ShutdownReport signalled;
        QObject::connect(&engine, &TaskEngine::shutdownStarted, &engine, [&] {
            ++startedSignals;
            finishingGate->open();
        });
        QObject::connect(&engine, &TaskEngine::shutdownFinished, &engine, [&](const ShutdownReport &report) {
            ++finishedSignals;
            signalled = report;
        });

        const ShutdownReport report = engine.shutdown(300ms);
        QCOMPARE(log.terminalPhase(finishing.id()), Phase::Succeeded);
        QCOMPARE(log.terminalPhase(queuedShielded.id()), Phase::Succeeded);
        QCOMPARE(log.terminalPhase(queuedShieldedFailing.id()), Phase::Failed);
        QCOMPARE(log.terminalPhase(stuck.id()), Phase::Abandoned);
        QCOMPARE(log.terminalPhase(cooperative.id()), Phase::Cancelled);
        QCOMPARE(log.terminalPhase(queued1.id()), Phase::Cancelled);
        QCOMPARE(log.terminalPhase(queued2.id()), Phase::Cancelled);
#if defined(AFTERWORK_TEST_QCORO)
        QCOMPARE(log.terminalPhase(suspended.id()), Phase::Cancelled);
#endif
        const ShutdownReport expected{.finished = 3, .cancelled = expectedCancelled, .abandoned = 1, .deadlineReached = true};
        QCOMPARE(describe(report), describe(expected));
        QCOMPARE(report.finished + report.cancelled + report.abandoned + report.dropped, liveAtStart);
        QCOMPARE(startedSignals, 1);
        QCOMPARE(finishedSignals, 1);
        QCOMPARE(describe(signalled), describe(report));
        QCOMPARE(handled->count(), 1); // the shielded failure's handler ran during the drain
        QCOMPARE(engine.counters().live, 0);

        stuckGate->open();
        QVERIFY(stuckGate->waitLeft(1));
        QVERIFY(engine.threadPool()->waitForDone(waitMs));
        deliverPostedEvents();
        QCOMPARE(unshieldedRan->load(), 0);
        for (const TaskEvent &event : log.all())
            QCOMPARE(log.terminalCount(event.taskId), 1);
    }

    void tasksScheduledDuringTheDrainFollowTheRules()
    {
        TaskEngine engine({}, poolOf(2));
        EventLog log(engine);
        auto parentGate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{parentGate};
        auto shieldedChildRan = std::make_shared<std::atomic<bool>>(false);
        auto unshieldedChildRan = std::make_shared<std::atomic<bool>>(false);
        auto shieldedChildId = std::make_shared<std::atomic<quint64>>(0);
        auto unshieldedChildId = std::make_shared<std::atomic<quint64>>(0);
        auto scheduleThrew = std::make_shared<std::atomic<bool>>(false);
        TaskEngine *enginePointer = &engine;
        const Task parent = engine.task({.name = QStringLiteral("parent"), .shield = true})
                                .schedule([=] {
                                    parentGate->pass();
                                    try {
                                        *shieldedChildId = enginePointer->task({.shield = true})
                                                               .schedule([=] { *shieldedChildRan = true; })
                                                               .id();
                                        *unshieldedChildId =
                                            enginePointer->schedule([=] { *unshieldedChildRan = true; }).id();
                                    } catch (...) {
                                        *scheduleThrew = true;
                                    }
                                });
        QVERIFY(parentGate->waitArrived(1));
        QObject::connect(&engine, &TaskEngine::shutdownStarted, &engine, [&] { parentGate->open(); });

        const ShutdownReport report = engine.shutdown(10s);
        QVERIFY2(!scheduleThrew->load(), "a running task may schedule during the drain");
        QVERIFY(shieldedChildId->load() != 0 && unshieldedChildId->load() != 0);
        QCOMPARE(log.terminalPhase(parent.id()), Phase::Succeeded);
        QCOMPARE(log.terminalPhase(shieldedChildId->load()), Phase::Succeeded);
        QCOMPARE(log.phaseNames(unshieldedChildId->load()), EventLog::names({Phase::Scheduled, Phase::Cancelled}));
        QCOMPARE(describe(report), describe(ShutdownReport{.finished = 2, .cancelled = 1}));
        QVERIFY(shieldedChildRan->load());
        QVERIFY(engine.threadPool()->waitForDone(waitMs));
        QCOMPARE(unshieldedChildRan->load(), false);
        for (quint64 id : {parent.id(), shieldedChildId->load(), unshieldedChildId->load()})
            QVERIFY2(log.lifecycleProblem(id).isEmpty(), qPrintable(log.lifecycleProblem(id)));
    }

    void shutdownFromAnotherThreadBlocksUntilDrained()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        const Task shielded = engine.task({.shield = true}).schedule([gate] { gate->pass(); });
        QVERIFY(gate->waitArrived(1));

        std::atomic<bool> returned = false;
        bool returnedBeforeDrained = true;
        EngineState stateDuringDrain = EngineState::Running;
        // The engine thread (this one) drains in a local event loop: release the shielded work
        // from inside the drain, once the engine says it waits for it.
        log.onEvent = [&](const TaskEvent &event) {
            if (event.taskId == shielded.id() && event.phase == Phase::ShutdownPending) {
                stateDuringDrain = engine.state();
                returnedBeforeDrained = returned.load();
                gate->open();
            }
        };
        ShutdownReport fromThread;
        std::thread stopper([&] {
            fromThread = engine.shutdown(10s);
            returned = true;
        });
        const auto joinStopper = qScopeGuard([&] { stopper.join(); });
        QTRY_VERIFY_WITH_TIMEOUT(returned.load(), waitMs);
        QCOMPARE(stateDuringDrain, EngineState::Draining);
        QVERIFY2(!returnedBeforeDrained, "shutdown() from another thread returned before the drain");
        QCOMPARE(describe(fromThread), describe(ShutdownReport{.finished = 1}));
        QCOMPARE(log.terminalPhase(shielded.id()), Phase::Succeeded);
        QCOMPARE(engine.state(), EngineState::Stopped);
    }

    void startShutdownDoesNotBlock()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        const Task shielded = engine.task({.shield = true}).schedule([gate] { gate->pass(); });
        QVERIFY(gate->waitArrived(1));
        int finishedSignals = 0;
        ShutdownReport signalled;
        QObject::connect(&engine, &TaskEngine::shutdownFinished, &engine, [&](const ShutdownReport &report) {
            ++finishedSignals;
            signalled = report;
        });

        engine.startShutdown(10s);
        QCOMPARE(engine.state(), EngineState::Draining);
        QCOMPARE(finishedSignals, 0);
        QVERIFY_THROWS_EXCEPTION(EngineShutDownError, engine.schedule([] {}));
        gate->open();
        QTRY_COMPARE_WITH_TIMEOUT(finishedSignals, 1, waitMs);
        QCOMPARE(describe(signalled), describe(ShutdownReport{.finished = 1}));
        QCOMPARE(engine.state(), EngineState::Stopped);
        QCOMPARE(log.terminalPhase(shielded.id()), Phase::Succeeded);
        QCOMPARE(describe(engine.shutdown(1s)), describe(signalled));
        QCOMPARE(finishedSignals, 1);
    }

    // ~TaskEngine without shutdown(): unshielded tasks are cancelled, every other live task is
    // reported Abandoned, and running sync work gets up to destroyWait to end.
    void destructorCancelsAndAbandonsLiveTasks()
    {
        auto handled = HandlerLog::create();
        auto engine = std::make_unique<TaskEngine>(TaskConfig{.onError = handled->handler()}, poolOf(2, 10s));
        EventLog log(*engine);
        auto shieldedGate = std::make_shared<Gate>();
        auto cooperativeGate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{shieldedGate, cooperativeGate};
        const Task shieldedRunning = engine->task({.name = QStringLiteral("shielded running"), .shield = true})
                                         .schedule([shieldedGate] { shieldedGate->pass(); });
        const Task unshieldedRunning = engine->schedule([cooperativeGate](const CancellationToken &token) {
            cooperativeGate->pass(token);
            token.throwIfCancelled();
        });
        QVERIFY(shieldedGate->waitArrived(1));
        QVERIFY(cooperativeGate->waitArrived(1));
        auto queuedRan = std::make_shared<std::atomic<bool>>(false);
        const Task unshieldedQueued = engine->schedule([queuedRan] { *queuedRan = true; });
        // Cancelling the unshielded work frees a pool thread during destruction; whether this
        // one starts there or not, it is live, shielded and must be reported Abandoned.
        auto shieldedQueuedGate = std::make_shared<Gate>();
        const OpenOnExit openQueuedOnExit{shieldedQueuedGate};
        const Task shieldedQueued = engine->task({.shield = true}).schedule([shieldedQueuedGate] {
            shieldedQueuedGate->pass();
        });
        const Scheduler kept = engine->task({.name = QStringLiteral("kept")});
        QThreadPool *pool = engine->threadPool();
        Q_UNUSED(pool);

        // The shielded work ends once it was reported Abandoned, well within destroyWait.
        log.onEvent = [&](const TaskEvent &event) {
            if (event.taskId == shieldedRunning.id() && event.phase == Phase::Abandoned)
                shieldedGate->open();
            if (event.taskId == shieldedQueued.id() && event.phase == Phase::Abandoned)
                shieldedQueuedGate->open();
        };
        QElapsedTimer timer;
        timer.start();
        engine.reset();
        QVERIFY2(timer.elapsed() < 9000, "the destructor waited for work that had already ended");

        QCOMPARE(log.terminalPhase(shieldedRunning.id()), Phase::Abandoned);
        QCOMPARE(log.terminalPhase(shieldedQueued.id()), Phase::Abandoned);
        QCOMPARE(log.terminalPhase(unshieldedQueued.id()), Phase::Cancelled);
        // Running unshielded sync work is both "unshielded" and "already running" in the
        // contract: either outcome is documented, but it must have exactly one.
        const Phase cooperativeEnd = log.terminalPhase(unshieldedRunning.id());
        QVERIFY2(cooperativeEnd == Phase::Cancelled || cooperativeEnd == Phase::Abandoned,
                 wireName(cooperativeEnd).data());
        QVERIFY2(shieldedGate->left() == 1, "the destructor waits (up to destroyWait) for running sync work");
        QCOMPARE(cooperativeGate->left(), 1);
        QCOMPARE(queuedRan->load(), false);
        QCOMPARE(handled->count(), 0);
        for (const Task &task : {shieldedRunning, unshieldedRunning, unshieldedQueued, shieldedQueued})
            QVERIFY2(log.lifecycleProblem(task.id()).isEmpty(), qPrintable(log.lifecycleProblem(task.id())));

        // Handles stay valid after the engine is gone; schedulers refuse new work.
        QCOMPARE(shieldedRunning.phase(), Phase::Abandoned);
        QCOMPARE(shieldedRunning.name(), QStringLiteral("shielded running"));
        QCOMPARE(unshieldedQueued.phase(), Phase::Cancelled);
        QVERIFY_THROWS_EXCEPTION(EngineShutDownError, kept.schedule([] {}));
    }

    void destructorLeavesStuckWorkBehind()
    {
        auto engine = std::make_unique<TaskEngine>(TaskConfig{}, poolOf(1, 50ms));
        EventLog log(*engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        auto endedAfterwards = std::make_shared<std::atomic<bool>>(false);
        const Task stuck = engine->task({.shield = true}).schedule([gate, endedAfterwards] {
            gate->pass();
            *endedAfterwards = true;
        });
        QVERIFY(gate->waitArrived(1));

        QElapsedTimer timer;
        timer.start();
        engine.reset();
        QVERIFY2(timer.elapsed() < 5000, "the destructor must not block on stuck work past destroyWait");
        QCOMPARE(log.terminalPhase(stuck.id()), Phase::Abandoned);
        QCOMPARE(log.terminalCount(stuck.id()), 1);

        // The left-behind work may still finish, harmlessly, after the engine is gone.
        gate->open();
        QVERIFY(gate->waitLeft(1));
        QTRY_VERIFY_WITH_TIMEOUT(endedAfterwards->load(), waitMs);
        QCOMPARE(stuck.phase(), Phase::Abandoned);
    }
};

QTEST_GUILESS_MAIN(ShutdownTest)
#include "tst_shutdown.moc"
