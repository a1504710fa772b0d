// SPDX-License-Identifier: MIT
// The `afterwork` binary, run for real: against a fake source on a real socket, and on files.
#include "../support/fakepublisher.h"
#include "clitestsupport.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace afterwork::testing;
using namespace Qt::StringLiterals;

namespace {

const QString InstanceA = u"aaaaaaaa-0000-0000-0000-000000000001"_s;

//! A small, valid run: a live task from the snapshot ends, another runs and fails, then bye.
QByteArray cleanRun(bool withBye = true)
{
    QList<QByteArray> lines{
        Lines::hello(0, InstanceA, 1'000'000),
        Lines::snapshot(1, {Lines::taskObject(1, "started", 900'000, R"(,"started_us":950000)")}, 1'000'000),
        Lines::task(2, 2, "scheduled", 1'100'000, R"(,"name":"send_email")"),
        Lines::task(3, 2, "started", 1'200'000, R"(,"name":"send_email")"),
        Lines::task(4, 1, "succeeded", 1'300'000, R"(,"wait_us":50000,"run_us":350000)"),
        Lines::task(5, 2, "failed", 1'400'000, R"(,"name":"send_email","error":{"type":"TimeoutError","message":"smtp timeout"})"),
        Lines::heartbeat(6, 1'500'000),
    };
    if (withBye)
        lines.append(Lines::bye(7, 1'600'000));
    return Lines::join(lines);
}

} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void usageErrors();
    void tailMissingSocketIsAClearError();
    void tailBadFilterShowsTheParseError();
    void tailPrintsHumanLinesAndEndsOnBye();
    void tailFiltersAndHonoursNoColor();
    void tailColoursOnlyATerminal();
    void tailShowsProgressAsAPercentage();
    void tailJsonPassesLinesThroughVerbatim();
    void tailReportsAVanishedSource();
    void tailWaitsForTheSource();
    void recordWritesTheStreamVerbatim();
    void recordStopsOnDurationAndSignal();
    void recordErrors();
    void recordReplayCheckRoundTrip();
    void replaySynthesisesAHelloForACutRecording();
    void replayRefusesANameInUse();
    void exportWritesAValidChromeTrace();
    void exportErrors();
    void checkAcceptsACleanRecording();
    void checkFlagsEachViolation_data();
    void checkFlagsEachViolation();
    void checkErrors();

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }
};

void tst_Cli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(AFTERWORK_CLI)), AFTERWORK_CLI);
}

void tst_Cli::usageErrors()
{
    auto result = runCli({});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("Usage: afterwork <command>"));

    result = runCli({u"frobnicate"_s});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("unknown command 'frobnicate'"));

    result = runCli({u"help"_s});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.contains("tail"));

    result = runCli({u"tail"_s, u"--bogus"_s});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("bogus"));

    result = runCli({u"check"_s, u"--help"_s});
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.startsWith("Usage: afterwork check"));

    result = runCli({u"record"_s, u"--connect"_s, u"x"_s});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("--out FILE is required"));

    result = runCli({u"record"_s, u"--out"_s, path(u"x.ndjson"_s), u"--duration"_s, u"soon"_s});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("--duration wants a positive number"));

    result = runCli({u"replay"_s, path(u"x"_s), u"--speed"_s, u"-1"_s});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("--speed wants a number >= 0"));
}

void tst_Cli::tailMissingSocketIsAClearError()
{
    const QString name = uniqueSocketName("cli-missing");
    const auto result = runCli({u"tail"_s, u"--connect"_s, name});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(u"no Afterwork source is listening on '%1'"_s.arg(name).toUtf8()), result.err.constData());
    QVERIFY(result.err.contains("--wait"));
    QVERIFY(result.out.isEmpty());
}

void tst_Cli::tailBadFilterShowsTheParseError()
{
    const auto result = runCli({u"tail"_s, u"--filter"_s, u"name~x phase:faild"_s});
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains("bad filter: column 14, term 'phase:faild': unknown phase 'faild'"), result.err.constData());
}

