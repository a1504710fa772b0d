// SPDX-License-Identifier: MIT
// Following one task (docs/architecture.md, "Following one task"): Task::outcome() finishes with
// how the task ended and the value its work returned, after the terminal event; Task::whenEnded()
// calls back on a context's thread, later, and never once the context is gone.
#include "enginetestsupport.h"

#include <afterwork/taskengine.h>

#include <QtCore/QFutureWatcher>
#include <QtCore/QThread>
#include <QtTest/QTest>

#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace afterwork;
using namespace afterwork::test;
using namespace std::chrono_literals;

namespace {

//! Waits (processing events) until \a future has finished; its outcome, or a default one.
TaskOutcome waitFor(const QFuture<TaskOutcome> &future)
{
    if (!QTest::qWaitFor([&] { return future.isFinished(); }, waitMs) || future.resultCount() == 0)
        return {};
    return future.result();
}

struct Payload
{
    QString text;
    int number = 0;
};

struct Opaque; // never defined: work may return a pointer to it

//! Async work of a kind the engine does not know, reported from another thread, as an adapter
//! may (the contract asks for the engine thread, the engine copes).
struct OffThreadResult
{
    int value = 0;
};

} // namespace

template<>
struct afterwork::AsyncAdapter<OffThreadResult>
{
    static constexpr bool isAsync = true;
    static void start(OffThreadResult result, const CancellationToken &, AsyncDone done)
    {
        std::thread reporter([result, done] {
            QVariant value = QVariant::fromValue(result.value);
            done(nullptr, &value);
        });
        reporter.join(); // reported, and not yet handled: the engine thread is here
    }
};

class TaskOutcomeTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void syncWorkReturnsItsValue()
    {
        TaskEngine engine({}, poolOf(1));
        const Task task = engine.schedule([] { return 42; });
        const TaskOutcome outcome = waitFor(task.outcome());
        QCOMPARE(outcome.taskId, task.id());
        QCOMPARE(outcome.phase, Phase::Succeeded);
        QVERIFY(outcome.succeeded());
        QCOMPARE(outcome.valueAs<int>(), std::optional<int>(42));
        QCOMPARE(outcome.valueAs<qint64>(), std::nullopt); // exact type, no conversion
        QVERIFY(!outcome.error);
    }

    void voidWorkHasNoValue()
    {
        TaskEngine engine({}, poolOf(1));
        const TaskOutcome outcome = waitFor(engine.schedule([] {}).outcome());
        QCOMPARE(outcome.phase, Phase::Succeeded);
        QVERIFY(!outcome.value.isValid());
    }

    void aStructIsCarriedAsIs()
    {
        TaskEngine engine({}, poolOf(1));
        const TaskOutcome outcome = waitFor(engine.schedule([] { return Payload{"done", 3}; }).outcome());
        const std::optional<Payload> payload = outcome.valueAs<Payload>();
        QVERIFY(payload);
        QCOMPARE(payload->text, QStringLiteral("done"));
        QCOMPARE(payload->number, 3);
    }

    void futureWorkReturnsItsResult()
    {
        TaskEngine engine({}, poolOf(1));
        auto promise = std::make_shared<QPromise<QString>>();
        const Task task = engine.schedule([promise] {
            promise->start();
            return promise->future();
        });
        const QFuture<TaskOutcome> followed = task.outcome();
        QTRY_COMPARE_WITH_TIMEOUT(task.phase(), Phase::Started, waitMs);
        QVERIFY(!followed.isFinished()); // it follows the work, not the start
        promise->addResult(QStringLiteral("report.csv"));
        promise->finish();
        const TaskOutcome outcome = waitFor(followed);
        QCOMPARE(outcome.phase, Phase::Succeeded);
        QCOMPARE(outcome.valueAs<QString>(), std::optional<QString>(QStringLiteral("report.csv")));
    }

    void theRetryThatSucceedsGivesTheValue()
    {
        TaskEngine engine({}, poolOf(1));
        auto attempts = std::make_shared<std::atomic<int>>(0);
        const Task task = engine.task({.retry = RetryPolicy{.maxAttempts = 3, .initialBackoff = 1ms}})
                              .schedule([attempts] {
                                  if (attempts->fetch_add(1) == 0)
                                      throw std::runtime_error("first attempt fails");
                                  return 7;
                              });
        const TaskOutcome outcome = waitFor(task.outcome());
        QCOMPARE(outcome.phase, Phase::Succeeded);
        QCOMPARE(outcome.valueAs<int>(), std::optional<int>(7));
        QCOMPARE(task.attempt(), 2);
    }

    void aFailureCarriesBothErrors()
    {
        TaskEngine engine({}, poolOf(1));
        const Task task = engine.task({.onError = [](const Task &, const TaskError &) {
                                           throw std::runtime_error("the handler broke too");
                                       }})
                              .schedule([]() -> int { throw std::invalid_argument("bad input"); });
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("failed"));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("error handler .* threw"));
        const TaskOutcome outcome = waitFor(task.outcome());
        QCOMPARE(outcome.phase, Phase::Failed);
        QVERIFY(outcome.error);
        QCOMPARE(outcome.error->message, QStringLiteral("bad input"));
        QVERIFY(outcome.handlerError);
        QCOMPARE(outcome.handlerError->message, QStringLiteral("the handler broke too"));
        QVERIFY(!outcome.value.isValid());
    }

    void aCancelledTaskHasNoValue()
    {
        TaskEngine engine({}, poolOf(1));
        auto gate = std::make_shared<Gate>();
        OpenOnExit openOnExit{gate};
        engine.schedule([gate] { gate->pass(); }); // holds the only pool thread
        const Task queued = engine.schedule([] { return 1; });
        const QFuture<TaskOutcome> followed = queued.outcome();
        QVERIFY(gate->waitArrived(1));
        QVERIFY(engine.cancel(queued.id()));
        const TaskOutcome outcome = waitFor(followed);
        QCOMPARE(outcome.phase, Phase::Cancelled);
        QVERIFY(!outcome.value.isValid());
    }

    void theFutureFinishesAfterTheTerminalEvent()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        const Task task = engine.schedule([] { return 5; });
        QFutureWatcher<TaskOutcome> watcher;
        bool sawTerminalEvent = false;
        bool stillLive = true;
        connect(&watcher, &QFutureWatcherBase::finished, this, [&] {
            sawTerminalEvent = log.phases(task.id()).contains(Phase::Succeeded);
            stillLive = engine.find(task.id()).has_value();
        });
        watcher.setFuture(task.outcome());
        QTRY_VERIFY_WITH_TIMEOUT(watcher.isFinished(), waitMs);
        QTRY_VERIFY_WITH_TIMEOUT(sawTerminalEvent, waitMs);
        QVERIFY(!stillLive);
    }

    void receiversOfTheTerminalEventFindItFinished()
    {
        TaskEngine engine({}, poolOf(1));
        std::optional<int> seen;
        Task task;
        connect(&engine, &TaskEngine::taskEvent, this, [&](const TaskEvent &event) {
            if (event.taskId == task.id() && event.phase == Phase::Succeeded) {
                const QFuture<TaskOutcome> outcome = task.outcome();
                if (outcome.isFinished()) // never block the engine thread on it
                    seen = outcome.result().valueAs<int>();
            }
        });
        task = engine.schedule([] { return 8; });
        QTRY_VERIFY_WITH_TIMEOUT(seen.has_value(), waitMs);
        QCOMPARE(*seen, 8);
    }

    void aValueReportedFromAnotherThreadIsKept()
    {
        auto engine = std::make_unique<TaskEngine>(TaskConfig{}, poolOf(1));
        const Task task = engine->schedule([] { return OffThreadResult{5}; });
        engine.reset(); // its end was reported before, not yet handled: the destructor handles it
        const QFuture<TaskOutcome> outcome = task.outcome();
        QVERIFY(outcome.isFinished());
        QCOMPARE(outcome.result().phase, Phase::Succeeded);
        QCOMPARE(outcome.result().valueAs<int>(), std::optional<int>(5));
    }

    void valuesAQVariantCannotHoldAreLeftOut()
    {
        // These compile, and run, without a value.
        TaskEngine engine({}, poolOf(1));
        const Task moveOnly = engine.schedule([] {
            std::vector<std::unique_ptr<int>> values;
            values.push_back(std::make_unique<int>(1));
            return values;
        });
        const Task pointer = engine.schedule([]() -> Opaque * { return nullptr; });
        const TaskOutcome first = waitFor(moveOnly.outcome());
        const TaskOutcome second = waitFor(pointer.outcome());
        QCOMPARE(first.phase, Phase::Succeeded);
        QVERIFY(!first.value.isValid());
        QCOMPARE(second.phase, Phase::Succeeded);
        QVERIFY(!second.value.isValid());
    }

    void anEndedTaskGivesAFinishedFuture()
    {
        TaskEngine engine({}, poolOf(1));
        const Task task = engine.schedule([] { return QStringLiteral("x"); });
        QTRY_COMPARE_WITH_TIMEOUT(task.phase(), Phase::Succeeded, waitMs);
        const QFuture<TaskOutcome> again = task.outcome();
        QVERIFY(again.isFinished()); // at once, without the event loop
        QCOMPARE(again.result().valueAs<QString>(), std::optional<QString>(QStringLiteral("x")));
    }

    void anInvalidHandleGivesAFinishedFutureWithoutResult()
    {
        const QFuture<TaskOutcome> future = Task().outcome();
        QVERIFY(future.isFinished());
        QCOMPARE(future.resultCount(), 0);
    }

    void anAbandonedTaskIsReported()
    {
        auto gate = std::make_shared<Gate>();
        QFuture<TaskOutcome> followed;
        {
            TaskEngine engine({}, poolOf(1, 1ms));
            OpenOnExit openOnExit{gate};
            const Task task = engine.task({.shield = true}).schedule([gate] { gate->pass(); });
            followed = task.outcome();
            QVERIFY(gate->waitArrived(1));
            engine.shutdown(1ms);
            QVERIFY(followed.isFinished());
            QCOMPARE(followed.result().phase, Phase::Abandoned);
        }
        QVERIFY(gate->waitLeft(1));
    }

    void manyFollowersEachGetIt()
    {
        TaskEngine engine({}, poolOf(1));
        auto gate = std::make_shared<Gate>();
        OpenOnExit openOnExit{gate};
        const Task task = engine.schedule([gate] {
            gate->pass();
            return 9;
        });
        const QFuture<TaskOutcome> first = task.outcome();
        const QFuture<TaskOutcome> second = task.outcome();
        gate->open();
        QCOMPARE(waitFor(first).valueAs<int>(), std::optional<int>(9));
        QCOMPARE(waitFor(second).valueAs<int>(), std::optional<int>(9));
    }

    void whenEndedRunsLaterOnTheContextThread()
    {
        TaskEngine engine({}, poolOf(1));
        QThread contextThread;
        contextThread.start();
        auto context = std::make_unique<QObject>();
        context->moveToThread(&contextThread);

        std::atomic<QThread *> calledOn{nullptr};
        std::atomic<int> value{0};
        std::atomic<int> calls{0};
        const Task task = engine.schedule([] { return 11; });
        task.whenEnded(context.get(), [&](const TaskOutcome &outcome) {
            value = outcome.valueAs<int>().value_or(-1);
            calledOn = QThread::currentThread();
            ++calls;
        });
        QTRY_COMPARE_WITH_TIMEOUT(calls.load(), 1, waitMs);
        QCOMPARE(calledOn.load(), &contextThread);
        QCOMPARE(value.load(), 11);

        // Already ended: still called later, never inside whenEnded().
        bool calledAgain = false;
        QObject here;
        task.whenEnded(&here, [&](const TaskOutcome &) { calledAgain = true; });
        QVERIFY(!calledAgain);
        QTRY_VERIFY_WITH_TIMEOUT(calledAgain, waitMs);

        context.release()->deleteLater(); // on its thread, which deletes it at the latest as it finishes
        contextThread.quit();
        QVERIFY(contextThread.wait(waitMs));
    }

    void whenEndedFromAnotherThread()
    {
        TaskEngine engine({}, poolOf(1));
        auto gate = std::make_shared<Gate>();
        OpenOnExit openOnExit{gate};
        const Task task = engine.schedule([gate] {
            gate->pass();
            return 3;
        });
        QObject context; // on this (the engine's) thread
        int value = 0;
        QThread *calledOn = nullptr;
        std::unique_ptr<QThread> caller(QThread::create([&] {
            task.whenEnded(&context, [&](const TaskOutcome &outcome) {
                value = outcome.valueAs<int>().value_or(-1);
                calledOn = QThread::currentThread();
            });
        }));
        caller->start();
        QVERIFY(caller->wait(waitMs));
        gate->open();
        QTRY_COMPARE_WITH_TIMEOUT(value, 3, waitMs);
        QCOMPARE(calledOn, QThread::currentThread());
    }

    void whenEndedForgetsADestroyedContext()
    {
        TaskEngine engine({}, poolOf(1));
        auto gate = std::make_shared<Gate>();
        OpenOnExit openOnExit{gate};
        const Task task = engine.schedule([gate] { gate->pass(); });
        bool goneCalled = false;
        bool keptCalled = false;
        auto gone = std::make_unique<QObject>();
        QObject kept;
        task.whenEnded(gone.get(), [&](const TaskOutcome &) { goneCalled = true; });
        gone.reset();
        task.whenEnded(&kept, [&](const TaskOutcome &) { keptCalled = true; });
        gate->open();
        QTRY_VERIFY_WITH_TIMEOUT(keptCalled, waitMs); // delivered after the other would have been
        QCoreApplication::processEvents();
        QVERIFY(!goneCalled);
    }

    void aThrowingCallbackIsLogged()
    {
        TaskEngine engine({}, poolOf(1));
        const Task task = engine.schedule([] {});
        QObject context;
        bool secondCalled = false;
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("whenEnded\\(\\) function of task .* threw"));
        task.whenEnded(&context, [](const TaskOutcome &) { throw std::runtime_error("oops"); });
        task.whenEnded(&context, [&](const TaskOutcome &) { secondCalled = true; });
        QTRY_VERIFY_WITH_TIMEOUT(secondCalled, waitMs);
    }
};

QTEST_GUILESS_MAIN(TaskOutcomeTest)
#include "tst_taskoutcome.moc"
