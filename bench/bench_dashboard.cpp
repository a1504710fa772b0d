// SPDX-License-Identifier: MIT
// Target 9: the dashboard (afterwork-monitor) keeps up. Measured on the real thing: its
// MonitorSession and MainWindow (all six views and their models), shown on the offscreen platform.
//
//   load  a 1,000,000-event recording is read into the dashboard: time until the last batch has
//         reached the models, and the process's peak resident memory (each run a fresh process).
//   live  the dashboard watches a live source publishing 20,000 events/s (bench_stream serve) for
//         60 s (9c), then 8 sources publishing 5,000 events/s each, all in one window (9d); a
//         10 ms timer inside it measures how late the event loop runs it (p99).
//
// `bench_dashboard` drives them, running itself as `load FILE` and `live NAME[,NAME...] SECONDS`
// children. `bench_dashboard timeline SOURCES TASKS` times the timeline's rebuild alone.
#include "support/benchsupport.h"

#include "app/mainwindow.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"
#include "core/timelinelayout.h"
#include "widgets/timelinecanvas.h"

#include <afterwork/eventencoder.h>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>
#include <QtCore/QUuid>
#include <QtWidgets/QApplication>

using namespace afterwork;
using namespace afterwork::bench;
using namespace std::chrono_literals;

namespace {

// ---------------------------------------------------------------------------------------------
// The recording: what `afterwork record` would have written for tasks run at 20,000 events/s.

void writeRecording(const QString &path, qint64 events)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    const qint64 startUs = protocol::nowUs() - 3'600'000'000LL;
    QByteArray out;
    quint64 seq = 0;
    protocol::SourceInfo source{QStringLiteral("bench-recording"), 4242, QStringLiteral("bench"),
                                QUuid::createUuid(), startUs};
    protocol::appendLinePrefix(out, seq);
    protocol::appendHelloBody(out, startUs, source);

    const qint64 tasks = events / 3;
    qint64 ts = startUs;
    for (qint64 i = 1; i <= tasks; ++i) {
        TaskEvent event;
        event.taskId = quint64(i);
        event.name = (i % 7 == 0) ? QStringLiteral("process_payment") : QStringLiteral("send_welcome_email");
        event.functionLabel = (i % 7 == 0) ? QStringLiteral("processPayment") : QStringLiteral("sendWelcomeEmail");
        event.requestId = quint64(i);
        event.mode = i % 3 == 0 ? Mode::AfterResponse : Mode::Immediate;
        event.scheduledUs = ts;
        event.timestampUs = ts;
        protocol::appendLinePrefix(out, ++seq);
        protocol::appendTaskBody(out, event);
        ts += 50;
        event.phase = Phase::Started;
        event.startedUs = ts;
        event.timestampUs = ts;
        protocol::appendLinePrefix(out, ++seq);
        protocol::appendTaskBody(out, event);
        ts += 50;
        event.timestampUs = ts;
        event.waitUs = 50;
        event.runUs = 50;
        if (i % 100 == 0) {
            event.phase = Phase::Failed;
            event.error = TaskError{QStringLiteral("TimeoutError"), QStringLiteral("the SMTP server did not answer"), {}};
        } else {
            event.phase = Phase::Succeeded;
        }
        protocol::appendLinePrefix(out, ++seq);
        protocol::appendTaskBody(out, event);
        ts += 50;
        if (out.size() > 1 << 20) {
            file.write(out);
            out.resize(0);
        }
    }
    protocol::appendLinePrefix(out, ++seq);
    protocol::appendByeBody(out, ts);
    file.write(out);
}

// ---------------------------------------------------------------------------------------------
// Children: the dashboard itself.

struct Dashboard
{
    explicit Dashboard(const QString &settingsPath)
        : window(&session, monitor::MainWindowOptions{.settingsPath = settingsPath, .restoreState = false})
    {
        window.resize(1280, 800);
        window.show();
    }
    monitor::MonitorSession session;
    monitor::MainWindow window;
};

