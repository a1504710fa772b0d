// SPDX-License-Identifier: MIT
// Target 7: shutdown under load. Ten shielded sync tasks of 200 ms are running (one pool thread
// each) and 10,000 unshielded tasks are queued behind them when shutdown() is called. It must
// return within 250 ms of the call, with every shielded task finished and every unshielded one
// cancelled (none of them may start). Measured without and with a subscriber on taskEvent (which
// then receives 10,000 cancellation events during the drain).
#include "support/benchsupport.h"

#include <afterwork/taskengine.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QThread>

#include <atomic>

using namespace afterwork;
using namespace afterwork::bench;
using namespace std::chrono_literals;

namespace {

constexpr int shieldedCount = 10;
constexpr auto shieldedRunTime = 200ms;

struct Outcome
{
    double callToReturnMs = 0;  //!< shutdown() called -> returned
    double afterLastShieldedMs = 0; //!< the last shielded task's work returned -> shutdown() returned
};

Outcome runOnce(int queuedCount, bool subscribed)
{
    TaskEngine engine({}, EngineOptions{.maxThreads = shieldedCount});
    quint64 events = 0;
    if (subscribed)
        QObject::connect(&engine, &TaskEngine::taskEvent, &engine, [&events](const TaskEvent &) { ++events; });

    std::atomic<int> shieldedRunning{0};
    std::atomic<int> shieldedDone{0};
    std::atomic<qint64> lastShieldedEndNs{0};
    std::atomic<int> unshieldedRan{0};
    for (int i = 0; i < shieldedCount; ++i) {
        engine.task({.name = QStringLiteral("shielded"), .shield = true}).schedule([&] {
            shieldedRunning.fetch_add(1);
            QThread::msleep(std::chrono::milliseconds(shieldedRunTime).count()); // the work itself
            qint64 end = nowNs();
            qint64 seen = lastShieldedEndNs.load();
            while (end > seen && !lastShieldedEndNs.compare_exchange_weak(seen, end)) {
            }
            shieldedDone.fetch_add(1);
        });
    }
    if (!waitUntil([&] { return shieldedRunning.load() == shieldedCount; }, 10s))
        fail(QStringLiteral("only %1 shielded tasks started").arg(shieldedRunning.load()));
    for (int i = 0; i < queuedCount; ++i)
        engine.schedule([&unshieldedRan] { unshieldedRan.fetch_add(1); });

    const qint64 called = nowNs();
    const ShutdownReport report = engine.shutdown(2s);
    const qint64 returned = nowNs();

    if (shieldedDone.load() != shieldedCount || report.finished != shieldedCount)
        fail(QStringLiteral("%1 shielded tasks finished (report: %2), expected %3")
                 .arg(shieldedDone.load())
                 .arg(report.finished)
                 .arg(shieldedCount));
    if (report.cancelled != queuedCount || unshieldedRan.load() != 0)
        fail(QStringLiteral("%1 unshielded tasks cancelled and %2 ran, expected %3 cancelled, none run")
                 .arg(report.cancelled)
                 .arg(unshieldedRan.load())
                 .arg(queuedCount));
    if (report.abandoned != 0 || report.deadlineReached)
        fail(QStringLiteral("%1 tasks abandoned at the deadline").arg(report.abandoned));
    if (subscribed && events < quint64(3 * shieldedCount + 2 * queuedCount))
        fail(QStringLiteral("the subscriber saw only %1 events").arg(events));

    return {double(returned - called) / 1e6, double(returned - lastShieldedEndNs.load()) / 1e6};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const Options options = parseOptions(argc, argv, 5, "[QUEUED]",
                                         "Target 7: shutdown with 10 running shielded tasks and QUEUED unshielded ones.");
    const int queued = int(options.size(1000, 10000));
    announce(options, QStringLiteral("%1 shielded x 200 ms running, %2 queued, %3 runs").arg(shieldedCount).arg(queued).arg(options.runs));

    runOnce(queued / 10, false); // warm-up
    for (const bool subscribed : {false, true}) {
        std::vector<double> total, overhead;
        for (int run = 0; run < options.runs; ++run) {
            const Outcome outcome = runOnce(queued, subscribed);
            total.push_back(outcome.callToReturnMs);
            overhead.push_back(outcome.afterLastShieldedMs);
        }
        const auto ms = [](double v) { return QStringLiteral("%1 ms").arg(v, 0, 'f', 1); };
        const Summary s = summarize(total);
        const Summary o = summarize(overhead);
        const QString label = subscribed ? QStringLiteral("shutdown() call -> return, one subscriber")
                                         : QStringLiteral("shutdown() call -> return, no subscriber");
        report({subscribed ? QStringLiteral("7b") : QStringLiteral("7a"), label, ms(s.max), QStringLiteral("<= 250 ms"),
                verdict(s.max <= 250, options),
                QStringLiteral("worst of %1 runs (median %2); %3 after the last shielded task ended; all %4 shielded "
                               "finished, all %5 queued cancelled")
                    .arg(s.count)
                    .arg(ms(s.median), ms(o.median))
                    .arg(shieldedCount)
                    .arg(queued)});
    }
    return 0;
}
