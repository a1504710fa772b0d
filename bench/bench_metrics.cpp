// SPDX-License-Identifier: MIT
// Target 11: GET /metrics with 10,000 distinct task names (capped at the default 200; the rest
// folded into "other"): one scrape must take at most 10 ms.
//
//   11a  TaskMetrics::render(): the text of one scrape, median of RUNS scrapes
//   11b  GET /metrics over HTTP on a keep-alive loopback connection to a TaskRouter in this
//        process: request written -> whole response read, median of RUNS round trips
//   11c  the engine thread's cost of counting one terminal event (MetricsRegistry::record, the
//        look-up of one of 10,000 names and the increments), over 1,000,000 events
//   11d  render() while 10,000 tasks are queued (TaskEngine::liveTasks() is read for the gauges)
//
// bench_metrics [--smoke] [--runs N] [NAMES]
#include "support/benchsupport.h"

#include "metricsregistry.h" // http/src: 11c times the registry alone

#include <afterwork/http/taskmetrics.h>
#include <afterwork/http/taskrouter.h>
#include <afterwork/taskengine.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QLoggingCategory>
#include <QtCore/QSemaphore>
#include <QtCore/QThread>
#include <QtHttpServer/QHttpServer>
#include <QtNetwork/QTcpSocket>

#include <stdexcept>

using namespace afterwork;
using namespace afterwork::bench;
using namespace std::chrono_literals;

