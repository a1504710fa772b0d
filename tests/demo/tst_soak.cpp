// SPDX-License-Identifier: MIT
// The soak test: afterwork-demo as a real process under load from many HTTP clients for a bounded
// time (AFTERWORK_SOAK_SECONDS, default 60), with faults on the way: clients that abort in the
// middle of a request, a subscriber of the event stream that stops reading until the publisher
// overflows it, and the dashboard started and killed with SIGKILL, three times. Then SIGTERM, and
// the demo drains within its deadline. `afterwork record` follows the stream throughout; its
// recording must pass `afterwork check`, hold no gap, end with `bye`, and account for every task
// the server reported. Random choices come from a seed that is printed (AFTERWORK_SOAK_SEED
// replays it). docs/building.md, "The soak test".
#include "demotestsupport.h"
#include "soaksupport.h"

#include <afterwork/client/filesource.h>
#include <afterwork/eventpublisher.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QProcessEnvironment>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <csignal>
#include <memory>
#include <optional>

using namespace afterwork;
using namespace afterwork::test;
using namespace afterwork::client;

namespace {

int environmentInt(const char *name, int fallback)
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue(name, &ok);
    return ok ? value : fallback;
}

//! The JSON object after \a prefix on a line of \a text ("engine counters: {...}").
QJsonObject jsonAfter(const QString &text, const QString &prefix)
{
    const qsizetype at = text.lastIndexOf(prefix);
    if (at < 0)
        return {};
    const qsizetype end = text.indexOf(u'\n', at);
    return QJsonDocument::fromJson(text.mid(at + prefix.size(), end < 0 ? -1 : end - at - prefix.size()).toUtf8())
        .object();
}

//! What a recording says about one task.
struct TaskTally
{
    int scheduled = 0;
    int started = 0;
    int retrying = 0;
    int terminal = 0;
    Phase end = Phase::Unknown;
    int afterEnd = 0; //!< task or progress lines after its terminal line
};

//! The events every subscriber gets alike (task, progress, heartbeat, shutdown and request lines),
//! each without its `{"v":1,"seq":N` prefix, which differs from connection to connection; and the
//! gap lines: how many such events came before each, and how many it says were missed.
struct Broadcast
{
    QList<QByteArray> events;
    QList<qsizetype> gapsAt;
    QList<qint64> missed;
};

Broadcast broadcastEvents(const QByteArray &stream)
{
    Broadcast result;
    for (const QByteArray &line : stream.split('\n')) {
        const auto parsed = parseLine(line);
        const auto *event = std::get_if<StreamEvent>(&parsed);
        if (!event)
            continue;
        switch (event->kind()) {
        case EventKind::Gap:
            result.gapsAt << result.events.size();
            result.missed << event->as<GapEvent>()->missed;
            break;
        case EventKind::Task:
        case EventKind::Progress:
        case EventKind::Heartbeat:
        case EventKind::Shutdown:
        case EventKind::Request: {
            qsizetype end = line.indexOf("\"seq\":") + 6;
            while (end < line.size() && line[end] >= '0' && line[end] <= '9')
                ++end;
            result.events << line.mid(end);
            break;
        }
        default:
            break;
        }
    }
    return result;
}

//! `afterwork <arguments>`, run to its end.
struct CliRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

CliRun runCli(const QStringList &arguments, int timeoutMs)
{
    QProcess process;
    process.start(QStringLiteral(AFTERWORK_CLI_PATH), arguments);
    CliRun run;
    if (process.waitForFinished(timeoutMs) && process.exitStatus() == QProcess::NormalExit)
        run.exitCode = process.exitCode();
    else
        process.kill();
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

} // namespace

class SoakTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup() { m_failed = m_failed || QTest::currentTestFailed(); }
    void soakWithFaultsThenDrain();

