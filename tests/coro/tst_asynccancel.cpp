// SPDX-License-Identifier: MIT
// Async work is really cancellable (docs/architecture.md, "Cancellation"): a coroutine stops at a
// co_await made cancellable with afterwork::cancellable(), whatever it awaits, by id, timeout,
// shutdown or the engine's destructor, and never resumes afterwards; async work that cannot stop
// (a QtConcurrent::run future ignores cancel()) is waited for like running sync work.
#include "../engine/enginetestsupport.h"
#include "pinger.h"

#include <afterwork/delay.h>
#include <afterwork/qcoro.h>
#include <afterwork/taskengine.h>

#include <QCoro/QCoroSignal>
#include <QCoro/QCoroTimer>
#include <QtConcurrent/QtConcurrentRun>
#include <QtCore/QThreadPool>
#include <QtCore/QTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#if defined(AFTERWORK_TEST_QCORO_NETWORK)
#include <QCoro/QCoroNetworkReply>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#endif

#include <coroutine>
#include <memory>
#include <thread>

using namespace afterwork;
using namespace afterwork::test;
using namespace std::chrono_literals;

namespace {

//! What a coroutine's frame did: reached the code after its co_await, and was unwound.
struct FrameLog
{
    bool suspended = false;
    bool resumedNormally = false;
    bool unwound = false;
};

//! Sets FrameLog::unwound when the coroutine's frame is unwound or finishes.
struct UnwindMark
{
    std::shared_ptr<FrameLog> log;
    ~UnwindMark() { log->unwound = true; }
};

enum class CancelBy { Id, Timeout, Shutdown, Destructor };

//! A bare coroutine type whose frame the test destroys while it is suspended (QCoro's never does).
struct OwnedFrame
{
    struct promise_type
    {
        OwnedFrame get_return_object() { return {std::coroutine_handle<promise_type>::from_promise(*this)}; }
        std::suspend_never initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept {}
    };
    std::coroutine_handle<promise_type> handle;
};

OwnedFrame awaitPing(CancellationToken token, Pinger *pinger, std::shared_ptr<FrameLog> frame)
{
    const UnwindMark mark{frame};
    frame->suspended = true;
    co_await afterwork::cancellable(token, qCoro(pinger, &Pinger::ping));
    frame->resumedNormally = true;
}

//! Work returning a QtConcurrent::run future, which ignores cancel(): it runs until \a gate
//! opens. \a future, when given, receives the future so the test can see it asked to cancel.
auto uncooperativeWork(std::shared_ptr<Gate> gate, std::shared_ptr<QFuture<void>> future = {})
{
    return [gate, future] {
        QFuture<void> running = QtConcurrent::run([gate] { gate->pass(); });
        if (future)
            *future = running;
        return running;
    };
}

} // namespace

Q_DECLARE_METATYPE(CancelBy)

class AsyncCancelTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void coroutineAwaitingASignalStops_data()
    {
        QTest::addColumn<CancelBy>("by");
        QTest::newRow("cancel(id)") << CancelBy::Id;
        QTest::newRow("timeout") << CancelBy::Timeout;
        QTest::newRow("shutdown") << CancelBy::Shutdown;
        QTest::newRow("~TaskEngine") << CancelBy::Destructor;
    }

    void coroutineAwaitingASignalStops()
    {
        QFETCH(CancelBy, by);
        auto pinger = std::make_shared<Pinger>();
        auto frame = std::make_shared<FrameLog>();
        auto engine = std::make_unique<TaskEngine>(TaskConfig{}, poolOf(1));
        EventLog log(*engine);
        const TaskConfig config{.timeout = by == CancelBy::Timeout ? std::optional(30ms) : std::nullopt};
        const Task task = engine->task(config).schedule([pinger, frame](const CancellationToken &token) -> QCoro::Task<> {
            const UnwindMark mark{frame};
            frame->suspended = true;
            co_await afterwork::cancellable(token, qCoro(pinger.get(), &Pinger::ping));
            frame->resumedNormally = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(frame->suspended, waitMs);
        QVERIFY(!frame->unwound);

        switch (by) {
        case CancelBy::Id:
            QVERIFY(engine->cancel(task.id()));
            // On the engine thread the coroutine is resumed inside cancel(): it has unwound and
            // the task has ended by the time cancel() returns.
            QVERIFY(frame->unwound);
            QCOMPARE(log.terminalPhase(task.id()), Phase::Cancelled);
            break;
        case CancelBy::Timeout:
            QTRY_VERIFY_WITH_TIMEOUT(log.hasTerminal(task.id()), waitMs);
            QCOMPARE(log.terminalPhase(task.id()), Phase::Failed);
            QVERIFY(log.terminal(task.id())->error->isTimeout());
            QVERIFY(frame->unwound);
            break;
        case CancelBy::Shutdown: {
            const ShutdownReport report = engine->shutdown(10s);
            QVERIFY(frame->unwound);
            QCOMPARE(report.cancelled, 1);
            QCOMPARE(report.abandoned, 0);
            QVERIFY(!report.deadlineReached);
            QCOMPARE(log.terminalPhase(task.id()), Phase::Cancelled);
            break;
        }
        case CancelBy::Destructor:
            engine.reset();
            QVERIFY(frame->unwound); // before the destructor returned
            break;
        }
        engine.reset();

        // What it awaited happens afterwards: nothing resumes the coroutine.
        QSignalSpy pings(pinger.get(), &Pinger::ping);
        QCOMPARE(detail::Suspension::live(), 1); // the relay still waits, though its coroutine is gone
        Q_EMIT pinger->ping();
        QCOMPARE(pings.size(), 1);
        // QCoro delivers the signal to its awaiter through the event loop; once it has, the relay
        // and the awaiter it holds are freed: no leak, no resumption.
        QTRY_COMPARE_WITH_TIMEOUT(detail::Suspension::live(), 0, waitMs);
        QVERIFY(!frame->resumedNormally);
    }

    void aCancelFromAnotherThreadNeverResumesAfterTheDestructor()
    {
        auto pinger = std::make_shared<Pinger>();
        auto frame = std::make_shared<FrameLog>();
        auto engine = std::make_unique<TaskEngine>(TaskConfig{}, poolOf(1));
        const Task task = engine->schedule([pinger, frame](const CancellationToken &token) -> QCoro::Task<> {
            const UnwindMark mark{frame};
            frame->suspended = true;
            co_await afterwork::cancellable(token, qCoro(pinger.get(), &Pinger::ping));
            frame->resumedNormally = true;
        });
        QVERIFY(frame->suspended);
        // The cancel claims the coroutine from another thread and posts its resumption here...
        std::thread canceller([&] { QVERIFY(engine->cancel(task.id())); });
        canceller.join();
        QVERIFY(!frame->unwound);
        // ...which the destructor runs before it returns, rather than leaving it for later.
        engine.reset();
        QVERIFY(frame->unwound);
        Q_EMIT pinger->ping(); // frees the relay that waits for it
        QTRY_COMPARE_WITH_TIMEOUT(detail::Suspension::live(), 0, waitMs);
        QVERIFY(!frame->resumedNormally);
    }

    void aFrameDestroyedWhileSuspendedIsNeverResumed()
    {
        Pinger pinger;
        CancellationSource source;
        auto frame = std::make_shared<FrameLog>();
        OwnedFrame owned = awaitPing(source.token(), &pinger, frame);
        QVERIFY(frame->suspended);
        owned.handle.destroy(); // while suspended at the cancellable co_await
        QVERIFY(frame->unwound);
        // Neither a cancellation nor what it awaited may resume the freed frame (ASan would see it).
        source.cancel(CancelReason::Request);
        Q_EMIT pinger.ping();
        QCoreApplication::processEvents();
        QVERIFY(!frame->resumedNormally);
        QTRY_COMPARE_WITH_TIMEOUT(detail::Suspension::live(), 0, waitMs);
    }

    void cancellableReturnsTheAwaitedValue()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto seen = std::make_shared<int>(0);
        const auto child = []() -> QCoro::Task<int> {
            co_await afterwork::delay(CancellationToken(), 1ms);
            co_return 42;
        };
        const Task task = engine.schedule([seen, child](const CancellationToken &token) -> QCoro::Task<> {
            *seen = co_await afterwork::cancellable(token, child());
        });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        QCOMPARE(*seen, 42);
    }

    // The coroutine catches the cancellation of one co_await and goes on to the next: a
    // cancellable() on an already cancelled token throws at once and never starts its operation.
    void alreadyCancelledStartsNothing()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        QTimer timer; // awaited through QCoro's QTimer awaiter, which connects only when suspending
        auto frame = std::make_shared<FrameLog>();
        auto reachedSecondAwait = std::make_shared<bool>(false);
        const Task task = engine.schedule([&timer, frame, reachedSecondAwait](const CancellationToken &token) -> QCoro::Task<> {
            frame->suspended = true;
            try {
                co_await afterwork::delay(token, std::chrono::hours(1));
            } catch (const TaskCancelled &) {
            }
            *reachedSecondAwait = true;
            co_await afterwork::cancellable(token, &timer);
            frame->resumedNormally = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(frame->suspended, waitMs);
        QVERIFY(engine.cancel(task.id()));
        QVERIFY(*reachedSecondAwait);
        QCOMPARE(log.terminalPhase(task.id()), Phase::Cancelled);
        QVERIFY(!frame->resumedNormally);
        QCOMPARE(detail::Suspension::live(), 0); // it never suspended
    }

#if defined(AFTERWORK_TEST_QCORO_NETWORK)
    // A reply from a local server that accepts the request and never answers, until the test
    // closes the connection after the task (and in one case the engine) is gone.
    void slowNetworkReplyIsCancelled_data()
    {
        QTest::addColumn<CancelBy>("by");
        QTest::newRow("cancel(id)") << CancelBy::Id;
        QTest::newRow("~TaskEngine") << CancelBy::Destructor;
    }

    void slowNetworkReplyIsCancelled()
    {
        QFETCH(CancelBy, by);
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QNetworkAccessManager network;
        auto frame = std::make_shared<FrameLog>();
        QNetworkReply *reply =
            network.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/slow").arg(server.serverPort()))));
        auto engine = std::make_unique<TaskEngine>(TaskConfig{}, poolOf(1));
        EventLog log(*engine);
        const Task task = engine->schedule([reply, frame](const CancellationToken &token) -> QCoro::Task<> {
            const UnwindMark mark{frame};
            frame->suspended = true;
            co_await afterwork::cancellable(token, reply);
            frame->resumedNormally = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(frame->suspended && server.hasPendingConnections(), waitMs);
        std::unique_ptr<QTcpSocket> connection(server.nextPendingConnection());
        QTRY_VERIFY_WITH_TIMEOUT(connection->bytesAvailable() > 0, waitMs); // the request arrived

        if (by == CancelBy::Id) {
            QVERIFY(engine->cancel(task.id()));
            QVERIFY(frame->unwound);
            QCOMPARE(log.terminalPhase(task.id()), Phase::Cancelled);
        }
        engine.reset();
        QVERIFY(frame->unwound);
        QVERIFY(!reply->isFinished());

        // The answer comes after the coroutine is gone: its awaiter is still there to take it.
        connection->write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nlate");
        connection->flush();
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), waitMs);
        QVERIFY(!frame->resumedNormally);
        delete reply;
    }
#endif

    // ---- futures that ignore cancel() ----------------------------------------------------------

    void cancelWaitsForAFutureThatIgnoresIt()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        auto future = std::make_shared<QFuture<void>>();
        const Task task = engine.schedule(uncooperativeWork(gate, future));
        QVERIFY(gate->waitArrived(1));
        QVERIFY(engine.cancel(task.id()));
        QVERIFY(future->isCanceled()); // asked to cancel...
        QVERIFY(!log.hasTerminal(task.id())); // ...but the work still runs, so the task does too
        QCOMPARE(task.phase(), Phase::Started);
        gate->open();
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Cancelled, waitMs);
        QVERIFY(QThreadPool::globalInstance()->waitForDone(waitMs));
    }

    void timeoutEndsAFutureWhenItsWorkEnds()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        auto future = std::make_shared<QFuture<void>>();
        const Task task = engine.task({.timeout = 30ms}).schedule(uncooperativeWork(gate, future));
        QVERIFY(gate->waitArrived(1));
        QTRY_VERIFY_WITH_TIMEOUT(future->isCanceled(), waitMs); // the timeout fired
        QVERIFY(!log.hasTerminal(task.id()));
        gate->open();
        QTRY_VERIFY_WITH_TIMEOUT(log.hasTerminal(task.id()), waitMs);
        QCOMPARE(log.terminalPhase(task.id()), Phase::Failed);
        QVERIFY(log.terminal(task.id())->error->isTimeout());
        QVERIFY(QThreadPool::globalInstance()->waitForDone(waitMs));
    }

    void shutdownWaitsForAFutureThatIgnoresCancel()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        const Task task = engine.schedule(uncooperativeWork(gate));
        QVERIFY(gate->waitArrived(1));
        // The drain reports it pending; only then does the work end.
        log.onEvent = [&](const TaskEvent &event) {
            if (event.taskId == task.id() && event.phase == Phase::ShutdownPending)
                gate->open();
        };
        const ShutdownReport report = engine.shutdown(10s);
        QVERIFY(log.phases(task.id()).contains(Phase::ShutdownPending));
        QCOMPARE(gate->left(), 1);
        QCOMPARE(report.cancelled, 1);
        QCOMPARE(report.abandoned, 0);
        QVERIFY(!report.deadlineReached);
        QVERIFY(QThreadPool::globalInstance()->waitForDone(waitMs));
    }

    void shutdownAbandonsAFutureStillRunningAtTheDeadline()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        const Task task = engine.schedule(uncooperativeWork(gate));
        QVERIFY(gate->waitArrived(1));
        const ShutdownReport report = engine.shutdown(50ms);
        QCOMPARE(report.abandoned, 1);
        QVERIFY(report.deadlineReached);
        QCOMPARE(log.terminalPhase(task.id()), Phase::Abandoned);
        QCOMPARE(gate->left(), 0); // still running: the engine said so instead of hiding it
        gate->open();
        QVERIFY(QThreadPool::globalInstance()->waitForDone(waitMs));
    }
};

QTEST_GUILESS_MAIN(AsyncCancelTest)
#include "tst_asynccancel.moc"
