// SPDX-License-Identifier: MIT
// TaskScope: the after-route and after-response batches behind the timing modes (docs/http.md).

#include "enginetestsupport.h"

#include <afterwork/taskengine.h>
#include <afterwork/taskscope.h>

#include <QtCore/QThreadPool>
#include <QtTest/QTest>

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>

using namespace afterwork;
using namespace afterwork::test;
using namespace std::chrono_literals;

namespace {

// The order in which work actually ran (with one pool thread, the order it was started).
class RunOrder
{
public:
    void append(const QString &label)
    {
        std::lock_guard lock(m_mutex);
        m_labels.append(label);
    }
    QStringList labels() const
    {
        std::lock_guard lock(m_mutex);
        return m_labels;
    }

private:
    mutable std::mutex m_mutex;
    QStringList m_labels;
};

Mode modeOfLabel(const QString &label)
{
    switch (label.at(0).toLatin1()) {
    case 'R':
        return Mode::AfterRoute;
    case 'A':
        return Mode::AfterResponse;
    default:
        return Mode::Immediate;
    }
}

Scheduler schedulerFor(const TaskScope &scope, Mode mode)
{
    switch (mode) {
    case Mode::AfterRoute:
        return scope.afterRoute();
    case Mode::AfterResponse:
        return scope.afterResponse();
    case Mode::Immediate:
    case Mode::Unknown: // a reader-only value; no task has it
        break;
    }
    return scope.immediate();
}

} // namespace

class TaskScopeTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void batchesWaitForTheirFlush()
    {
        TaskEngine engine({}, poolOf(2));
        EventLog log(engine);
        const TaskScope scope = engine.openScope(42);
        QCOMPARE(scope.requestId(), quint64(42));
        auto routeRan = std::make_shared<std::atomic<bool>>(false);
        auto responseRan = std::make_shared<std::atomic<bool>>(false);
        const Task route = scope.afterRoute().schedule([routeRan] { *routeRan = true; });
        const Task response = scope.afterResponse().schedule([responseRan] { *responseRan = true; });
        const Task immediate = scope.schedule([] {});

        QCOMPARE(route.mode(), Mode::AfterRoute);
        QCOMPARE(response.mode(), Mode::AfterResponse);
        QCOMPARE(immediate.mode(), Mode::Immediate);
        QCOMPARE(route.requestId(), quint64(42));
        QCOMPARE(scope.pendingCount(Mode::AfterRoute), 1);
        QCOMPARE(scope.pendingCount(Mode::AfterResponse), 1);
        QVERIFY(!scope.isFlushed(Mode::AfterRoute));
        QVERIFY(!scope.isFlushed(Mode::AfterResponse));

        // Immediate work runs; the batches wait.
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(immediate.id()), Phase::Succeeded, waitMs);
        QVERIFY(engine.threadPool()->waitForDone(waitMs));
        QCOMPARE(routeRan->load(), false);
        QCOMPARE(responseRan->load(), false);
        QCOMPARE(log.phaseNames(route.id()), EventLog::names({Phase::Scheduled}));
        QCOMPARE(engine.liveTasks().size(), 2);

        scope.flush(Mode::AfterRoute);
        QVERIFY(scope.isFlushed(Mode::AfterRoute));
        QCOMPARE(scope.pendingCount(Mode::AfterRoute), 0);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(route.id()), Phase::Succeeded, waitMs);
        QVERIFY(engine.threadPool()->waitForDone(waitMs));
        QCOMPARE(responseRan->load(), false);
        QCOMPARE(scope.pendingCount(Mode::AfterResponse), 1);

        scope.flush(Mode::AfterResponse);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(response.id()), Phase::Succeeded, waitMs);
        QVERIFY(routeRan->load());
        QVERIFY(responseRan->load());

        for (const Task &task : {route, response, immediate}) {
            QVERIFY2(log.lifecycleProblem(task.id()).isEmpty(), qPrintable(log.lifecycleProblem(task.id())));
            for (const TaskEvent &event : log.events(task.id())) {
                QCOMPARE(event.requestId, quint64(42));
                QCOMPARE(event.mode, task.mode());
            }
        }
    }

    // Labels: I = immediate, R = after-route, A = after-response, in the order they are added.
    void startOrder_data()
    {
        QTest::addColumn<QStringList>("added");
        QTest::addColumn<QStringList>("expectedRunOrder");

        QTest::newRow("one of each, added backwards") << QStringList{"A1", "R1", "I1"} << QStringList{"I1", "R1", "A1"};
        QTest::newRow("interleaved")
            << QStringList{"A1", "R1", "I1", "R2", "A2", "I2", "R3"}
            << QStringList{"I1", "I2", "R1", "R2", "R3", "A1", "A2"};
        QTest::newRow("batches keep insertion order")
            << QStringList{"R1", "R2", "R3", "R4", "A1", "A2", "A3"}
            << QStringList{"R1", "R2", "R3", "R4", "A1", "A2", "A3"};
        QTest::newRow("only after-response") << QStringList{"A1", "A2"} << QStringList{"A1", "A2"};
    }

    void startOrder()
    {
        QFETCH(QStringList, added);
        QFETCH(QStringList, expectedRunOrder);

        TaskEngine engine({}, poolOf(1)); // one thread: run order is start order
        EventLog log(engine);
        const TaskScope scope = engine.openScope(1);
        auto order = std::make_shared<RunOrder>();
        QHash<quint64, QString> labelOf;
        for (const QString &label : added) {
            const Task task = schedulerFor(scope, modeOfLabel(label)).schedule([order, label] { order->append(label); });
            labelOf.insert(task.id(), label);
        }
        scope.flush(Mode::AfterRoute);
        scope.flush(Mode::AfterResponse);
        QTRY_COMPARE_WITH_TIMEOUT(log.totalTerminals(), int(added.size()), waitMs);
        QCOMPARE(order->labels(), expectedRunOrder);

        QStringList startedOrder;
        for (const TaskEvent &event : log.all()) {
            if (event.phase == Phase::Started)
                startedOrder.append(labelOf.value(event.taskId));
        }
        QCOMPARE(startedOrder, expectedRunOrder);
    }

    // Every mix of sync and async work in the three modes, with the only pool thread busy: sync
    // work then waits for the pool while async work could start at once on the engine thread. The
    // batches must still begin in order (docs/http.md, "Start order").
    void mixedWorkKeepsStartOrderOnABusyPool_data()
    {
        addWorkMixRows();
    }

    void mixedWorkKeepsStartOrderOnABusyPool()
    {
        QFETCH(WorkKind, immediateKind);
        QFETCH(WorkKind, afterRouteKind);
        QFETCH(WorkKind, afterResponseKind);

        TaskEngine engine({}, poolOf(1));
        auto busy = std::make_shared<Gate>();
        OpenOnExit openGates{busy};
        EventLog log(engine);
        engine.schedule([busy] { busy->pass(); }); // another request's work holds the pool
        QVERIFY(busy->waitArrived(1));

        const TaskScope scope = engine.openScope(7);
        const auto scheduleOf = [&](Mode mode, WorkKind kind, int n) {
            const Scheduler scheduler =
                schedulerFor(scope, mode).task({.name = QStringLiteral("%1%2").arg(wireName(mode)).arg(n)});
            if (kind == WorkKind::Async)
                return scheduler.schedule([] { return readyFuture(); });
            return scheduler.schedule([] {});
        };
        // Added out of order; two of each, so that a batch's own members may start together.
        QList<Task> afterResponse{scheduleOf(Mode::AfterResponse, afterResponseKind, 1)};
        QList<Task> afterRoute{scheduleOf(Mode::AfterRoute, afterRouteKind, 1)};
        QList<Task> immediate{scheduleOf(Mode::Immediate, immediateKind, 1)};
        afterRoute.append(scheduleOf(Mode::AfterRoute, afterRouteKind, 2));
        immediate.append(scheduleOf(Mode::Immediate, immediateKind, 2));
        afterResponse.append(scheduleOf(Mode::AfterResponse, afterResponseKind, 2));
        // As the HTTP layer does for a fast route: both batches are let go while the pool is busy.
        scope.flush(Mode::AfterRoute);
        scope.flush(Mode::AfterResponse);

        // The flushes were handled right here, on the engine thread: whatever could start without
        // the pool has started by now, and nothing may have overtaken sync immediate work.
        const auto started = [&](const Task &task) { return log.phases(task.id()).contains(Phase::Started); };
        if (immediateKind == WorkKind::Sync) {
            for (const Task &task : afterRoute + afterResponse)
                QVERIFY2(!started(task), qPrintable(task.name() + " started before the immediate work"));
        }
        busy->open();

        const QList<Task> inOrder = immediate + afterRoute + afterResponse;
        QTRY_COMPARE_WITH_TIMEOUT(log.totalTerminals(), int(inOrder.size()) + 1, waitMs);
        QList<quint64> startedIds;
        for (const TaskEvent &event : log.all()) {
            if (event.phase == Phase::Started && event.requestId == 7)
                startedIds.append(event.taskId);
        }
        QCOMPARE(startedIds.size(), inOrder.size());
        // Immediate tasks in call order; each batch after every task of the batches before it.
        QCOMPARE(startedIds.indexOf(immediate[0].id()), 0);
        QCOMPARE(startedIds.indexOf(immediate[1].id()), 1);
        for (const Task &task : afterRoute)
            QVERIFY2(startedIds.indexOf(task.id()) < 4, qPrintable(task.name() + " started after an after-response task"));
        for (const Task &task : afterResponse)
            QVERIFY2(startedIds.indexOf(task.id()) >= 4, qPrintable(task.name() + " started before an after-route task"));
        for (const Task &task : inOrder)
            QCOMPARE(log.terminalPhase(task.id()), Phase::Succeeded);
    }

    // A task of a later batch waits in the gate; cancelling it, or the task it waits for, must
    // neither lose nor hold up the rest.
    void cancellingInTheStartGate()
    {
        TaskEngine engine({}, poolOf(1));
        auto busy = std::make_shared<Gate>();
        OpenOnExit openGates{busy};
        EventLog log(engine);
        engine.schedule([busy] { busy->pass(); });
        QVERIFY(busy->waitArrived(1));

        const TaskScope scope = engine.openScope(8);
        const Task first = scope.schedule([] {});                                 // queued for the pool
        const Task waiting = scope.afterRoute().schedule([] { return readyFuture(); }); // gated behind it
        const Task last = scope.afterResponse().schedule([] { return readyFuture(); });
        scope.flush(Mode::AfterRoute);
        scope.flush(Mode::AfterResponse);
        QVERIFY(!log.phases(waiting.id()).contains(Phase::Started));

        QVERIFY(engine.cancel(waiting.id()));
        QCOMPARE(log.terminalPhase(waiting.id()), Phase::Cancelled);
        QVERIFY(!log.phases(last.id()).contains(Phase::Started)); // still behind `first`
        QVERIFY(engine.cancel(first.id()));                       // ends without beginning
        QCOMPARE(log.terminalPhase(first.id()), Phase::Cancelled);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(last.id()), Phase::Succeeded, waitMs);
        QVERIFY(!log.phases(waiting.id()).contains(Phase::Started));
    }

    // A shutdown cancels the queued immediate task and an unshielded after-route one; the
    // shielded after-response task behind them in the gate must still run, well before the deadline.
    void shutdownLetsShieldedWorkThroughTheGate()
    {
        TaskEngine engine({}, poolOf(1));
        auto busy = std::make_shared<Gate>();
        OpenOnExit openGates{busy};
        EventLog log(engine);
        engine.schedule([busy](const CancellationToken &token) { busy->pass(token); });
        QVERIFY(busy->waitArrived(1));

        const TaskScope scope = engine.openScope(9);
        const Task queued = scope.schedule([] {});
        const Task unshielded = scope.afterRoute().schedule([] { return readyFuture(); });
        const Task shielded = scope.afterResponse().task({.shield = true}).schedule([] { return readyFuture(); });
        scope.flush(Mode::AfterRoute);
        scope.flush(Mode::AfterResponse);

        const ShutdownReport report = engine.shutdown(30s);
        QVERIFY(!report.deadlineReached);
        QCOMPARE(log.terminalPhase(queued.id()), Phase::Cancelled);
        QCOMPARE(log.terminalPhase(unshielded.id()), Phase::Cancelled);
        QCOMPARE(log.terminalPhase(shielded.id()), Phase::Succeeded);
    }

    void dropEndsEachQueuedTaskDropped()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(2));
        EventLog log(engine);
        const TaskScope scope = engine.openScope(9);
        auto ran = std::make_shared<std::atomic<int>>(0);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        const Task immediate = scope.schedule([gate] { gate->pass(); });
        const Task route1 = scope.afterRoute().schedule([ran] { ++*ran; });
        const Task route2 = scope.afterRoute().task({.shield = true}).schedule([ran] { ++*ran; });
        const Task response = scope.afterResponse().schedule([ran] { ++*ran; });
        QVERIFY(gate->waitArrived(1));

        scope.drop(QStringLiteral("route handler threw"));
        QTRY_COMPARE_WITH_TIMEOUT(log.count(Phase::Dropped), 3, waitMs);
        for (const Task &task : {route1, route2, response}) {
            QCOMPARE(log.terminalPhase(task.id()), Phase::Dropped);
            QCOMPARE(log.phaseNames(task.id()), EventLog::names({Phase::Scheduled, Phase::Dropped}));
            const TaskEvent dropped = *log.terminal(task.id());
            QVERIFY2(dropped.error, "a dropped task carries the reason");
            QCOMPARE(dropped.error->message, QStringLiteral("route handler threw"));
            QCOMPARE(dropped.requestId, quint64(9));
            QCOMPARE(task.phase(), Phase::Dropped);
        }
        QCOMPARE(log.terminal(route2.id())->shielded, true); // even shielded batch tasks are dropped
        QCOMPARE(scope.pendingCount(Mode::AfterRoute), 0);
        QCOMPARE(scope.pendingCount(Mode::AfterResponse), 0);

        // Immediate tasks keep running.
        QVERIFY(!log.hasTerminal(immediate.id()));
        gate->open();
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(immediate.id()), Phase::Succeeded, waitMs);

        // Flushing after a drop starts nothing; additions after a drop are dropped too.
        scope.flush(Mode::AfterRoute);
        scope.flush(Mode::AfterResponse);
        const Task lateRoute = scope.afterRoute().schedule([ran] { ++*ran; });
        const Task lateResponse = scope.afterResponse().schedule([ran] { ++*ran; });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(lateRoute.id()), Phase::Dropped, waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(lateResponse.id()), Phase::Dropped, waitMs);
        QVERIFY(engine.threadPool()->waitForDone(waitMs));
        QCOMPARE(ran->load(), 0);
        QCOMPARE(handled->count(), 0); // dropping is not an error of the task
        QCOMPARE(engine.counters().dropped, quint64(5));
        QCOMPARE(engine.counters().live, 0);
    }

    void dropAfterAFlushOnlyDropsWhatIsStillQueued()
    {
        TaskEngine engine({}, poolOf(2));
        EventLog log(engine);
        const TaskScope scope = engine.openScope();
        const Task route = scope.afterRoute().schedule([] {});
        const Task response = scope.afterResponse().schedule([] {});
        scope.flush(Mode::AfterRoute);
        scope.drop(QStringLiteral("response failed"));
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(route.id()), Phase::Succeeded, waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(response.id()), Phase::Dropped, waitMs);
    }

    void lateAdditionRunsAtOnce_data()
    {
        QTest::addColumn<Mode>("batch");
        QTest::newRow("after-route") << Mode::AfterRoute;
        QTest::newRow("after-response") << Mode::AfterResponse;
    }

    void lateAdditionRunsAtOnce()
    {
        QFETCH(Mode, batch);
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        const TaskScope scope = engine.openScope(3);
        const Task early = schedulerFor(scope, batch).schedule([] {});
        scope.flush(batch);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(early.id()), Phase::Succeeded, waitMs);

        auto ran = std::make_shared<std::atomic<bool>>(false);
        const Task late = schedulerFor(scope, batch).schedule([ran] { *ran = true; });
        QCOMPARE(late.mode(), batch);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(late.id()), Phase::Succeeded, waitMs); // no second flush
        QVERIFY(ran->load());
        QCOMPARE(scope.pendingCount(batch), 0);
        QCOMPARE(log.terminal(late.id())->mode, batch);
    }

    void copiesOfAScopeAreTheSameScope()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        const TaskScope scope = engine.openScope(5);
        const TaskScope copy = scope;
        const Task task = copy.afterRoute().schedule([] {});
        QCOMPARE(scope.pendingCount(Mode::AfterRoute), 1);
        scope.flush(Mode::AfterRoute);
        QVERIFY(copy.isFlushed(Mode::AfterRoute));
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
    }

    // task() without a config, as on the engine: the same destination with the same config.
    void taskWithoutAConfigKeepsDestinationAndConfig()
    {
        TaskEngine engine(TaskConfig{.shield = true}, poolOf(1));
        EventLog log(engine);
        const TaskScope scope = engine.openScope(3);
        const Task immediate = scope.task().schedule([] {});
        const Task route = scope.afterRoute().task({.name = QStringLiteral("route task")}).task().schedule([] {});
        const Task response = scope.afterResponse().task().schedule([] {});
        QCOMPARE(immediate.mode(), Mode::Immediate);
        QCOMPARE(route.mode(), Mode::AfterRoute);
        QCOMPARE(response.mode(), Mode::AfterResponse);
        QCOMPARE(route.name(), QStringLiteral("route task")); // the scheduler's own config is kept
        QCOMPARE(scope.pendingCount(Mode::AfterRoute), 1);
        QCOMPARE(scope.pendingCount(Mode::AfterResponse), 1);
        scope.flush(Mode::AfterRoute);
        scope.flush(Mode::AfterResponse);
        for (const Task &task : {immediate, route, response}) {
            QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
            QVERIFY(task.isShielded()); // the global config
            QCOMPARE(task.requestId(), quint64(3));
        }
    }

    // The original library's test: tasks in all three modes inherit the global config.
    void allThreeModesInheritTheGlobalConfig()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(2));
        EventLog log(engine);
        const TaskScope scope = engine.openScope(11);
        const Task immediate = scope.schedule([] { throw std::runtime_error("immediate failed"); });
        const Task route = scope.afterRoute().schedule([] { throw std::runtime_error("after-route failed"); });
        const Task response = scope.afterResponse()
                                  .task({.name = QStringLiteral("named response task")})
                                  .schedule([] { throw std::runtime_error("after-response failed"); });
        scope.flush(Mode::AfterRoute);
        scope.flush(Mode::AfterResponse);

        QTRY_COMPARE_WITH_TIMEOUT(log.totalTerminals(), 3, waitMs);
        for (const Task &task : {immediate, route, response})
            QCOMPARE(log.terminalPhase(task.id()), Phase::Failed);
        QCOMPARE(handled->count(), 3); // exactly three
        QStringList messages = handled->messages();
        messages.sort();
        QCOMPARE(messages, (QStringList{QStringLiteral("after-response failed"), QStringLiteral("after-route failed"),
                                        QStringLiteral("immediate failed")}));
        QSet<Mode> modes;
        for (const HandlerCall &call : handled->calls())
            modes.insert(call.task.mode());
        QCOMPARE(modes.size(), 3);
        QCOMPARE(response.name(), QStringLiteral("named response task"));
        QVERIFY(response.config().effectiveHandler());
    }
};

QTEST_GUILESS_MAIN(TaskScopeTest)
#include "tst_taskscope.moc"
