// SPDX-License-Identifier: MIT
// Targets 1 and 2: what a task costs through TaskEngine, against the raw Qt primitives it is
// built on, measured side by side in this process.
//
//   raw     QThreadPool::start(work) + a queued QMetaObject::invokeMethod back to the owner thread
//   engine  TaskEngine::schedule(work), lifecycle events on, nothing connected to taskEvent
//   engine  the same with one subscriber connected that reads every event
//   async   a ready QFuture, and a QCoro coroutine that returns at once
//
// Every variant runs once per round, in a rotating order, so that a noisy neighbour slows all of
// them alike; ratios are taken within a round, then the median over rounds is reported.
#include "support/benchsupport.h"

#include <afterwork/taskengine.h>
#if AFTERWORK_BENCH_HAVE_QCORO
#include <afterwork/qcoro.h>
#endif

#include <QtCore/QCoreApplication>
#include <QtCore/QFuture>
#include <QtCore/QThread>
#include <QtCore/QThreadPool>

#include <array>
#include <atomic>
#include <map>

using namespace afterwork;
using namespace afterwork::bench;
using namespace std::chrono_literals;

namespace {

std::atomic<quint64> g_sink{0};

//! The "work": as little as possible, but something the compiler cannot remove.
void trivialWork()
{
    g_sink.fetch_add(1, std::memory_order_relaxed);
}

enum class Variant { Raw, Engine, EngineSubscribed, AsyncFuture, AsyncCoroutine };

const char *variantName(Variant variant)
{
    switch (variant) {
    case Variant::Raw: return "raw";
    case Variant::Engine: return "engine";
    case Variant::EngineSubscribed: return "engine+subscriber";
    case Variant::AsyncFuture: return "async QFuture";
    case Variant::AsyncCoroutine: return "async QCoro";
    }
    return "?";
}

double seconds(qint64 startNs)
{
    return double(nowNs() - startNs) / 1e9;
}

double runRaw(int count, int threads)
{
    QThreadPool pool;
    pool.setMaxThreadCount(threads);
    QObject owner;
    int done = 0;
    const qint64 start = nowNs();
    for (int i = 0; i < count; ++i) {
        pool.start([&owner, &done] {
            trivialWork();
            QMetaObject::invokeMethod(&owner, [&done] { ++done; }, Qt::QueuedConnection);
        });
    }
    if (!waitUntil([&] { return done == count; }, 300s))
        fail(QStringLiteral("raw: only %1 of %2 completions arrived").arg(done).arg(count));
    const double elapsed = seconds(start);
    pool.waitForDone();
    return count / elapsed;
}

double runEngine(int count, int threads, Variant variant)
{
    TaskEngine engine({}, EngineOptions{.maxThreads = threads});
    quint64 eventsRead = 0;
    quint64 checksum = 0;
    if (variant == Variant::EngineSubscribed) {
        // A subscriber that really reads each event, as a publisher or a log would.
        QObject::connect(&engine, &TaskEngine::taskEvent, &engine, [&](const TaskEvent &event) {
            ++eventsRead;
            checksum += event.taskId + quint64(event.timestampUs) + quint64(event.name.size()) + quint64(event.phase);
        });
    }
    const qint64 start = nowNs();
    for (int i = 0; i < count; ++i) {
        switch (variant) {
        case Variant::AsyncFuture:
            engine.schedule([] {
                trivialWork();
                return QtFuture::makeReadyFuture();
            });
            break;
#if AFTERWORK_BENCH_HAVE_QCORO
        case Variant::AsyncCoroutine:
            engine.schedule([]() -> QCoro::Task<> {
                trivialWork();
                co_return;
            });
            break;
#endif
        default:
            engine.schedule([] { trivialWork(); });
            break;
        }
    }
    const bool finished = waitUntil([&] { return engine.counters().succeeded == quint64(count); }, 300s);
    const double elapsed = seconds(start);
    const EngineCounters counters = engine.counters();
    if (!finished)
        fail(QStringLiteral("%1: %2 of %3 tasks succeeded").arg(variantName(variant)).arg(counters.succeeded).arg(count));
    if (variant == Variant::EngineSubscribed && eventsRead != 3 * quint64(count))
        fail(QStringLiteral("subscriber read %1 events, expected %2").arg(eventsRead).arg(3 * quint64(count)));
    engine.shutdown(5s);
    return count / elapsed;
}

double runVariant(Variant variant, int count, int threads)
{
    return variant == Variant::Raw ? runRaw(count, threads) : runEngine(count, threads, variant);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const Options options = parseOptions(argc, argv, 5,
                                         "bench_engine [--smoke] [--runs N] [TASKS]\n"
                                         "Targets 1 and 2: TaskEngine against raw QThreadPool, sync and async work.");
    const int count = !options.positional.isEmpty() ? options.positional.first().toInt() : options.smoke ? 5000 : 100000;
    const int threads = QThread::idealThreadCount();
    std::fprintf(stderr, "bench_engine: %d tasks per run, %d runs, %d pool threads; %s\n", count, options.runs, threads,
                 qPrintable(describeMachine()));

    std::vector<Variant> variants{Variant::Raw, Variant::Engine, Variant::EngineSubscribed, Variant::AsyncFuture};
#if AFTERWORK_BENCH_HAVE_QCORO
    variants.push_back(Variant::AsyncCoroutine);
#endif
    // Warm-up: first-use costs (thread creation, allocator growth, label demangling) stay out.
    for (Variant variant : variants)
        runVariant(variant, std::max(1000, count / 10), threads);

    std::map<Variant, std::vector<double>> rates;
    std::vector<double> engineRatio, subscribedRatio, futureRatio, coroutineRatio;
    for (int round = 0; round < options.runs; ++round) {
        std::map<Variant, double> rate;
        for (size_t i = 0; i < variants.size(); ++i) {
            const Variant variant = variants[(i + size_t(round)) % variants.size()];
            rate[variant] = runVariant(variant, count, threads);
            rates[variant].push_back(rate[variant]);
        }
        engineRatio.push_back(rate[Variant::Engine] / rate[Variant::Raw]);
        subscribedRatio.push_back(rate[Variant::EngineSubscribed] / rate[Variant::Raw]);
        futureRatio.push_back(rate[Variant::AsyncFuture] / rate[Variant::Engine]);
        if (rate.count(Variant::AsyncCoroutine))
            coroutineRatio.push_back(rate[Variant::AsyncCoroutine] / rate[Variant::Engine]);
        std::fprintf(stderr, "  round %d: raw %.0f/s, engine %.0f/s (%.2fx), subscribed %.0f/s (%.2fx)\n", round + 1,
                     rate[Variant::Raw], rate[Variant::Engine], engineRatio.back(), rate[Variant::EngineSubscribed],
                     subscribedRatio.back());
    }

    const auto tasksPerSecond = [](double v) { return formatRate(v, QStringLiteral("tasks/s")); };
    const auto rateFigure = [&](const char *id, const char *name, Variant variant) {
        const Summary s = summarize(rates[variant]);
        report({QString::fromLatin1(id), QString::fromLatin1(name), tasksPerSecond(s.median), QStringLiteral("-"),
                Verdict::Reported, formatSpread(s, tasksPerSecond)});
    };
    const auto ratioFigure = [&](const char *id, const char *name, const std::vector<double> &ratios, double target) {
        const Summary s = summarize(ratios);
        report({QString::fromLatin1(id), QString::fromLatin1(name), formatRatio(s.median),
                target > 0 ? QStringLiteral(">= %1").arg(target) : QStringLiteral("-"),
                target > 0 ? verdict(s.median >= target, options) : Verdict::Reported, formatSpread(s, formatRatio)});
    };

    rateFigure("1a", "raw QThreadPool + queued invokeMethod", Variant::Raw);
    rateFigure("1b", "TaskEngine sync tasks, no subscriber", Variant::Engine);
    ratioFigure("1c", "TaskEngine / raw, no subscriber", engineRatio, 0.8);
    rateFigure("1d", "TaskEngine sync tasks, one subscriber reading all", Variant::EngineSubscribed);
    ratioFigure("1e", "TaskEngine / raw, one subscriber", subscribedRatio, 0.6);
    rateFigure("2a", "async tasks, ready QFuture", Variant::AsyncFuture);
    ratioFigure("2b", "async QFuture / sync engine (1b)", futureRatio, 0);
#if AFTERWORK_BENCH_HAVE_QCORO
    rateFigure("2c", "async tasks, QCoro coroutine", Variant::AsyncCoroutine);
    ratioFigure("2d", "async QCoro / sync engine (1b)", coroutineRatio, 0);
#else
    report({QStringLiteral("2c"), QStringLiteral("async tasks, QCoro coroutine"), QStringLiteral("-"),
            QStringLiteral("-"), Verdict::Skipped, QStringLiteral("built without QCoro")});
#endif
    return 0;
}