void tst_Cli::tailPrintsHumanLinesAndEndsOnBye()
{
    FakePublisher publisher;
    const QString name = uniqueSocketName("cli-tail");
    QVERIFY(publisher.listen(name));
    publisher.setGreeting(cleanRun());
    Cli tail({u"tail"_s, u"--connect"_s, name});
    QSignalSpy clients(&publisher, &FakePublisher::clientConnected);
    QTRY_COMPARE_WITH_TIMEOUT(clients.size(), 1, 10000);
    publisher.disconnectAll(); // after the bye, as a publisher does
    const auto result = tail.finish();
    QCOMPARE(result.exitCode, 0);
    const QString out = QString::fromUtf8(result.out);
    QVERIFY2(out.contains(u"── hello fake (pid"_s), qPrintable(out));
    QVERIFY(out.contains(u"── snapshot 1 live task"_s));
    QVERIFY(out.contains(u"#1 task-1  live immediate sync"_s));
    QVERIFY(out.contains(u"#2 send_email  immediate sync"_s));
    QVERIFY(out.contains(u"TimeoutError: smtp timeout"_s));
    QVERIFY(out.contains(u"wait 50.0 ms  run 350 ms"_s));
    QVERIFY(!out.contains(u"heartbeat"_s)); // only with --heartbeats
    QVERIFY(out.contains(u"── bye"_s));
    QCOMPARE(out.count(u'\n'), 8); // hello, snapshot, its live task, four steps, bye
}

void tst_Cli::tailFiltersAndHonoursNoColor()
{
    FakePublisher publisher;
    const QString name = uniqueSocketName("cli-filter");
    QVERIFY(publisher.listen(name));
    publisher.setGreeting(cleanRun());
    QSignalSpy clients(&publisher, &FakePublisher::clientConnected);
    Cli tail({u"tail"_s, u"--connect"_s, name, u"--filter"_s, u"phase:failed,succeeded -id:1"_s, u"--no-color"_s});
    QTRY_COMPARE_WITH_TIMEOUT(clients.size(), 1, 10000);
    publisher.disconnectAll();
    const auto result = tail.finish();
    QCOMPARE(result.exitCode, 0);
    const QString out = QString::fromUtf8(result.out);
    QVERIFY(out.contains(u"failed"_s));
    QVERIFY(!out.contains(u"#1 "_s));
    QVERIFY(!out.contains(u"scheduled"_s));
    QVERIFY(!out.contains(u"\x1b["_s)); // never colour when told so (nor into a pipe)

    // NO_COLOR alone, with --heartbeats
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"NO_COLOR"_s, u"1"_s);
    publisher.setGreeting(cleanRun());
    Cli again({u"tail"_s, u"--connect"_s, name, u"--heartbeats"_s}, environment);
    QTRY_COMPARE_WITH_TIMEOUT(clients.size(), 2, 10000);
    publisher.disconnectAll();
    const auto second = again.finish();
    QCOMPARE(second.exitCode, 0);
    QVERIFY(second.out.contains("── heartbeat"));
    QVERIFY(!second.out.contains("\x1b["));
}

