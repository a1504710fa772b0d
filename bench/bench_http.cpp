// SPDX-License-Identifier: MIT
// Targets 4, 5 and 6: HTTP, measured with wrk against afterwork-demo (one subscriber attached: this
// program, reading its event stream) and against the FastAPI peer (bench/peer/peer_app.py under
// uvicorn, one worker), round after round, each route back to back with the others.
//
//   4  POST /tasks/spawn?ms=0 (one no-op task; immediate, and mode=after_response) against GET
//      /healthz in the same server: requests/s ratio and p99 latency ratio; and GET /healthz and
//      the task route against the limit, bench_bare_http (QHttpServer with one JSON route, no
//      Afterwork; beside this program), in the same rounds. The limit streams nothing, so it is
//      compared with a second afterwork-demo that nobody subscribes to (4e, 4f); 4g is the
//      subscribed demo's /healthz against the same limit.
//   5  the same task route against the peer's (Starlette BackgroundTasks).
//   6  from `route_returned` to the after-route task's start and from `response_written` to the
//      after-response task's start, read from the stream (the request lines and the tasks'
//      `started_us`), at -c1 and -c32.
//
// bench_http [--smoke] [--runs N] DEMO PEER_DIR PYTHON    (PYTHON "-": no peer)
#include "support/benchsupport.h"

#include <afterwork/client/localsocketsource.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QHash>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#include <map>

using namespace afterwork;
using namespace afterwork::bench;
using namespace std::chrono_literals;

namespace {

// ---------------------------------------------------------------------------------------------
// wrk

struct WrkResult
{
    double requestsPerSecond = 0;
    double p50Us = 0;
    double p99Us = 0;
    qint64 errors = 0; //!< non-2xx answers and socket errors
};

double toMicros(const QString &number, const QString &unit)
{
    const double value = number.toDouble();
    if (unit == QLatin1String("us"))
        return value;
    if (unit == QLatin1String("ms"))
        return value * 1000;
    if (unit == QLatin1String("s"))
        return value * 1e6;
    if (unit == QLatin1String("m"))
        return value * 60e6;
    return value;
}

WrkResult parseWrk(const QString &output)
{
    WrkResult result;
    static const QRegularExpression rps(QStringLiteral("Requests/sec:\\s+([0-9.]+)"));
    static const QRegularExpression pct(QStringLiteral("^\\s+(50|99)%\\s+([0-9.]+)(us|ms|s|m)\\s*$"),
                                        QRegularExpression::MultilineOption);
    static const QRegularExpression non2xx(QStringLiteral("Non-2xx or 3xx responses:\\s+(\\d+)"));
    static const QRegularExpression socketErrors(
        QStringLiteral("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)"));
    if (const auto m = rps.match(output); m.hasMatch())
        result.requestsPerSecond = m.captured(1).toDouble();
    for (auto it = pct.globalMatch(output); it.hasNext();) {
        const auto m = it.next();
        (m.captured(1) == QLatin1String("50") ? result.p50Us : result.p99Us) = toMicros(m.captured(2), m.captured(3));
    }
    if (const auto m = non2xx.match(output); m.hasMatch())
        result.errors += m.captured(1).toLongLong();
    if (const auto m = socketErrors.match(output); m.hasMatch()) {
        for (int i = 1; i <= 4; ++i)
            result.errors += m.captured(i).toLongLong();
    }
    return result;
}

class Wrk
{
public:
    explicit Wrk(QString postScript) : m_postScript(std::move(postScript)) {}

    //! The stalls of the machine seen during every run so far (StallProbe).
    StallProbe::Stalls stalls() const { return m_stalls; }

