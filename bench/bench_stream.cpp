// SPDX-License-Identifier: MIT
// Target 10: stream lag. An engine and its EventPublisher run tasks at a steady 20,000 events/s
// (3 events per task); a subscriber on another thread reads the stream with Afterwork::Client's
// sources, and for every task line measures "now" minus the line's `ts_us` (the time the engine
// emitted the event), once the line is parsed. 10a/10b read the local socket (LocalSocketSource);
// 10c/10d the remote transport (RemoteSource over TLS with a token, on loopback), with a test CA
// and server certificate that Debian's `openssl` makes for the run.
//
// `bench_stream --serve NAME --rate R --seconds S` only publishes (one task in 100 fails), for the
// dashboard's live benchmark, and exits after S seconds.
#include "support/benchsupport.h"

#include <afterwork/client/livesource.h>
#include <afterwork/client/localsocketsource.h>
#include <afterwork/eventpublisher.h>
#include <afterwork/eventencoder.h>
#include <afterwork/taskengine.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QMutex>
#include <QtCore/QSocketNotifier>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtCore/QUuid>

// The test CA and certificates come from the tests' openssl fixtures: one definition of them.
#include "../tests/support/tlsfixtures.h"

#include <atomic>
#include <functional>
#include <stdexcept>

#include <unistd.h>

using namespace afterwork;
using namespace afterwork::bench;
using namespace std::chrono_literals;

namespace {

std::atomic<quint64> g_sink{0};

//! Schedules tasks at a steady rate from a 1 ms timer, catching up on what is due.
class Pacer
{
public:
    Pacer(TaskEngine *engine, double tasksPerSecond, int failOneIn)
        : m_engine(engine), m_rate(tasksPerSecond), m_failOneIn(failOneIn)
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, [this] { tick(); });
    }
    void start()
    {
        m_startNs = nowNs();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    quint64 scheduled() const { return m_scheduled; }

private:
    void tick()
    {
        const auto due = quint64(double(nowNs() - m_startNs) / 1e9 * m_rate);
        const Scheduler scheduler = m_engine->task({.name = QStringLiteral("bench_task")});
        while (m_scheduled < due) {
            ++m_scheduled;
            if (m_failOneIn > 0 && m_scheduled % quint64(m_failOneIn) == 0)
                scheduler.schedule([] { throw std::runtime_error("a failure the dashboard groups"); });
            else
                scheduler.schedule([] { g_sink.fetch_add(1, std::memory_order_relaxed); });
        }
    }

    TaskEngine *m_engine;
    double m_rate;
    int m_failOneIn;
    QTimer m_timer;
    qint64 m_startNs = 0;
    quint64 m_scheduled = 0;
};

//! Lives on its own thread: reads the stream and records each task line's lag.
class LagProbe final : public QObject
{
public:
    //! \a makeSource is called on the probe's thread, by start().
    explicit LagProbe(std::function<std::unique_ptr<client::EventSource>()> makeSource)
        : m_makeSource(std::move(makeSource))
    {
    }

    void start()
    {
        m_source = m_makeSource().release();
        m_source->setParent(this);
        connect(m_source, &client::EventSource::linesReceived, this, [this](const QList<client::StreamLine> &lines) {
            const qint64 now = protocol::nowUs();
            QMutexLocker lock(&m_mutex);
            for (const client::StreamLine &line : lines) {
                const client::StreamEvent *event = line.event();
                if (!event)
                    continue;
                if (event->kind() == EventKind::Hello)
                    m_hello = true;
                else if (event->kind() == EventKind::Task)
                    m_lagUs.push_back(double(now - event->tsUs));
                else if (event->kind() == EventKind::Gap)
                    m_missed += quint64(event->as<client::GapEvent>()->missed);
            }
        });
        m_source->start();
    }
    void stop() { m_source->stop(); }

    bool helloSeen() const
    {
        QMutexLocker lock(&m_mutex);
        return m_hello;
    }
    size_t taskLines() const
    {
        QMutexLocker lock(&m_mutex);
        return m_lagUs.size();
    }
    quint64 missed() const
    {
        QMutexLocker lock(&m_mutex);
        return m_missed;
    }
    std::vector<double> takeLags()
    {
        QMutexLocker lock(&m_mutex);
        return std::move(m_lagUs);
    }

private:
    std::function<std::unique_ptr<client::EventSource>()> m_makeSource;
    client::EventSource *m_source = nullptr; // Owning (child).
    mutable QMutex m_mutex;
    bool m_hello = false;
    std::vector<double> m_lagUs; // guarded by m_mutex
    quint64 m_missed = 0;        // guarded by m_mutex
};