void tst_Cli::tailShowsProgressAsAPercentage()
{
    const QByteArray run = Lines::join({
        Lines::hello(0, InstanceA, 1'000'000),
        // Connected mid-task: the snapshot already says how far it is.
        Lines::snapshot(1, {Lines::taskObject(3, "started", 900'000, R"(,"name":"export","progress":{"done":20,"total":50,"message":"rows"})")}, 1'000'000),
        Lines::progress(2, 3, 21, 50, "rows", 1'100'000),
        Lines::progress(3, 3, 7, 0, nullptr, 1'200'000), // total unknown: no percentage
        Lines::task(4, 3, "succeeded", 1'300'000, R"(,"name":"export","wait_us":1,"run_us":2)"),
        Lines::bye(5, 1'400'000),
    });
    FakePublisher publisher;
    const QString name = uniqueSocketName("cli-progress");
    QVERIFY(publisher.listen(name));
    publisher.setGreeting(run);
    QSignalSpy clients(&publisher, &FakePublisher::clientConnected);
    Cli tail({u"tail"_s, u"--connect"_s, name, u"--no-color"_s});
    QTRY_COMPARE_WITH_TIMEOUT(clients.size(), 1, 10000);
    const auto result = tail.finish();
    QCOMPARE(result.exitCode, 0);
    const QString out = QString::fromUtf8(result.out);
    QVERIFY2(out.contains(u"progress"_s) && out.contains(u"#3 42% (21/50)  rows"_s), qPrintable(out));
    QVERIFY2(out.contains(u"#3 7 done"_s), qPrintable(out));
    // The snapshot's live task shows how far it was when tail connected.
    QVERIFY2(out.contains(QRegularExpression(u"started +#3 export .*live.*  40% \\(20/50\\)  rows\n"_s)), qPrintable(out));

    // A recording with progress lines and a snapshot's progress is a clean one, and exports.
    const QString recording = path(u"progress.ndjson"_s);
    QVERIFY(writeAll(recording, run));
    const auto check = runCli({u"check"_s, recording});
    QVERIFY2(check.exitCode == 0, check.out.constData());
    const auto exported = runCli({u"export"_s, u"--chrome"_s, recording, path(u"progress.json"_s)});
    QVERIFY2(exported.exitCode == 0, exported.err.constData());
}

void tst_Cli::tailColoursOnlyATerminal()
{
    // util-linux `script` gives the child a pseudo-terminal as its standard output.
    const QString script = QStandardPaths::findExecutable(u"script"_s);
    if (script.isEmpty())
        QSKIP("needs util-linux 'script' to give the tool a terminal");
    FakePublisher publisher;
    const QString name = uniqueSocketName("cli-tty");
    QVERIFY(publisher.listen(name));
    QSignalSpy clients(&publisher, &FakePublisher::clientConnected);
    const auto runInTerminal = [&](const QString &extra, bool noColorVariable) {
        publisher.setGreeting(cleanRun());
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(u"NO_COLOR"_s);
        if (noColorVariable)
            environment.insert(u"NO_COLOR"_s, u"1"_s);
        process.setProcessEnvironment(environment);
        const QString command = u"'%1' tail --connect '%2' %3"_s.arg(QStringLiteral(AFTERWORK_CLI), name, extra);
        process.start(script, {u"-qefc"_s, command, u"/dev/null"_s});
        // That the tool connected is all this waits for: a CLI built for ThreadSanitizer, started
        // through `script` while the rest of the suite runs, once took longer than 10 s to connect,
        // and a count checked for one exact value never matches once it has gone past it.
        const qsizetype before = clients.size();
        [&] { QTRY_VERIFY_WITH_TIMEOUT(clients.size() > before, 20000); }();
        publisher.disconnectAll();
        QByteArray out;
        QDeadlineTimer deadline(10000);
        while (process.state() != QProcess::NotRunning && !deadline.hasExpired()) {
            QTest::qWait(10);
            out += process.readAllStandardOutput();
        }
        out += process.readAllStandardOutput();
        return out;
    };
    const QByteArray coloured = runInTerminal(QString(), false);
    QVERIFY2(coloured.contains("send_email"), coloured.constData());
    QVERIFY(coloured.contains("\x1b[1;31mfailed")); // failures in bold red
    QVERIFY(!runInTerminal(u"--no-color"_s, false).contains("\x1b["));
    QVERIFY(!runInTerminal(QString(), true).contains("\x1b["));
}

void tst_Cli::tailJsonPassesLinesThroughVerbatim()
{
    FakePublisher publisher;
    const QString name = uniqueSocketName("cli-json");
    QVERIFY(publisher.listen(name));
    publisher.setGreeting(cleanRun());
    QSignalSpy clients(&publisher, &FakePublisher::clientConnected);
    Cli tail({u"tail"_s, u"--connect"_s, name, u"--json"_s, u"--filter"_s, u"name~EMAIL"_s});
    QTRY_COMPARE_WITH_TIMEOUT(clients.size(), 1, 10000);
    publisher.disconnectAll();
    const auto result = tail.finish();
    QCOMPARE(result.exitCode, 0);
    // Every non-task line and the matching task lines, byte for byte, in order.
    QByteArray expected;
    for (const QByteArray &line : cleanRun().split('\n')) {
        if (line.isEmpty())
            continue;
        if (!line.contains(R"("kind":"task")") || line.contains("send_email"))
            expected += line + '\n';
    }
    QCOMPARE(result.out, expected);
}

void tst_Cli::tailReportsAVanishedSource()
{
    FakePublisher publisher;
    const QString name = uniqueSocketName("cli-vanish");
    QVERIFY(publisher.listen(name));
    publisher.setGreeting(Lines::join({Lines::hello(0, InstanceA),
                                       Lines::snapshot(1, {Lines::taskObject(1, "started"), Lines::taskObject(2, "scheduled")})}));
    QSignalSpy clients(&publisher, &FakePublisher::clientConnected);
    Cli tail({u"tail"_s, u"--connect"_s, name});
    QTRY_COMPARE_WITH_TIMEOUT(clients.size(), 1, 10000);
    QVERIFY(tail.waitForOutput("#2 task-2"));
    publisher.disconnectAll(); // no bye: the source died
    const auto result = tail.finish();
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(u"the source on '%1' vanished without bye; 2 live task(s) lost"_s.arg(name).toUtf8()),
             result.err.constData());
}

void tst_Cli::tailWaitsForTheSource()
{
    const QString name = uniqueSocketName("cli-wait");
    Cli tail({u"tail"_s, u"--connect"_s, name, u"--wait"_s});
    QVERIFY(tail.waitForOutput("waiting for it to appear"));
    FakePublisher publisher;
    publisher.setGreeting(cleanRun());
    QVERIFY(publisher.listen(name));
    QVERIFY(tail.waitForOutput("── bye"));
    publisher.disconnectAll();
    QVERIFY(tail.waitForOutput("the source said bye; waiting for it to come back"));
    tail.signal(SIGTERM);
    const auto result = tail.finish();
    QCOMPARE(result.exitStatus, QProcess::NormalExit);
    QCOMPARE(result.exitCode, 0);
}

void tst_Cli::recordWritesTheStreamVerbatim()
{
    FakePublisher publisher;
    const QString name = uniqueSocketName("cli-record");
    QVERIFY(publisher.listen(name));
    // Odd but legal bytes stay as they are: spacing, unknown fields, a malformed line.
    const QByteArray stream = cleanRun(false) + "{ \"v\":1, \"seq\":7, \"ts_us\":2, \"kind\":\"x\", \"new\":[1] }\nnot json\n"
        + Lines::bye(9) + '\n';
    publisher.setGreeting(stream);
    const QString out = path(u"record.ndjson"_s);
    Cli record({u"record"_s, u"--connect"_s, name, u"--out"_s, out});
    QSignalSpy clients(&publisher, &FakePublisher::clientConnected);
    QTRY_COMPARE_WITH_TIMEOUT(clients.size(), 1, 10000);
    const auto result = record.finish();
    QCOMPARE(result.exitCode, 0); // stopped by the bye
    QCOMPARE(readAll(out), stream);
    QVERIFY2(result.err.contains("the source said bye; 10 lines"), result.err.constData());
}

void tst_Cli::recordStopsOnDurationAndSignal()
{
    FakePublisher publisher;
    const QString name = uniqueSocketName("cli-duration");
    QVERIFY(publisher.listen(name));
    publisher.setGreeting(cleanRun(false));
    const QString first = path(u"duration.ndjson"_s);
    Cli timed({u"record"_s, u"--connect"_s, name, u"--out"_s, first, u"--duration"_s, u"0.3"_s});
    const auto timedResult = timed.finish();
    QCOMPARE(timedResult.exitCode, 0);
    QVERIFY2(timedResult.err.contains("the duration passed"), timedResult.err.constData());
    QCOMPARE(readAll(first), cleanRun(false));

    const QString second = path(u"signal.ndjson"_s);
    Cli interrupted({u"record"_s, u"--connect"_s, name, u"--out"_s, second});
    QVERIFY(interrupted.waitForError("recording socket"));
    QTRY_COMPARE_WITH_TIMEOUT(readAll(second), cleanRun(false), 10000); // flushed as it arrives
    interrupted.signal(SIGINT);
    const auto result = interrupted.finish();
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.err.contains("interrupted"));
    QCOMPARE(readAll(second), cleanRun(false));
}

void tst_Cli::recordErrors()
{
    const QString missing = uniqueSocketName("cli-record-missing");
    const QString out = path(u"never.ndjson"_s);
    auto result = runCli({u"record"_s, u"--connect"_s, missing, u"--out"_s, out});
    QCOMPARE(result.exitCode, 1);
    QVERIFY(result.err.contains(u"no Afterwork source is listening on '%1'"_s.arg(missing).toUtf8()));
    QVERIFY(!QFile::exists(out)); // no empty file left behind

    result = runCli({u"record"_s, u"--connect"_s, missing, u"--out"_s, path(u"no/such/dir/x.ndjson"_s)});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("cannot write"));

    result = runCli({u"record"_s, u"--connect"_s, missing, u"--out"_s, m_dir.path()});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("it is a directory"));
}