    //! Runs wrk while this thread's event loop keeps serving the stream subscriber.
    WrkResult run(const QString &url, bool post, int connections, double seconds)
    {
        QStringList args{QStringLiteral("-t%1").arg(connections == 1 ? 1 : 2), QStringLiteral("-c%1").arg(connections),
                         QStringLiteral("-d%1s").arg(seconds), QStringLiteral("--latency")};
        if (post)
            args << QStringLiteral("-s") << m_postScript;
        args << url;
        QProcess wrk;
        wrk.setProcessChannelMode(QProcess::MergedChannels);
        wrk.start(QStringLiteral("wrk"), args);
        if (!wrk.waitForStarted(5000))
            fail(QStringLiteral("cannot start wrk"));
        m_probe.take(); // only this run's
        const bool done = waitUntil([&] { return wrk.state() == QProcess::NotRunning; },
                                    std::chrono::milliseconds(qint64(seconds * 1000) + 30'000), 20ms);
        const StallProbe::Stalls stalls = m_probe.take();
        m_stalls.count += stalls.count;
        m_stalls.longestUs = std::max(m_stalls.longestUs, stalls.longestUs);
        const QString output = QString::fromUtf8(wrk.readAll());
        if (!done || wrk.exitCode() != 0)
            fail(QStringLiteral("wrk %1 failed:\n%2").arg(args.join(QLatin1Char(' ')), output));
        const WrkResult result = parseWrk(output);
        if (result.requestsPerSecond <= 0)
            fail(QStringLiteral("cannot read wrk's output:\n%1").arg(output));
        std::fprintf(stderr, "    wrk -c%-2d %-58s %9.0f req/s  p50 %7.0f us  p99 %7.0f us%s%s\n", connections,
                     qPrintable(url), result.requestsPerSecond, result.p50Us, result.p99Us,
                     result.errors ? qPrintable(QStringLiteral("  (%1 errors)").arg(result.errors)) : "",
                     stalls.count ? qPrintable(QStringLiteral("  (machine stalled %1x, longest %2)")
                                                   .arg(stalls.count)
                                                   .arg(formatMicros(double(stalls.longestUs))))
                                  : "");
        return result;
    }

private:
    QString m_postScript;
    StallProbe m_probe;
    StallProbe::Stalls m_stalls;
};

// ---------------------------------------------------------------------------------------------
// The subscriber: pairs each request's stage line with its batch task's `started_us`.

class StartLatency final : public QObject
{
public:
    explicit StartLatency(const QString &socketName)
        : m_source(socketName, {.reconnect = false})
    {
        connect(&m_source, &client::EventSource::linesReceived, this, [this](const QList<client::StreamLine> &lines) {
            m_lastLineNs = nowNs();
            for (const client::StreamLine &line : lines) {
                if (const client::StreamEvent *event = line.event())
                    consume(*event);
            }
        });
        m_source.start();
    }

    //! Pairs stage lines with task starts only while on (the latency runs). Off, it parses every
    //! line and keeps nothing: a throughput run's requests would otherwise each leave an entry
    //! behind that no start ever completes, hundreds of thousands per run.
    void setPairing(bool on) { m_pairing = on; }
    bool helloSeen() const { return m_hello; }
    qint64 lastLineNs() const { return m_lastLineNs; }
    quint64 missed() const { return m_missed; }
    void reset()
    {
        m_requests.clear();
        m_afterRouteUs.clear();
        m_afterResponseUs.clear();
    }
    std::vector<double> afterRoute() const { return m_afterRouteUs; }
    std::vector<double> afterResponse() const { return m_afterResponseUs; }

private:
    struct Request
    {
        qint64 routeReturnedUs = 0;
        qint64 responseWrittenUs = 0;
        qint64 afterRouteStartUs = 0;
        qint64 afterResponseStartUs = 0;
    };

    void consume(const client::StreamEvent &event)
    {
        if (event.kind() == EventKind::Hello) {
            m_hello = true;
        } else if (const auto *gap = event.as<client::GapEvent>()) {
            m_missed += quint64(gap->missed);
        } else if (!m_pairing) {
            return;
        } else if (const auto *request = event.as<client::RequestEvent>()) {
            if (request->stage == QLatin1String("route_returned"))
                update(request->requestId, [&](Request &r) { r.routeReturnedUs = event.tsUs; });
            else if (request->stage == QLatin1String("response_written"))
                update(request->requestId, [&](Request &r) { r.responseWrittenUs = event.tsUs; });
        } else if (const auto *task = event.as<client::TaskRecord>()) {
            if (task->phase != Phase::Started || task->requestId == 0 || task->attempt != 1)
                return;
            if (task->mode == Mode::AfterRoute)
                update(task->requestId, [&](Request &r) { r.afterRouteStartUs = task->startedUs; });
            else if (task->mode == Mode::AfterResponse)
                update(task->requestId, [&](Request &r) { r.afterResponseStartUs = task->startedUs; });
        }
    }

    template<typename F>
    void update(quint64 requestId, F &&change)
    {
        Request &r = m_requests[requestId];
        change(r);
        if (r.routeReturnedUs && r.afterRouteStartUs) {
            m_afterRouteUs.push_back(double(r.afterRouteStartUs - r.routeReturnedUs));
            m_requests.remove(requestId);
        } else if (r.responseWrittenUs && r.afterResponseStartUs) {
            m_afterResponseUs.push_back(double(r.afterResponseStartUs - r.responseWrittenUs));
            m_requests.remove(requestId);
        }
    }

    client::LocalSocketSource m_source;
    QHash<quint64, Request> m_requests;
    std::vector<double> m_afterRouteUs;
    std::vector<double> m_afterResponseUs;
    bool m_hello = false;
    bool m_pairing = false;
    qint64 m_lastLineNs = 0;
    quint64 m_missed = 0;
};

// ---------------------------------------------------------------------------------------------
// Servers

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

bool answersHealthz(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(500))
        return false;
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QByteArray answer;
    while (socket.waitForReadyRead(1000))
        answer += socket.readAll();
    return answer.startsWith("HTTP/1.1 200");
}

QProcessEnvironment quietEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=false;*.info=false"));
    return env;
}

void stop(QProcess &process)
{
    if (process.state() == QProcess::NotRunning)
        return;
    process.terminate();
    if (!process.waitForFinished(15000)) {
        process.kill();
        process.waitForFinished(5000);
    }
}

QString peerUnavailableReason(const QString &python)
{
    if (python == QLatin1String("-"))
        return QStringLiteral("no Python given (scripts/bench could not install python3-fastapi/python3-uvicorn)");
    QProcess check;
    check.setProcessChannelMode(QProcess::MergedChannels);
    check.start(python, {QStringLiteral("-c"), QStringLiteral("import fastapi, uvicorn")});
    if (!check.waitForFinished(30000) || check.exitCode() != 0)
        return QStringLiteral("%1 cannot import fastapi and uvicorn (apt-get install python3-fastapi python3-uvicorn)")
            .arg(python);
    return {};
}

// ---------------------------------------------------------------------------------------------
// Figures

struct Series
{
    std::vector<WrkResult> runs;
    std::vector<double> rps() const
    {
        std::vector<double> v;
        for (const WrkResult &r : runs)
            v.push_back(r.requestsPerSecond);
        return v;
    }
};

std::vector<double> ratios(const Series &a, const Series &b, double WrkResult::*field)
{
    std::vector<double> v;
    for (size_t i = 0; i < std::min(a.runs.size(), b.runs.size()); ++i)
        v.push_back(a.runs[i].*field / b.runs[i].*field);
    return v;
}

QString requestsPerSecond(double v)
{
    return formatRate(v, QStringLiteral("req/s"));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const Options options = parseOptions(argc, argv, 3, "DEMO PEER_DIR PYTHON",
                                         "Targets 4, 5, 6: wrk against afterwork-demo and the FastAPI peer (PYTHON '-': no peer).");
    if (options.positional.size() != 3) {
        std::fprintf(stderr, "bench_http: needs DEMO PEER_DIR PYTHON\n");
        return 2;
    }
    if (QStandardPaths::findExecutable(QStringLiteral("wrk")).isEmpty())
        fail(QStringLiteral("wrk is not installed (apt-get install wrk)"));
    const QString demoPath = options.positional[0];
    const QString peerDir = options.positional[1];
    const QString python = options.positional[2];
    const double seconds = options.smoke ? 1 : 10;
    const double c1Seconds = options.smoke ? 1 : 5;
    announce(options, QStringLiteral("%1 rounds, %2 s per wrk run").arg(options.runs).arg(seconds, 0, 'f', 0));

    QTemporaryDir scratch;
    const QString postScript = scratch.filePath(QStringLiteral("post.lua"));
    {
        QFile lua(postScript);
        if (!lua.open(QIODevice::WriteOnly) || lua.write("wrk.method = \"POST\"\n") <= 0)
            fail(QStringLiteral("cannot write %1").arg(postScript));
    }
    Wrk wrk(postScript);

    // Starts a server that prints "listening on http://127.0.0.1:PORT" and returns its base URL.
    const auto startServer = [](QProcess &server, const QString &program, const QStringList &arguments) {
        static const QRegularExpression listening(QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"));
        server.setProcessEnvironment(quietEnvironment());
        server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        server.start(program, arguments);
        QString banner;
        quint16 port = 0;
        waitUntil([&] {
            banner += QString::fromUtf8(server.readAllStandardOutput());
            if (const auto m = listening.match(banner); m.hasMatch())
                port = quint16(m.captured(1).toUInt());
            return port != 0 || server.state() == QProcess::NotRunning;
        }, 20s, 10ms);
        if (port == 0)
            fail(QStringLiteral("%1 did not start: %2").arg(QFileInfo(program).fileName(), banner));
        return QStringLiteral("http://127.0.0.1:%1").arg(port);
    };
    const auto demoArguments = [](const QString &events) {
        return QStringList{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--events"), events};
    };

    // afterwork-demo twice: one with this program as its one subscriber (4a-4d, 5, 6), and one that
    // nobody subscribes to, measured against the bare QHttpServer program (4e, 4f), which streams
    // nothing either.
    const QString events = uniqueSocketName("http");
    QProcess demo;
    const QString demoBase = startServer(demo, demoPath, demoArguments(events));
    QProcess unwatchedDemo;
    const QString unwatchedBase = startServer(unwatchedDemo, demoPath, demoArguments(uniqueSocketName("http")));
    StartLatency subscriber(events);
    if (!waitUntil([&] { return subscriber.helloSeen(); }, 10s))
        fail(QStringLiteral("could not subscribe to afterwork-demo's events"));

    // The peer.
    const QString peerReason = peerUnavailableReason(python);
    QProcess peer;
    quint16 peerPort = 0;
    if (peerReason.isEmpty()) {
        peerPort = freePort();
        peer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        peer.start(python, {QStringLiteral("-m"), QStringLiteral("uvicorn"), QStringLiteral("--app-dir"), peerDir,
                            QStringLiteral("peer_app:app"), QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                            QStringLiteral("--port"), QString::number(peerPort), QStringLiteral("--workers"),
                            QStringLiteral("1"), QStringLiteral("--log-level"), QStringLiteral("warning"),
                            QStringLiteral("--no-access-log"),
                            // Debian's packages' stack, pinned: uvicorn would switch to uvloop and
                            // httptools by itself wherever they happen to be installed.
                            QStringLiteral("--loop"), QStringLiteral("asyncio"), QStringLiteral("--http"),
                            QStringLiteral("h11")});
        if (!waitUntil([&] { return peer.state() == QProcess::NotRunning || answersHealthz(peerPort); }, 30s, 100ms)
            || peer.state() == QProcess::NotRunning)
            fail(QStringLiteral("the FastAPI peer did not start on port %1").arg(peerPort));
    }
    const QString peerBase = QStringLiteral("http://127.0.0.1:%1").arg(peerPort);

    // The limit: QHttpServer alone.
    QProcess bare;
    const QString bareBase = startServer(bare, QCoreApplication::applicationDirPath() + QStringLiteral("/bench_bare_http"),
                                         {QStringLiteral("0")});

    // Lets the stream catch up, then returns what it paired since the last reset.
    const auto settle = [&] {
        waitUntil([&] { return nowNs() - subscriber.lastLineNs() > 300'000'000; }, 10s, 20ms);
    };

    Series awHealthz, awSpawn, awAfterResponse, peerHealthz, peerSpawn, bareHealthz, unwatchedHealthz, unwatchedSpawn;
    std::vector<double> route1p50, route1p99, resp1p50, resp1p99, route32p50, route32p99, resp32p50, resp32p99;
    const auto latencyRun = [&](const QString &mode, int connections, double runSeconds, std::vector<double> &p50,
                                std::vector<double> &p99, Series *series) {
        settle();
        subscriber.reset();
        subscriber.setPairing(true);
        const WrkResult result =
            wrk.run(demoBase + QStringLiteral("/tasks/spawn?ms=0&mode=") + mode, true, connections, runSeconds);
        if (series)
            series->runs.push_back(result);
        settle();
        subscriber.setPairing(false);
        std::vector<double> latencies = mode == QLatin1String("after_route") ? subscriber.afterRoute()
                                                                             : subscriber.afterResponse();
        if (latencies.empty())
            fail(QStringLiteral("no %1 latency could be paired from the stream").arg(mode));
        std::sort(latencies.begin(), latencies.end());
        p50.push_back(percentileSorted(latencies, 50));
        p99.push_back(percentileSorted(latencies, 99));
        std::fprintf(stderr, "    %s -c%d: %zu requests paired, start latency p50 %.0f us, p99 %.0f us\n",
                     qPrintable(mode), connections, latencies.size(), p50.back(), p99.back());
    };

    // Warm-up: connections, the servers' first-use costs and the pool threads stay out of round 1.
    if (!options.smoke) {
        std::fprintf(stderr, "  warm-up\n");
        wrk.run(demoBase + QStringLiteral("/tasks/spawn?ms=0"), true, 32, 2);
        wrk.run(bareBase + QStringLiteral("/healthz"), false, 32, 2);
        wrk.run(unwatchedBase + QStringLiteral("/tasks/spawn?ms=0"), true, 32, 2);
        if (peerReason.isEmpty())
            wrk.run(peerBase + QStringLiteral("/tasks/spawn?ms=0"), true, 32, 2);
    }
    for (int round = 0; round < options.runs; ++round) {
        std::fprintf(stderr, "  round %d\n", round + 1);
        bareHealthz.runs.push_back(wrk.run(bareBase + QStringLiteral("/healthz"), false, 32, seconds));
        unwatchedHealthz.runs.push_back(wrk.run(unwatchedBase + QStringLiteral("/healthz"), false, 32, seconds));
        unwatchedSpawn.runs.push_back(wrk.run(unwatchedBase + QStringLiteral("/tasks/spawn?ms=0"), true, 32, seconds));
        awHealthz.runs.push_back(wrk.run(demoBase + QStringLiteral("/healthz"), false, 32, seconds));
        awSpawn.runs.push_back(wrk.run(demoBase + QStringLiteral("/tasks/spawn?ms=0"), true, 32, seconds));
        if (peerReason.isEmpty()) {
            peerHealthz.runs.push_back(wrk.run(peerBase + QStringLiteral("/healthz"), false, 32, seconds));
            peerSpawn.runs.push_back(wrk.run(peerBase + QStringLiteral("/tasks/spawn?ms=0"), true, 32, seconds));
        }
        latencyRun(QStringLiteral("after_response"), 32, seconds, resp32p50, resp32p99, &awAfterResponse);
        latencyRun(QStringLiteral("after_route"), 32, seconds, route32p50, route32p99, nullptr);
        latencyRun(QStringLiteral("after_response"), 1, c1Seconds, resp1p50, resp1p99, nullptr);
        latencyRun(QStringLiteral("after_route"), 1, c1Seconds, route1p50, route1p99, nullptr);
    }
    stop(peer);
    stop(bare);
    stop(unwatchedDemo);
    stop(demo);
    for (const QProcess *server : {&demo, &unwatchedDemo}) {
        if (server->exitCode() != 0)
            fail(QStringLiteral("afterwork-demo exited with %1").arg(server->exitCode()));
    }

    // 4: the task route against /healthz, same server, same round.
    const auto ratioFigure = [&](const char *id, const QString &name, const std::vector<double> &values, bool atLeast,
                                 double target, const QString &context) {
        const Summary s = summarize(values);
        const bool ok = atLeast ? s.median >= target : s.median <= target;
        report({QString::fromLatin1(id), name, formatRatio(s.median),
                QStringLiteral("%1 %2").arg(atLeast ? ">=" : "<=").arg(target), verdict(ok, options),
                formatSpread(s, formatRatio) + QStringLiteral("; ") + context});
    };
    const auto rpsContext = [](const Series &a, const Series &b) {
        return QStringLiteral("%1 vs %2")
            .arg(requestsPerSecond(summarize(a.rps()).median), requestsPerSecond(summarize(b.rps()).median));
    };
    const auto p99Context = [](const Series &a, const Series &b) {
        std::vector<double> pa, pb;
        for (const WrkResult &r : a.runs)
            pa.push_back(r.p99Us);
        for (const WrkResult &r : b.runs)
            pb.push_back(r.p99Us);
        return QStringLiteral("p99 %1 vs %2").arg(formatMicros(summarize(pa).median), formatMicros(summarize(pb).median));
    };
    ratioFigure("4a", QStringLiteral("POST /tasks/spawn?ms=0 req/s / GET /healthz"),
                ratios(awSpawn, awHealthz, &WrkResult::requestsPerSecond), true, 0.85, rpsContext(awSpawn, awHealthz));
    ratioFigure("4b", QStringLiteral("POST /tasks/spawn?ms=0 p99 / GET /healthz p99"),
                ratios(awSpawn, awHealthz, &WrkResult::p99Us), false, 1.5, p99Context(awSpawn, awHealthz));
    ratioFigure("4c", QStringLiteral("mode=after_response req/s / GET /healthz"),
                ratios(awAfterResponse, awHealthz, &WrkResult::requestsPerSecond), true, 0.85,
                rpsContext(awAfterResponse, awHealthz));
    ratioFigure("4d", QStringLiteral("mode=after_response p99 / GET /healthz p99"),
                ratios(awAfterResponse, awHealthz, &WrkResult::p99Us), false, 1.5, p99Context(awAfterResponse, awHealthz));
    // Against the limit: what Afterwork's glue costs a request that schedules nothing, and one that
    // does, in the demo nobody subscribes to (the bare program streams nothing either).
    ratioFigure("4e", QStringLiteral("GET /healthz req/s: afterwork-demo / bare QHttpServer"),
                ratios(unwatchedHealthz, bareHealthz, &WrkResult::requestsPerSecond), true, 0.95,
                rpsContext(unwatchedHealthz, bareHealthz));
    ratioFigure("4f", QStringLiteral("POST /tasks/spawn?ms=0 req/s / bare QHttpServer GET"),
                ratios(unwatchedSpawn, bareHealthz, &WrkResult::requestsPerSecond), true, 0.8,
                rpsContext(unwatchedSpawn, bareHealthz));
    const Summary watched = summarize(ratios(awHealthz, bareHealthz, &WrkResult::requestsPerSecond));
    report({QStringLiteral("4g"), QStringLiteral("GET /healthz req/s, one subscriber / bare QHttpServer"),
            formatRatio(watched.median), QStringLiteral("-"), Verdict::Reported,
            formatSpread(watched, formatRatio) + QStringLiteral("; three request lines streamed per request; ")
                + rpsContext(awHealthz, bareHealthz)});

    // 5: against the peer.
    if (peerReason.isEmpty()) {
        ratioFigure("5a", QStringLiteral("task route req/s: Afterwork / FastAPI BackgroundTasks"),
                    ratios(awSpawn, peerSpawn, &WrkResult::requestsPerSecond), true, 5, rpsContext(awSpawn, peerSpawn));
        ratioFigure("5b", QStringLiteral("after_response req/s: Afterwork / FastAPI BackgroundTasks"),
                    ratios(awAfterResponse, peerSpawn, &WrkResult::requestsPerSecond), true, 5,
                    rpsContext(awAfterResponse, peerSpawn));
        const Summary h = summarize(ratios(awHealthz, peerHealthz, &WrkResult::requestsPerSecond));
        report({QStringLiteral("5c"), QStringLiteral("GET /healthz req/s: Afterwork / FastAPI"), formatRatio(h.median),
                QStringLiteral("-"), Verdict::Reported,
                formatSpread(h, formatRatio) + QStringLiteral("; ") + rpsContext(awHealthz, peerHealthz)});
    } else {
        for (const char *id : {"5a", "5b", "5c"})
            report({QString::fromLatin1(id), QStringLiteral("against FastAPI BackgroundTasks"), QStringLiteral("-"),
                    QStringLiteral(">= 5"), Verdict::Skipped, peerReason});
    }

    // 6: start latency of the batches, from the stream.
    const auto micros = [](double v) { return formatMicros(v); };
    const auto latencyFigure = [&](const char *id, const QString &name, const std::vector<double> &values,
                                   double targetUs) {
        const Summary s = summarize(values);
        report({QString::fromLatin1(id), name, formatMicros(s.median),
                targetUs > 0 ? QStringLiteral("<= %1").arg(formatMicros(targetUs)) : QStringLiteral("-"),
                targetUs > 0 ? verdict(s.median <= targetUs, options) : Verdict::Reported, formatSpread(s, micros)});
    };
    latencyFigure("6a", QStringLiteral("response written -> after-response start, p50, -c1"), resp1p50, 100);
    latencyFigure("6b", QStringLiteral("response written -> after-response start, p99, -c1"), resp1p99, 0);
    latencyFigure("6c", QStringLiteral("handler return -> after-route start, p50, -c1"), route1p50, 100);
    latencyFigure("6d", QStringLiteral("handler return -> after-route start, p99, -c1"), route1p99, 0);
    latencyFigure("6e", QStringLiteral("response written -> after-response start, p50, -c32"), resp32p50, 0);
    latencyFigure("6f", QStringLiteral("response written -> after-response start, p99, -c32"), resp32p99, 0);
    latencyFigure("6g", QStringLiteral("handler return -> after-route start, p50, -c32"), route32p50, 0);
    latencyFigure("6h", QStringLiteral("handler return -> after-route start, p99, -c32"), route32p99, 0);
    // The machine itself: how often it stopped this process during the runs above. A stall of
    // the virtual machine's CPUs stalls the servers too, and shows in their p99s and throughput.
    const StallProbe::Stalls stalls = wrk.stalls();
    QString stallContext = QStringLiteral("a sleeping probe thread's late wake-ups (StallProbe)");
    if (stalls.count)
        stallContext.prepend(QStringLiteral("longest %1; ").arg(formatMicros(double(stalls.longestUs))));
    report({QStringLiteral("6i"), QStringLiteral("machine stalls >= 20 ms during the wrk runs"),
            QString::number(stalls.count), QStringLiteral("-"), Verdict::Reported, stallContext});
    if (subscriber.missed() > 0)
        std::fprintf(stderr, "bench_http: the subscriber missed %llu events (gaps): it could not keep up\n",
                     (unsigned long long)subscriber.missed());
    return 0;
}
