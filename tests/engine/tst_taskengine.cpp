// SPDX-License-Identifier: MIT
// TaskEngine while it runs: sync and async work, names and arguments, error handlers, logging,
// lifecycle events, live tasks and counters, cancellation, timeouts and retries.
// Shutdown and destruction are in tst_shutdown.cpp, scopes in tst_taskscope.cpp.

#include "enginetestsupport.h"
#include "testseams.h"

#include <afterwork/delay.h>
#include <afterwork/taskengine.h>
#if defined(AFTERWORK_TEST_QCORO)
#include <afterwork/qcoro.h>
#endif

#include <QtCore/QPromise>
#include <QtCore/QRegularExpression>
#include <QtCore/QSet>
#include <QtCore/QScopeGuard>
#include <QtCore/QSemaphore>
#include <QtCore/QThreadPool>
#include <QtTest/QTest>

#include <atomic>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

using namespace afterwork;
using namespace afterwork::test;
using namespace std::chrono_literals;

namespace {

struct Opaque
{
    int value = 0;
};

struct NotAnException
{
    int code = 0;
};

class CustomError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

void sendEmail(const QString &to, int retries)
{
    Q_UNUSED(to);
    Q_UNUSED(retries);
}

void failingSend(const QString &to, int retries)
{
    Q_UNUSED(to);
    Q_UNUSED(retries);
    throw std::runtime_error("smtp refused");
}

void failingWithUniqueMessage(const QString &to, int retries)
{
    Q_UNUSED(to);
    Q_UNUSED(retries);
    throw std::runtime_error("disk quota exceeded 7f3a");
}

QStringList phaseNames(std::initializer_list<Phase> phases)
{
    return EventLog::names(QList<Phase>(phases));
}

} // namespace

class TaskEngineTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ---- running work -------------------------------------------------------------------------

    void syncWorkRunsOnTheEnginesOwnPool()
    {
        TaskEngine engine({}, poolOf(2));
        EventLog log(engine);
        QVERIFY(engine.threadPool());
        QVERIFY(engine.threadPool() != QThreadPool::globalInstance());
        QCOMPARE(engine.threadPool()->maxThreadCount(), 2);
        QCOMPARE(engine.state(), EngineState::Running);

        auto ranOn = std::make_shared<std::atomic<QThread *>>(nullptr);
        const Task task = engine.schedule([ranOn] { *ranOn = QThread::currentThread(); });
        QVERIFY(task.isValid());
        QCOMPARE(task.work(), WorkKind::Sync);
        QCOMPARE(task.mode(), Mode::Immediate);
        QCOMPARE(task.requestId(), quint64(0));

        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        QVERIFY(ranOn->load() != nullptr);
        QVERIFY(ranOn->load() != QThread::currentThread());
        QCOMPARE(task.phase(), Phase::Succeeded);
        QVERIFY(!task.error());
        QCOMPARE(log.phaseNames(task.id()), phaseNames({Phase::Scheduled, Phase::Started, Phase::Succeeded}));
        QCOMPARE(log.offThreadEvents(), 0);
    }

    void batchedWakeUpsStartTheFirstTaskAtOnceAndTheRestWhenTheLoopRuns()
    {
        TaskEngine engine({}, poolOf(2));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        auto ran = std::make_shared<std::atomic<int>>(0);
        auto firstStarted = std::make_shared<QSemaphore>();

        engine.batchPoolWakeUps();
        const Task first = engine.schedule([gate, firstStarted] {
            firstStarted->release();
            gate->pass();
        });
        // A blocking wait, so no event loop runs: the batch's first task started at once.
        QVERIFY(firstStarted->tryAcquire(1, waitMs));
        const Task second = engine.schedule([ran] { ++*ran; });
        const Task third = engine.schedule([ran] { ++*ran; });
        QCOMPARE(engine.threadPool()->activeThreadCount(), 1); // held: no second pool thread yet
        QTRY_COMPARE_WITH_TIMEOUT(ran->load(), 2, waitMs); // the event loop ran the batch's end,
        gate->open();                                       // beside the first, still at its gate
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(first.id()), Phase::Succeeded, waitMs);
        QCOMPARE(log.terminalPhase(second.id()), Phase::Succeeded);
        QCOMPARE(log.terminalPhase(third.id()), Phase::Succeeded);
    }

    void batchingWakeUpsOffTheEngineThreadDoesNothing()
    {
        TaskEngine engine({}, poolOf(2));
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        auto started = std::make_shared<QSemaphore>();
        std::thread([&engine] { engine.batchPoolWakeUps(); }).join();
        engine.schedule([gate, started] {
            started->release();
            gate->pass();
        });
        engine.schedule([started] { started->release(); });
        // Blocking waits, no event loop: had the batch been opened, the second would wait for it.
        QVERIFY(started->tryAcquire(2, waitMs));
        gate->open();
    }

    void workReceivesCopiesOfItsArguments()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        auto seen = std::make_shared<QString>();

        QString address = QStringLiteral("a@b.c");
        const Task task = engine.schedule(
            [gate, seen](const QString &to, int count) {
                gate->pass();
                *seen = to + QLatin1Char('/') + QString::number(count);
            },
            address, 42);
        QVERIFY(gate->waitArrived(1));
        address = QStringLiteral("changed after scheduling");
        gate->open();

        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        QCOMPARE(*seen, QStringLiteral("a@b.c/42"));
        QCOMPARE(task.arguments(), (QStringList{QStringLiteral("\"a@b.c\""), QStringLiteral("42")}));
    }

    void workCanTakeTheCancellationTokenFirst()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto seen = std::make_shared<std::atomic<int>>(0);
        auto wasCancelled = std::make_shared<std::atomic<bool>>(true);
        const Task task = engine.schedule(
            [seen, wasCancelled](const CancellationToken &token, int value) {
                *wasCancelled = token.isCancelled();
                *seen = value;
            },
            7);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        QCOMPARE(seen->load(), 7);
        QCOMPARE(wasCancelled->load(), false);
        QCOMPARE(task.arguments(), QStringList{QStringLiteral("7")});
    }

    void argumentsArePrintable()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        const Task task = engine.schedule([](const QString &, const QString &, int, const Opaque &) {},
                                          QStringLiteral("a@b.c"), QStringLiteral("Welcome!"), 3, Opaque{5});
        const QStringList arguments = task.arguments();
        QCOMPARE(arguments.size(), 4);
        QCOMPARE(arguments.at(0), QStringLiteral("\"a@b.c\""));
        QCOMPARE(arguments.at(1), QStringLiteral("\"Welcome!\""));
        QCOMPARE(arguments.at(2), QStringLiteral("3"));
        // A type QDebug cannot print is shown by its type name.
        QVERIFY2(arguments.at(3).startsWith(QLatin1Char('<')) && arguments.at(3).contains(QLatin1String("Opaque")),
                 qPrintable(arguments.at(3)));
        QVERIFY2(task.argumentsText().startsWith(QStringLiteral("(\"a@b.c\", \"Welcome!\", 3, <")),
                 qPrintable(task.argumentsText()));
        QVERIFY(task.argumentsText().endsWith(QLatin1Char(')')));

        const Task noArguments = engine.schedule([] {});
        QVERIFY(noArguments.arguments().isEmpty());
        QCOMPARE(noArguments.argumentsText(), QStringLiteral("()"));

        // Numbers and booleans take a shortcut past QDebug; the text must be what QDebug prints.
        const auto viaQDebug = [](const auto &value) {
            QString text;
            QDebug(&text).nospace() << value;
            return text;
        };
        const Task scalars = engine.schedule([](bool, bool, qint64, quint64, short, quint8, char) {}, true, false,
                                             qint64(-5), std::numeric_limits<quint64>::max(), short(-3), quint8(7), 'x');
        QCOMPARE(scalars.arguments(),
                 (QStringList{viaQDebug(true), viaQDebug(false), viaQDebug(qint64(-5)),
                              viaQDebug(std::numeric_limits<quint64>::max()), viaQDebug(short(-3)), viaQDebug(quint8(7)),
                              viaQDebug('x')}));
        QCOMPARE(scalars.arguments().first(), QStringLiteral("true"));
        QTRY_COMPARE_WITH_TIMEOUT(log.totalTerminals(), 3, waitMs);
    }

    // ---- typed arguments ----------------------------------------------------------------------

    void handlerReadsTypedArguments()
    {
        struct Seen
        {
            std::mutex mutex;
            int count = -1;
            std::optional<QString> address, addressByReference, wrongType, pastTheEnd, beforeTheStart;
            std::optional<qint64> paymentId;
            std::optional<int> paymentIdAsInt;
            QThread *thread = nullptr;
        };
        auto seen = std::make_shared<Seen>();
        const ErrorHandler handler = [seen](const Task &task, const TaskError &) {
            std::lock_guard lock(seen->mutex);
            seen->count = task.argumentCount();
            seen->address = task.argument<QString>(0);
            seen->addressByReference = task.argument<const QString &>(0);
            seen->paymentId = task.argument<qint64>(1);
            seen->paymentIdAsInt = task.argument<int>(1); // no conversion: the stored type is qint64
            seen->wrongType = task.argument<QString>(1);
            seen->pastTheEnd = task.argument<QString>(2);
            seen->beforeTheStart = task.argument<QString>(-1);
            seen->thread = QThread::currentThread();
        };
        TaskEngine engine(TaskConfig{.onError = handler}, poolOf(1));
        EventLog log(engine);
        const Task task = engine.schedule([](const QString &, qint64) { throw std::runtime_error("refused"); },
                                          QStringLiteral("a@b.c"), qint64(9001));
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);

        std::lock_guard lock(seen->mutex);
        QCOMPARE(seen->count, 2);
        QCOMPARE(seen->address, std::optional<QString>(QStringLiteral("a@b.c")));
        QCOMPARE(seen->addressByReference, std::optional<QString>(QStringLiteral("a@b.c")));
        QCOMPARE(seen->paymentId, std::optional<qint64>(9001));
        QVERIFY(!seen->paymentIdAsInt);
        QVERIFY(!seen->wrongType);
        QVERIFY(!seen->pastTheEnd);
        QVERIFY(!seen->beforeTheStart);
        QVERIFY(seen->thread != QThread::currentThread()); // a sync handler, on the pool
        // The printed form for events is unchanged.
        QCOMPARE(task.arguments(), (QStringList{QStringLiteral("\"a@b.c\""), QStringLiteral("9001")}));
    }

    void asyncWorksArgumentsAreTypedToo()
    {
        auto seen = std::make_shared<std::atomic<qint64>>(0);
        const ErrorHandler handler = [seen](const Task &task, const TaskError &) {
            *seen = task.argument<qint64>(0).value_or(-1);
        };
        TaskEngine engine(TaskConfig{.onError = handler}, poolOf(1));
        EventLog log(engine);
        const Task task = engine.schedule(
            [](qint64, double) -> QFuture<void> { throw std::runtime_error("card declined"); }, qint64(42), 9.5);
        QCOMPARE(task.work(), WorkKind::Async);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QCOMPARE(seen->load(), qint64(42));
        QCOMPARE(task.argument<double>(1), std::optional<double>(9.5));
    }

    void argumentsAreStoredDecayedAndNeverConverted()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        const Task task = engine.schedule([](int, const char *, bool) {}, 42, "literal", true);
        QCOMPARE(task.argumentCount(), 3);
        QCOMPARE(task.argument<int>(0), std::optional<int>(42));
        QVERIFY(!task.argument<qint64>(0)); // the literal 42 is an int
        QVERIFY(!task.argument<unsigned>(0));
        QVERIFY(task.argument<const char *>(1)); // a string literal is stored as a pointer, like std::thread's
        QCOMPARE(QByteArray(*task.argument<const char *>(1)), QByteArray("literal"));
        QVERIFY(!task.argument<QString>(1));
        QCOMPARE(task.argument<const bool>(2), std::optional<bool>(true));

        const Task none = engine.schedule([] {});
        QCOMPARE(none.argumentCount(), 0);
        QVERIFY(!none.argument<int>(0));
        QVERIFY(!none.argumentIf<int>(0));

        const Task invalid;
        QCOMPARE(invalid.argumentCount(), 0);
        QVERIFY(!invalid.argument<int>(0));
        QTRY_COMPARE_WITH_TIMEOUT(log.totalTerminals(), 2, waitMs);
    }

    void argumentIfReachesTheStoredValueWithoutACopy()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        // A move-only argument: argument<T>() would copy, argumentIf<T>() does not.
        auto workSaw = std::make_shared<std::atomic<const void *>>(nullptr);
        const Task task = engine.schedule(
            [workSaw](const std::unique_ptr<int> &value) { *workSaw = static_cast<const void *>(&value); },
            std::make_unique<int>(7));
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        const std::unique_ptr<int> *stored = task.argumentIf<std::unique_ptr<int>>(0);
        QVERIFY(stored && *stored);
        QCOMPARE(**stored, 7);
        QCOMPARE(static_cast<const void *>(stored), workSaw->load()); // what the work got
        QCOMPARE(task.argumentIf<const std::unique_ptr<int> &>(0), stored);
        QVERIFY(!task.argumentIf<std::unique_ptr<long>>(0));
        QVERIFY(!task.argumentIf<std::unique_ptr<int>>(1));
    }

    void argumentsLiveAsLongAsTheTaskHandle()
    {
        Task task;
        {
            TaskEngine engine({}, poolOf(1));
            EventLog log(engine);
            task = engine.schedule([](const QString &, const QStringList &) {}, QStringLiteral("kept"),
                                   QStringList{QStringLiteral("x"), QStringLiteral("y")});
            QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        }
        QCOMPARE(task.argument<QString>(0), std::optional<QString>(QStringLiteral("kept")));
        QCOMPARE(task.argument<QStringList>(1), std::optional<QStringList>({QStringLiteral("x"), QStringLiteral("y")}));
    }

    void generatedNamesAreDistinctAndReadable()
    {
        TaskEngine engine({}, poolOf(2));
        EventLog log(engine);
        const Task first = engine.schedule([] {});
        const Task second = engine.schedule([] {});
        const Task named = engine.schedule(AFTERWORK_FN(sendEmail), QStringLiteral("x@y.z"), 1);
        const Task pointer = engine.schedule(&sendEmail, QStringLiteral("x@y.z"), 2);

        QCOMPARE(first.id(), quint64(1)); // ids are per engine, from 1
        QVERIFY(second.id() > first.id());
        QVERIFY(named.id() > second.id());

        QCOMPARE(named.functionLabel(), QStringLiteral("sendEmail"));
        QCOMPARE(named.name(), QStringLiteral("sendEmail#%1").arg(named.id()));
        QVERIFY2(first.functionLabel().contains(QLatin1String("lambda")), qPrintable(first.functionLabel()));
        QVERIFY(!pointer.functionLabel().isEmpty());

        const QList<Task> tasks{first, second, named, pointer};
        QSet<QString> names;
        for (const Task &task : tasks) {
            const QString name = task.name();
            QCOMPARE(name, task.functionLabel() + QLatin1Char('#') + QString::number(task.id()));
            QVERIFY2(!name.contains(QLatin1Char('\n')), qPrintable(name));
            names.insert(name);
        }
        QCOMPARE(names.size(), tasks.size());

        QTRY_COMPARE_WITH_TIMEOUT(log.totalTerminals(), 4, waitMs);
        for (const Task &task : tasks) {
            for (const TaskEvent &event : log.events(task.id())) {
                QCOMPARE(event.name, task.name());
                QCOMPARE(event.functionLabel, task.functionLabel());
            }
        }
    }

    void configuredNameIsUsed()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        const Task task = engine.task({.name = QStringLiteral("send_welcome_email")}).schedule(AFTERWORK_FN(sendEmail),
                                                                                             QStringLiteral("a"), 1);
        QCOMPARE(task.name(), QStringLiteral("send_welcome_email"));
        QCOMPARE(task.functionLabel(), QStringLiteral("sendEmail"));
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        QCOMPARE(log.terminal(task.id())->name, QStringLiteral("send_welcome_email"));
    }

    void asyncFutureWorkStartsOnTheEngineThread()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto promise = std::make_shared<QPromise<int>>();
        auto startedOn = std::make_shared<std::atomic<QThread *>>(nullptr);
        const Task task = engine.schedule([promise, startedOn] {
            *startedOn = QThread::currentThread();
            promise->start();
            return promise->future();
        });
        QCOMPARE(task.work(), WorkKind::Async);
        QTRY_VERIFY_WITH_TIMEOUT(log.has(task.id(), Phase::Started), waitMs);
        QCOMPARE(startedOn->load(), QThread::currentThread());
        QVERIFY(!log.hasTerminal(task.id())); // not done before its future is

        promise->addResult(42);
        promise->finish();
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        QCOMPARE(log.terminal(task.id())->work, WorkKind::Async);
    }

    void asyncFutureWorkFails()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        auto promise = std::make_shared<QPromise<void>>();
        const Task task = engine.schedule([promise] {
            promise->start();
            return promise->future();
        });
        QTRY_VERIFY_WITH_TIMEOUT(log.has(task.id(), Phase::Started), waitMs);
        promise->setException(std::make_exception_ptr(std::runtime_error("future failed")));
        promise->finish();

        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QCOMPARE(handled->count(), 1);
        QCOMPARE(handled->calls().at(0).error.type, QStringLiteral("std::runtime_error"));
        QCOMPARE(handled->calls().at(0).error.message, QStringLiteral("future failed"));
        QCOMPARE(log.terminal(task.id())->error->message, QStringLiteral("future failed"));
    }

    void readyFuturesEndAsTheyFinished()
    {
        // A future that is finished when the work returns takes the fast path (no watcher): its
        // value, its exception and its cancellation must still count exactly as a watched one's.
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        const Task succeeded = engine.schedule([] {
            QPromise<int> promise;
            promise.start();
            promise.addResult(42);
            promise.finish();
            return promise.future();
        });
        const Task failed = engine.schedule([] {
            QPromise<void> promise;
            promise.start();
            promise.setException(std::make_exception_ptr(std::runtime_error("ready and failed")));
            promise.finish();
            return promise.future();
        });
        const Task cancelled = engine.schedule([] {
            QPromise<void> promise;
            promise.start();
            promise.future().cancel();
            promise.finish();
            return promise.future();
        });
        QTRY_VERIFY_WITH_TIMEOUT(log.hasTerminal(succeeded.id()) && log.hasTerminal(failed.id())
                                     && log.hasTerminal(cancelled.id()),
                                 waitMs);
        QCOMPARE(log.terminalPhase(succeeded.id()), Phase::Succeeded);
        QCOMPARE(succeeded.outcome().result().value.toInt(), 42);
        QCOMPARE(log.terminalPhase(failed.id()), Phase::Failed);
        QCOMPARE(log.terminal(failed.id())->error->message, QStringLiteral("ready and failed"));
        QCOMPARE(log.terminalPhase(cancelled.id()), Phase::Cancelled);
    }

    void asyncCoroutineWorkRunsAndReturns()
    {
#if defined(AFTERWORK_TEST_QCORO)
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto result = std::make_shared<int>(0);
        auto startedOn = std::make_shared<QThread *>(nullptr);
        auto cancelledAtEnd = std::make_shared<bool>(true);
        const Task task = engine.schedule(
            [result, startedOn, cancelledAtEnd](const CancellationToken &token, int value) -> QCoro::Task<int> {
                *startedOn = QThread::currentThread();
                // Several suspensions, and the token used after each: it must stay valid.
                for (int step = 0; step < 3; ++step)
                    co_await afterwork::delay(token, 1ms);
                *cancelledAtEnd = token.isCancelled();
                *result = value * 2;
                co_return *result;
            },
            21);
        QCOMPARE(task.work(), WorkKind::Async);
        QCOMPARE(task.arguments(), QStringList{QStringLiteral("21")});
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        QCOMPARE(*result, 42);
        QCOMPARE(*startedOn, QThread::currentThread());
        QCOMPARE(*cancelledAtEnd, false);
        QCOMPARE(log.phaseNames(task.id()), phaseNames({Phase::Scheduled, Phase::Started, Phase::Succeeded}));
#else
        QSKIP("Built without QCoro");
#endif
    }

    void asyncCoroutineWorkFails()
    {
#if defined(AFTERWORK_TEST_QCORO)
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        const Task task = engine.schedule([](const CancellationToken &token) -> QCoro::Task<> {
            co_await afterwork::delay(token, 1ms);
            throw CustomError("coroutine failed");
        });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QCOMPARE(handled->count(), 1);
        QCOMPARE(handled->calls().at(0).error.message, QStringLiteral("coroutine failed"));
        QVERIFY2(handled->calls().at(0).error.type.contains(QLatin1String("CustomError")),
                 qPrintable(handled->calls().at(0).error.type));
#else
        QSKIP("Built without QCoro");
#endif
    }

    // ---- error handlers ---------------------------------------------------------------------------

    void whichHandlerRuns_data()
    {
        QTest::addColumn<QString>("overrideKind");
        QTest::addColumn<int>("globalCalls");
        QTest::addColumn<int>("taskCalls");
        QTest::addColumn<bool>("shielded");

        QTest::newRow("global handler fires for a failing task") << "none" << 1 << 0 << false;
        QTest::newRow("task handler replaces the global one") << "task handler" << 0 << 1 << false;
        QTest::newRow("overriding only shield keeps the global handler") << "shield only" << 1 << 0 << true;
        QTest::newRow("overriding only the name keeps the global handler") << "name only" << 1 << 0 << false;
        QTest::newRow("noErrorHandler switches the global handler off") << "switched off" << 0 << 0 << false;
    }

    void whichHandlerRuns()
    {
        QFETCH(QString, overrideKind);
        QFETCH(int, globalCalls);
        QFETCH(int, taskCalls);
        QFETCH(bool, shielded);

        auto global = HandlerLog::create();
        auto taskLevel = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = global->handler()}, poolOf(2));
        EventLog log(engine);

        TaskConfig config;
        if (overrideKind == QLatin1String("task handler"))
            config.onError = taskLevel->handler();
        else if (overrideKind == QLatin1String("shield only"))
            config.shield = true;
        else if (overrideKind == QLatin1String("name only"))
            config.name = QStringLiteral("renamed");
        else if (overrideKind == QLatin1String("switched off"))
            config.onError = noErrorHandler;

        // When Failed arrives, the handler has already finished.
        int handlerCallsAtFailed = -1;
        const Task task = engine.task(config).schedule([] { throw std::runtime_error("task failed"); });
        log.onEvent = [&](const TaskEvent &event) {
            if (event.taskId == task.id() && event.phase == Phase::Failed)
                handlerCallsAtFailed = global->count() + taskLevel->count();
        };
        QCOMPARE(task.isShielded(), shielded);

        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QCOMPARE(global->count(), globalCalls);
        QCOMPARE(taskLevel->count(), taskCalls);
        QCOMPARE(handlerCallsAtFailed, globalCalls + taskCalls);
        const TaskEvent failed = *log.terminal(task.id());
        QVERIFY(failed.error);
        QCOMPARE(failed.error->message, QStringLiteral("task failed"));
        QVERIFY(!failed.handlerError);
        QCOMPARE(failed.shielded, shielded);

        // A healthy task afterwards calls no handler at all.
        const Task healthy = engine.schedule([] {});
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(healthy.id()), Phase::Succeeded, waitMs);
        QCOMPARE(global->count() + taskLevel->count(), globalCalls + taskCalls);
    }

    void handlerReceivesTheTaskAndTheError()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(2));
        EventLog log(engine);
        const Task task = engine.task({.name = QStringLiteral("send_welcome_email"), .shield = true, .timeout = 5s})
                              .schedule(AFTERWORK_FN(failingSend), QStringLiteral("to@example.org"), 3);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QCOMPARE(handled->count(), 1);

        const HandlerCall call = handled->calls().at(0);
        QVERIFY(call.task.isValid());
        QCOMPARE(call.task.id(), task.id());
        QCOMPARE(call.task.name(), QStringLiteral("send_welcome_email"));
        QCOMPARE(call.task.config().name, std::optional<QString>(QStringLiteral("send_welcome_email")));
        QCOMPARE(call.task.config().isShielded(), true);
        QCOMPARE(call.task.config().timeout, std::optional<std::chrono::milliseconds>(5s));
        QVERIFY(call.task.config().effectiveHandler()); // the merged copy carries the inherited handler
        QCOMPARE(call.task.functionLabel(), QStringLiteral("failingSend"));
        QCOMPARE(call.task.arguments(), (QStringList{QStringLiteral("\"to@example.org\""), QStringLiteral("3")}));
        QCOMPARE(call.attemptSeen, 1);
        QCOMPARE(call.error.type, QStringLiteral("std::runtime_error"));
        QCOMPARE(call.error.message, QStringLiteral("smtp refused"));
        QVERIFY(call.error.exception);
        QVERIFY(!call.error.isTimeout());
        QVERIFY(call.thread != QThread::currentThread()); // sync handlers run on the pool

        bool rethrown = false;
        try {
            call.error.rethrow();
        } catch (const std::runtime_error &error) {
            rethrown = QByteArray(error.what()) == "smtp refused";
        }
        QVERIFY(rethrown);

        QCOMPARE(task.phase(), Phase::Failed);
        QVERIFY(task.error());
        QCOMPARE(task.error()->message, QStringLiteral("smtp refused"));
        const TaskEvent failed = *log.terminal(task.id());
        QCOMPARE(failed.error->type, QStringLiteral("std::runtime_error"));
        QCOMPARE(failed.error->message, QStringLiteral("smtp refused"));
        QCOMPARE(failed.functionLabel, QStringLiteral("failingSend"));
        QVERIFY(failed.shielded);
    }

    void throwingHandlerIsReportedAndHarmless_data()
    {
        QTest::addColumn<bool>("throwsStdException");
        QTest::addColumn<QString>("expectedType");
        QTest::addColumn<QString>("expectedMessage");
        QTest::newRow("std::exception") << true << "std::logic_error" << "handler broke";
        QTest::newRow("not a std::exception") << false << "int" << QString();
    }

    void throwingHandlerIsReportedAndHarmless()
    {
        QFETCH(bool, throwsStdException);
        QFETCH(QString, expectedType);
        QFETCH(QString, expectedMessage);

        auto handlerCalls = std::make_shared<std::atomic<int>>(0);
        TaskEngine engine(TaskConfig{.onError =
                                         [throwsStdException, handlerCalls](const Task &, const TaskError &) {
                                             ++*handlerCalls;
                                             if (throwsStdException)
                                                 throw std::logic_error("handler broke");
                                             throw 17;
                                         }},
                          poolOf(2));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        const Task bystander = engine.schedule([gate] { gate->pass(); });
        QVERIFY(gate->waitArrived(1));

        const Task failing = engine.schedule([] { throw std::runtime_error("work failed"); });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(failing.id()), Phase::Failed, waitMs);
        const TaskEvent failed = *log.terminal(failing.id());
        QCOMPARE(failed.error->message, QStringLiteral("work failed"));
        QVERIFY2(failed.handlerError, "the handler's exception must be reported in the Failed event");
        QVERIFY2(failed.handlerError->type.contains(expectedType), qPrintable(failed.handlerError->type));
        if (!expectedMessage.isEmpty())
            QCOMPARE(failed.handlerError->message, expectedMessage);
        else
            QVERIFY(!failed.handlerError->message.isEmpty());
        QCOMPARE(engine.counters().handlerErrors, quint64(1));
        QCOMPARE(engine.counters().failed, quint64(1));

        // The task that was running meanwhile, and tasks scheduled later, are unaffected.
        gate->open();
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(bystander.id()), Phase::Succeeded, waitMs);
        const Task later = engine.schedule([] {});
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(later.id()), Phase::Succeeded, waitMs);
        const Task laterFailing = engine.schedule([] { throw std::runtime_error("again"); });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(laterFailing.id()), Phase::Failed, waitMs);
        QCOMPARE(handlerCalls->load(), 2);
        QCOMPARE(engine.counters().handlerErrors, quint64(2));
        QCOMPARE(engine.state(), EngineState::Running);
    }

    void anyExceptionIsReported_data()
    {
        QTest::addColumn<QString>("thrown");
        QTest::addColumn<QString>("expectedType");
        QTest::newRow("int") << "int" << "int";
        QTest::newRow("struct") << "struct" << "NotAnException";
        QTest::newRow("QString") << "QString" << "QString";
        QTest::newRow("custom std::exception") << "custom" << "CustomError";
        QTest::newRow("async future holding an int") << "future int" << "int";
    }

    void anyExceptionIsReported()
    {
        QFETCH(QString, thrown);
        QFETCH(QString, expectedType);

        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        Task task;
        if (thrown == QLatin1String("int"))
            task = engine.schedule([] { throw 42; });
        else if (thrown == QLatin1String("struct"))
            task = engine.schedule([] { throw NotAnException{5}; });
        else if (thrown == QLatin1String("QString"))
            task = engine.schedule([] { throw QStringLiteral("a string"); });
        else if (thrown == QLatin1String("custom"))
            task = engine.schedule([] { throw CustomError("custom failure"); });
        else
            task = engine.schedule([] {
                QPromise<void> promise;
                promise.start();
                promise.setException(std::make_exception_ptr(42));
                promise.finish();
                return promise.future();
            });

        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QCOMPARE(handled->count(), 1);
        const TaskError error = handled->calls().at(0).error;
        QVERIFY2(error.type.contains(expectedType), qPrintable(error.type));
        QVERIFY(!error.message.isEmpty());
        QVERIFY(error.exception);
        const TaskEvent failed = *log.terminal(task.id());
        QCOMPARE(failed.error->type, error.type);
        QCOMPARE(engine.counters().failed, quint64(1));
    }

    void throwingTaskCancelledIsCancellationNotFailure()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        const Task task = engine.schedule([] { throw TaskCancelled(); });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Cancelled, waitMs);
        QCOMPARE(handled->count(), 0);
        QVERIFY(!log.terminal(task.id())->error);
        QCOMPARE(engine.counters().failed, quint64(0));
        QCOMPARE(engine.counters().cancelled, quint64(1));
    }

    void taskConfigNeverLeaksIntoTheGlobalConfig()
    {
        auto global = HandlerLog::create();
        TaskEngine engine(TaskConfig{.shield = false, .onError = global->handler()}, poolOf(2));
        EventLog log(engine);
        const QString globalBefore = QStringLiteral("%1/%2/%3/%4")
                                         .arg(engine.globalConfig().name.has_value())
                                         .arg(engine.globalConfig().isShielded())
                                         .arg(engine.globalConfig().timeout.has_value())
                                         .arg(engine.globalConfig().retry.has_value());

        const Scheduler special = engine.task({.name = QStringLiteral("special"), .shield = true, .timeout = 5s});
        const Task task = special.schedule([] {});
        QVERIFY(&task.config() != &engine.globalConfig());
        QCOMPARE(task.config().name, std::optional<QString>(QStringLiteral("special")));
        QVERIFY(task.config().effectiveHandler());

        // Changing a copy of the task's config, or deriving schedulers, changes nothing else.
        TaskConfig copy = task.config();
        copy.name = QStringLiteral("mutated");
        copy.shield = false;
        copy.onError = noErrorHandler;
        const Scheduler derived = special.task({.name = QStringLiteral("derived"), .retry = RetryPolicy{}});
        QCOMPARE(special.taskConfig().name, std::optional<QString>(QStringLiteral("special")));
        QVERIFY(!special.taskConfig().retry);
        QCOMPARE(derived.taskConfig().shield, std::optional<bool>(true));
        QCOMPARE(task.name(), QStringLiteral("special"));
        QVERIFY(task.isShielded());

        const QString globalAfter = QStringLiteral("%1/%2/%3/%4")
                                        .arg(engine.globalConfig().name.has_value())
                                        .arg(engine.globalConfig().isShielded())
                                        .arg(engine.globalConfig().timeout.has_value())
                                        .arg(engine.globalConfig().retry.has_value());
        QCOMPARE(globalAfter, globalBefore);
        QVERIFY(engine.globalConfig().effectiveHandler());

        const Task plain = engine.schedule([] { throw std::runtime_error("plain"); });
        QVERIFY(plain.name() != QStringLiteral("special"));
        QVERIFY(!plain.isShielded());
        QVERIFY(!plain.config().timeout);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(plain.id()), Phase::Failed, waitMs);
        QCOMPARE(global->count(), 1); // still the global handler
    }

    // ---- logging ----------------------------------------------------------------------------------

    void failureIsLoggedOnceBeforeTheHandler_data()
    {
        QTest::addColumn<QString>("handler");
        QTest::newRow("with a handler") << "handler";
        QTest::newRow("without a handler") << "none";
        QTest::newRow("handler switched off") << "off";
    }

    void failureIsLoggedOnceBeforeTheHandler()
    {
        QFETCH(QString, handler);
        const QString category = QStringLiteral("afterwork.task");
        const QString uniqueMessage = QStringLiteral("disk quota exceeded 7f3a");

        MessageCapture capture;
        auto handled = HandlerLog::create();
        // A raw pointer: `handled` outlives the engine, and a shared_ptr here would form a cycle
        // (handled keeps Task handles, whose configs keep this handler).
        const ErrorHandler marking = [log = handled.get()](const Task &task, const TaskError &error) {
            MessageCapture::mark(QStringLiteral("handler ran"));
            log->record(task, error);
        };
        TaskEngine engine(handler == QLatin1String("handler") || handler == QLatin1String("off")
                              ? TaskConfig{.onError = marking}
                              : TaskConfig{},
                          poolOf(1));
        EventLog log(engine);
        const TaskConfig taskConfig = handler == QLatin1String("off") ? TaskConfig{.onError = noErrorHandler}
                                                                      : TaskConfig{};
        const Task task =
            engine.task(taskConfig).schedule(AFTERWORK_FN(failingWithUniqueMessage), QStringLiteral("to@example.org"), 3);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);

        const QList<MessageCapture::Message> logged = capture.matching(category, uniqueMessage);
        QCOMPARE(logged.size(), 1);
        const MessageCapture::Message &message = logged.first();
        QVERIFY2(message.type == QtWarningMsg || message.type == QtCriticalMsg, "a failure is a warning or worse");
        for (const QString &part : {task.name(), QString::number(task.id()), QStringLiteral("failingWithUniqueMessage"),
                                    QStringLiteral("\"to@example.org\""), QStringLiteral("std::runtime_error"),
                                    uniqueMessage}) {
            QVERIFY2(message.text.contains(part), qPrintable(QStringLiteral("'%1' lacks '%2'").arg(message.text, part)));
        }

        if (handler == QLatin1String("handler")) {
            QCOMPARE(handled->count(), 1);
            const qsizetype logIndex = capture.indexOf(category, uniqueMessage);
            const qsizetype handlerIndex = capture.indexOf(QStringLiteral("<mark>"), QStringLiteral("handler ran"));
            QVERIFY(handlerIndex >= 0);
            QVERIFY2(logIndex < handlerIndex, "the failure is logged before the handler runs");
        } else {
            QCOMPARE(handled->count(), 0);
        }
    }

    void failedAttemptsAreLoggedInOneFormat_data()
    {
        QTest::addColumn<bool>("withHandler");
        QTest::addColumn<QString>("givingUp");
        QTest::newRow("with a handler") << true << "giving up, calling the error handler";
        QTest::newRow("without a handler") << false << "giving up, no error handler";
    }

    // A retry and the last failure are logged by one formatter: both lines have the shape
    // docs/logging.md documents, and only the last one prints the task's arguments.
    void failedAttemptsAreLoggedInOneFormat()
    {
        QFETCH(bool, withHandler);
        QFETCH(QString, givingUp);
        const QString category = QStringLiteral("afterwork.task");
        static const QRegularExpression shape(QStringLiteral(
            R"(^task (?<name>.+) \(id (?<id>\d+), function (?<function>\S+)(?<arguments>, arguments \(.*\))?\) )"
            R"(attempt (?<attempt>\d+)/(?<max>\d+) failed: (?<type>.+?): (?<message>.*); (?<next>.+)$)"));
        QVERIFY2(shape.isValid(), qPrintable(shape.errorString()));

        MessageCapture capture;
        auto handled = HandlerLog::create();
        TaskEngine engine(withHandler ? TaskConfig{.onError = handled->handler()} : TaskConfig{}, poolOf(1));
        EventLog log(engine);
        const Task task = engine.task({.retry = RetryPolicy{.maxAttempts = 2, .initialBackoff = 1ms, .jitter = 0}})
                              .schedule(AFTERWORK_FN(failingWithUniqueMessage), QStringLiteral("to@example.org"), 3);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QCOMPARE(handled->count(), withHandler ? 1 : 0);

        const QList<MessageCapture::Message> logged =
            capture.matching(category, QStringLiteral("disk quota exceeded 7f3a"));
        QCOMPARE(logged.size(), 2);
        const QRegularExpressionMatch retry = shape.match(logged.at(0).text);
        const QRegularExpressionMatch last = shape.match(logged.at(1).text);
        QVERIFY2(retry.hasMatch(), qPrintable(logged.at(0).text));
        QVERIFY2(last.hasMatch(), qPrintable(logged.at(1).text));
        for (const QRegularExpressionMatch &line : {retry, last}) {
            QCOMPARE(line.captured(u"name"), task.name());
            QCOMPARE(line.captured(u"id"), QString::number(task.id()));
            QCOMPARE(line.captured(u"function"), QStringLiteral("failingWithUniqueMessage"));
            QCOMPARE(line.captured(u"max"), QStringLiteral("2"));
            QCOMPARE(line.captured(u"type"), QStringLiteral("std::runtime_error"));
            QCOMPARE(line.captured(u"message"), QStringLiteral("disk quota exceeded 7f3a"));
        }

        QCOMPARE(logged.at(0).type, QtInfoMsg); // a retry is not yet a failure of the task
        QCOMPARE(retry.captured(u"attempt"), QStringLiteral("1"));
        QCOMPARE(retry.captured(u"next"), QStringLiteral("retrying in 1 ms"));
        QVERIFY2(!logged.at(0).text.contains(QStringLiteral("to@example.org")), "a retry does not print the arguments");

        QCOMPARE(logged.at(1).type, QtWarningMsg);
        QCOMPARE(last.captured(u"attempt"), QStringLiteral("2"));
        QCOMPARE(last.captured(u"arguments"), QStringLiteral(R"(, arguments ("to@example.org", 3))"));
        QCOMPARE(last.captured(u"next"), givingUp);
    }

    // ---- events, live tasks, counters ---------------------------------------------------------

    void eventsArriveInOrderWithOneTerminalPhase()
    {
        TaskEngine engine({}, poolOf(2));
        EventLog log(engine);
        const Task succeeding = engine.task({.name = QStringLiteral("ok")}).schedule([] {});
        const Task failing = engine.task({.shield = true}).schedule([] { throw std::runtime_error("no"); });
        const Task async = engine.schedule([] { return readyFuture(5); });

        QTRY_COMPARE_WITH_TIMEOUT(log.totalTerminals(), 3, waitMs);
        QCOMPARE(log.phaseNames(succeeding.id()), phaseNames({Phase::Scheduled, Phase::Started, Phase::Succeeded}));
        QCOMPARE(log.phaseNames(failing.id()), phaseNames({Phase::Scheduled, Phase::Started, Phase::Failed}));
        QCOMPARE(log.phaseNames(async.id()), phaseNames({Phase::Scheduled, Phase::Started, Phase::Succeeded}));

        for (const Task &task : {succeeding, failing, async}) {
            QVERIFY2(log.lifecycleProblem(task.id()).isEmpty(), qPrintable(log.lifecycleProblem(task.id())));
            const QList<TaskEvent> life = log.events(task.id());
            for (const TaskEvent &event : life) {
                QCOMPARE(event.name, task.name());
                QCOMPARE(event.shielded, task.isShielded());
                QCOMPARE(event.mode, Mode::Immediate);
                QCOMPARE(event.work, task.work());
                QCOMPARE(event.attempt, 1);
                QCOMPARE(event.functionLabel, task.functionLabel());
                QVERIFY(event.timestampUs > 0);
                QCOMPARE(event.scheduledUs, life.first().scheduledUs);
                QCOMPARE(event.handlerError.has_value(), false);
            }
            QVERIFY(life.at(1).startedUs >= life.first().scheduledUs);
            const TaskEvent &last = life.last();
            QVERIFY2(last.waitUs >= 0 && last.runUs >= 0, "terminal events carry queue wait and run time");
            QCOMPARE(last.error.has_value(), last.phase == Phase::Failed);
        }
        QCOMPARE(log.terminal(failing.id())->error->message, QStringLiteral("no"));
        QVERIFY(log.terminal(failing.id())->shielded);
        QCOMPARE(log.terminal(async.id())->work, WorkKind::Async);
        QCOMPARE(log.offThreadEvents(), 0);
    }

    void liveTasksAndCounters()
    {
        TaskEngine engine({}, poolOf(2));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        const Task first = engine.task({.name = QStringLiteral("first")}).schedule([gate] { gate->pass(); });
        const Task second = engine.task({.name = QStringLiteral("second"), .shield = true}).schedule([gate] {
            gate->pass();
        });
        QVERIFY(gate->waitArrived(2));
        const Task queued = engine.task({.name = QStringLiteral("queued")}).schedule([] {}); // both threads busy

        QTRY_VERIFY_WITH_TIMEOUT(log.has(first.id(), Phase::Started) && log.has(second.id(), Phase::Started)
                                     && log.has(queued.id(), Phase::Scheduled),
                                 waitMs);
        const QList<TaskEvent> live = engine.liveTasks();
        QCOMPARE(live.size(), 3);
        QCOMPARE(live.at(0).taskId, first.id());
        QCOMPARE(live.at(1).taskId, second.id());
        QCOMPARE(live.at(2).taskId, queued.id());
        QCOMPARE(live.at(0).name, QStringLiteral("first"));
        QCOMPARE(live.at(0).phase, Phase::Started);
        QCOMPARE(live.at(1).phase, Phase::Started);
        QCOMPARE(live.at(2).phase, Phase::Scheduled);
        QCOMPARE(live.at(1).shielded, true);
        QCOMPARE(live.at(0).shielded, false);
        QCOMPARE(live.at(0).work, WorkKind::Sync);
        QCOMPARE(live.at(0).mode, Mode::Immediate);
        QVERIFY(live.at(0).startedUs > 0);
        QCOMPARE(live.at(2).startedUs, qint64(0));

        EngineCounters counters = engine.counters();
        QCOMPARE(counters.scheduled, quint64(3));
        QCOMPARE(counters.started, quint64(2));
        QCOMPARE(counters.succeeded, quint64(0));
        QCOMPARE(counters.live, 3);
        QCOMPARE(counters.poolActive, 2);
        QCOMPARE(counters.poolMax, 2);

        QVERIFY(engine.find(second.id()).has_value());
        QCOMPARE(engine.find(second.id())->name(), QStringLiteral("second"));
        QVERIFY(!engine.find(9999).has_value());

        gate->open();
        QTRY_COMPARE_WITH_TIMEOUT(engine.counters().live, 0, waitMs);
        QVERIFY(engine.liveTasks().isEmpty());
        counters = engine.counters();
        QCOMPARE(counters.scheduled, quint64(3));
        QCOMPARE(counters.started, quint64(3));
        QCOMPARE(counters.succeeded, quint64(3));
        QCOMPARE(counters.failed + counters.cancelled + counters.abandoned + counters.dropped, quint64(0));
        QTRY_COMPARE_WITH_TIMEOUT(engine.counters().poolActive, 0, waitMs);

        const Task failing = engine.schedule([] { throw std::runtime_error("x"); });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(failing.id()), Phase::Failed, waitMs);
        QCOMPARE(engine.counters().failed, quint64(1));
        QCOMPARE(engine.counters().handlerErrors, quint64(0));
    }

    // ---- cancellation -----------------------------------------------------------------------------

    void cancelledQueuedTaskNeverStarts()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        const Task blocker = engine.schedule([gate] { gate->pass(); });
        QVERIFY(gate->waitArrived(1));

        auto ran = std::make_shared<std::atomic<bool>>(false);
        const Task queued = engine.schedule([ran] { *ran = true; });
        QVERIFY(engine.cancel(queued.id()));
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(queued.id()), Phase::Cancelled, waitMs);
        QVERIFY(!engine.cancel(queued.id())); // no longer live

        gate->open();
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(blocker.id()), Phase::Succeeded, waitMs);
        QVERIFY(engine.threadPool()->waitForDone(waitMs));
        QCOMPARE(ran->load(), false);
        QCOMPARE(log.phaseNames(queued.id()), phaseNames({Phase::Scheduled, Phase::Cancelled}));
        QVERIFY(!log.terminal(queued.id())->error);
        QCOMPARE(queued.phase(), Phase::Cancelled);
        QCOMPARE(handled->count(), 0);
        QCOMPARE(engine.counters().cancelled, quint64(1));
        QCOMPARE(engine.counters().started, quint64(1));
    }

    void cancelReachesRunningSyncWorkThroughItsToken()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        auto reason = std::make_shared<std::atomic<CancelReason>>(CancelReason::None);
        const Task task = engine.schedule([gate, reason](const CancellationToken &token) {
            gate->pass(token); // never opened: only cancellation lets it through
            *reason = token.reason();
            token.throwIfCancelled();
        });
        QVERIFY(gate->waitArrived(1));
        QTRY_VERIFY_WITH_TIMEOUT(log.has(task.id(), Phase::Started), waitMs);
        QVERIFY(!task.cancellationToken().isCancelled());

        QVERIFY(engine.cancel(task.id()));
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Cancelled, waitMs);
        QCOMPARE(reason->load(), CancelReason::Request);
        QVERIFY(task.cancellationToken().isCancelled());
        QCOMPARE(handled->count(), 0);
        QVERIFY(!log.terminal(task.id())->error);
        QVERIFY(!task.error());
        QCOMPARE(engine.counters().failed, quint64(0));
    }

    void cancelReachesAsyncWorkAtItsNextSuspension()
    {
#if defined(AFTERWORK_TEST_QCORO)
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        auto suspended = std::make_shared<bool>(false);
        auto resumedNormally = std::make_shared<bool>(false);
        const Task task = engine.schedule([suspended, resumedNormally](const CancellationToken &token) -> QCoro::Task<> {
            *suspended = true;
            co_await afterwork::delay(token, std::chrono::hours(1));
            *resumedNormally = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(*suspended, waitMs);

        // The engine thread is not blocked by the suspended coroutine: other work completes.
        const Task other = engine.schedule([] {});
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(other.id()), Phase::Succeeded, waitMs);
        QVERIFY(!log.hasTerminal(task.id()));

        QVERIFY(engine.cancel(task.id()));
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Cancelled, waitMs);
        QCOMPARE(*resumedNormally, false);
        QCOMPARE(handled->count(), 0);
        QCOMPARE(log.terminal(task.id())->work, WorkKind::Async);
#else
        QSKIP("Built without QCoro");
#endif
    }

    void cancelUnknownTaskReturnsFalse()
    {
        TaskEngine engine({}, poolOf(1));
        QVERIFY(!engine.cancel(0));
        QVERIFY(!engine.cancel(12345));
    }

    // ---- timeouts and retries -----------------------------------------------------------------

    void timeoutFailsSyncWorkWithTimeoutError()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        auto reason = std::make_shared<std::atomic<CancelReason>>(CancelReason::None);
        const Task task = engine.task({.timeout = 30ms}).schedule([gate, reason](const CancellationToken &token) {
            gate->pass(token); // never opened: only the timeout ends it
            *reason = token.reason();
            token.throwIfCancelled();
        });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QCOMPARE(reason->load(), CancelReason::Timeout);
        const TaskEvent failed = *log.terminal(task.id());
        QVERIFY(failed.error);
        QVERIFY(failed.error->isTimeout());
        QVERIFY(!failed.error->message.isEmpty());
        QCOMPARE(handled->count(), 1);
        const TaskError error = handled->calls().at(0).error;
        QVERIFY(error.isTimeout());
        bool rethrownAsTimeout = false;
        try {
            error.rethrow();
        } catch (const TimeoutError &timeout) {
            rethrownAsTimeout = timeout.timeout() == 30ms;
        } catch (...) {
        }
        QVERIFY(rethrownAsTimeout);
        QCOMPARE(engine.counters().failed, quint64(1));
        QCOMPARE(engine.counters().cancelled, quint64(0));
    }

    void timeoutFailsAsyncWork()
    {
#if defined(AFTERWORK_TEST_QCORO)
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        const Task task = engine.task({.timeout = 30ms}).schedule([](const CancellationToken &token) -> QCoro::Task<> {
            co_await afterwork::delay(token, std::chrono::hours(1));
        });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QVERIFY(log.terminal(task.id())->error->isTimeout());
        QCOMPARE(handled->count(), 1);
        QVERIFY(handled->calls().at(0).error.isTimeout());
#else
        QSKIP("Built without QCoro");
#endif
    }

    void workThatReturnedBeforeItsTimeoutIsNotTimedOutByALateReport()
    {
        // A pool thread preempted between the work's return and its report: the timeout fires
        // meanwhile and cancels the attempt's token, but the work had already returned, so it
        // succeeded. Without that rule it would fail with a TimeoutError (and be retried: the
        // work done twice).
        QSemaphore reportHeld;
        QSemaphore releaseReport;
        static QSemaphore *held = nullptr; // the seam is a plain function: it reaches these through
        static QSemaphore *release = nullptr; // pointers set for this test only
        held = &reportHeld;
        release = &releaseReport;
        detail::seams::afterSyncWorkEnded.store(
            [] {
                held->release();
                release->acquire();
            },
            std::memory_order_release);
        bool released = false;
        const auto unhook = qScopeGuard([&] {
            detail::seams::afterSyncWorkEnded.store(nullptr, std::memory_order_release);
            if (!released)
                releaseReport.release(); // a failed check must not leave the pool thread held
        });
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        auto calls = std::make_shared<std::atomic<int>>(0);
        auto attemptToken = std::make_shared<std::optional<CancellationToken>>();
        std::mutex tokenMutex;
        const Task task = engine
                              .task({.timeout = 30ms,
                                     .retry = RetryPolicy{.maxAttempts = 2, .initialBackoff = 1ms, .jitter = 0}})
                              .schedule([calls, attemptToken, &tokenMutex](const CancellationToken &token) {
                                  ++*calls;
                                  const std::lock_guard lock(tokenMutex);
                                  *attemptToken = token;
                              });
        QVERIFY(reportHeld.tryAcquire(1, waitMs)); // returned; its end timed, its report held back
        // The timeout acts on the engine thread (this one) while the report is held.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const std::lock_guard lock(tokenMutex);
                return attemptToken->has_value() && (*attemptToken)->isCancelled();
            }(),
            waitMs);
        detail::seams::afterSyncWorkEnded.store(nullptr, std::memory_order_release);
        releaseReport.release();
        released = true;
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        QCOMPARE(calls->load(), 1);
        QCOMPARE(log.count(Phase::Retrying), 0);
        QCOMPARE(handled->count(), 0);
    }

    void timeoutDoesNotTouchFastWork()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        const Task task = engine.task({.timeout = 10s}).schedule([] {});
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
    }

    void noTimeoutSwitchesAnInheritedTimeoutOff()
    {
        // A timer armed for noTimeout would be refused by Qt ("Timers cannot have negative
        // intervals", the duration overflows) or fire at once.
        QTest::failOnWarning(QRegularExpression(QStringLiteral("Timers? cannot|startTimer")));
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler(), .timeout = 50ms}, poolOf(2));
        EventLog log(engine);
        auto untimedGate = std::make_shared<Gate>();
        auto timedGate = std::make_shared<Gate>(); // never opened: only its timeout ends that work
        const OpenOnExit openOnExit{untimedGate, timedGate};
        auto releasedByCancel = std::make_shared<std::atomic<bool>>(true);
        const Task untimed = engine.task({.timeout = noTimeout})
                                 .schedule([untimedGate, releasedByCancel](const CancellationToken &token) {
                                     *releasedByCancel = untimedGate->pass(token);
                                 });
        QCOMPARE(untimed.config().timeout, std::optional<std::chrono::milliseconds>(noTimeout));
        QVERIFY(untimedGate->waitArrived(1));

        // A task with the inherited 50 ms, started after `untimed`: once its timeout has fired,
        // `untimed` has run for longer than 50 ms too.
        const Task timed = engine.schedule([timedGate](const CancellationToken &token) {
            timedGate->pass(token);
            token.throwIfCancelled();
        });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(timed.id()), Phase::Failed, waitMs);
        QVERIFY(log.terminal(timed.id())->error->isTimeout());
        QCOMPARE(untimed.phase(), Phase::Started);
        QVERIFY(!untimed.cancellationToken().isCancelled());

        untimedGate->open();
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(untimed.id()), Phase::Succeeded, waitMs);
        QCOMPARE(releasedByCancel->load(), false); // the gate let it through, not a timeout
        QCOMPARE(handled->count(), 1);
        QCOMPARE(handled->calls().at(0).task.id(), timed.id());
    }

    void retryPolicyRetriesUntilSuccess()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        auto calls = std::make_shared<std::atomic<int>>(0);
        const Task task = engine.task({.retry = RetryPolicy{.maxAttempts = 3, .initialBackoff = 1ms, .jitter = 0}})
                              .schedule([calls] {
                                  if (++*calls < 3)
                                      throw std::runtime_error("flaky");
                              });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        QCOMPARE(calls->load(), 3);
        QCOMPARE(handled->count(), 0);
        QCOMPARE(log.phaseNames(task.id()),
                 phaseNames({Phase::Scheduled, Phase::Started, Phase::Retrying, Phase::Started, Phase::Retrying,
                             Phase::Started, Phase::Succeeded}));
        QList<int> startedAttempts;
        for (const TaskEvent &event : log.events(task.id())) {
            if (event.phase == Phase::Retrying) {
                QVERIFY2(event.error, "Retrying carries the attempt's error");
                QCOMPARE(event.error->message, QStringLiteral("flaky"));
            }
            if (event.phase == Phase::Started)
                startedAttempts.append(event.attempt);
        }
        QCOMPARE(startedAttempts, (QList<int>{1, 2, 3}));
        QCOMPARE(task.attempt(), 3);
        const EngineCounters counters = engine.counters();
        QCOMPARE(counters.started, quint64(1));
        QCOMPARE(counters.retried, quint64(2));
        QCOMPARE(counters.succeeded, quint64(1));
        QCOMPARE(counters.failed, quint64(0));
    }

    void retryPolicyRunsTheHandlerOnlyAfterTheLastAttempt()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        auto calls = std::make_shared<std::atomic<int>>(0);
        int handlerCallsAtEachRetry = 0;
        const Task task = engine.task({.retry = RetryPolicy{.maxAttempts = 3, .initialBackoff = 1ms, .jitter = 0}})
                              .schedule([calls] {
                                  throw std::runtime_error("attempt " + std::to_string(++*calls));
                              });
        log.onEvent = [&](const TaskEvent &event) {
            if (event.taskId == task.id() && event.phase == Phase::Retrying)
                handlerCallsAtEachRetry += handled->count();
        };
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QCOMPARE(calls->load(), 3);
        QCOMPARE(log.count(Phase::Retrying), 2);
        QCOMPARE(handlerCallsAtEachRetry, 0);
        QCOMPARE(handled->count(), 1);
        QCOMPARE(handled->calls().at(0).attemptSeen, 3);
        QCOMPARE(handled->calls().at(0).error.message, QStringLiteral("attempt 3"));
        QCOMPARE(log.terminal(task.id())->error->message, QStringLiteral("attempt 3"));
        QCOMPARE(log.terminal(task.id())->attempt, 3);
    }

    void retryPolicySkipsErrorsItShouldNotRetry()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        auto calls = std::make_shared<std::atomic<int>>(0);
        RetryPolicy onlyRuntimeErrors{.maxAttempts = 5, .initialBackoff = 1ms, .jitter = 0};
        onlyRuntimeErrors.retryIf = [](const TaskError &error) {
            return error.type == QLatin1String("std::runtime_error");
        };
        const Task task = engine.task({.retry = onlyRuntimeErrors}).schedule([calls] {
            ++*calls;
            throw std::logic_error("a bug, not worth retrying");
        });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QCOMPARE(calls->load(), 1);
        QCOMPARE(log.count(Phase::Retrying), 0);
        QCOMPARE(handled->count(), 1);
    }

    void retryPolicyRetriesTimeouts()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto calls = std::make_shared<std::atomic<int>>(0);
        auto gate = std::make_shared<Gate>();
        const OpenOnExit openOnExit{gate};
        // Each attempt has the timeout, the second one too, which must finish within it: 300 ms
        // rather than a few, so that a loaded machine (a pool thread preempted, or this VM's
        // 100 ms stalls) does not time the second attempt out as well.
        const Task task = engine
                              .task({.timeout = 300ms,
                                     .retry = RetryPolicy{.maxAttempts = 2, .initialBackoff = 1ms, .jitter = 0}})
                              .schedule([calls, gate](const CancellationToken &token) {
                                  if (++*calls == 1) { // the first attempt hangs until its timeout
                                      gate->pass(token);
                                      token.throwIfCancelled();
                                  }
                              });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        QCOMPARE(calls->load(), 2);
        QCOMPARE(log.count(Phase::Retrying), 1);
        for (const TaskEvent &event : log.events(task.id())) {
            if (event.phase == Phase::Retrying)
                QVERIFY(event.error && event.error->isTimeout());
        }
    }

    void cancellingDuringBackoffEndsTheTaskCancelled()
    {
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        auto calls = std::make_shared<std::atomic<int>>(0);
        const Task task = engine.task({.retry = RetryPolicy{.maxAttempts = 5, .initialBackoff = 1h, .jitter = 0}})
                              .schedule([calls] {
                                  ++*calls;
                                  throw std::runtime_error("first attempt fails");
                              });
        QTRY_VERIFY_WITH_TIMEOUT(log.has(task.id(), Phase::Retrying), waitMs);
        QVERIFY(engine.cancel(task.id()));
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Cancelled, waitMs);
        QCOMPARE(calls->load(), 1);
        QCOMPARE(handled->count(), 0);
    }

    void cancellingFromRetryIfEndsTheTaskCancelledOnce()
    {
        // retryIf runs on the engine thread, between the failed attempt and the decision: a cancel
        // from there ends the task at once, and the retry it then asks for must not happen.
        auto handled = HandlerLog::create();
        TaskEngine engine(TaskConfig{.onError = handled->handler()}, poolOf(1));
        EventLog log(engine);
        auto calls = std::make_shared<std::atomic<int>>(0);
        auto taskId = std::make_shared<std::atomic<quint64>>(0);
        RetryPolicy cancelsItself{.maxAttempts = 5, .initialBackoff = 1ms, .jitter = 0};
        cancelsItself.retryIf = [&engine, taskId](const TaskError &) {
            engine.cancel(taskId->load());
            return true;
        };
        const Task task = engine.task({.retry = cancelsItself}).schedule([calls] {
            ++*calls;
            throw std::runtime_error("fails");
        });
        taskId->store(task.id());
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Cancelled, waitMs);
        QCOMPARE(log.phaseNames(task.id()), EventLog::names({Phase::Scheduled, Phase::Started, Phase::Cancelled}));
        QCOMPARE(log.terminalCount(task.id()), 1);
        QCOMPARE(engine.counters().cancelled, quint64(1));
        QCOMPARE(engine.counters().retried, quint64(0));
        QCOMPARE(calls->load(), 1);
        QCOMPARE(handled->count(), 0);
    }

    // The guide's retry-in-handler pattern: the handler runs the task's work again itself.
    void handlerCanRerunTheWorkHere_data()
    {
        QTest::addColumn<int>("failuresBeforeSuccess");
        QTest::addColumn<int>("succeededOnRetry");
        QTest::addColumn<bool>("handlerFails");
        QTest::newRow("succeeds on the second retry") << 2 << 2 << false;
        QTest::newRow("never succeeds") << 100 << 0 << true;
    }

    void handlerCanRerunTheWorkHere()
    {
        QFETCH(int, failuresBeforeSuccess);
        QFETCH(int, succeededOnRetry);
        QFETCH(bool, handlerFails);

        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto calls = std::make_shared<std::atomic<int>>(0);
        auto retryThatSucceeded = std::make_shared<std::atomic<int>>(0);
        const ErrorHandler retryHandler = [retryThatSucceeded](const Task &task, const TaskError &) {
            const int maxRetries = 3;
            for (int retry = 1; retry <= maxRetries; ++retry) {
                try {
                    task.rerunHere();
                    *retryThatSucceeded = retry;
                    return;
                } catch (const std::exception &) {
                    if (retry == maxRetries)
                        throw;
                }
            }
        };
        const Task task = engine.task({.name = QStringLiteral("flaky_task"), .onError = retryHandler})
                              .schedule([calls, failuresBeforeSuccess] {
                                  if (++*calls <= failuresBeforeSuccess)
                                      throw std::runtime_error("Random failure");
                              });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QCOMPARE(retryThatSucceeded->load(), succeededOnRetry);
        QCOMPARE(calls->load(), handlerFails ? 4 : failuresBeforeSuccess + 1);
        // Reruns happen outside the lifecycle: no extra events.
        QCOMPARE(log.phaseNames(task.id()), phaseNames({Phase::Scheduled, Phase::Started, Phase::Failed}));
        QCOMPARE(log.terminal(task.id())->handlerError.has_value(), handlerFails);
        if (handlerFails)
            QCOMPARE(log.terminal(task.id())->handlerError->message, QStringLiteral("Random failure"));
    }

    void asyncHandlerCanRerunTheWork_data()
    {
        QTest::addColumn<bool>("rerunSucceeds");
        QTest::newRow("rerun succeeds") << true;
        QTest::newRow("rerun fails too") << false;
    }

    void asyncHandlerCanRerunTheWork()
    {
        QFETCH(bool, rerunSucceeds);
        auto handlerThread = std::make_shared<QThread *>(nullptr);
        TaskEngine engine(TaskConfig{.onError =
                                         [handlerThread](const Task &task, const TaskError &) {
                                             *handlerThread = QThread::currentThread();
                                             return task.rerun();
                                         }},
                          poolOf(1));
        EventLog log(engine);
        auto calls = std::make_shared<std::atomic<int>>(0);
        int callsAtFailed = -1;
        const Task task = engine.schedule([calls, rerunSucceeds] {
            if (++*calls == 1 || !rerunSucceeds)
                throw std::runtime_error("call " + std::to_string(calls->load()));
        });
        log.onEvent = [&](const TaskEvent &event) {
            if (event.taskId == task.id() && event.phase == Phase::Failed)
                callsAtFailed = calls->load();
        };
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QCOMPARE(*handlerThread, QThread::currentThread()); // async handlers start on the engine thread
        QCOMPARE(callsAtFailed, 2);                         // Failed waited for the handler's future
        QCOMPARE(log.phaseNames(task.id()), phaseNames({Phase::Scheduled, Phase::Started, Phase::Failed}));
        const TaskEvent failed = *log.terminal(task.id());
        QCOMPARE(failed.error->message, QStringLiteral("call 1"));
        QCOMPARE(failed.handlerError.has_value(), !rerunSucceeds);
        if (!rerunSucceeds)
            QCOMPARE(failed.handlerError->message, QStringLiteral("call 2"));
    }

    void rerunRunsTheWorkAgainOutsideItsLifecycle()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        auto calls = std::make_shared<std::atomic<int>>(0);
        const Task task = engine.schedule([calls](int step) { *calls += step; }, 10);
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        QFuture<void> again = task.rerun();
        QTRY_VERIFY_WITH_TIMEOUT(again.isFinished(), waitMs);
        QCOMPARE(calls->load(), 20); // the same arguments
        QCOMPARE(log.events(task.id()).size(), 3);
        QCOMPARE(task.phase(), Phase::Succeeded);
    }

    void rerunHereRefusesAsyncWork()
    {
        TaskEngine engine({}, poolOf(1));
        EventLog log(engine);
        const Task task = engine.schedule([] { return readyFuture(1); });
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Succeeded, waitMs);
        QVERIFY_THROWS_EXCEPTION(std::logic_error, task.rerunHere());
    }

    void asyncCoroutineHandler_data()
    {
        QTest::addColumn<bool>("handlerThrows");
        QTest::addColumn<bool>("byReference");
        QTest::newRow("handler completes") << false << false;
        QTest::newRow("handler throws after suspending") << true << false;
        // ErrorHandler documents `QCoro::Task<T>(const Task &, const TaskError &)`: the
        // references must stay valid across the coroutine's suspensions.
        QTest::newRow("documented form, reference parameters") << false << true;
    }

    void asyncCoroutineHandler()
    {
#if defined(AFTERWORK_TEST_QCORO)
        QFETCH(bool, handlerThrows);
        QFETCH(bool, byReference);
        auto handled = HandlerLog::create();
        // Raw pointers to `handled`, which outlives the engine (see HandlerLog::handler()).
        const ErrorHandler byValueHandler = [log = handled.get(), handlerThrows](Task task,
                                                                                  TaskError error) -> QCoro::Task<> {
            co_await afterwork::delay(CancellationToken(), 5ms);
            log->record(task, error);
            if (handlerThrows)
                throw std::runtime_error("async handler broke");
        };
        const ErrorHandler byReferenceHandler = [log = handled.get()](const Task &task,
                                                                      const TaskError &error) -> QCoro::Task<> {
            co_await afterwork::delay(CancellationToken(), 5ms);
            log->record(task, error);
        };
        TaskEngine engine(TaskConfig{.onError = byReference ? byReferenceHandler : byValueHandler}, poolOf(1));
        QVERIFY(engine.globalConfig().effectiveHandler()->isAsync());
        EventLog log(engine);
        int handledAtFailed = -1;
        const Task task = engine.schedule([] { throw std::runtime_error("work failed"); });
        log.onEvent = [&](const TaskEvent &event) {
            if (event.taskId == task.id() && event.phase == Phase::Failed)
                handledAtFailed = handled->count();
        };
        QTRY_COMPARE_WITH_TIMEOUT(log.terminalPhase(task.id()), Phase::Failed, waitMs);
        QCOMPARE(handledAtFailed, 1);
        QCOMPARE(handled->calls().at(0).task.id(), task.id());
        QCOMPARE(handled->calls().at(0).error.message, QStringLiteral("work failed"));
        const TaskEvent failed = *log.terminal(task.id());
        QCOMPARE(failed.handlerError.has_value(), handlerThrows);
        if (handlerThrows) {
            QCOMPARE(failed.handlerError->message, QStringLiteral("async handler broke"));
            QCOMPARE(engine.counters().handlerErrors, quint64(1));
        }
#else
        QSKIP("Built without QCoro");
#endif
    }
};

QTEST_GUILESS_MAIN(TaskEngineTest)
#include "tst_taskengine.moc"