int loadChild(const QString &path, const QString &settingsPath)
{
    Dashboard dashboard(settingsPath);
    QCoreApplication::processEvents();
    bool ended = false;
    QObject::connect(&dashboard.session, &monitor::MonitorSession::recordingEnded, [&ended] { ended = true; });
    const qint64 start = nowNs();
    const qint64 cpuStart = processCpuNs();
    dashboard.window.openRecording(path, 0);
    if (!waitUntil([&] { return ended; }, 600s, 5ms))
        fail(QStringLiteral("the recording did not end"));
    dashboard.session.flushNow();
    dashboard.window.refreshAll();
    QCoreApplication::processEvents();
    const double ms = double(nowNs() - start) / 1e6;
    const double cpuMs = double(processCpuNs() - cpuStart) / 1e6;
    const client::TaskStore &store = dashboard.session.store();
    const qint64 finished = store.count(Phase::Succeeded) + store.count(Phase::Failed);
    std::printf("LOAD\t%.1f\t%lld\t%lld\t%lld\t%.1f\n", ms, (long long)peakResidentBytes(), (long long)finished,
                (long long)dashboard.session.linesReceived(), cpuMs);
    return 0;
}

//! Watches every socket of \a socketNames in one window (the first as the connection bar's source,
//! the others added beside it, as `afterwork-monitor --connect A --connect B` does) and measures
//! the event loop's lateness while they publish.
int liveChild(const QStringList &socketNames, double seconds, const QString &settingsPath)
{
    Dashboard dashboard(settingsPath);
    dashboard.window.watchSocket(socketNames.first(), QStringLiteral("s0"));
    for (int i = 1; i < socketNames.size(); ++i) {
        if (const auto error = dashboard.window.addSource({.label = QStringLiteral("s%1").arg(i), .address = socketNames[i]}))
            fail(QStringLiteral("cannot add %1: %2").arg(socketNames[i], *error));
    }
    monitor::SourceSet &sources = *dashboard.window.sources();
    const auto sum = [&sources](auto of) {
        qint64 total = 0;
        for (int i = 0; i < sources.count(); ++i)
            total += of(*sources.session(i));
        return total;
    };
    if (!waitUntil([&] { return sum([](const monitor::MonitorSession &s) { return qint64(s.store().source().has_value()); }) == socketNames.size(); },
                   15s, 5ms))
        fail(QStringLiteral("the dashboard did not connect to all of %1").arg(socketNames.join(QLatin1Char(','))));

    // The lateness probe: a 10 ms timer; how much later than 10 ms after the previous one it runs.
    constexpr qint64 intervalNs = 10'000'000;
    std::vector<double> latenessMs;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    qint64 previous = nowNs();
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = nowNs();
        latenessMs.push_back(std::max<double>(0, double(now - previous - intervalNs) / 1e6));
        previous = now;
    });
    const auto lines = [](const monitor::MonitorSession &s) { return s.linesReceived(); };
    const qint64 linesBefore = sum(lines);
    probe.start();
    const qint64 start = nowNs();
    waitUntil([] { return false; }, std::chrono::milliseconds(qint64(seconds * 1000)), 100ms);
    probe.stop();
    const double elapsed = double(nowNs() - start) / 1e9;
    const double lineRate = double(sum(lines) - linesBefore) / elapsed;
    std::sort(latenessMs.begin(), latenessMs.end());
    std::printf("LIVE\t%.2f\t%.2f\t%.2f\t%zu\t%.0f\t%lld\n", percentileSorted(latenessMs, 50),
                percentileSorted(latenessMs, 99), latenessMs.empty() ? 0.0 : latenessMs.back(), latenessMs.size(),
                lineRate, (long long)sum([](const monitor::MonitorSession &s) { return s.sequenceGaps(); }));
    return 0;
}