void tst_Cli::recordReplayCheckRoundTrip()
{
    // A recording with a gap: replay keeps the jump, so check still accepts it.
    const QByteArray original = Lines::join({
        Lines::hello(0, InstanceA, 1'000'000),
        Lines::snapshot(1, {}, 1'000'000),
        Lines::task(2, 1, "scheduled", 1'010'000),
        Lines::gap(8, 5, 1'020'000),
        Lines::snapshot(9, {Lines::taskObject(1, "started", 1'015'000)}, 1'020'000),
        Lines::task(10, 1, "succeeded", 1'030'000),
        Lines::bye(11, 1'040'000),
    });
    const QString source = path(u"original.ndjson"_s);
    QVERIFY(writeAll(source, original));
    auto check = runCli({u"check"_s, source});
    QCOMPARE(check.exitCode, 0);

    const QString name = uniqueSocketName("cli-replay");
    Cli replay({u"replay"_s, source, u"--listen"_s, name, u"--speed"_s, u"0"_s, u"--once"_s});
    QVERIFY(replay.waitForError("listening on"));
    const QString copy = path(u"replayed.ndjson"_s);
    const auto record = runCli({u"record"_s, u"--connect"_s, name, u"--out"_s, copy});
    QCOMPARE(record.exitCode, 0);
    QVERIFY2(record.err.contains("the source said bye"), record.err.constData());
    const auto replayResult = replay.finish();
    QCOMPARE(replayResult.exitCode, 0); // --once: done after one subscriber

    QCOMPARE(readAll(copy), original); // hello was already seq 0: the same bytes
    check = runCli({u"check"_s, copy});
    QCOMPARE(check.exitCode, 0);
    QVERIFY(check.out.contains("ok: 7 lines, 1 tasks, ended with bye"));

    // A recording made from seq 100 on is re-sequenced from 0, gaps and all.
    QByteArray shifted;
    for (const QByteArray &line : original.split('\n')) {
        if (line.isEmpty())
            continue;
        const auto seq = QJsonDocument::fromJson(line).object().value(u"seq"_s).toInteger();
        QByteArray moved = line;
        moved.replace(u"\"seq\":%1,"_s.arg(seq).toUtf8(), u"\"seq\":%1,"_s.arg(seq + 100).toUtf8());
        shifted += moved + '\n';
    }
    QVERIFY(writeAll(source, shifted));
    QCOMPARE(runCli({u"check"_s, source}).exitCode, 1); // hello must be seq 0
    Cli again({u"replay"_s, source, u"--listen"_s, name, u"--speed"_s, u"0"_s, u"--once"_s});
    QVERIFY(again.waitForError("listening on"));
    QCOMPARE(runCli({u"record"_s, u"--connect"_s, name, u"--out"_s, copy}).exitCode, 0);
    QCOMPARE(again.finish().exitCode, 0);
    QCOMPARE(readAll(copy), original);
}