private:
    //! Waits until \a condition holds, for at most \a timeoutMs, while the load runs; false if it
    //! did not, or if the demo ended meanwhile (it must not, before SIGTERM).
    [[nodiscard]] bool waitUnderLoad(const std::function<bool()> &condition, int timeoutMs);
    //! Lets the load run until \a msSinceStart of it have passed.
    [[nodiscard]] bool loadUntil(qint64 msSinceStart);
    //! Starts the dashboard, waits until the publisher counts it, lets it watch for a random
    //! moment, kills it with SIGKILL and waits until the publisher has let it go.
    void startAndKillDashboard(int round);
    //! A request on a fresh connection is answered: the server is still up.
    void serverStillAnswers();
    //! The demo's standard output and the end of its standard error (kept in a file).
    QString demoDiagnostics() const;

    int m_seconds = 60;
    quint32 m_seed = 0;
    QRandomGenerator m_random;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DemoProcess> m_demo;
    QProcess m_recorder;
    QString m_recordingPath;
    std::unique_ptr<RecordingTail> m_tail;
    QElapsedTimer m_loadClock;
    qint64 m_baseSubscribers = 0;
    int m_dashboardsKilled = 0;
    bool m_failed = false;
};

bool SoakTest::waitUnderLoad(const std::function<bool()> &condition, int timeoutMs)
{
    return QTest::qWaitFor(
               [&] {
                   m_tail->poll();
                   return condition() || m_demo->process.state() == QProcess::NotRunning;
               },
               timeoutMs)
        && m_demo->process.state() != QProcess::NotRunning && condition();
}

bool SoakTest::loadUntil(qint64 msSinceStart)
{
    // A duration of load, not a synchronisation: nothing is waited for but the clock.
    return waitUnderLoad([&] { return m_loadClock.elapsed() >= msSinceStart; },
                         int(qMax<qint64>(0, msSinceStart - m_loadClock.elapsed()) + 5000));
}

void SoakTest::initTestCase()
{
    m_seconds = qMax(5, environmentInt("AFTERWORK_SOAK_SECONDS", 60));
    bool seeded = false;
    m_seed = qgetenv("AFTERWORK_SOAK_SEED").trimmed().toUInt(&seeded);
    if (!seeded)
        m_seed = QRandomGenerator::system()->generate();
    m_random.seed(m_seed);
    qInfo().noquote() << QStringLiteral("soak: seed %1 (AFTERWORK_SOAK_SEED=%1 replays its choices), load for %2 s")
                             .arg(m_seed)
                             .arg(m_seconds);

    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_recordingPath = m_dir->filePath(QStringLiteral("soak.ndjson"));

    // Sixteen pool threads: simulated work sleeps, and the fast tasks should not all queue
    // behind the slow ones.
    m_demo = std::make_unique<DemoProcess>();
    m_demo->arguments = QStringList{"--port", "0", "--events", m_demo->eventsName, "--threads", "16",
                                    "--shutdown-deadline", "20"};
    // Failing tasks log a warning each: to a file, so that the pipe never holds the demo up.
    m_demo->process.setStandardErrorFile(m_dir->filePath(QStringLiteral("demo.stderr")));
    QVERIFY2(m_demo->start(), qPrintable(demoDiagnostics()));
    QVERIFY(m_demo->stdoutText.contains("control: off"));

    // The recorder follows from before the first request to the end.
    m_recorder.start(QStringLiteral(AFTERWORK_CLI_PATH),
                     {"record", "--connect", m_demo->eventsName, "--out", m_recordingPath});
    m_tail = std::make_unique<RecordingTail>(m_recordingPath);
    QVERIFY2(waitUnderLoad([&] { return m_tail->lines >= 2 && m_tail->heartbeats >= 1; }, 15000),
             qPrintable(QString::fromUtf8(m_recorder.readAllStandardError())));
    QCOMPARE(m_tail->subscribers, qint64(1));
}

void SoakTest::cleanupTestCase()
{
    if (m_recorder.state() != QProcess::NotRunning) {
        m_recorder.kill();
        m_recorder.waitForFinished(5000);
    }
    m_demo.reset();
    if (m_dir && (m_failed || QTest::currentTestFailed())) {
        m_dir->setAutoRemove(false);
        qWarning().noquote() << "soak: the recording and the logs are kept in" << m_dir->path()
                             << QStringLiteral("(replay the choices with AFTERWORK_SOAK_SEED=%1)").arg(m_seed);
    }
}