struct LagRun
{
    double p50 = 0;
    double p99 = 0;
    double max = 0;
    double eventsPerSecond = 0;
    quint64 missed = 0;
};

//! The remote transport's certificate, key and token for the TLS runs.
struct TlsSetup
{
    testing::TlsFixtures fixtures;
    QString tokenFile;
};

//! Makes the publisher listen (on a local socket, or with \a tls on TLS on loopback) and returns
//! how a subscriber makes its source.
std::function<std::unique_ptr<client::EventSource>()> listenForProbe(EventPublisher *publisher, const TlsSetup *tls)
{
    if (!tls) {
        const QString name = uniqueSocketName("stream");
        if (!publisher->listen(name))
            fail(QStringLiteral("cannot listen on %1: %2").arg(name, publisher->errorString()));
        return [name] {
            return std::make_unique<client::LocalSocketSource>(name, client::LocalSocketSourceOptions{.reconnect = false});
        };
    }
    if (!publisher->listenRemote({.certificateFile = tls->fixtures.serverCertificate(),
                                  .privateKeyFile = tls->fixtures.serverKey(),
                                  .tokenFile = tls->tokenFile}))
        fail(QStringLiteral("cannot listen on TLS: %1").arg(publisher->errorString()));
    const QString connect = QStringLiteral("tls://127.0.0.1:%1").arg(publisher->remotePort());
    const client::LiveSourceOptions options{.tokenFile = tls->tokenFile, .caFile = tls->fixtures.caCertificate(), .reconnect = false};
    return [connect, options] {
        QString error;
        std::unique_ptr<client::EventSource> source = client::createLiveSource(connect, options, &error);
        if (!source)
            fail(QStringLiteral("cannot make the TLS source: %1").arg(error));
        return source;
    };
}

LagRun runLag(double eventsPerSecond, double seconds, const TlsSetup *tls)
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, {.app = QStringLiteral("bench_stream")});
    auto makeSource = listenForProbe(publisher, tls);

    QThread readerThread;
    readerThread.setObjectName(QStringLiteral("subscriber"));
    auto *probe = new LagProbe(std::move(makeSource));
    probe->moveToThread(&readerThread);
    QObject::connect(&readerThread, &QThread::finished, probe, &QObject::deleteLater);
    readerThread.start();
    QMetaObject::invokeMethod(probe, [probe] { probe->start(); }, Qt::QueuedConnection);
    if (!waitUntil([&] { return probe->helloSeen() && publisher->subscriberCount() == 1; }, 10s))
        fail(QStringLiteral("the subscriber did not connect"));

    Pacer pacer(&engine, eventsPerSecond / 3, 0);
    const qint64 start = nowNs();
    pacer.start();
    waitUntil([] { return false; }, std::chrono::milliseconds(qint64(seconds * 1000)), 50ms);
    pacer.stop();
    const double elapsed = double(nowNs() - start) / 1e9;
    const quint64 expected = 3 * pacer.scheduled();
    if (!waitUntil([&] { return probe->taskLines() + probe->missed() >= expected; }, 20s))
        fail(QStringLiteral("the subscriber read %1 of %2 task lines").arg(probe->taskLines()).arg(expected));

    LagRun run;
    run.missed = probe->missed();
    std::vector<double> lags = probe->takeLags();
    QMetaObject::invokeMethod(probe, [probe] { probe->stop(); }, Qt::BlockingQueuedConnection);
    readerThread.quit();
    readerThread.wait();
    std::sort(lags.begin(), lags.end());
    run.p50 = percentileSorted(lags, 50);
    run.p99 = percentileSorted(lags, 99);
    run.max = lags.empty() ? 0 : lags.back();
    run.eventsPerSecond = double(expected) / elapsed;
    delete publisher;
    engine.shutdown(5s);
    return run;
}