namespace {

quint64 endedCount(const EngineCounters &c)
{
    return c.succeeded + c.failed + c.cancelled + c.abandoned + c.dropped;
}

//! The sum of every afterwork_tasks_total sample and the distinct names, to check what was timed.
struct TextCheck
{
    quint64 total = 0;
    qsizetype names = 0;
    bool hasOther = false;
};

TextCheck check(const QByteArray &text)
{
    TextCheck result;
    QByteArray lastName;
    for (const QByteArray &line : text.split('\n')) {
        if (!line.startsWith("afterwork_tasks_total{"))
            continue;
        result.total += line.mid(line.lastIndexOf(' ') + 1).toULongLong();
        const qsizetype start = line.indexOf('"') + 1;
        const QByteArray name = line.mid(start, line.indexOf("\",", start) - start);
        if (name != lastName) {
            ++result.names;
            lastName = name;
        }
        result.hasOther = result.hasOther || name == "other";
    }
    return result;
}

QString ms(double ns)
{
    return QStringLiteral("%1 ms").arg(ns / 1e6, 0, 'f', 2);
}

//! One GET /metrics on \a socket (keep-alive), in nanoseconds; the body's size in \a bytes.
double roundTrip(QTcpSocket &socket, qsizetype *bytes)
{
    QByteArray buffer;
    qint64 expected = -1;
    const qint64 start = nowNs();
    socket.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const bool done = waitUntil(
        [&] {
            buffer += socket.readAll();
            if (expected < 0) {
                const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
                if (headerEnd < 0)
                    return false;
                const qsizetype at = buffer.indexOf("Content-Length: ");
                const qsizetype end = buffer.indexOf("\r\n", at);
                expected = headerEnd + 4 + buffer.mid(at + 16, end - at - 16).toLongLong();
            }
            return buffer.size() >= expected;
        },
        10s, 0ms);
    const qint64 elapsed = nowNs() - start;
    if (!done || !buffer.startsWith("HTTP/1.1 200"))
        fail(QStringLiteral("GET /metrics did not answer 200 in time: %1").arg(QString::fromUtf8(buffer.left(200))));
    *bytes = buffer.size() - buffer.indexOf("\r\n\r\n") - 4;
    return double(elapsed);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const Options options = parseOptions(argc, argv, 15, "[NAMES]",
                                         "Target 11: GET /metrics after tasks of NAMES distinct names (cap 200).");
    const int names = int(options.size(1000, 10000));
    const qint64 records = options.smoke ? 100'000 : 1'000'000;
    announce(options, QStringLiteral("%1 distinct names, cap 200, %2 scrapes").arg(names).arg(options.runs));

    TaskEngine engine({}, EngineOptions{.maxThreads = 2});
    http::TaskMetrics metrics(&engine);
    QHttpServer server;
    http::TaskRouter router(&server, &engine);
    http::serveMetrics(&router, &metrics);
    const quint16 port = router.listen(QHostAddress::LocalHost, 0);
    if (port == 0)
        fail(QStringLiteral("the server did not listen"));

    // Tasks of `names` names, each name once, and a second round so that every histogram has data
    // in several buckets (some tasks sleep a little).
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < names; ++i) {
            const QString name = QStringLiteral("task_%1").arg(i, 5, 10, QLatin1Char('0'));
            if (i % 50 == 0)
                engine.task({.name = name}).schedule([] { QThread::usleep(2000); });
            else if (i % 7 == 0)
                engine.task({.name = name}).schedule([] { throw std::runtime_error("bench"); });
            else
                engine.task({.name = name}).schedule([] {});
        }
    }
    QLoggingCategory::setFilterRules(QStringLiteral("afterwork.task.warning=false")); // the failures
    const quint64 all = quint64(2 * names);
    if (!waitUntil([&] { return endedCount(engine.counters()) == all; }, 120s))
        fail(QStringLiteral("only %1 of %2 tasks ended").arg(endedCount(engine.counters())).arg(all));

    // 11a: render.
    QByteArray text;
    std::vector<double> renders;
    metrics.render(); // warm-up
    for (int run = 0; run < options.runs; ++run) {
        const qint64 start = nowNs();
        text = metrics.render();
        renders.push_back(double(nowNs() - start));
    }
    const TextCheck checked = check(text);
    if (checked.total != all || checked.names != 201 || !checked.hasOther)
        fail(QStringLiteral("the scrape counts %1 tasks under %2 names (other: %3); expected %4 under 201")
                 .arg(checked.total)
                 .arg(checked.names)
                 .arg(checked.hasOther)
                 .arg(all));
    const qsizetype lines = text.count('\n');
    const Summary r = summarize(renders);
    report({QStringLiteral("11a"),
            QStringLiteral("/metrics render, %1 names capped at 200").arg(names),
            ms(r.median), QStringLiteral("<= 10 ms"), verdict(r.median <= 10e6, options),
            QStringLiteral("%1 .. %2, %3 scrapes; %4 lines, %5")
                .arg(ms(r.min), ms(r.max))
                .arg(r.count)
                .arg(lines)
                .arg(formatBytes(double(text.size())))});

    // 11b: the HTTP round trip.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!waitUntil([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 10s))
        fail(QStringLiteral("cannot connect to the server"));
    qsizetype bytes = 0;
    roundTrip(socket, &bytes); // warm-up
    std::vector<double> trips;
    for (int run = 0; run < options.runs; ++run)
        trips.push_back(roundTrip(socket, &bytes));
    if (bytes != text.size())
        fail(QStringLiteral("GET /metrics sent %1 bytes, render() %2").arg(bytes).arg(text.size()));
    const Summary t = summarize(trips);
    report({QStringLiteral("11b"), QStringLiteral("GET /metrics round trip, loopback, keep-alive"), ms(t.median),
            QStringLiteral("<= 10 ms"), verdict(t.median <= 10e6, options),
            QStringLiteral("%1 .. %2, %3 requests; client and server in one process")
                .arg(ms(t.min), ms(t.max))
                .arg(t.count)});

    // 11c: counting, the registry alone, on this thread as on the engine thread.
    {
        std::vector<TaskEvent> events;
        events.resize(std::size_t(names));
        for (int i = 0; i < names; ++i) {
            TaskEvent &event = events[std::size_t(i)];
            event.taskId = quint64(i + 1);
            event.name = QStringLiteral("task_%1").arg(i, 5, 10, QLatin1Char('0'));
            event.functionLabel = QStringLiteral("work");
            event.phase = i % 7 == 0 ? Phase::Failed : Phase::Succeeded;
            event.waitUs = i % 1000;
            event.runUs = i % 100'000;
        }
        std::vector<double> perEvent;
        for (int run = 0; run < std::max(1, options.runs / 5); ++run) {
            http::detail::MetricsRegistry registry(200);
            const qint64 start = nowNs();
            for (qint64 n = 0; n < records; ++n)
                registry.record(events[std::size_t(n % names)]);
            perEvent.push_back(double(nowNs() - start) / double(records));
            if (check(registry.render({})).total != quint64(records))
                fail(QStringLiteral("the registry lost events"));
        }
        const Summary c = summarize(perEvent);
        report({QStringLiteral("11c"), QStringLiteral("counting one terminal event (engine thread)"),
                QStringLiteral("%1 ns").arg(c.median, 0, 'f', 1), QStringLiteral("-"), Verdict::Reported,
                QStringLiteral("%1 .. %2 ns, %3 runs of %4 events over %5 names")
                    .arg(c.min, 0, 'f', 1)
                    .arg(c.max, 0, 'f', 1)
                    .arg(c.count)
                    .arg(records)
                    .arg(names)});
    }

    // 11d: a scrape while `names` tasks are queued behind two held pool threads.
    {
        QSemaphore release;
        for (int i = 0; i < 2; ++i)
            engine.task({.name = QStringLiteral("held")}).schedule([&release] { release.acquire(); });
        for (int i = 0; i < names; ++i)
            engine.task({.name = QStringLiteral("queued")}).schedule([] {});
        // Started once the engine thread (this one) has handled their start, not merely when a
        // pool thread took them.
        if (!waitUntil([&] { return metrics.render().contains("afterwork_tasks_live{state=\"running\"} 2\n"); }, 10s))
            fail(QStringLiteral("the held tasks did not start"));
        std::vector<double> busy;
        QByteArray busyText;
        for (int run = 0; run < options.runs; ++run) {
            const qint64 start = nowNs();
            busyText = metrics.render();
            busy.push_back(double(nowNs() - start));
        }
        if (!busyText.contains("afterwork_tasks_live{state=\"queued\"} " + QByteArray::number(names) + "\n"))
            fail(QStringLiteral("the scrape does not show %1 queued tasks: %2")
                     .arg(names)
                     .arg(QString::fromUtf8(busyText.mid(busyText.indexOf("afterwork_tasks_live{"), 200))));
        release.release(2);
        if (!waitUntil([&] { return endedCount(engine.counters()) == all + quint64(names) + 2; }, 120s))
            fail(QStringLiteral("the queued tasks did not end"));
        const Summary b = summarize(busy);
        report({QStringLiteral("11d"), QStringLiteral("/metrics render with %1 tasks queued").arg(names), ms(b.median),
                QStringLiteral("-"), Verdict::Reported,
                QStringLiteral("%1 .. %2, %3 scrapes; liveTasks() is read for the gauges")
                    .arg(ms(b.min), ms(b.max))
                    .arg(b.count)});
    }
    return 0;
}