void tst_Cli::replaySynthesisesAHelloForACutRecording()
{
    const QString source = path(u"cut.ndjson"_s);
    QVERIFY(writeAll(source, Lines::join({Lines::task(40, 1, "started", 2'000'000), Lines::task(41, 1, "succeeded", 2'100'000),
                                          Lines::bye(42, 2'200'000)})));
    QCOMPARE(runCli({u"check"_s, source}).exitCode, 1); // does not start with hello
    const QString name = uniqueSocketName("cli-cut");
    Cli replay({u"replay"_s, source, u"--listen"_s, name, u"--speed"_s, u"0"_s, u"--once"_s});
    QVERIFY(replay.waitForError("listening on"));
    const QString copy = path(u"cut-replayed.ndjson"_s);
    QCOMPARE(runCli({u"record"_s, u"--connect"_s, name, u"--out"_s, copy}).exitCode, 0);
    QCOMPARE(replay.finish().exitCode, 0);
    const QList<QByteArray> lines = readAll(copy).trimmed().split('\n');
    QCOMPARE(lines.size(), 5);
    QVERIFY(lines[0].contains(R"("seq":0,"ts_us":2000000,"kind":"hello")"));
    QVERIFY(lines[1].contains(R"("seq":1,"ts_us":2000000,"kind":"snapshot","tasks":[])"));
    QVERIFY(lines[2].startsWith(R"({"v":1,"seq":2,)"));
    QVERIFY(lines[4].startsWith(R"({"v":1,"seq":4,)"));
    const auto check = runCli({u"check"_s, copy});
    QVERIFY2(check.exitCode == 0, check.out.constData());
}