int serve(const QString &name, double eventsPerSecond, double seconds)
{
    // The failing tasks would log a warning each: not what is being measured.
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &message) {
        if (type == QtCriticalMsg || type == QtFatalMsg)
            std::fprintf(stderr, "%s\n", qPrintable(message));
    });
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, {.app = QStringLiteral("bench_stream --serve")});
    if (!publisher->listen(name)) {
        std::fprintf(stderr, "bench_stream: cannot listen on %s: %s\n", qPrintable(name),
                     qPrintable(publisher->errorString()));
        return 1;
    }
    std::printf("serving %s\n", qPrintable(publisher->fullServerName()));
    std::fflush(stdout);
    // Stops after `seconds`, or earlier when standard input closes: the driver's way to end it
    // cleanly (a killed publisher would leave its socket file behind).
    bool inputClosed = false;
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&input, &QSocketNotifier::activated, [&] {
        char buffer[256];
        if (::read(STDIN_FILENO, buffer, sizeof buffer) <= 0) {
            inputClosed = true;
            input.setEnabled(false);
        }
    });
    Pacer pacer(&engine, eventsPerSecond / 3, 100);
    pacer.start();
    waitUntil([&] { return inputClosed; }, std::chrono::milliseconds(qint64(seconds * 1000)), 50ms);
    pacer.stop();
    engine.shutdown(5s);
    delete publisher; // bye, and the socket file goes
    return 0;
}

//! The figures of one transport: which ids, what to call it, its p99 target.
struct LagFigures
{
    QString p99Id;
    QString p50Id;
    QString transport;
    double p99TargetUs;
};

void reportLag(const Options &options, double rate, double seconds, const TlsSetup *tls, const LagFigures &figures)
{
    std::vector<double> p50, p99, max, achieved;
    quint64 missed = 0;
    for (int run = 0; run < options.runs; ++run) {
        const LagRun result = runLag(rate, seconds, tls);
        p50.push_back(result.p50);
        p99.push_back(result.p99);
        max.push_back(result.max);
        achieved.push_back(result.eventsPerSecond);
        missed += result.missed;
        std::fprintf(stderr, "  %s run %d: %.0f events/s, lag p50 %.0f us, p99 %.0f us, max %.0f us, %llu missed\n",
                     qPrintable(figures.transport), run + 1, result.eventsPerSecond, result.p50, result.p99, result.max,
                     (unsigned long long)result.missed);
    }
    const Summary s99 = summarize(p99);
    const Summary s50 = summarize(p50);
    const auto micros = [](double v) { return formatMicros(v); };
    report({figures.p99Id, QStringLiteral("stream lag p99, engine event -> %1 subscriber parsed").arg(figures.transport),
            formatMicros(s99.median), QStringLiteral("<= %1 ms").arg(figures.p99TargetUs / 1000),
            verdict(s99.median <= figures.p99TargetUs, options),
            formatSpread(s99, micros) + QStringLiteral("; %1 achieved; %2 events missed")
                                            .arg(formatRate(summarize(achieved).median, QStringLiteral("events/s")))
                                            .arg(missed)});
    report({figures.p50Id, QStringLiteral("stream lag p50, %1").arg(figures.transport), formatMicros(s50.median),
            QStringLiteral("-"), Verdict::Reported,
            formatSpread(s50, micros) + QStringLiteral("; worst single line %1").arg(formatMicros(summarize(max).max))});
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const Options options = parseOptions(
        argc, argv, 3, "[SECONDS]",
        "Target 10: lag from engine event to subscriber parse at 20,000 events/s.\n"
        "bench_stream serve NAME RATE SECONDS: only publish RATE events/s on NAME (the dashboard benchmark's source).");
    if (options.positional.value(0) == QLatin1String("serve") && options.positional.size() == 4)
        return serve(options.positional[1], options.positional[2].toDouble(), options.positional[3].toDouble());

    const double rate = 20'000;
    const double seconds = options.positional.isEmpty() ? (options.smoke ? 1.0 : 10.0) : options.positional[0].toDouble();
    announce(options, QStringLiteral("%1 events/s for %2 s, %3 runs, local socket then TLS")
                          .arg(rate, 0, 'f', 0)
                          .arg(seconds, 0, 'f', 0)
                          .arg(options.runs));
    TlsSetup tls;
    if (QString error; !tls.fixtures.create(&error))
        fail(error);
    tls.tokenFile = tls.fixtures.writeToken(QStringLiteral("token"), QUuid::createUuid().toByteArray(QUuid::Id128));
    reportLag(options, rate, seconds, nullptr, {QStringLiteral("10a"), QStringLiteral("10b"), QStringLiteral("local socket"), 10'000});
    reportLag(options, rate, seconds, &tls, {QStringLiteral("10c"), QStringLiteral("10d"), QStringLiteral("TLS"), 20'000});
    return 0;
}