void SoakTest::startAndKillDashboard(int round)
{
#ifdef AFTERWORK_MONITOR_PATH
    QProcess dashboard;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    dashboard.setProcessEnvironment(environment);
    dashboard.setStandardOutputFile(m_dir->filePath(QStringLiteral("dashboard-%1.out").arg(round)));
    dashboard.setStandardErrorFile(m_dir->filePath(QStringLiteral("dashboard-%1.err").arg(round)));
    dashboard.start(QStringLiteral(AFTERWORK_MONITOR_PATH),
                    {"--connect", m_demo->eventsName, "--settings",
                     m_dir->filePath(QStringLiteral("dashboard-%1.ini").arg(round))});
    QVERIFY(dashboard.waitForStarted(10000));
    const qint64 heartbeatsBefore = m_tail->heartbeats;
    QVERIFY2(waitUnderLoad([&] { return m_tail->heartbeats > heartbeatsBefore && m_tail->subscribers > m_baseSubscribers; },
                           30000),
             "the dashboard never subscribed");
    const int watchMs = int(m_random.bounded(500, 3000));
    QElapsedTimer watching;
    watching.start();
    QVERIFY(waitUnderLoad([&] { return watching.elapsed() >= watchMs; }, watchMs + 5000)); // a duration
    QCOMPARE(dashboard.state(), QProcess::Running);
    dashboard.kill(); // SIGKILL: no goodbye to the publisher
    QVERIFY(waitUnderLoad([&] { return dashboard.state() == QProcess::NotRunning; }, 10000));
    QCOMPARE(dashboard.exitStatus(), QProcess::CrashExit);
    ++m_dashboardsKilled;
    // The publisher notices the dead connection and lets it go; the others stay.
    const qint64 heartbeatsAfterKill = m_tail->heartbeats;
    QVERIFY2(waitUnderLoad([&] { return m_tail->heartbeats > heartbeatsAfterKill && m_tail->subscribers == m_baseSubscribers; },
                           15000),
             qPrintable(QStringLiteral("%1 subscribers after the kill, %2 expected").arg(m_tail->subscribers).arg(m_baseSubscribers)));
    qInfo().noquote() << QStringLiteral("soak: dashboard %1 watched for %2 ms, then SIGKILL").arg(round).arg(watchMs);
#else
    Q_UNUSED(round);
    qInfo("soak: afterwork-monitor is not built; no dashboard to kill");
#endif
}

QString SoakTest::demoDiagnostics() const
{
    QFile errors(m_dir->filePath(QStringLiteral("demo.stderr")));
    QByteArray tail;
    if (errors.open(QIODevice::ReadOnly)) {
        errors.seek(qMax<qint64>(0, errors.size() - 3000));
        tail = errors.readAll();
    }
    return "stdout:\n" + m_demo->stdoutText + "\nstderr (tail):\n" + QString::fromUtf8(tail);
}

void SoakTest::serverStillAnswers()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_demo->port);
    QByteArray answer;
    QVERIFY(waitUnderLoad([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 10000));
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY2(waitUnderLoad(
                 [&] {
                     answer += socket.readAll();
                     return answer.endsWith(R"({"status":"ok"})");
                 },
                 10000),
             answer.constData());
    QVERIFY(answer.startsWith("HTTP/1.1 200"));
}