void tst_Cli::replayRefusesANameInUse()
{
    FakePublisher live;
    const QString name = uniqueSocketName("cli-inuse");
    QVERIFY(live.listen(name));
    const QString source = path(u"inuse.ndjson"_s);
    QVERIFY(writeAll(source, cleanRun()));
    Cli replay({u"replay"_s, source, u"--listen"_s, name});
    const auto result = replay.finish(); // pumps events: the live server answers the probe
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains("is in use by a live source"), result.err.constData());

    const auto missing = runCli({u"replay"_s, path(u"nope.ndjson"_s)});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY(missing.err.contains("no such file"));
}

void tst_Cli::exportWritesAValidChromeTrace()
{
    const QString source = path(u"export.ndjson"_s);
    QByteArray run = cleanRun(false);
    run += Lines::join({Lines::request(7, 7, "received", 1'700'000), Lines::request(8, 7, "response_written", 1'800'000),
                        Lines::shutdown(9, "started", 1'900'000), Lines::task(10, 3, "scheduled", 1'950'000),
                        Lines::bye(11, 2'000'000)});
    QVERIFY(writeAll(source, run));
    const QString out = path(u"trace.json"_s);
    const auto result = runCli({u"export"_s, u"--chrome"_s, source, out});
    QCOMPARE(result.exitCode, 0);
    QJsonParseError error;
    const QJsonDocument trace = QJsonDocument::fromJson(readAll(out), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonArray events = trace.object().value(u"traceEvents"_s).toArray();
    QVERIFY(!events.isEmpty());

    // Every async slice opens once and closes once, by cat + id, with its phase changes between.
    QHash<QString, int> open;
    QHash<QString, QStringList> marks;
    QHash<QString, QJsonObject> ends;
    for (const QJsonValue &value : events) {
        const QJsonObject event = value.toObject();
        const QString ph = event.value(u"ph"_s).toString();
        QVERIFY(event.contains(u"pid"_s));
        if (ph != u"M"_s)
            QVERIFY2(event.value(u"ts"_s).isDouble(), qPrintable(QJsonDocument(event).toJson()));
        if (ph != u"b"_s && ph != u"e"_s && ph != u"n"_s)
            continue;
        const QString key = event.value(u"cat"_s).toString() + u'/' + event.value(u"id"_s).toString();
        if (ph == u"b"_s) {
            QVERIFY2(!open.contains(key), qPrintable(key));
            open[key] = 1;
        } else if (ph == u"n"_s) {
            QVERIFY2(open.value(key) == 1, qPrintable(key));
            marks[key].append(event.value(u"name"_s).toString());
        } else {
            QVERIFY2(open.value(key) == 1, qPrintable(key));
            open[key] = 2;
            ends[key] = event;
        }
    }
    for (auto it = open.cbegin(); it != open.cend(); ++it)
        QVERIFY2(it.value() == 2, qPrintable(it.key()));
    QCOMPARE(marks.value(u"task/0x2"_s), (QStringList{u"scheduled"_s, u"started"_s, u"failed"_s}));
    QCOMPARE(ends[u"task/0x2"_s].value(u"args"_s).toObject().value(u"error"_s).toObject().value(u"message"_s).toString(),
             u"smtp timeout"_s);
    QCOMPARE(ends[u"task/0x3"_s].value(u"args"_s).toObject().value(u"phase"_s).toString(), u"unfinished"_s);
    QVERIFY(marks.value(u"request/0x1000000000000007"_s).contains(u"response_written"_s));
    bool sawShutdown = false;
    for (const QJsonValue &value : events)
        sawShutdown |= value.toObject().value(u"name"_s).toString() == u"shutdown started"_s;
    QVERIFY(sawShutdown);
}

void tst_Cli::exportErrors()
{
    auto result = runCli({u"export"_s, path(u"a"_s), path(u"b"_s)});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("--chrome"));
    result = runCli({u"export"_s, u"--chrome"_s, path(u"missing.ndjson"_s), path(u"b.json"_s)});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("no such file"));
    const QString source = path(u"ok.ndjson"_s);
    QVERIFY(writeAll(source, cleanRun()));
    result = runCli({u"export"_s, u"--chrome"_s, source, path(u"no/such/dir/out.json"_s)});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("cannot write"));
}

