// SPDX-License-Identifier: MIT
// Targets 1 and 2: what a task costs through TaskEngine, against the raw Qt primitives it is
// built on, measured side by side in this process.
//
//   raw     QThreadPool::start(work) + a queued QMetaObject::invokeMethod back to the owner thread
//   peer    what a Qt developer writes by hand instead: QtConcurrent::run(work) and a
//           QFutureWatcher per task whose finished() reaches the owner thread (QFuture::then() is
//           left out: on Qt 6.4 a continuation attached to a running future can run twice)
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
#include <QtCore/QElapsedTimer>
#include <QtCore/QFuture>
#include <QtCore/QThread>
#include <QtCore/QThreadPool>
#include <QtConcurrent/QtConcurrentRun>
#include <QtCore/QFutureWatcher>

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

enum class Variant { Raw, HandWritten, Engine, EngineSubscribed, AsyncFuture, AsyncCoroutine };

const char *variantName(Variant variant)
{
    switch (variant) {
    case Variant::Raw: return "raw";
    case Variant::HandWritten: return "QtConcurrent+watcher";
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

//! One variant's run: throughput by the wall clock, and the process's CPU time per task.
struct Measurement
{
    double tasksPerSecond = 0;
    double cpuUsPerTask = 0;
    double switchesPerTask = 0; //!< context switches of all threads, per task
};

//! The variants without the engine: \a submit starts one task on \a pool whose completion counts
//! \a done on \a owner's thread (this one). \a name is for the failure message.
template<typename Submit>
Measurement runOnOwnPool(const char *name, int count, int threads, Submit submit)
{
    QThreadPool pool;
    pool.setMaxThreadCount(threads);
    QObject owner;
    int done = 0;
    const qint64 switchesStart = contextSwitches();
    const qint64 cpuStart = processCpuNs();
    const qint64 start = nowNs();
    for (int i = 0; i < count; ++i)
        submit(pool, owner, done);
    if (!waitUntil([&] { return done == count; }, 300s))
        fail(QStringLiteral("%1: only %2 of %3 completions arrived").arg(QLatin1StringView(name)).arg(done).arg(count));
    const double elapsed = seconds(start);
    const qint64 cpu = processCpuNs() - cpuStart;
    const qint64 switches = contextSwitches() - switchesStart;
    pool.waitForDone();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete); // what the run left, before the next
    return {count / elapsed, double(cpu) / 1000 / count, double(switches) / count};
}

Measurement runRaw(int count, int threads)
{
    return runOnOwnPool("raw", count, threads, [](QThreadPool &pool, QObject &owner, int &done) {
        pool.start([&owner, &done] {
            trivialWork();
            QMetaObject::invokeMethod(&owner, [&done] { ++done; }, Qt::QueuedConnection);
        });
    });
}

Measurement runHandWritten(int count, int threads)
{
    return runOnOwnPool("QtConcurrent+watcher", count, threads, [](QThreadPool &pool, QObject &owner, int &done) {
        // Connected before setFuture(), as Qt's documentation asks: a future that finished first
        // still signals.
        auto *watcher = new QFutureWatcher<void>(&owner);
        QObject::connect(watcher, &QFutureWatcher<void>::finished, &owner, [watcher, &done] {
            ++done;
            watcher->deleteLater();
        });
        watcher->setFuture(QtConcurrent::run(&pool, trivialWork));
    });
}

Measurement runEngine(int count, int threads, Variant variant)
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
    const qint64 switchesStart = contextSwitches();
    const qint64 cpuStart = processCpuNs();
    const qint64 start = nowNs();
    for (int i = 0; i < count; ++i) {
        switch (variant) {
        case Variant::AsyncFuture:
            engine.schedule([] {
                trivialWork();
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
                return QtFuture::makeReadyVoidFuture(); // Qt 6.6 deprecated makeReadyFuture() for this
#else
                return QtFuture::makeReadyFuture();
#endif
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
    const qint64 cpu = processCpuNs() - cpuStart;
    const qint64 switches = contextSwitches() - switchesStart;
    const EngineCounters counters = engine.counters();
    if (!finished)
        fail(QStringLiteral("%1: %2 of %3 tasks succeeded").arg(variantName(variant)).arg(counters.succeeded).arg(count));
    if (variant == Variant::EngineSubscribed && eventsRead != 3 * quint64(count))
        fail(QStringLiteral("subscriber read %1 events, expected %2").arg(eventsRead).arg(3 * quint64(count)));
    engine.shutdown(5s);
    return {count / elapsed, double(cpu) / 1000 / count, double(switches) / count};
}

Measurement runVariant(Variant variant, int count, int threads)
{
    switch (variant) {
    case Variant::Raw: return runRaw(count, threads);
    case Variant::HandWritten: return runHandWritten(count, threads);
    default: return runEngine(count, threads, variant);
    }
}

//! Nanoseconds per CancellationToken::reportProgress() of one sync task reporting \a reports times
//! in a burst: all but a few are suppressed by the throttle (one emission per 100 ms), so this is
//! the cost of a suppressed report, timed on the pool thread that makes them.
double progressReportNs(int reports)
{
    TaskEngine engine({}, EngineOptions{.maxThreads = 1});
    QObject::connect(&engine, &TaskEngine::taskProgress, &engine, [](const TaskProgress &) {}); // a listener, as in an app
    std::atomic<qint64> elapsedNs{-1};
    const QString message = QStringLiteral("rows");
    engine.schedule([&](const CancellationToken &token) {
        QElapsedTimer timer;
        timer.start();
        for (int i = 1; i <= reports; ++i)
            token.reportProgress(i, reports, message);
        elapsedNs.store(timer.nsecsElapsed());
    });
    while (elapsedNs.load() < 0)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    engine.shutdown(std::chrono::seconds(5));
    return double(elapsedNs.load()) / reports;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const Options options = parseOptions(argc, argv, 7, "[TASKS]",
                                         "bench_engine profile raw|peer|engine|subscribed|future|coroutine [TASKS]\n"
                                         "Targets 1 and 2: TaskEngine against raw QThreadPool, sync and async work.");
    const int threads = QThread::idealThreadCount();
    if (options.positional.value(0) == QLatin1String("profile")) {
        // One variant, once: `valgrind --tool=callgrind bench_engine profile engine 20000`.
        static const std::map<QString, Variant> byName{{QStringLiteral("raw"), Variant::Raw},
                                                       {QStringLiteral("peer"), Variant::HandWritten},
                                                       {QStringLiteral("engine"), Variant::Engine},
                                                       {QStringLiteral("subscribed"), Variant::EngineSubscribed},
                                                       {QStringLiteral("future"), Variant::AsyncFuture},
                                                       {QStringLiteral("coroutine"), Variant::AsyncCoroutine}};
        const auto it = byName.find(options.positional.value(1));
        if (it == byName.end())
            fail(QStringLiteral("profile: raw, peer, engine, subscribed, future or coroutine"));
        const int tasks = options.positional.value(2, QStringLiteral("20000")).toInt();
        runVariant(it->second, 1000, threads);
        const Measurement m = runVariant(it->second, tasks, threads);
        std::fprintf(stderr, "%s: %.0f tasks/s, %.2f us CPU per task, %.2f context switches per task\n",
                     variantName(it->second), m.tasksPerSecond, m.cpuUsPerTask, m.switchesPerTask);
        return 0;
    }
    const int count = int(options.size(5000, 100000));
    announce(options, QStringLiteral("%1 tasks per run, %2 runs, %3 pool threads").arg(count).arg(options.runs).arg(threads));

    std::vector<Variant> variants{Variant::Raw, Variant::HandWritten, Variant::Engine, Variant::EngineSubscribed,
                                  Variant::AsyncFuture};
#if AFTERWORK_BENCH_HAVE_QCORO
    variants.push_back(Variant::AsyncCoroutine);
#endif
    // Warm-up: first-use costs (thread creation, allocator growth, label demangling) stay out.
    for (Variant variant : variants)
        runVariant(variant, std::max(1000, count / 10), threads);

    std::map<Variant, std::vector<double>> rates, cpuPerTask, switchesPerTask;
    std::vector<double> engineRatio, subscribedRatio, futureRatio, coroutineRatio, peerRatio, engineOverPeer;
    std::vector<double> engineCpuRatio, subscribedCpuRatio;
    for (int round = 0; round < options.runs; ++round) {
        std::map<Variant, Measurement> m;
        for (size_t i = 0; i < variants.size(); ++i) {
            const Variant variant = variants[(i + size_t(round)) % variants.size()];
            // The previous variant left the allocator in its own state (freed and trimmed heaps,
            // per-thread caches); an untimed fifth of this variant first puts it in this one's.
            runVariant(variant, std::max(1000, count / 5), threads);
            m[variant] = runVariant(variant, count, threads);
            rates[variant].push_back(m[variant].tasksPerSecond);
            cpuPerTask[variant].push_back(m[variant].cpuUsPerTask);
            switchesPerTask[variant].push_back(m[variant].switchesPerTask);
        }
        const auto rate = [&](Variant v) { return m[v].tasksPerSecond; };
        engineRatio.push_back(rate(Variant::Engine) / rate(Variant::Raw));
        peerRatio.push_back(rate(Variant::HandWritten) / rate(Variant::Raw));
        engineOverPeer.push_back(rate(Variant::Engine) / rate(Variant::HandWritten));
        subscribedRatio.push_back(rate(Variant::EngineSubscribed) / rate(Variant::Raw));
        futureRatio.push_back(rate(Variant::AsyncFuture) / rate(Variant::Engine));
        if (m.count(Variant::AsyncCoroutine))
            coroutineRatio.push_back(rate(Variant::AsyncCoroutine) / rate(Variant::Engine));
        // CPU cost ratio, raw / engine: comparable with the throughput ratio (1 = same cost).
        engineCpuRatio.push_back(m[Variant::Raw].cpuUsPerTask / m[Variant::Engine].cpuUsPerTask);
        subscribedCpuRatio.push_back(m[Variant::Raw].cpuUsPerTask / m[Variant::EngineSubscribed].cpuUsPerTask);
        std::fprintf(stderr,
                     "  round %d: raw %.0f/s (%.2f us CPU/task), engine %.0f/s (%.2fx; %.2f us), subscribed %.0f/s "
                     "(%.2fx; %.2f us)\n",
                     round + 1, rate(Variant::Raw), m[Variant::Raw].cpuUsPerTask, rate(Variant::Engine),
                     engineRatio.back(), m[Variant::Engine].cpuUsPerTask, rate(Variant::EngineSubscribed),
                     subscribedRatio.back(), m[Variant::EngineSubscribed].cpuUsPerTask);
    }

    const auto tasksPerSecond = [](double v) { return formatRate(v, QStringLiteral("tasks/s")); };
    const auto cpuText = [&](Variant variant) {
        return QStringLiteral("%1 us CPU/task, %2 context switches/task")
            .arg(summarize(cpuPerTask[variant]).median, 0, 'f', 2)
            .arg(summarize(switchesPerTask[variant]).median, 0, 'f', 2);
    };
    const auto rateFigure = [&](const char *id, const char *name, Variant variant) {
        const Summary s = summarize(rates[variant]);
        report({QString::fromLatin1(id), QString::fromLatin1(name), tasksPerSecond(s.median), QStringLiteral("-"),
                Verdict::Reported, formatSpread(s, tasksPerSecond) + QStringLiteral("; ") + cpuText(variant)});
    };
    const auto ratioFigure = [&](const char *id, const char *name, const std::vector<double> &ratios, double target,
                                 const QString &context) {
        const Summary s = summarize(ratios);
        report({QString::fromLatin1(id), QString::fromLatin1(name), formatRatio(s.median),
                target > 0 ? QStringLiteral(">= %1").arg(target) : QStringLiteral("-"),
                target > 0 ? verdict(s.median >= target, options) : Verdict::Reported,
                formatSpread(s, formatRatio) + context});
    };
    const auto cpuContext = [&](const std::vector<double> &ratios) {
        return QStringLiteral("; by CPU time per task %1").arg(formatRatio(summarize(ratios).median));
    };

    rateFigure("1a", "raw QThreadPool + queued invokeMethod", Variant::Raw);
    rateFigure("1f", "QtConcurrent::run + a QFutureWatcher per task (by hand)", Variant::HandWritten);
    ratioFigure("1g", "by hand / raw", peerRatio, 0, {});
    ratioFigure("1h", "TaskEngine / by hand, no subscriber", engineOverPeer, 5.0, {});
    rateFigure("1b", "TaskEngine sync tasks, no subscriber", Variant::Engine);
    ratioFigure("1c", "TaskEngine / raw, no subscriber", engineRatio, 1.0, cpuContext(engineCpuRatio));
    rateFigure("1d", "TaskEngine sync tasks, one subscriber reading all", Variant::EngineSubscribed);
    ratioFigure("1e", "TaskEngine / raw, one subscriber", subscribedRatio, 0.8, cpuContext(subscribedCpuRatio));
    rateFigure("2a", "async tasks, ready QFuture", Variant::AsyncFuture);
    ratioFigure("2b", "async QFuture / sync engine (1b)", futureRatio, 0, {});
#if AFTERWORK_BENCH_HAVE_QCORO
    rateFigure("2c", "async tasks, QCoro coroutine", Variant::AsyncCoroutine);
    ratioFigure("2d", "async QCoro / sync engine (1b)", coroutineRatio, 0, {});
#else
    report({QStringLiteral("2c"), QStringLiteral("async tasks, QCoro coroutine"), QStringLiteral("-"),
            QStringLiteral("-"), Verdict::Skipped, QStringLiteral("built without QCoro")});
#endif

    std::vector<double> reportNs;
    progressReportNs(100'000); // warm-up
    for (int round = 0; round < options.runs; ++round)
        reportNs.push_back(progressReportNs(1'000'000));
    const auto nsText = [](double v) { return QStringLiteral("%1 ns").arg(v, 0, 'f', 1); };
    const Summary reportSummary = summarize(reportNs);
    report({QStringLiteral("3a"), QStringLiteral("progress report suppressed by the throttle (pool thread)"),
            nsText(reportSummary.median), QStringLiteral("<= 100 ns"), verdict(reportSummary.median <= 100.0, options),
            formatSpread(reportSummary, nsText) + QStringLiteral("; 1,000,000 reports in a burst from one task")});
    return 0;
}
