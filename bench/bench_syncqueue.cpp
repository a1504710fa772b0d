// SPDX-License-Identifier: MIT
// The sync queue's lock (engine/src/syncqueue.h): the engine's std::mutex against QMutex and two
// spin locks (the one the queue had, spinning on the exchange, and a test-and-test-and-set one
// with a pause hint), in the same queue in front of the same QThreadPool, side by side in this
// process.
//
// Each run pushes trivial jobs from 1 or 2 producer threads, released together, into a fresh
// queue and pool (idealThreadCount() threads) and ends when the last job has run; throughput by
// the wall clock and the process's CPU time per job (producers, runners, everything). Every lock
// runs once per round, in a rotating order; medians over rounds, and each round's ratio to
// std::mutex before the median. docs/performance.md ("The sync queue's lock") has the decision.
#include "support/benchsupport.h"

#include "syncqueue_impl.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QMutex>
#include <QtCore/QSemaphore>
#include <QtCore/QThread>
#include <QtCore/QThreadPool>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include <atomic>
#include <latch>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

using namespace afterwork::bench;
using namespace afterwork::detail;

namespace {

//! Tells the core that this thread is spin-waiting: `pause` on x86, `yield` on ARM, nothing
//! elsewhere.
inline void cpuRelax() noexcept
{
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__) || (defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7)
    __asm__ __volatile__("yield");
#endif
}

//! The spin lock the queue had: every waiter spins on the exchange itself, which takes the cache
//! line from the holder on each try; it yields the thread after 16 tries.
class ExchangeSpinLock
{
public:
    void lock() noexcept
    {
        for (int spins = 0; m_locked.test_and_set(std::memory_order_acquire); ++spins) {
            if (spins >= 16)
                QThread::yieldCurrentThread();
        }
    }
    void unlock() noexcept { m_locked.clear(std::memory_order_release); }

private:
    std::atomic_flag m_locked = ATOMIC_FLAG_INIT;
};

//! The better spin lock: test-and-test-and-set, spinning on a relaxed load (which stays in the
//! waiter's cache) with a pause hint, trying the exchange only once the lock looks free.
class TtasSpinLock
{
public:
    void lock() noexcept
    {
        for (int spins = 0;;) {
            if (!m_locked.exchange(true, std::memory_order_acquire))
                return;
            while (m_locked.load(std::memory_order_relaxed)) {
                if (++spins < 16)
                    cpuRelax();
                else
                    QThread::yieldCurrentThread(); // the holder may have been preempted
            }
        }
    }
    void unlock() noexcept { m_locked.store(false, std::memory_order_release); }

private:
    std::atomic<bool> m_locked{false};
};

enum class LockKind { StdMutex, QtMutex, TtasSpin, ExchangeSpin };

const char *lockName(LockKind kind)
{
    switch (kind) {
    case LockKind::StdMutex: return "std::mutex";
    case LockKind::QtMutex: return "QMutex";
    case LockKind::TtasSpin: return "spin, TTAS + pause";
    case LockKind::ExchangeSpin: return "spin on exchange";
    }
    return "?";
}

std::atomic<quint64> g_sink{0};

struct Measurement
{
    double jobsPerSecond = 0;
    double cpuUsPerJob = 0;
};

template<typename Lock>
Measurement run(int count, int producers)
{
    QThreadPool pool;
    pool.setMaxThreadCount(QThread::idealThreadCount());
    auto queue = std::make_shared<BasicSyncQueue<Lock>>(&pool);
    std::atomic<int> left{count};
    QSemaphore allRan;
    const auto job = [&] {
        g_sink.fetch_add(1, std::memory_order_relaxed);
        if (left.fetch_sub(1, std::memory_order_acq_rel) == 1)
            allRan.release();
    };
    std::latch ready(producers + 1);
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p) {
        const int share = count / producers + (p < count % producers ? 1 : 0);
        threads.emplace_back([&, share] {
            ready.arrive_and_wait();
            for (int i = 0; i < share; ++i)
                queue->push(job);
        });
    }
    const qint64 cpuStart = processCpuNs();
    const qint64 start = nowNs();
    ready.arrive_and_wait();
    const bool finished = allRan.tryAcquire(1, 300000);
    const double elapsed = double(nowNs() - start) / 1e9;
    const qint64 cpu = processCpuNs() - cpuStart;
    for (std::thread &thread : threads)
        thread.join();
    if (!finished)
        fail(QStringLiteral("only %1 of %2 jobs ran").arg(count - left.load()).arg(count));
    pool.waitForDone();
    if (queue->runners() != 0)
        fail(QStringLiteral("%1 runners still counted after the pool is done").arg(queue->runners()));
    return {count / elapsed, double(cpu) / 1000 / count};
}