void tst_Cli::checkAcceptsACleanRecording()
{
    const QString source = path(u"clean.ndjson"_s);
    QVERIFY(writeAll(source, cleanRun()));
    const auto result = runCli({u"check"_s, source});
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.out, (source + u": ok: 8 lines, 2 tasks, ended with bye\n"_s).toUtf8());
}

void tst_Cli::checkFlagsEachViolation_data()
{
    QTest::addColumn<QByteArray>("recording");
    QTest::addColumn<QString>("expected"); // "LINE: message part"

    const QByteArray hello = Lines::hello(0, InstanceA);
    const QByteArray snapshot = Lines::snapshot(1, {});
    QTest::newRow("malformed") << Lines::join({hello, snapshot, "{\"v\":1,"}) << u"3: malformed line: "_s;
    QTest::newRow("not hello first") << Lines::join({snapshot}) << u"1: the stream starts with a 'snapshot' line, not hello"_s;
    QTest::newRow("hello not seq 0") << Lines::join({Lines::hello(3, InstanceA), Lines::snapshot(4, {})})
                                     << u"1: hello has seq 3"_s;
    QTest::newRow("seq jump") << Lines::join({hello, snapshot, Lines::task(5, 1, "scheduled")})
                              << u"3: seq jumps from 1 (line 2) to 5 with no gap line"_s;
    QTest::newRow("progress after the end") << Lines::join({hello, snapshot, Lines::task(2, 1, "succeeded"), Lines::progress(3, 1, 1, 2)})
                                            << u"4: task 1 (task-1) reported progress after it ended (succeeded at line 3)"_s;
    QTest::newRow("seq repeats") << Lines::join({hello, snapshot, Lines::task(1, 1, "scheduled")})
                                 << u"3: seq 1 does not increase (line 2 had 1)"_s;
    QTest::newRow("gap miscounts") << Lines::join({hello, snapshot, Lines::gap(10, 5), Lines::snapshot(11, {})})
                                   << u"3: gap says 5 event(s) were missed, so its seq should be 7"_s;
    QTest::newRow("two terminals") << Lines::join({hello, snapshot, Lines::task(2, 1, "succeeded"), Lines::task(3, 1, "failed")})
                                   << u"4: task 1 (task-1) ended a second time (failed; it was succeeded at line 3)"_s;
    QTest::newRow("step after the end") << Lines::join({hello, snapshot, Lines::task(2, 1, "cancelled"), Lines::task(3, 1, "started")})
                                        << u"4: task 1 (task-1) reported started after it ended (cancelled at line 3)"_s;
    QTest::newRow("live at bye") << Lines::join({hello, snapshot, Lines::task(2, 1, "started"), Lines::bye(3)})
                                 << u"3: task 1 (task-1) never ended: last seen started here, and the stream ended with bye at line 4"_s;
    QTest::newRow("after bye") << Lines::join({hello, snapshot, Lines::bye(2), Lines::heartbeat(3), Lines::heartbeat(4)})
                               << u"4: 2 line(s) after the bye at line 3"_s;
    QTest::newRow("shielded cancelled by shutdown")
        << Lines::join({hello, snapshot, Lines::task(2, 1, "started", 1, R"(,"shielded":true)"), Lines::shutdown(3, "started"),
                        Lines::task(4, 1, "cancelled", 1, R"(,"shielded":true)")})
        << u"5: shielded task 1 (task-1) was cancelled by the shutdown that started at line 4"_s;
    QTest::newRow("after-response too early")
        << Lines::join({hello, snapshot, Lines::request(2, 7, "received"),
                        Lines::task(3, 1, "started", 1, R"(,"mode":"after_response","request":7)"),
                        Lines::request(4, 7, "response_written")})
        << u"4: after-response task 1 (task-1) started before request 7's response was written (at line 5)"_s;
    QTest::newRow("after-response, response never written")
        << Lines::join({hello, snapshot, Lines::request(2, 7, "received"),
                        Lines::task(3, 1, "started", 1, R"(,"mode":"after_response","request":7)")})
        << u"4: after-response task 1 (task-1) started before request 7's response was written (it never was)"_s;
    QTest::newRow("snapshot lists an ended task")
        << Lines::join({hello, snapshot, Lines::task(2, 1, "succeeded"), Lines::gap(4, 1), Lines::snapshot(5, {Lines::taskObject(1, "started")})})
        << u"5: the snapshot lists task 1 (task-1) as live, but it ended (succeeded) at line 3"_s;
}