// ---------------------------------------------------------------------------------------------
// The timeline's rebuild, for profiling (not a figure of the table): `bench_dashboard timeline
// SOURCES TASKS` builds the layout of SOURCES stores of TASKS finished tasks and 50 running ones
// each (one store: the single-source layout; several: every source in a lane) and puts it on a
// shown canvas, which paints it; the medians of 30 rebuilds.

//! Feeds \a store \a tasks tasks that ran 50 µs each after 50 µs queued, like the recording's, and
//! 50 more still running.
void fillStore(client::TaskStore &store, qint64 tasks, qint64 startUs)
{
    QList<client::StreamEvent> events;
    quint64 seq = 0;
    const auto add = [&](qint64 tsUs, client::StreamEvent::Payload payload) {
        events.append(client::StreamEvent{.seq = seq++, .tsUs = tsUs, .payload = std::move(payload)});
    };
    client::HelloEvent hello;
    hello.source.app = QStringLiteral("bench");
    hello.source.instance = QUuid::createUuid().toString();
    add(startUs, hello);
    qint64 ts = startUs;
    for (qint64 i = 1; i <= tasks + 50; ++i) {
        client::TaskRecord task;
        task.id = quint64(i);
        task.name = (i % 7 == 0) ? QStringLiteral("process_payment") : QStringLiteral("send_welcome_email");
        task.phase = Phase::Scheduled;
        task.mode = i % 3 == 0 ? Mode::AfterResponse : Mode::Immediate;
        task.scheduledUs = ts;
        add(ts, task);
        task.phase = Phase::Started;
        task.startedUs = ts + 50;
        add(ts + 50, task);
        if (i <= tasks) { // the last 50 keep running
            task.phase = i % 100 == 0 ? Phase::Failed : Phase::Succeeded;
            add(ts + 100, task);
        }
        ts += 150;
    }
    store.apply(events);
}

