// SPDX-License-Identifier: MIT
// SyncQueue, the engine's FIFO of sync work in front of its QThreadPool (engine/src/syncqueue.h):
// order, exactly-once, pushes from many threads, never more runners than the pool allows, and a
// pool made smaller while runners are around.
// Waits are handshakes (semaphores, the gate) or bounded polls, never sleeps.

#include "enginetestsupport.h"
#include "syncqueue.h"

#include <QtCore/QSemaphore>
#include <QtCore/QSet>
#include <QtCore/QThread>
#include <QtCore/QThreadPool>
#include <QtTest/QTest>

#include <atomic>
#include <latch>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace afterwork;
using namespace afterwork::detail;
using namespace afterwork::test;

namespace {

//! A pool of \a maxThreads and a queue in front of it. Its destructor waits for the pool, so
//! declare it after what the jobs use (a failed check then returns with no job left touching
//! it) and before the OpenOnExit of their gates.
struct Fixture
{
    explicit Fixture(int maxThreads) { pool.setMaxThreadCount(maxThreads); }
    ~Fixture() { pool.waitForDone(waitMs); }
    Q_DISABLE_COPY_MOVE(Fixture)

    QThreadPool pool;
    std::shared_ptr<SyncQueue> queue = std::make_shared<SyncQueue>(&pool);
};

//! How many jobs run at the same time, and the most there ever were.
class Concurrency
{
public:
    void enter()
    {
        const int now = m_now.fetch_add(1) + 1;
        int peak = m_peak.load();
        while (now > peak && !m_peak.compare_exchange_weak(peak, now)) {
        }
    }
    void leave() { m_now.fetch_sub(1); }
    int peak() const { return m_peak.load(); }

private:
    std::atomic<int> m_now{0};
    std::atomic<int> m_peak{0};
};

//! How often each of \a count jobs ran.
class RunCounts
{
public:
    explicit RunCounts(int count) : m_counts(size_t(count)) {}
    void ran(int index) { m_counts[size_t(index)].fetch_add(1); }
    //! Empty when every job ran exactly once, else the first one that did not.
    QString problem() const
    {
        for (size_t i = 0; i < m_counts.size(); ++i) {
            if (const int runs = m_counts[i].load(); runs != 1)
                return QStringLiteral("job %1 ran %2 times").arg(i).arg(runs);
        }
        return {};
    }

private:
    std::vector<std::atomic<int>> m_counts;
};

//! The threads jobs ran on.
class RunThreads
{
public:
    void ran()
    {
        std::lock_guard lock(m_mutex);
        m_threads.insert(QThread::currentThread());
    }
    qsizetype count() const
    {
        std::lock_guard lock(m_mutex);
        return m_threads.size();
    }

private:
    mutable std::mutex m_mutex;
    QSet<QThread *> m_threads;
};

//! The order jobs ran in.
class RunOrder
{
public:
    void ran(int value)
    {
        std::lock_guard lock(m_mutex);
        m_values.append(value);
    }
    QList<int> values() const
    {
        std::lock_guard lock(m_mutex);
        return m_values;
    }

private:
    mutable std::mutex m_mutex;
    QList<int> m_values;
};

//! Holds \a f's wake-ups, then pushes a job that waits at \a gate: being the first, it starts at
//! once and keeps its runner busy. False if it did not start.
bool holdBehindABusyFirstJob(Fixture &f, const std::shared_ptr<Gate> &gate)
{
    f.queue->holdWakeUps();
    f.queue->push([gate] { gate->pass(); });
    return gate->waitArrived(1, waitMs);
}

QList<int> range(int count)
{
    QList<int> values;
    for (int i = 0; i < count; ++i)
        values.append(i);
    return values;
}

} // namespace

class SyncQueueTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void runsInPushOrder();
    void everyJobRunsExactlyOnce();
    void concurrentPushesFromSeveralThreads_data();
    void concurrentPushesFromSeveralThreads();
    void runnersNeverExceedThePoolsMaximum();
    void poolMadeSmallerWhileRunnersAreBusy();
    void poolMadeSmallerRightAfterABurst();
    void aThrowingJobKeepsItsRunnerCounted();
    void heldWakeUpsStartTheFirstAtOnceAndTheRestOnRelease();
    void pushesFromAnotherThreadAreNotHeld();
};

// While wake-ups are held, the first job starts at once; with its runner busy, the jobs pushed
// after it start no runner until the hold ends, and then run beside it.
void SyncQueueTest::heldWakeUpsStartTheFirstAtOnceAndTheRestOnRelease()
{
    QSemaphore done;
    Fixture f(3);
    auto gate = std::make_shared<Gate>();
    OpenOnExit openOnExit{gate};
    QVERIFY(holdBehindABusyFirstJob(f, gate));
    for (int i = 0; i < 4; ++i)
        f.queue->push([&] { done.release(); });
    QCOMPARE(f.queue->runners(), 1); // the others wait in the queue
    f.queue->releaseWakeUps();
    QVERIFY(done.tryAcquire(4, waitMs)); // the first still holds its runner: another ran them
    gate->open();
    QTRY_COMPARE_WITH_TIMEOUT(f.queue->runners(), 0, waitMs);
    QVERIFY(f.pool.waitForDone(waitMs));
}