void tst_Cli::checkFlagsEachViolation()
{
    QFETCH(QByteArray, recording);
    QFETCH(QString, expected);
    const QString source = path(u"violation.ndjson"_s);
    QVERIFY(writeAll(source, recording));
    const auto result = runCli({u"check"_s, source});
    QCOMPARE(result.exitCode, 1);
    const QString out = QString::fromUtf8(result.out);
    QVERIFY2(out.contains(source + u':' + expected), qPrintable(out));
    QVERIFY(out.contains(u"violation(s) in"_s));
}

void tst_Cli::checkErrors()
{
    auto result = runCli({u"check"_s, path(u"missing.ndjson"_s)});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("no such file"));
    result = runCli({u"check"_s});
    QCOMPARE(result.exitCode, 2);
    const QString unreadable = path(u"unreadable.ndjson"_s);
    QVERIFY(writeAll(unreadable, cleanRun()));
    QFile::setPermissions(unreadable, QFileDevice::WriteOwner);
    // Root reads anything: the permission case can only be made for other users.
    if (!QFile(unreadable).open(QIODevice::ReadOnly)) {
        result = runCli({u"check"_s, unreadable});
        QCOMPARE(result.exitCode, 2);
        QVERIFY(result.err.contains("cannot read"));
    }
    result = runCli({u"check"_s, m_dir.path()});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("it is a directory"));
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
