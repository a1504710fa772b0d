// SPDX-License-Identifier: MIT
// Coroutines as tasks beyond cancellation: a QCoro::Task<T>'s value is its task's outcome, a
// coroutine can co_await another task's outcome, and a coroutine that suspended at a cancellable
// co_await may schedule follow-up tasks during the drain, as sync work may (docs/architecture.md,
// "Following one task" and "Shutdown").
#include "../engine/enginetestsupport.h"
#include "pinger.h"

#include <afterwork/delay.h>
#include <afterwork/qcoro.h>
#include <afterwork/taskengine.h>

#include <QCoro/QCoroFuture>
#include <QCoro/QCoroSignal>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>
#include <optional>

using namespace afterwork;
using namespace afterwork::test;
using namespace std::chrono_literals;

namespace {

//! How a coroutine waits before it schedules its follow-ups.
enum class Wait {
    Delay,             //!< co_await afterwork::delay(token, ...)
    CancellableSignal, //!< co_await afterwork::cancellable(token, qCoro(pinger, &Pinger::ping))
    CancellableNested, //!< co_await afterwork::cancellable(token, a coroutine awaiting the signal)
    PlainSignal,       //!< co_await qCoro(pinger, &Pinger::ping): not an Afterwork suspension point
};

QCoro::Task<> awaitPing(Pinger *pinger)
{
    co_await qCoro(pinger, &Pinger::ping);
}

//! What the coroutine's follow-up scheduling gave.
struct FollowUps
{
    bool resumed = false;
    std::optional<Task> shielded;
    std::optional<Task> unshielded;
    bool refused = false; //!< schedule() threw EngineShutDownError
};

} // namespace

Q_DECLARE_METATYPE(Wait)

class CoroTasksTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aCoroutinesValueIsItsOutcome()
    {
        TaskEngine engine({}, poolOf(1));
        const Task task = engine.schedule([](const CancellationToken &token) -> QCoro::Task<QString> {
            co_await afterwork::delay(token, 1ms);
            co_return QStringLiteral("exported");
        });
        QTRY_VERIFY_WITH_TIMEOUT(task.outcome().isFinished(), waitMs);
        const TaskOutcome outcome = task.outcome().result();
        QCOMPARE(outcome.phase, Phase::Succeeded);
        QCOMPARE(outcome.valueAs<QString>(), std::optional<QString>(QStringLiteral("exported")));
    }

    void aCoroutineAwaitsAnotherTasksOutcome()
    {
        TaskEngine engine({}, poolOf(1));
        auto gate = std::make_shared<Gate>();
        OpenOnExit openOnExit{gate};
        const Task first = engine.schedule([gate] {
            gate->pass();
            return 20;
        });
        const Task second = engine.schedule([first]() -> QCoro::Task<int> {
            const TaskOutcome before = co_await first.outcome();
            co_return before.valueAs<int>().value_or(0) + 1;
        });
        QVERIFY(gate->waitArrived(1));
        QCOMPARE(second.phase(), Phase::Started); // suspended on the first task's outcome
        gate->open();
        QTRY_COMPARE_WITH_TIMEOUT(second.phase(), Phase::Succeeded, waitMs);
        QCOMPARE(second.outcome().result().valueAs<int>(), std::optional<int>(21));
    }

    void aSuspendedCoroutineSchedulesDuringTheDrain_data()
    {
        QTest::addColumn<Wait>("wait");
        QTest::addColumn<bool>("mayTaskSchedule");
        QTest::newRow("delay") << Wait::Delay << true;
        QTest::newRow("cancellable signal") << Wait::CancellableSignal << true;
        QTest::newRow("cancellable coroutine") << Wait::CancellableNested << true;
        // A plain co_await resumes from Qt's event loop, where nothing says which task it belongs to.
        QTest::newRow("plain co_await") << Wait::PlainSignal << false;
    }

    void aSuspendedCoroutineSchedulesDuringTheDrain()
    {
        QFETCH(Wait, wait);
        QFETCH(bool, mayTaskSchedule);
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        Pinger pinger;
        auto followUps = std::make_shared<FollowUps>();
        const Task parent = engine.task({.shield = true})
                                .schedule([&engine, &pinger, wait, followUps](const CancellationToken &token) -> QCoro::Task<> {
                                    switch (wait) {
                                    case Wait::Delay: co_await afterwork::delay(token, 30ms); break;
                                    case Wait::CancellableSignal:
                                        co_await afterwork::cancellable(token, qCoro(&pinger, &Pinger::ping));
                                        break;
                                    case Wait::CancellableNested:
                                        co_await afterwork::cancellable(token, awaitPing(&pinger));
                                        break;
                                    case Wait::PlainSignal: co_await qCoro(&pinger, &Pinger::ping); break;
                                    }
                                    followUps->resumed = true;
                                    try {
                                        followUps->shielded = engine.task({.shield = true}).schedule([] { return 1; });
                                        followUps->unshielded = engine.schedule([] { return 2; });
                                    } catch (const EngineShutDownError &) {
                                        followUps->refused = true;
                                    }
                                });
        // What the end of the coroutine runs is not the task's code: a receiver of its terminal
        // event is refused, whichever way the coroutine was resumed.
        bool receiverRefused = false;
        connect(&engine, &TaskEngine::taskEvent, this, [&](const TaskEvent &event) {
            if (event.taskId != parent.id() || !isTerminal(event.phase))
                return;
            try {
                engine.task({.shield = true}).schedule([] {});
            } catch (const EngineShutDownError &) {
                receiverRefused = true;
            }
        });
        // The coroutine has run to its co_await inside schedule() (this is the engine thread), and
        // neither the delay's timer nor the ping reaches it before the event loop runs: the drain
        // starts first.
        QCOMPARE(parent.phase(), Phase::Started);
        QSignalSpy finished(&engine, &TaskEngine::shutdownFinished);
        engine.startShutdown(10s);
        QCOMPARE(engine.state(), EngineState::Draining);
        Q_EMIT pinger.ping(); // (QCoro delivers it to the coroutine through the event loop)
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, waitMs);

        QVERIFY(followUps->resumed);
        QVERIFY(receiverRefused);
        QCOMPARE(log.terminalPhase(parent.id()), Phase::Succeeded);
        QCOMPARE(followUps->refused, !mayTaskSchedule);
        if (!mayTaskSchedule)
            return;
        // The same rules as sync work: a shielded follow-up runs and is waited for, an unshielded
        // one is cancelled at once.
        QCOMPARE(log.terminalPhase(followUps->shielded->id()), Phase::Succeeded);
        QCOMPARE(followUps->shielded->outcome().result().valueAs<int>(), std::optional<int>(1));
        QCOMPARE(log.terminalPhase(followUps->unshielded->id()), Phase::Cancelled);
        const auto report = finished.at(0).at(0).value<ShutdownReport>();
        QCOMPARE(report.abandoned, 0);
        QVERIFY(!report.deadlineReached);
    }
};

QTEST_GUILESS_MAIN(CoroTasksTest)
#include "tst_corotasks.moc"