// Only the holding thread's pushes are held: work from another thread starts at once.
void SyncQueueTest::pushesFromAnotherThreadAreNotHeld()
{
    QSemaphore done;
    Fixture f(3);
    auto gate = std::make_shared<Gate>();
    OpenOnExit openOnExit{gate};
    QVERIFY(holdBehindABusyFirstJob(f, gate));
    std::thread([&] { f.queue->push([&] { done.release(); }); }).join();
    QVERIFY(done.tryAcquire(1, waitMs)); // while the first still holds its runner, and still held
    f.queue->releaseWakeUps();
    gate->open();
    QTRY_COMPARE_WITH_TIMEOUT(f.queue->runners(), 0, waitMs);
    QVERIFY(f.pool.waitForDone(waitMs));
}

// One runner (a pool of one) runs the jobs in the order they were pushed, both those that queued
// up behind a busy runner and those pushed while it drains.
void SyncQueueTest::runsInPushOrder()
{
    constexpr int count = 2000;
    RunOrder order;
    QSemaphore done;
    Fixture f(1);
    auto gate = std::make_shared<Gate>();
    OpenOnExit openOnExit{gate};
    f.queue->push([gate] { gate->pass(); });
    QVERIFY(gate->waitArrived(1, waitMs));
    for (int i = 0; i < count / 2; ++i)
        f.queue->push([&, i] { order.ran(i); done.release(); });
    gate->open();
    for (int i = count / 2; i < count; ++i)
        f.queue->push([&, i] { order.ran(i); done.release(); });
    QVERIFY(done.tryAcquire(count, waitMs));
    QCOMPARE(order.values(), range(count));
    QTRY_COMPARE_WITH_TIMEOUT(f.queue->runners(), 0, waitMs);
}

// Many tiny jobs on several runners: each runs once, none is lost or repeated, and every runner
// leaves once the queue stays empty.
void SyncQueueTest::everyJobRunsExactlyOnce()
{
    constexpr int count = 20000;
    RunCounts runs(count);
    QSemaphore done;
    Fixture f(4);
    for (int i = 0; i < count; ++i)
        f.queue->push([&, i] { runs.ran(i); done.release(); });
    QVERIFY(done.tryAcquire(count, waitMs));
    QTRY_COMPARE_WITH_TIMEOUT(f.queue->runners(), 0, waitMs);
    QVERIFY(f.pool.waitForDone(waitMs));
    QCOMPARE(runs.problem(), QString()); // after the runners left: nothing ran late, twice
}

void SyncQueueTest::concurrentPushesFromSeveralThreads_data()
{
    QTest::addColumn<int>("poolThreads");
    QTest::newRow("1 pool thread") << 1;
    QTest::newRow("3 pool threads") << 3;
}