int timelineChild(int sourceCount, qint64 tasks)
{
    std::vector<std::unique_ptr<client::TaskStore>> stores;
    QList<monitor::TimelineSourceInput> inputs;
    const qint64 startUs = protocol::nowUs() - 600'000'000;
    for (int i = 0; i < sourceCount; ++i) {
        auto &store = stores.emplace_back(std::make_unique<client::TaskStore>(client::TaskStoreOptions{.finishedLimit = 10'000}));
        fillStore(*store, tasks, startUs + i * 1000);
        inputs.append({store.get(), QStringLiteral("s%1").arg(i), {}, protocol::nowUs()});
    }
    monitor::TimelineCanvas canvas;
    canvas.resize(1280, 700);
    canvas.show();
    QCoreApplication::processEvents();
    std::vector<double> buildMs, paintMs;
    qsizetype bars = 0;
    qsizetype rows = 0;
    for (int run = 0; run < 30; ++run) {
        const qint64 start = nowNs();
        monitor::TimelineLayout layout = sourceCount == 1
            ? monitor::TimelineLayout::fromStore(*stores.front(), monitor::TimelineGrouping::Mode, inputs.front().nowUs)
            : monitor::TimelineLayout::fromSources(inputs, monitor::TimelineGrouping::Mode, 10'000);
        const qint64 built = nowNs();
        bars = layout.bars.size();
        rows = layout.rows.size();
        canvas.setLayoutData(std::move(layout), inputs.front().nowUs);
        canvas.fitAll();
        canvas.viewport()->grab(); // paints it
        buildMs.push_back(double(built - start) / 1e6);
        paintMs.push_back(double(nowNs() - built) / 1e6);
    }
    std::printf("TIMELINE\t%d sources\t%lld tasks each\t%lld bars\t%lld rows\tbuild %.2f ms\tshow and paint %.2f ms\n", sourceCount,
                (long long)tasks, (long long)bars, (long long)rows, summarize(buildMs).median, summarize(paintMs).median);
    return 0;
}

// ---------------------------------------------------------------------------------------------
// The driver.

QStringList runChild(const QString &program, const QStringList &arguments, std::chrono::seconds timeout)
{
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=false;*.info=false;qt.*.warning=false"));
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(program, arguments);
    if (!child.waitForFinished(int(std::chrono::milliseconds(timeout).count())) || child.exitCode() != 0)
        fail(QStringLiteral("%1 %2 failed (exit %3)").arg(program, arguments.join(QLatin1Char(' '))).arg(child.exitCode()));
    const QList<QByteArray> lines = child.readAllStandardOutput().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("LOAD\t") || line.startsWith("LIVE\t"))
            return QString::fromUtf8(line).split(QLatin1Char('\t'));
    }
    fail(QStringLiteral("%1 printed no result").arg(arguments.value(0)));
}

//! Starts \a sources `bench_stream serve` processes at \a rate events/s each, runs the dashboard
//! on all of them for \a seconds as a child, and returns the child's LIVE line.
QStringList measureLive(const QString &self, const QString &emitter, const QString &settings, int sources, int rate,
                        double seconds)
{
    std::vector<std::unique_ptr<QProcess>> publishers;
    QStringList socketNames;
    for (int i = 0; i < sources; ++i) {
        socketNames.append(uniqueSocketName("dashboard"));
        auto &publisher = publishers.emplace_back(std::make_unique<QProcess>());
        publisher->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        publisher->start(emitter, {QStringLiteral("serve"), socketNames.last(), QString::number(rate), QString::number(seconds + 20)});
    }
    for (const auto &publisher : publishers) {
        if (!publisher->waitForReadyRead(15000))
            fail(QStringLiteral("bench_stream serve did not start"));
    }
    const QStringList live = runChild(self, {QStringLiteral("live"), socketNames.join(QLatin1Char(',')), QString::number(seconds), settings},
                                      std::chrono::seconds(qint64(seconds) + 60));
    for (const auto &publisher : publishers)
        publisher->closeWriteChannel(); // it stops on end of input, says bye and removes its socket
    for (const auto &publisher : publishers) {
        if (!publisher->waitForFinished(15000)) {
            publisher->kill();
            publisher->waitForFinished(5000);
        }
    }
    return live;
}

void reportLive(const Options &options, const QString &id, const QString &figure, double seconds, const QStringList &live)
{
    const double p99 = live[2].toDouble();
    report({id, figure, QStringLiteral("%1 ms").arg(p99, 0, 'f', 1), QStringLiteral("<= 50 ms"), verdict(p99 <= 50, options),
            QStringLiteral("%1 s, %2 samples; p50 %3 ms, max %4 ms; %5 received; %6 sequence gaps")
                .arg(seconds)
                .arg(live[4])
                .arg(live[1], live[3])
                .arg(formatRate(live[5].toDouble(), QStringLiteral("lines/s")), live[6])});
}

int drive(const Options &options)
{
    const qint64 events = options.smoke ? 30'000 : 1'000'000;
    const double liveSeconds = options.smoke ? 2 : 60;
    const QString self = QCoreApplication::applicationFilePath();
    const QString emitter = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("bench_stream"));
    QTemporaryDir dir;
    const QString recording = dir.filePath(QStringLiteral("recording.jsonl"));
    const QString settings = dir.filePath(QStringLiteral("monitor.ini"));
    writeRecording(recording, events);
    announce(options, QStringLiteral("%1-event recording (%2), %3 load runs, %4 s live")
                          .arg(events)
                          .arg(formatBytes(double(QFileInfo(recording).size())))
                          .arg(options.runs)
                          .arg(liveSeconds, 0, 'f', 0));

    std::vector<double> loadMs, peakBytes, cpuMs;
    for (int run = 0; run < options.runs; ++run) {
        const QStringList result = runChild(self, {QStringLiteral("load"), recording, settings}, 600s);
        loadMs.push_back(result[1].toDouble());
        peakBytes.push_back(result[2].toDouble());
        cpuMs.push_back(result[5].toDouble());
        if (result[3].toLongLong() != events / 3 || result[4].toLongLong() != events / 3 * 3 + 2)
            fail(QStringLiteral("the dashboard saw %1 finished tasks in %2 lines, expected %3 in %4")
                     .arg(result[3], result[4])
                     .arg(events / 3)
                     .arg(events / 3 * 3 + 2));
        std::fprintf(stderr, "  load run %d: %.0f ms (%.0f ms CPU), peak %s\n", run + 1, loadMs.back(), cpuMs.back(),
                     qPrintable(formatBytes(peakBytes.back())));
    }
    const Summary load = summarize(loadMs);
    const Summary peak = summarize(peakBytes);
    const auto ms = [](double v) { return QStringLiteral("%1 ms").arg(v, 0, 'f', 0); };
    const auto bytes = [](double v) { return formatBytes(v); };
    report({QStringLiteral("9a"), QStringLiteral("dashboard loads a %1-event recording").arg(events),
            QStringLiteral("%1 s").arg(load.median / 1000, 0, 'f', 2), QStringLiteral("<= 5 s"),
            verdict(load.median <= 5000, options),
            formatSpread(load, ms) + QStringLiteral("; %1 s of CPU (median)").arg(summarize(cpuMs).median / 1000, 0, 'f', 2)});
    report({QStringLiteral("9b"), QStringLiteral("dashboard peak memory while loading it"), formatBytes(peak.max),
            QStringLiteral("<= 400 MB"), verdict(peak.max <= 400e6, options),
            QStringLiteral("worst of %1 runs (%2)").arg(peak.count).arg(formatSpread(peak, bytes))});

    // 9c: one publisher process at 20,000 events/s; 9d: eight at 5,000 each, in one window.
    const QStringList one = measureLive(self, emitter, settings, 1, 20'000, liveSeconds);
    reportLive(options, QStringLiteral("9c"), QStringLiteral("dashboard live at 20k events/s: event-loop lateness p99"), liveSeconds, one);
    const QStringList eight = measureLive(self, emitter, settings, 8, 5'000, liveSeconds);
    reportLive(options, QStringLiteral("9d"), QStringLiteral("dashboard, 8 sources at 5k events/s each: lateness p99"), liveSeconds, eight);
    return 0;
}

//! The offscreen platform's and QStandardPaths' notes about the headless setup, not about us.
void quietHeadlessNotes(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    if (message.contains(QLatin1String("propagateSizeHints")) || message.contains(QLatin1String("XDG_RUNTIME_DIR")))
        return;
    if (type != QtDebugMsg && type != QtInfoMsg)
        std::fprintf(stderr, "%s\n", qPrintable(message));
}

} // namespace

int main(int argc, char *argv[])
{
    const Options options =
        parseOptions(argc, argv, 3, "", "Target 9: afterwork-monitor loading a recording and following a live source.");
    if (options.positional.value(0) == QLatin1String("generate") && options.positional.size() == 3) {
        // For profiling: `bench_dashboard generate FILE EVENTS`, then `perf record bench_dashboard load FILE INI`.
        QCoreApplication app(argc, argv);
        writeRecording(options.positional[1], options.positional[2].toLongLong());
        return 0;
    }
    if (options.positional.value(0) == QLatin1String("load") || options.positional.value(0) == QLatin1String("live")
        || options.positional.value(0) == QLatin1String("timeline"))
        qInstallMessageHandler(quietHeadlessNotes);
    if (options.positional.value(0) == QLatin1String("load") && options.positional.size() == 3) {
        QApplication app(argc, argv);
        return loadChild(options.positional[1], options.positional[2]);
    }
    if (options.positional.value(0) == QLatin1String("timeline") && options.positional.size() == 3) {
        QApplication app(argc, argv);
        return timelineChild(options.positional[1].toInt(), options.positional[2].toLongLong());
    }
    if (options.positional.value(0) == QLatin1String("live") && options.positional.size() == 4) {
        QApplication app(argc, argv);
        return liveChild(options.positional[1].split(QLatin1Char(',')), options.positional[2].toDouble(), options.positional[3]);
    }
    QCoreApplication app(argc, argv);
    return drive(options);
}