void SoakTest::soakWithFaultsThenDrain()
{
    QElapsedTimer wholeRun;
    wholeRun.start();
    const qint64 loadMs = qint64(m_seconds) * 1000;

    // The stalled subscriber connects before the load and reads nothing. Once more than its
    // queue's limit has been published since (the recording grows by the same bytes), the
    // publisher must have overflowed it.
    StalledSubscriber stalled;
    QVERIFY(stalled.connectTo(m_demo->eventsPath));
    m_baseSubscribers = 2; // the recorder and the stalled subscriber
    const qint64 heartbeatsBeforeStall = m_tail->heartbeats;
    QVERIFY(waitUnderLoad([&] { return m_tail->heartbeats > heartbeatsBeforeStall && m_tail->subscribers == 2; }, 10000));
    const qint64 bytesAtStall = m_tail->bytes;
    const qint64 overflowBytes = afterwork::PublisherOptions{}.maxQueuedBytes + 2 * 1024 * 1024;

    LoadStats stats;
    const int clientCount = qMax(1, environmentInt("AFTERWORK_SOAK_CLIENTS", 6));
    std::vector<std::unique_ptr<LoadClient>> clients;
    for (int i = 0; i < clientCount; ++i)
        clients.push_back(std::make_unique<LoadClient>(m_demo->port, m_random.generate(), &stats, 120));
    // The flood: many short tasks at once, while the subscriber stalls, held back while the
    // engine has more than 2000 live tasks so that the machine is loaded, not swamped.
    bool flooding = true;
    const auto flood = [&](QRandomGenerator &random) {
        return SoakRequest{"POST", "/tasks/spawn?name=soak_flood&count=100&ms=0&work="
                                       + QByteArray(random.bounded(2) ? "async" : "sync")};
    };
    auto flooder = std::make_unique<LoadClient>(m_demo->port, m_random.generate(), &stats, 50, flood,
                                                [&] { return flooding && m_tail->live < 2000; });
    DisconnectingClients leavers(m_demo->port, m_random.generate());
    m_loadClock.start();

    // 1. The dashboard, while the flood runs: it may lag behind and get a gap of its own, and is
    // killed, perhaps while the publisher holds a full queue for it.
    startAndKillDashboard(1);
    if (QTest::currentTestFailed())
        return;

    // 2. The stalled subscriber overflows, and gets its gap once it reads again.
    QVERIFY2(waitUnderLoad([&] { return m_tail->bytes - bytesAtStall > overflowBytes && m_tail->eventsDropped > 0; },
                           int(qMax<qint64>(loadMs, 90000))),
             qPrintable(QStringLiteral("%1 bytes published since the stall, %2 events dropped")
                            .arg(m_tail->bytes - bytesAtStall)
                            .arg(m_tail->eventsDropped)));
    flooding = false;
    qInfo().noquote() << QStringLiteral("soak: the stalled subscriber overflowed after %1 ms (%2 MiB published)")
                             .arg(m_loadClock.elapsed())
                             .arg(double(m_tail->bytes - bytesAtStall) / (1024 * 1024), 0, 'f', 1);
    stalled.resume();
    QVERIFY2(waitUnderLoad([&] { return stalled.received().contains("\"kind\":\"gap\""); }, 30000),
             "the stalled subscriber read on, but no gap came");

    // 3. The dashboard twice more, under the load alone: started, watching, killed.
    serverStillAnswers();
    QVERIFY(loadUntil(loadMs * 3 / 10));
    startAndKillDashboard(2);
    if (QTest::currentTestFailed())
        return;
    serverStillAnswers();
    QVERIFY(loadUntil(loadMs * 65 / 100));
    startAndKillDashboard(3);
    if (QTest::currentTestFailed())
        return;
    serverStillAnswers();

    // 4. The rest of the load, then SIGTERM in the middle of it, with requests in flight and
    // tasks running: among them shielded work the drain must wait for, and unshielded work far
    // longer than the deadline, which it must cancel.
    QVERIFY(loadUntil(loadMs));
    QSet<qint64> drainShielded;
    QSet<qint64> drainUnshielded;
    for (const QByteArray &work : {QByteArray("sync"), QByteArray("async")}) {
        const QJsonObject shielded =
            postForJson(m_demo->port, "/tasks/spawn?name=soak_drain_shielded&shield=1&count=3&ms=1500&work=" + work);
        const QJsonObject unshielded =
            postForJson(m_demo->port, "/tasks/spawn?name=soak_drain_unshielded&count=5&ms=120000&work=" + work);
        QVERIFY2(!shielded.isEmpty() && !unshielded.isEmpty(), qPrintable(demoDiagnostics()));
        for (const QJsonValue &id : shielded.value("ids").toArray())
            drainShielded.insert(id.toInteger());
        for (const QJsonValue &id : unshielded.value("ids").toArray())
            drainUnshielded.insert(id.toInteger());
    }
    qInfo().noquote() << QStringLiteral("soak: %1 requests sent, %2 answered; %3 live tasks at the last heartbeat; SIGTERM")
                             .arg(stats.sent)
                             .arg(stats.answered)
                             .arg(m_tail->live);
    QElapsedTimer drainClock;
    drainClock.start();
    stats.shutdownSignalled = true;
    m_demo->signal(SIGTERM);
    // The clients go on until the demo has stopped serving and begins to drain the engine: on
    // their open connections they are answered 503, and new connections are refused.
    QVERIFY2(m_demo->waitForOutput(QStringLiteral("draining the engine"), 30000), qPrintable(demoDiagnostics()));
    for (auto &client : clients)
        client->stop();
    flooder->stop();
    leavers.stop();
    QVERIFY2(m_demo->waitFinished(60000), qPrintable(demoDiagnostics()));
    qInfo().noquote() << QStringLiteral("soak: the demo drained and exited in %1 ms").arg(drainClock.elapsed());
    // docs/http.md, "Shutdown and exit codes": 0, every task finished, was cancelled or dropped.
    QCOMPARE(m_demo->process.exitStatus(), QProcess::NormalExit);
    QVERIFY2(m_demo->process.exitCode() == 0, qPrintable(demoDiagnostics()));
    QVERIFY2(m_demo->stdoutText.contains("bye (exit 0)"), qPrintable(demoDiagnostics()));
    const QJsonObject report = jsonAfter(m_demo->stdoutText, QStringLiteral("shutdown report: "));
    const QJsonObject counters = jsonAfter(m_demo->stdoutText, QStringLiteral("engine counters: "));
    QVERIFY2(!report.isEmpty() && !counters.isEmpty(), qPrintable(demoDiagnostics()));

    // The recorder ends with the stream's bye; so does the stalled subscriber.
    QVERIFY(QTest::qWaitFor([&] { return m_recorder.state() == QProcess::NotRunning; }, 15000));
    const QString recorderSaid = QString::fromUtf8(m_recorder.readAllStandardError());
    QCOMPARE(m_recorder.exitStatus(), QProcess::NormalExit);
    QVERIFY2(m_recorder.exitCode() == 0, qPrintable(recorderSaid));
    QVERIFY2(recorderSaid.contains("the source said bye"), qPrintable(recorderSaid));
    QVERIFY(QTest::qWaitFor([&] { return stalled.isDisconnected(); }, 15000));

    // The clients: every request answered as expected (503 only once SIGTERM was sent).
    QVERIFY(QTest::qWaitFor([&] { return std::all_of(clients.begin(), clients.end(), [](const auto &c) { return c->idle(); }); },
                            10000));
    QStringList statuses;
    for (auto it = stats.byStatus.cbegin(); it != stats.byStatus.cend(); ++it)
        statuses << QStringLiteral("%1: %2").arg(it.key()).arg(it.value());
    qInfo().noquote() << QStringLiteral("soak: answers by status: %1; %2 tasks reported in answers; "
                                        "aborted: %3 in the headers, %4 in the body, %5 at once and %6 later after a whole request; "
                                        "%7 dashboards killed")
                             .arg(statuses.join(u", "))
                             .arg(stats.reportedIds.size())
                             .arg(leavers.counts[DisconnectingClients::PartialHeaders])
                             .arg(leavers.counts[DisconnectingClients::PartialBody])
                             .arg(leavers.counts[DisconnectingClients::FullRequestAbortAtOnce])
                             .arg(leavers.counts[DisconnectingClients::FullRequestAbortLater])
                             .arg(m_dashboardsKilled);
    QVERIFY2(stats.unexpected.isEmpty(), qPrintable(stats.unexpected.mid(0, 20).join(u'\n')));
    QVERIFY2(stats.unanswered.isEmpty(), qPrintable(stats.unanswered.mid(0, 20).join(u'\n')));
    QVERIFY(stats.answered > 0);
    QCOMPARE(qsizetype(stats.reportedTasks), stats.reportedIds.size()); // ids are never handed out twice
    for (qint64 count : leavers.counts)
        QVERIFY(count > 0);

    // `afterwork check` on the recording: every invariant of docs/cli.md holds.
    const CliRun check = runCli({"check", m_recordingPath}, 60000);
    QVERIFY2(check.exitCode == 0, qPrintable(check.out.right(4000) + check.err));
    QVERIFY2(check.out.contains("ended with bye"), qPrintable(check.out));

    // The stalled subscriber's own stream: hello, a gap that says exactly what it missed, a
    // snapshot after it, bye. `afterwork check` holds it to the same rules.
    const QString stalledPath = m_dir->filePath(QStringLiteral("stalled.ndjson"));
    {
        QFile file(stalledPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(stalled.received());
    }
    const CliRun stalledCheck = runCli({"check", stalledPath}, 60000);
    QVERIFY2(stalledCheck.exitCode == 0, qPrintable(stalledCheck.out.right(4000) + stalledCheck.err));
    QVERIFY2(stalledCheck.out.contains("ended with bye"), qPrintable(stalledCheck.out));
    qint64 stalledMissed = 0;
    int stalledGaps = 0;
    {
        const QList<QByteArray> lines = stalled.received().split('\n');
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const auto parsed = parseLine(lines[i]);
            const auto *event = std::get_if<StreamEvent>(&parsed);
            if (!event || event->kind() != EventKind::Gap)
                continue;
            ++stalledGaps;
            stalledMissed += event->as<GapEvent>()->missed;
            const auto next = parseLine(lines.value(i + 1));
            QVERIFY2(std::get_if<StreamEvent>(&next) && std::get<StreamEvent>(next).kind() == EventKind::Snapshot,
                     "a gap not followed by a snapshot");
        }
    }
    QVERIFY(stalledGaps >= 1);
    QVERIFY(stalledMissed > 0);
    {
        // Exactly what it missed: what it read before its gap is a stretch of what the recorder
        // got, and what it read after it is the stretch that starts `missed` events later and
        // runs to the end, bye included.
        QFile recording(m_recordingPath);
        QVERIFY(recording.open(QIODevice::ReadOnly));
        const Broadcast recorded = broadcastEvents(recording.readAll());
        const Broadcast seen = broadcastEvents(stalled.received());
        QVERIFY2(!seen.events.isEmpty() && seen.gapsAt.value(0) > 0, "nothing broadcast before the gap");
        qsizetype position = recorded.events.indexOf(seen.events.first());
        QVERIFY2(position >= 0, "the stalled subscriber's first event is not in the recording");
        qsizetype index = 0;
        for (qsizetype gap = 0; gap <= seen.gapsAt.size(); ++gap) {
            const qsizetype stretchEnd = gap < seen.gapsAt.size() ? seen.gapsAt[gap] : seen.events.size();
            for (; index < stretchEnd; ++index, ++position) {
                QVERIFY2(position < recorded.events.size() && recorded.events[position] == seen.events[index],
                         qPrintable(QStringLiteral("the stalled subscriber's event %1 (after %2 gap(s)) is not the "
                                                   "recording's event %3:\n%4\n%5")
                                        .arg(index)
                                        .arg(gap)
                                        .arg(position)
                                        .arg(QString::fromUtf8(seen.events[index].left(300)),
                                             QString::fromUtf8(recorded.events.value(position).left(300)))));
            }
            if (gap < seen.gapsAt.size())
                position += seen.missed[gap];
        }
        QCOMPARE(position, recorded.events.size());
    }

    // The recording itself, read with the client library as a live stream would be.
    FileSource source(m_recordingPath);
    QSignalSpy finished(&source, &EventSource::finished);
    QSignalSpy sequenceGaps(&source, &EventSource::sequenceGap);
    QHash<quint64, TaskTally> tasks;
    QHash<quint64, QStringList> requestStages;
    qint64 lineCount = 0;
    qint64 gapLines = 0;
    qint64 snapshots = 0;
    qint64 initialSnapshotTasks = -1;
    qint64 lastEventsDropped = 0;
    QList<ShutdownEvent> shutdowns;
    std::optional<EventKind> firstKind;
    std::optional<EventKind> lastKind;
    QStringList malformed;
    QHash<QString, qint64> seenSoFar; // task steps by the heartbeat's counter names
    QStringList behindCounters;
    connect(&source, &EventSource::linesReceived, this, [&](const QList<StreamLine> &lines) {
        for (const StreamLine &line : lines) {
            ++lineCount;
            const StreamEvent *event = line.event();
            if (!event) {
                malformed << QStringLiteral("line %1: %2").arg(line.lineNumber).arg(line.error()->toString());
                continue;
            }
            if (!firstKind)
                firstKind = event->kind();
            lastKind = event->kind();
            if (const auto *task = event->as<TaskRecord>()) {
                TaskTally &tally = tasks[task->id];
                if (tally.terminal > 0)
                    ++tally.afterEnd;
                if (task->phase == Phase::Scheduled)
                    ++tally.scheduled;
                else if (task->phase == Phase::Started && tally.started++ == 0)
                    ++seenSoFar[QStringLiteral("started")]; // the counter counts first starts
                else if (task->phase == Phase::Retrying)
                    ++tally.retrying;
                if (isTerminal(task->phase)) {
                    ++tally.terminal;
                    tally.end = task->phase;
                }
                if (task->phase != Phase::Started)
                    ++seenSoFar[QString(wireName(task->phase))];
            } else if (const auto *progress = event->as<ProgressEvent>()) {
                if (tasks.value(progress->taskId).terminal > 0)
                    ++tasks[progress->taskId].afterEnd;
            } else if (const auto *snapshot = event->as<SnapshotEvent>()) {
                if (snapshots++ == 0)
                    initialSnapshotTasks = snapshot->tasks.size();
            } else if (const auto *heartbeat = event->as<HeartbeatEvent>()) {
                lastEventsDropped = heartbeat->eventsDropped;
                // The engine counts a step before it reports it: a heartbeat's counters include
                // every step the stream has carried before it.
                for (auto it = seenSoFar.cbegin(); it != seenSoFar.cend(); ++it) {
                    if (it.key() != QLatin1String("shutdown_pending") && heartbeat->counter(it.key()) < it.value()
                        && behindCounters.size() < 10) {
                        behindCounters << QStringLiteral("line %1: heartbeat counts %2 %3, the stream carried %4")
                                              .arg(line.lineNumber)
                                              .arg(heartbeat->counter(it.key()))
                                              .arg(it.key())
                                              .arg(it.value());
                    }
                }
            } else if (const auto *request = event->as<RequestEvent>()) {
                requestStages[request->requestId] << request->stage;
            } else if (const auto *shutdown = event->as<ShutdownEvent>()) {
                shutdowns << *shutdown;
            } else if (event->kind() == EventKind::Gap) {
                ++gapLines;
            }
        }
    });
    source.start();
    QVERIFY(finished.wait(60000) || finished.count() == 1);

    // The recorder never lagged: no gap, no seq jump, nothing malformed, one snapshot (empty:
    // it connected before the first request), from hello to bye.
    QVERIFY2(malformed.isEmpty(), qPrintable(malformed.mid(0, 10).join(u'\n')));
    QCOMPARE(gapLines, qint64(0));
    QVERIFY(sequenceGaps.isEmpty());
    QCOMPARE(snapshots, qint64(1));
    QCOMPARE(initialSnapshotTasks, qint64(0));
    QVERIFY2(behindCounters.isEmpty(), qPrintable(behindCounters.join(u'\n')));
    QVERIFY(firstKind == EventKind::Hello);
    QVERIFY(lastKind == EventKind::Bye);

    // Every task was scheduled once and ended once, and nothing about it came after its end.
    QMap<Phase, qint64> ends;
    qint64 startedTasks = 0;
    qint64 retryingLines = 0;
    QStringList broken;
    for (auto it = tasks.cbegin(); it != tasks.cend(); ++it) {
        const TaskTally &tally = it.value();
        if (tally.scheduled != 1 || tally.terminal != 1 || tally.afterEnd != 0) {
            broken << QStringLiteral("task %1: scheduled %2 times, ended %3 times, %4 lines after its end")
                          .arg(it.key())
                          .arg(tally.scheduled)
                          .arg(tally.terminal)
                          .arg(tally.afterEnd);
        }
        ++ends[tally.end];
        startedTasks += tally.started > 0 ? 1 : 0;
        retryingLines += tally.retrying;
    }
    QVERIFY2(broken.isEmpty(), qPrintable(broken.mid(0, 20).join(u'\n')));
    // The drain waited for the shielded work and cancelled the rest.
    for (qint64 id : std::as_const(drainShielded))
        QCOMPARE(wireName(tasks.value(quint64(id)).end), wireName(Phase::Succeeded));
    for (qint64 id : std::as_const(drainUnshielded))
        QCOMPARE(wireName(tasks.value(quint64(id)).end), wireName(Phase::Cancelled));

    // Every task the server named in its answers is in the recording.
    QStringList missing;
    for (qint64 id : std::as_const(stats.reportedIds)) {
        if (!tasks.contains(quint64(id)))
            missing << QString::number(id);
    }
    QVERIFY2(missing.isEmpty(), qPrintable("tasks answered but not recorded: " + missing.mid(0, 20).join(u' ')));

    // The engine's final counters, as the demo printed them, are what the recording saw.
    qInfo().noquote() << "soak: engine counters:" << QJsonDocument(counters).toJson(QJsonDocument::Compact);
    QCOMPARE(counters.value("scheduled").toInteger(), qint64(tasks.size()));
    QCOMPARE(counters.value("started").toInteger(), startedTasks);
    QCOMPARE(counters.value("retried").toInteger(), retryingLines);
    QCOMPARE(counters.value("succeeded").toInteger(), ends.value(Phase::Succeeded));
    QCOMPARE(counters.value("failed").toInteger(), ends.value(Phase::Failed));
    QCOMPARE(counters.value("cancelled").toInteger(), ends.value(Phase::Cancelled));
    QCOMPARE(counters.value("abandoned").toInteger(), ends.value(Phase::Abandoned));
    QCOMPARE(counters.value("dropped").toInteger(), ends.value(Phase::Dropped));
    QCOMPARE(counters.value("live").toInteger(), qint64(0));
    QVERIFY2(check.out.contains(QStringLiteral(", %1 tasks,").arg(tasks.size())), qPrintable(check.out));

    // One drain, whose last line is the report the demo printed.
    QVERIFY(shutdowns.size() >= 2);
    QCOMPARE(shutdowns.first().stage, QStringLiteral("started"));
    QCOMPARE(shutdowns.last().stage, QStringLiteral("finished"));
    QCOMPARE(shutdowns.last().finished, report.value("finished").toInteger());
    QCOMPARE(shutdowns.last().cancelled, report.value("cancelled").toInteger());
    QCOMPARE(shutdowns.last().abandoned, report.value("abandoned").toInteger());
    QCOMPARE(shutdowns.last().dropped, report.value("dropped").toInteger());
    QCOMPARE(report.value("abandoned").toInteger(), qint64(0));

    // The publisher counted what the stalled subscriber lost, and it was the only one to lose
    // anything the recorder would have seen.
    QVERIFY2(lastEventsDropped >= stalledMissed,
             qPrintable(QStringLiteral("events_dropped %1, the stalled subscriber missed %2").arg(lastEventsDropped).arg(stalledMissed)));

    // Every request the server received ended: answered, or its client gone.
    QStringList unfinished;
    qint64 clientGone = 0;
    for (auto it = requestStages.cbegin(); it != requestStages.cend(); ++it) {
        const QString last = it.value().last();
        clientGone += last == QLatin1String("client_gone") ? 1 : 0;
        if (last != QLatin1String("response_written") && last != QLatin1String("client_gone"))
            unfinished << QStringLiteral("request %1: %2").arg(it.key()).arg(it.value().join(u','));
    }
    QVERIFY2(unfinished.isEmpty(), qPrintable(unfinished.mid(0, 20).join(u'\n')));

    QStringList endCounts;
    for (auto it = ends.cbegin(); it != ends.cend(); ++it)
        endCounts << QStringLiteral("%1 %2").arg(QString(wireName(it.key()))).arg(it.value());
    qInfo().noquote() << QStringLiteral("soak: %1 lines, %2 tasks (%3), %4 requests (%5 clients gone); the stalled "
                                        "subscriber missed %6 events in %7 gap(s); %8 s in all")
                             .arg(lineCount)
                             .arg(tasks.size())
                             .arg(endCounts.join(u", "))
                             .arg(requestStages.size())
                             .arg(clientGone)
                             .arg(stalledMissed)
                             .arg(stalledGaps)
                             .arg(double(wholeRun.elapsed()) / 1000, 0, 'f', 1);
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // Qt Test's watchdog stops a test function after 5 minutes by default: a longer soak
    // (AFTERWORK_SOAK_SECONDS) gets its own time plus that.
    if (qEnvironmentVariableIsEmpty("QTEST_FUNCTION_TIMEOUT")) {
        const qint64 seconds = qMax(5, environmentInt("AFTERWORK_SOAK_SECONDS", 60));
        qputenv("QTEST_FUNCTION_TIMEOUT", QByteArray::number((seconds + 300) * 1000));
    }
    SoakTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_soak.moc"
