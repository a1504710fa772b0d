// SPDX-License-Identifier: MIT
// Many tasks from many threads at once, and an engine destroyed while its tasks run: every task
// ends in exactly one terminal phase and everything the work captured is released.

#include "enginetestsupport.h"

#include <afterwork/taskengine.h>

#include <QtCore/QPromise>
#include <QtCore/QSet>
#include <QtTest/QTest>

#include <atomic>
#include <latch>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace afterwork;
using namespace afterwork::test;
using namespace std::chrono_literals;

namespace {

// Counts live instances: a copy of one rides in every work closure and argument list.
struct Tracked
{
    static std::atomic<int> alive;
    Tracked() { ++alive; }
    Tracked(const Tracked &) { ++alive; }
    Tracked(Tracked &&) noexcept { ++alive; }
    Tracked &operator=(const Tracked &) = default;
    ~Tracked() { --alive; }
};
std::atomic<int> Tracked::alive{0};

// Schedules \a perThread tasks from each of \a threadCount threads released together; returns
// the ids each thread got. Scheduling must not need the engine thread, which keeps processing
// events here while the threads run.
template<typename ScheduleOne>
QList<quint64> scheduleFromThreads(int threadCount, int perThread, ScheduleOne scheduleOne, bool *ok)
{
    std::latch startTogether(threadCount);
    std::atomic<int> done = 0;
    std::atomic<int> failures = 0;
    std::vector<QList<quint64>> ids(threadCount);
    std::vector<std::thread> threads;
    for (int t = 0; t < threadCount; ++t) {
        threads.emplace_back([&, t] {
            startTogether.arrive_and_wait();
            for (int i = 0; i < perThread; ++i) {
                try {
                    ids[t].append(scheduleOne(t * perThread + i));
                } catch (...) {
                    ++failures;
                }
            }
            ++done;
        });
    }
    *ok = QTest::qWaitFor([&] { return done.load() == threadCount; }, longWaitMs);
    for (std::thread &thread : threads)
        thread.join();
    *ok = *ok && failures.load() == 0;
    QList<quint64> all;
    for (const QList<quint64> &some : ids)
        all.append(some);
    return all;
}

} // namespace

class StressTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QCOMPARE(Tracked::alive.load(), 0); }

    void tenThousandTasksFromFourThreads()
    {
        constexpr int threadCount = 4;
        constexpr int perThread = 2500;
        constexpr int total = threadCount * perThread;
        {
            // Failures are logged once each; keep them out of the test output, and count them.
            MessageCapture capture;
            auto handlerCalls = std::make_shared<std::atomic<int>>(0);
            TaskEngine engine(TaskConfig{.onError = [handlerCalls](const Task &, const TaskError &) { ++*handlerCalls; }},
                              poolOf(4));
            EventLog log(engine);

            auto ran = std::make_shared<std::atomic<int>>(0);
            bool ok = false;
            const QList<quint64> ids = scheduleFromThreads(threadCount, perThread, [&](int n) -> quint64 {
                const Tracked tracked;
                switch (n % 4) {
                case 0: // sync, succeeds
                    return engine.schedule([tracked, ran] { ++*ran; }).id();
                case 1: // sync, fails
                    return engine.schedule([tracked, ran] {
                        ++*ran;
                        throw std::runtime_error("planned failure");
                    }).id();
                case 2: // sync with a token and arguments, shielded
                    return engine.task({.shield = true})
                        .schedule([ran](const CancellationToken &, const Tracked &, int) { ++*ran; }, tracked, n)
                        .id();
                default: // async, already finished
                    return engine.schedule([tracked, ran] {
                        ++*ran;
                        return readyFuture(1);
                    }).id();
                }
            }, &ok);
            QVERIFY(ok);
            QCOMPARE(ids.size(), total);
            QCOMPARE(QSet<quint64>(ids.cbegin(), ids.cend()).size(), total); // ids are unique

            QTRY_COMPARE_WITH_TIMEOUT(log.totalTerminals(), total, longWaitMs);
            QCOMPARE(ran->load(), total);
            for (quint64 id : ids) {
                const QString problem = log.lifecycleProblem(id);
                if (!problem.isEmpty())
                    QFAIL(qPrintable(problem));
            }
            QCOMPARE(log.count(Phase::Succeeded), total / 4 * 3);
            QCOMPARE(log.count(Phase::Failed), total / 4);
            QCOMPARE(log.offThreadEvents(), 0);
            QCOMPARE(handlerCalls->load(), total / 4);
            QCOMPARE(int(capture.matching(QStringLiteral("afterwork.task"), QStringLiteral("planned failure")).size()),
                     total / 4);

            const EngineCounters counters = engine.counters();
            QCOMPARE(counters.scheduled, quint64(total));
            QCOMPARE(counters.started, quint64(total));
            QCOMPARE(counters.succeeded, quint64(total / 4 * 3));
            QCOMPARE(counters.failed, quint64(total / 4));
            QCOMPARE(counters.live, 0);

            // Finished tasks release their work while the engine lives on.
            QTRY_COMPARE_WITH_TIMEOUT(Tracked::alive.load(), 0, longWaitMs);
        }
        QCOMPARE(Tracked::alive.load(), 0);
    }

    void engineDestroyedWhileTasksRun()
    {
        constexpr int threadCount = 2;
        constexpr int perThread = 1000;
        constexpr int total = threadCount * perThread;
        {
            auto gate = std::make_shared<Gate>(); // never opened: running work ends by cancellation
            auto engine = std::make_unique<TaskEngine>(TaskConfig{}, poolOf(4));
            EventLog log(*engine);
            TaskEngine *enginePointer = engine.get();
            bool ok = false;
            const QList<quint64> ids = scheduleFromThreads(threadCount, perThread, [&](int n) -> quint64 {
                const Tracked tracked;
                switch (n % 4) {
                case 0: // cooperative sync work that blocks until cancelled
                case 1:
                    return enginePointer->schedule([tracked, gate](const CancellationToken &token) {
                        gate->pass(token);
                        token.throwIfCancelled();
                    }).id();
                case 2: // shielded, quick
                    return enginePointer->task({.shield = true}).schedule([tracked] {}).id();
                default: // async work that never finishes by itself
                    // (its closure owns the promise; destroying it unfinished cancels the future)
                    return enginePointer->schedule([tracked, promise = std::make_shared<QPromise<void>>()] {
                        promise->start();
                        return promise->future();
                    }).id();
                }
            }, &ok);
            QVERIFY(ok);
            QVERIFY(gate->waitArrived(1)); // something is running
            QCOMPARE(ids.size(), total);

            engine.reset();

            for (quint64 id : ids) {
                const QString problem = log.lifecycleProblem(id);
                if (!problem.isEmpty())
                    QFAIL(qPrintable(problem));
            }
            QCOMPARE(log.totalTerminals(), total);
            QCOMPARE(log.count(Phase::Failed), 0);
        }
        // Work and arguments are released once the engine and its tasks are gone.
        QTRY_COMPARE_WITH_TIMEOUT(Tracked::alive.load(), 0, 10000);
    }
};

QTEST_GUILESS_MAIN(StressTest)
#include "tst_stress.moc"