// Four threads push at once, released together. Each job runs once; with one runner, each
// producer's jobs also run in the order that producer pushed them.
void SyncQueueTest::concurrentPushesFromSeveralThreads()
{
    QFETCH(int, poolThreads);
    constexpr int producers = 4;
    constexpr int perProducer = 5000;
    RunCounts runs(producers * perProducer);
    std::vector<RunOrder> orders(producers);
    QSemaphore done;
    Fixture f(poolThreads);
    std::latch startTogether(producers);
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p) {
        threads.emplace_back([&, p] {
            startTogether.arrive_and_wait();
            for (int i = 0; i < perProducer; ++i) {
                f.queue->push([&, p, i] {
                    runs.ran(p * perProducer + i);
                    orders[size_t(p)].ran(i);
                    done.release();
                });
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QVERIFY(done.tryAcquire(producers * perProducer, waitMs));
    QTRY_COMPARE_WITH_TIMEOUT(f.queue->runners(), 0, waitMs);
    QVERIFY(f.pool.waitForDone(waitMs));
    QCOMPARE(runs.problem(), QString());
    if (poolThreads == 1) {
        for (const RunOrder &order : orders)
            QCOMPARE(order.values(), range(perProducer));
    }
}

// With every runner held busy, more pushes start no further runner; and however fast jobs come
// and go, no more of them run at once than the pool's maximum.
void SyncQueueTest::runnersNeverExceedThePoolsMaximum()
{
    constexpr int maxThreads = 3;
    constexpr int held = 10;
    constexpr int tiny = 20000;
    Concurrency concurrency;
    QSemaphore done;
    Fixture f(maxThreads);
    auto gate = std::make_shared<Gate>();
    OpenOnExit openOnExit{gate};
    for (int i = 0; i < held; ++i) {
        f.queue->push([&, gate] {
            concurrency.enter();
            gate->pass();
            concurrency.leave();
            done.release();
        });
        QVERIFY(f.queue->runners() <= maxThreads);
    }
    QVERIFY(gate->waitArrived(maxThreads, waitMs));
    QCOMPARE(f.queue->runners(), maxThreads);
    QCOMPARE(gate->arrived(), maxThreads); // the rest wait in the queue, not on the pool
    gate->open();

    int mostRunners = 0;
    for (int i = 0; i < tiny; ++i) {
        f.queue->push([&] {
            concurrency.enter();
            concurrency.leave();
            done.release();
        });
        mostRunners = std::max(mostRunners, f.queue->runners());
    }
    QVERIFY(done.tryAcquire(held + tiny, waitMs));
    QVERIFY(mostRunners <= maxThreads);
    QCOMPARE(concurrency.peak(), maxThreads);
    QTRY_COMPARE_WITH_TIMEOUT(f.queue->runners(), 0, waitMs);
    QVERIFY(f.pool.waitForDone(waitMs));
}

// The pool is made smaller while all its runners are busy: each extra runner leaves after its
// current job instead of taking another, so the one that stays takes the work queued behind
// them, one job at a time; all of it runs, and no runner is left counted.
void SyncQueueTest::poolMadeSmallerWhileRunnersAreBusy()
{
    constexpr int before = 4;
    constexpr int queued = 1000;
    RunCounts runs(queued);
    std::atomic<int> ranAfterFirst{0};
    RunThreads threads;
    QSemaphore done;
    Fixture f(before);
    auto busy = std::make_shared<Gate>();
    auto first = std::make_shared<Gate>(); // holds the first job queued after the change
    OpenOnExit openOnExit{busy, first};
    for (int i = 0; i < before; ++i)
        f.queue->push([&, busy] { busy->pass(); done.release(); });
    QVERIFY(busy->waitArrived(before, waitMs));
    QCOMPARE(f.queue->runners(), before);

    f.pool.setMaxThreadCount(1);
    for (int i = 0; i < queued; ++i) {
        f.queue->push([&, first, i] {
            if (i == 0)
                first->pass();
            else
                ranAfterFirst.fetch_add(1);
            threads.ran();
            runs.ran(i);
            done.release();
        });
    }
    QCOMPARE(f.queue->runners(), before); // none added beyond the new maximum
    busy->open();
    QVERIFY(first->waitArrived(1, waitMs));
    // The extra three leave without taking a job: while the first is held, nothing else runs.
    QTRY_COMPARE_WITH_TIMEOUT(f.queue->runners(), 1, waitMs);
    QCOMPARE(ranAfterFirst.load(), 0);
    first->open();
    QVERIFY(done.tryAcquire(before + queued, waitMs));
    QCOMPARE(threads.count(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(f.queue->runners(), 0, waitMs);
    QVERIFY(f.pool.waitForDone(waitMs));
    QCOMPARE(runs.problem(), QString());
}

// The pool is made smaller the moment a burst is done, while its runners most likely still
// linger for more: the next burst runs completely, the extra runners leave, none is left counted.
// (Whether they were lingering at that instant is up to the scheduler; the outcome must not be.)
void SyncQueueTest::poolMadeSmallerRightAfterABurst()
{
    constexpr int burst = 2000;
    for (int round = 0; round < 20; ++round) {
        RunCounts runs(burst);
        QSemaphore done;
        Fixture f(4);
        for (int i = 0; i < burst; ++i)
            f.queue->push([&] { done.release(); });
        QVERIFY(done.tryAcquire(burst, waitMs));

        f.pool.setMaxThreadCount(1);
        for (int i = 0; i < burst; ++i)
            f.queue->push([&, i] { runs.ran(i); done.release(); });
        QVERIFY(done.tryAcquire(burst, waitMs));
        QTRY_COMPARE_WITH_TIMEOUT(f.queue->runners(), 0, waitMs);
        QVERIFY(f.pool.waitForDone(waitMs));
        QCOMPARE(runs.problem(), QString());
    }
}

// What the engine's own handlers let escape is logged and dropped: the runner goes on with the
// next job, and its count stays right (else the queue would run out of runners, or leak one).
void SyncQueueTest::aThrowingJobKeepsItsRunnerCounted()
{
    QSemaphore done;
    Fixture f(1);
    QTest::ignoreMessage(QtCriticalMsg, "sync work of the engine threw past its own handler; ignored");
    f.queue->push([] { throw std::runtime_error("out of memory while reporting"); });
    f.queue->push([&] { done.release(); });
    QVERIFY(done.tryAcquire(1, waitMs));
    QTRY_COMPARE_WITH_TIMEOUT(f.queue->runners(), 0, waitMs);
    f.queue->push([&] { done.release(); });
    QVERIFY(done.tryAcquire(1, waitMs));
    QTRY_COMPARE_WITH_TIMEOUT(f.queue->runners(), 0, waitMs);
}

QTEST_GUILESS_MAIN(SyncQueueTest)
#include "tst_syncqueue.moc"