Measurement run(LockKind kind, int count, int producers)
{
    switch (kind) {
    case LockKind::StdMutex: return run<std::mutex>(count, producers);
    case LockKind::QtMutex: return run<QMutex>(count, producers);
    case LockKind::TtasSpin: return run<TtasSpinLock>(count, producers);
    case LockKind::ExchangeSpin: return run<ExchangeSpinLock>(count, producers);
    }
    return {};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const Options options = parseOptions(argc, argv, 7, "[JOBS]",
                                         "The sync queue's lock: std::mutex (the engine's) against QMutex and two spin locks.");
    const int count = int(options.size(5000, 200000));
    announce(options, QStringLiteral("%1 jobs per run, %2 runs, %3 pool threads")
                          .arg(count)
                          .arg(options.runs)
                          .arg(QThread::idealThreadCount()));

    const std::vector<LockKind> kinds{LockKind::StdMutex, LockKind::QtMutex, LockKind::TtasSpin, LockKind::ExchangeSpin};
    int figure = 0;
    for (int producers : {1, 2}) {
        for (LockKind kind : kinds)
            run(kind, std::max(1000, count / 10), producers); // warm-up: threads, allocator

        std::map<LockKind, std::vector<double>> rates, cpuPerJob, rateRatio, cpuRatio;
        for (int round = 0; round < options.runs; ++round) {
            std::map<LockKind, Measurement> m;
            for (size_t i = 0; i < kinds.size(); ++i) {
                const LockKind kind = kinds[(i + size_t(round)) % kinds.size()];
                m[kind] = run(kind, count, producers);
                rates[kind].push_back(m[kind].jobsPerSecond);
                cpuPerJob[kind].push_back(m[kind].cpuUsPerJob);
            }
            std::fprintf(stderr, "  %d producer(s), round %d:", producers, round + 1);
            for (LockKind kind : kinds) {
                // Above 1: this lock does better than the engine's (more jobs/s, less CPU per job).
                rateRatio[kind].push_back(m[kind].jobsPerSecond / m[LockKind::StdMutex].jobsPerSecond);
                cpuRatio[kind].push_back(m[LockKind::StdMutex].cpuUsPerJob / m[kind].cpuUsPerJob);
                std::fprintf(stderr, " %s %.0f/s (%.2f us CPU)", lockName(kind), m[kind].jobsPerSecond,
                             m[kind].cpuUsPerJob);
            }
            std::fprintf(stderr, "\n");
        }

        const auto jobsPerSecond = [](double v) { return formatRate(v, QStringLiteral("jobs/s")); };
        for (LockKind kind : kinds) {
            const Summary rate = summarize(rates[kind]);
            QString context = formatSpread(rate, jobsPerSecond)
                + QStringLiteral("; %1 us CPU/job").arg(summarize(cpuPerJob[kind]).median, 0, 'f', 3);
            if (kind != LockKind::StdMutex) {
                context += QStringLiteral("; vs std::mutex: %1 by rate, %2 by CPU")
                               .arg(formatRatio(summarize(rateRatio[kind]).median),
                                    formatRatio(summarize(cpuRatio[kind]).median));
            }
            report({QStringLiteral("sq%1%2").arg(producers).arg(QChar(u'a' + figure % int(kinds.size()))),
                    QStringLiteral("sync queue, %1 producer%2, %3")
                        .arg(producers)
                        .arg(producers > 1 ? "s" : "")
                        .arg(QString::fromLatin1(lockName(kind))),
                    jobsPerSecond(rate.median), QStringLiteral("-"), Verdict::Reported, context});
            ++figure;
        }
    }
    return 0;
}
