// SPDX-License-Identifier: MIT
// Target 8: memory. (a) Bytes per queued task: the pool's only thread is held busy, N tasks are
// scheduled behind it, and the heap in use (malloc's own count, every arena) is compared before
// and after. (b) Nothing grows with history: 1,000,000 tasks run in batches of 10,000, and the
// heap in use after all of them is compared with its value after the first batch.
#include "support/benchsupport.h"

#include <afterwork/taskengine.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QSemaphore>

#include <atomic>

#include <unistd.h>

using namespace afterwork;
using namespace afterwork::bench;
using namespace std::chrono_literals;

namespace {

std::atomic<quint64> g_sink{0};

void sendEmail(const QString &address)
{
    g_sink.fetch_add(quint64(address.size()), std::memory_order_relaxed);
}

void settle()
{
    // Let deleteLater()s and queued calls run, so that what is measured is what stays.
    for (int i = 0; i < 3; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

enum class QueuedKind { Trivial, NamedWithArgument };

double bytesPerQueuedTask(int count, QueuedKind kind)
{
    TaskEngine engine({}, EngineOptions{.maxThreads = 1});
    QSemaphore release;
    std::atomic<bool> blocking{false};
    engine.schedule([&] {
        blocking = true;
        release.acquire(); // holds the only pool thread until every task is queued
    });
    if (!waitUntil([&] { return blocking.load(); }, 10s))
        fail(QStringLiteral("the blocking task never started"));
    const Scheduler welcome = engine.task({.name = QStringLiteral("send_welcome_email")});
    const QString address = QStringLiteral("someone@example.com");
    settle();

    const qint64 before = heapInUseBytes();
    for (int i = 0; i < count; ++i) {
        if (kind == QueuedKind::Trivial)
            engine.schedule([] { g_sink.fetch_add(1, std::memory_order_relaxed); });
        else
            welcome.schedule(AFTERWORK_FN(sendEmail), address);
    }
    const qint64 after = heapInUseBytes();
    const EngineCounters queued = engine.counters();
    if (queued.live != count + 1 || queued.started != 1)
        fail(QStringLiteral("expected %1 queued tasks, the engine has %2 live and %3 started")
                 .arg(count)
                 .arg(queued.live)
                 .arg(queued.started));

    release.release();
    if (!waitUntil([&] { return engine.counters().succeeded == quint64(count) + 1; }, 120s))
        fail(QStringLiteral("the queued tasks did not all finish"));
    engine.shutdown(5s);
    return double(after - before) / count;
}

struct Growth
{
    qint64 afterFirst = 0;
    qint64 afterFifth = 0; //!< after a fifth of the tasks: past the early high-water marks
    qint64 afterAll = 0;
    qint64 rssAfterFirst = 0;
    qint64 rssAfterAll = 0;
};

Growth historyGrowth(TaskEngine &engine, int total, int batch, bool trace)
{
    Growth growth;
    quint64 done = 0;
    while (done < quint64(total)) {
        for (int i = 0; i < batch; ++i)
            engine.schedule([] { g_sink.fetch_add(1, std::memory_order_relaxed); });
        done += quint64(batch);
        if (!waitUntil([&] { return engine.counters().succeeded == done; }, 120s))
            fail(QStringLiteral("batch ending at %1 did not finish").arg(done));
        settle();
        if (trace && done % (quint64(total) / 10) == 0)
            std::fprintf(stderr, "    after %llu tasks: heap %lld B\n", (unsigned long long)done, (long long)heapInUseBytes());
        if (done == quint64(total) / 5)
            growth.afterFifth = heapInUseBytes();
        if (done == quint64(batch)) {
            growth.afterFirst = heapInUseBytes();
            growth.rssAfterFirst = residentBytes();
        }
    }
    settle();
    growth.afterAll = heapInUseBytes();
    growth.rssAfterAll = residentBytes();
    const EngineCounters counters = engine.counters();
    if (counters.live != 0 || counters.succeeded != quint64(total))
        fail(QStringLiteral("%1 tasks still live after the run").arg(counters.live));
    return growth;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const Options options = parseOptions(argc, argv, 3, "",
                                         "bench_memory queued trivial|named [N] | growth [N]: one part, for profilers\n"
                                         "Target 8: bytes per queued task; heap after 1,000,000 tasks vs after 10,000.");
    const int queued = options.smoke ? 2000 : 100'000;
    const int total = options.smoke ? 20'000 : 1'000'000;
    const int batch = options.smoke ? 2000 : 10'000;
    announce(options, QStringLiteral("%1 queued per run, %2 runs; history %3 in batches of %4")
                          .arg(queued)
                          .arg(options.runs)
                          .arg(total)
                          .arg(batch));

    if (heapInUseBytes() == 0) {
        // A sanitizer's allocator replaces malloc's and its statistics: nothing to measure with.
        for (const char *id : {"8a", "8b", "8c"})
            report({QString::fromLatin1(id), QStringLiteral("memory"), QStringLiteral("-"), QStringLiteral("-"),
                    Verdict::Skipped, QStringLiteral("malloc statistics unavailable (sanitizer build?)")});
        return 0;
    }
    if (options.positional.value(0) == QLatin1String("queued")) {
        // One queued measurement, for heaptrack: `bench_memory queued trivial|named [N]`.
        const QueuedKind kind = options.positional.value(1) == QLatin1String("named") ? QueuedKind::NamedWithArgument
                                                                                     : QueuedKind::Trivial;
        const double perTask = bytesPerQueuedTask(options.positional.value(2, QStringLiteral("100000")).toInt(), kind);
        std::fprintf(stderr, "%.0f bytes per queued task\n", perTask);
        return 0;
    }
    if (options.positional.value(0) == QLatin1String("growth")) {
        // Only the history part, with the heap traced: for heaptrack and friends.
        const int tasks = options.positional.value(1, QStringLiteral("1000000")).toInt();
        auto *engine = new TaskEngine; // never destroyed: see below
        const Growth growth = historyGrowth(*engine, tasks, batch, true);
        std::fprintf(stderr, "heap after the first batch %lld B, after all %lld B\n", (long long)growth.afterFirst,
                     (long long)growth.afterAll);
        // Without destructors: what is still allocated now is what a heap profiler calls leaked.
        std::fflush(nullptr);
        ::_exit(0);
    }
    bytesPerQueuedTask(queued / 10, QueuedKind::Trivial); // warm-up
    const auto bytes = [](double v) { return formatBytes(v); };
    const struct {
        const char *id;
        const char *name;
        QueuedKind kind;
    } queuedCases[] = {{"8a", "bytes per queued task (lambda, no arguments)", QueuedKind::Trivial},
                       {"8b", "bytes per queued task (name + one QString argument)", QueuedKind::NamedWithArgument}};
    for (const auto &each : queuedCases) {
        std::vector<double> perTask;
        for (int run = 0; run < options.runs; ++run)
            perTask.push_back(bytesPerQueuedTask(queued, each.kind));
        const Summary s = summarize(perTask);
        report({QString::fromLatin1(each.id), QString::fromLatin1(each.name), formatBytes(s.median),
                QStringLiteral("<= 1 KiB"), verdict(s.median <= 1024, options),
                formatSpread(s, bytes) + QStringLiteral("; %1 queued").arg(queued)});
    }

    TaskEngine engine;
    const Growth growth = historyGrowth(engine, total, batch, false);
    engine.shutdown(5s);
    const double change = double(growth.afterAll - growth.afterFirst) / double(growth.afterFirst);
    report({QStringLiteral("8c"), QStringLiteral("heap after %1 finished tasks vs after %2").arg(total).arg(batch),
            QStringLiteral("%1%2%").arg(change >= 0 ? "+" : "").arg(change * 100, 0, 'f', 1), QStringLiteral("<= 10%"),
            // The target is about growth ("nothing grows with history"): a heap that ends
            // smaller than after the first batch (buffers of the first burst since released) meets it.
            verdict(change <= 0.10, options),
            QStringLiteral("heap %1 -> %2 (%3); RSS %4 -> %5")
                .arg(formatBytes(double(growth.afterFirst)), formatBytes(double(growth.afterAll)),
                     formatBytes(double(growth.afterAll - growth.afterFirst)), formatBytes(double(growth.rssAfterFirst)),
                     formatBytes(double(growth.rssAfterAll)))});
    const double late = double(growth.afterAll - growth.afterFifth);
    report({QStringLiteral("8d"), QStringLiteral("heap growth over the last 80% of those tasks"),
            QStringLiteral("%1 B/task").arg(late / (0.8 * total), 0, 'f', 3), QStringLiteral("-"), Verdict::Reported,
            QStringLiteral("%1 -> %2 (%3)")
                .arg(formatBytes(double(growth.afterFifth)), formatBytes(double(growth.afterAll)), formatBytes(late))});
    return 0;
}
