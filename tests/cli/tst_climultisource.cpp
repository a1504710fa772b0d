// SPDX-License-Identifier: MIT
// The `afterwork` binary with several sources at once: tail and record against fake publishers on
// real sockets, and check, export and replay of the multi-source recording that record makes.
#include "../support/fakepublisher.h"
#include "clitestsupport.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QSet>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace afterwork::testing;
using namespace Qt::StringLiterals;

namespace {

//! One source's clean run in two parts: what it greets with (a hello and a snapshot with a live
//! task), and the rest (another task, both ending, bye). Ids differ between sources.
struct Run
{
    QByteArray greeting;
    QByteArray rest;
    QByteArray all() const { return greeting + rest; }
};

Run cleanRun(const QString &instance, quint64 firstId)
{
    const quint64 live = firstId;
    const quint64 next = firstId + 1;
    return Run{Lines::join({Lines::hello(0, instance, 1'000'000),
                            Lines::snapshot(1, {Lines::taskObject(live, "started", 900'000)}, 1'000'000)}),
               Lines::join({Lines::task(2, next, "scheduled", 1'100'000), Lines::task(3, next, "started", 1'200'000),
                            Lines::task(4, live, "succeeded", 1'300'000, R"(,"wait_us":1,"run_us":2)"),
                            Lines::task(5, next, "succeeded", 1'400'000, R"(,"wait_us":1,"run_us":2)"),
                            Lines::bye(6, 1'500'000)})};
}

const Run RunA = cleanRun(u"aaaaaaaa-0000-0000-0000-000000000001"_s, 1);
const Run RunB = cleanRun(u"bbbbbbbb-0000-0000-0000-000000000002"_s, 11);
const QByteArray MarkerA = R"({"v":1,"kind":"source","name":"a"})";
const QByteArray MarkerB = R"({"v":1,"kind":"source","name":"b"})";

//! RunA and RunB interleaved as `record` writes them: a marker first and at every change of source.
QByteArray interleaved()
{
    return MarkerA + '\n' + RunA.greeting + MarkerB + '\n' + RunB.greeting + MarkerA + '\n' + RunA.rest + MarkerB + '\n' + RunB.rest;
}

QList<QByteArray> linesOf(const QByteArray &bytes)
{
    QList<QByteArray> lines = bytes.split('\n');
    if (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    return lines;
}

//! Two fake publishers on their own socket names, greeting with \a greetingA and \a greetingB;
//! arguments() labels them `a` and `b`.
struct TwoPublishers
{
    TwoPublishers(const char *tag, const QByteArray &greetingA, const QByteArray &greetingB)
        : nameA(uniqueSocketName(tag) + u"-a"_s), nameB(uniqueSocketName(tag) + u"-b"_s)
    {
        a.setGreeting(greetingA);
        b.setGreeting(greetingB);
    }
    bool listen() { return a.listen(nameA) && b.listen(nameB); }
    QStringList arguments() const { return {u"--connect"_s, u"a="_s + nameA, u"--connect"_s, u"b="_s + nameB}; }

    FakePublisher a;
    FakePublisher b;
    QSignalSpy clientsA{&a, &FakePublisher::clientConnected};
    QSignalSpy clientsB{&b, &FakePublisher::clientConnected};
    const QString nameA;
    const QString nameB;
};

} // namespace

class tst_CliMultiSource : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void badLabelsAreUsageErrors();
    void tailLabelsEachSourceAndOutlivesOne();
    void tailJsonLabelsEachLine();
    void recordTwoSourcesMarksThem();
    void singleSourceRecordingIsUnchanged();
    void recordLeavesOutAMarkerFromASource();
    void aMissingSourceEndsAloneWithStatus1();
    void checkNamesTheSourceOfAViolation();
    void exportGivesEachSourceItsProcess();
    void exportKeepsOverlappingTaskIdsApart();
    void replayServesTheSourcesApart();
    void checkExportAndReplayReadAPipe();
    void oddMarkersReadTheSameEverywhere();
    void exportRewritesTheFirstSourceWhenASecondAppears();

private:
    //! Records RunA and RunB (interleaved: both greetings, then A's rest, then B's) into \a out.
    void recordBoth(const QString &out);
    QString recording();

    QTemporaryDir m_dir;
    QString m_recording;
    QString path(const QString &name) const { return m_dir.filePath(name); }
};

void tst_CliMultiSource::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(AFTERWORK_CLI)), AFTERWORK_CLI);
}

void tst_CliMultiSource::badLabelsAreUsageErrors()
{
    const QString name = uniqueSocketName("multi-labels");
    const QList<std::pair<QStringList, QByteArray>> cases{
        {{u"--connect"_s, u"a="_s + name, u"--connect"_s, u"a=other"_s}, "two sources are labelled 'a'"},
        {{u"--connect"_s, name, u"--connect"_s, name}, "two sources are labelled"},
        {{u"--connect"_s, u"=x"_s, u"--connect"_s, name}, "a source's label is 1 to"},
        {{u"--connect"_s, u"a b=x"_s, u"--connect"_s, name}, "without whitespace, control or format characters"},
        {{u"--connect"_s, u"a\tb=x"_s, u"--connect"_s, name}, "without whitespace, control or format characters"},
        {{u"--connect"_s, u"a\x01-b=x"_s, u"--connect"_s, name}, "without whitespace, control or format characters"},
        {{u"--connect"_s, u"a\u202e-b=x"_s, u"--connect"_s, name}, "without whitespace, control or format characters"},
    };
    for (const QString &command : {u"tail"_s, u"record"_s}) {
        for (const auto &[arguments, message] : cases) {
            QStringList argv{command};
            argv << arguments;
            if (command == u"record"_s)
                argv << u"--out"_s << path(u"never.ndjson"_s);
            const auto result = runCli(argv);
            QCOMPARE(result.exitCode, 2);
            QVERIFY2(result.err.contains(message), result.err.constData());
        }
    }
    QVERIFY(!QFile::exists(path(u"never.ndjson"_s)));
    // Commands that act on one source say so.
    const auto cancel = runCli({u"cancel"_s, u"--connect"_s, name, u"--connect"_s, u"b="_s + name, u"1"_s});
    QCOMPARE(cancel.exitCode, 2);
    QVERIFY2(cancel.err.contains("one --connect at a time"), cancel.err.constData());
}

void tst_CliMultiSource::tailLabelsEachSourceAndOutlivesOne()
{
    TwoPublishers publishers("multi-tail", RunA.greeting, RunB.greeting);
    QVERIFY(publishers.listen());
    Cli tail(QStringList{u"tail"_s, u"--no-color"_s} + publishers.arguments());
    QVERIFY2(tail.waitForOutput("[a] "), tail.err().constData());
    QVERIFY(tail.waitForOutput("#1 task-1  live"));
    QVERIFY(tail.waitForOutput("#11 task-11  live"));
    QTRY_COMPARE_WITH_TIMEOUT(publishers.clientsB.size(), 1, 10000);

    publishers.a.vanish(); // no bye: a's live task is lost, b goes on
    QVERIFY(tail.waitForError(u"[a] the source on '%1' vanished without bye; 1 live task(s) lost"_s.arg(publishers.nameA).toUtf8()));
    publishers.b.writeToAll(RunB.rest);
    QVERIFY(tail.waitForOutput("── bye"));
    publishers.b.disconnectAll();
    const auto result = tail.finish();
    QCOMPARE(result.exitCode, 1); // the worst of the two: a vanished
    const QList<QByteArray> lines = linesOf(result.out);
    QVERIFY(!lines.isEmpty());
    for (const QByteArray &line : lines)
        QVERIFY2(line.startsWith("[a] ") || line.startsWith("[b] "), line.constData());
    QVERIFY(result.out.contains("[a] ") && result.out.contains("── hello fake"));
    QVERIFY2(result.out.contains("[b] ") && result.out.contains("#12 task-12  immediate sync"), result.out.constData());
    QVERIFY(!result.err.contains("[b] the source on")); // b ended with bye: nothing to report
}

void tst_CliMultiSource::tailJsonLabelsEachLine()
{
    TwoPublishers publishers("multi-json", RunA.all(), RunB.all());
    QVERIFY(publishers.listen());
    Cli tail(QStringList{u"tail"_s, u"--json"_s} + publishers.arguments());
    const auto result = tail.finish();
    QCOMPARE(result.exitCode, 0); // both said bye
    QByteArray ofA;
    QByteArray ofB;
    for (const QByteArray &line : linesOf(result.out)) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        const QString label = object.value(u"source_label"_s).toString();
        QVERIFY2(label == u"a"_s || label == u"b"_s, line.constData());
        // The rest of the line is the source's, byte for byte.
        const QByteArray member = "\"source_label\":\"" + label.toUtf8() + "\",";
        QVERIFY2(line.startsWith("{" + member), line.constData());
        (label == u"a"_s ? ofA : ofB) += "{" + line.mid(member.size() + 1) + '\n';
        if (object.value(u"kind"_s) == u"hello"_s)
            QVERIFY(object.value(u"source"_s).isObject()); // the hello's own member is untouched
    }
    QCOMPARE(ofA, RunA.all());
    QCOMPARE(ofB, RunB.all());
}

void tst_CliMultiSource::recordBoth(const QString &out)
{
    TwoPublishers publishers("multi-record", RunA.greeting, RunB.greeting);
    QVERIFY(publishers.listen());
    Cli record(QStringList{u"record"_s, u"--out"_s, out} + publishers.arguments());
    QTRY_COMPARE_WITH_TIMEOUT(publishers.clientsA.size(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(publishers.clientsB.size(), 1, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(readAll(out).contains(RunA.greeting) && readAll(out).contains(RunB.greeting), 10000);
    publishers.a.writeToAll(RunA.rest);
    QTRY_VERIFY_WITH_TIMEOUT(readAll(out).contains(RunA.rest), 10000);
    publishers.b.writeToAll(RunB.rest);
    const auto result = record.finish();
    QCOMPARE(result.exitCode, 0); // both said bye
    QVERIFY2(result.err.contains("[a] recording socket") && result.err.contains("[b] recording socket"), result.err.constData());
    QVERIFY2(result.err.contains("every source ended; 14 lines in"), result.err.constData());
    QVERIFY2(result.err.contains("([a] 7, [b] 7)"), result.err.constData());
}

QString tst_CliMultiSource::recording()
{
    if (m_recording.isEmpty()) {
        const QString out = path(u"both.ndjson"_s);
        recordBoth(out);
        if (!QTest::currentTestFailed())
            m_recording = out;
    }
    return m_recording;
}

void tst_CliMultiSource::recordTwoSourcesMarksThem()
{
    const QString out = recording();
    QVERIFY(!out.isEmpty());
    const QList<QByteArray> lines = linesOf(readAll(out));
    QVERIFY(!lines.isEmpty());
    QVERIFY2(lines.constFirst() == MarkerA || lines.constFirst() == MarkerB, lines.constFirst().constData()); // a marker first
    // A marker only where the source changes; between markers, a source's lines verbatim.
    QByteArray current;
    QByteArray ofA;
    QByteArray ofB;
    int markers = 0;
    for (const QByteArray &line : lines) {
        if (line == MarkerA || line == MarkerB) {
            QVERIFY2(line != current, "a marker repeats the source already current");
            current = line;
            ++markers;
            continue;
        }
        (current == MarkerA ? ofA : ofB) += line + '\n';
    }
    QVERIFY(markers >= 3); // both greetings, then a's rest, then b's rest
    QCOMPARE(ofA, RunA.all());
    QCOMPARE(ofB, RunB.all());
}

void tst_CliMultiSource::singleSourceRecordingIsUnchanged()
{
    FakePublisher publisher;
    const QString name = uniqueSocketName("multi-single");
    QVERIFY(publisher.listen(name));
    // Odd but legal bytes, a malformed line, and a line that looks like a marker: all verbatim.
    const QByteArray stream = RunA.greeting + MarkerB + "\nnot json\n" + RunA.rest;
    publisher.setGreeting(stream);
    for (const QString &connect : {name, u"solo="_s + name}) {
        const QString out = path(u"single.ndjson"_s);
        const auto result = runCli({u"record"_s, u"--connect"_s, connect, u"--out"_s, out});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(readAll(out), stream); // byte for byte: no marker of its own
        QVERIFY2(result.err.contains("the source said bye; 9 lines in"), result.err.constData());
        QVERIFY(!result.err.contains("[solo]"));
        QVERIFY(!result.err.contains("(["));
    }
}

void tst_CliMultiSource::recordLeavesOutAMarkerFromASource()
{
    // a sends b's marker (twice): written, it would hand a's lines after it to b.
    TwoPublishers publishers("multi-forged", RunA.greeting + MarkerB + '\n' + MarkerB + '\n' + RunA.rest, RunB.all());
    QVERIFY(publishers.listen());
    const QString out = path(u"forged.ndjson"_s);
    const auto result = runCli(QStringList{u"record"_s, u"--out"_s, out} + publishers.arguments());
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.err.count("reads as a source marker"), 1); // once per source
    QVERIFY2(result.err.contains("[a] line 3 from the source reads as a source marker: left out"), result.err.constData());
    QVERIFY2(result.err.contains("([a] 7, [b] 7)"), result.err.constData());
    QByteArray current;
    QByteArray ofA;
    QByteArray ofB;
    for (const QByteArray &line : linesOf(readAll(out))) {
        if (line == MarkerA || line == MarkerB)
            current = line;
        else
            (current == MarkerA ? ofA : ofB) += line + '\n';
    }
    QCOMPARE(ofA, RunA.all());
    QCOMPARE(ofB, RunB.all());
}

void tst_CliMultiSource::aMissingSourceEndsAloneWithStatus1()
{
    FakePublisher a;
    const QString nameA = uniqueSocketName("multi-missing-a");
    const QString missing = uniqueSocketName("multi-missing-b");
    QVERIFY(a.listen(nameA));
    a.setGreeting(RunA.all());
    const QStringList sources{u"--connect"_s, u"a="_s + nameA, u"--connect"_s, u"b="_s + missing};

    const auto tail = runCli(QStringList{u"tail"_s, u"--no-color"_s} + sources);
    QCOMPARE(tail.exitCode, 1); // a said bye (0), b was not there (1)
    QVERIFY2(tail.err.contains(u"[b] no Afterwork source is listening on '%1'"_s.arg(missing).toUtf8()), tail.err.constData());
    QVERIFY2(tail.out.contains("[a] ") && tail.out.contains("── bye"), tail.out.constData());

    const QString out = path(u"half.ndjson"_s);
    const auto record = runCli(QStringList{u"record"_s, u"--out"_s, out} + sources);
    QCOMPARE(record.exitCode, 1);
    QVERIFY2(record.err.contains("[b] no Afterwork source is listening"), record.err.constData());
    QVERIFY2(record.err.contains("([a] 7, [b] 0)"), record.err.constData());
    QCOMPARE(readAll(out), MarkerA + '\n' + RunA.all()); // kept: a connected

    // Its one source is named: served on NAME-LABEL, as with several.
    const QString name = uniqueSocketName("multi-missing-replay");
    Cli replay({u"replay"_s, out, u"--listen"_s, name, u"--speed"_s, u"0"_s, u"--once"_s});
    QVERIFY2(replay.waitForError(u"listening on '%1-a' for source 'a'"_s.arg(name).toUtf8()), replay.err().constData());
    const QString copy = path(u"half-replayed.ndjson"_s);
    QCOMPARE(runCli({u"record"_s, u"--connect"_s, name + u"-a"_s, u"--out"_s, copy}).exitCode, 0);
    QCOMPARE(readAll(copy), RunA.all());
    QCOMPARE(replay.finish().exitCode, 0);
}

void tst_CliMultiSource::checkNamesTheSourceOfAViolation()
{
    const QString out = recording();
    QVERIFY(!out.isEmpty());
    auto result = runCli({u"check"_s, out});
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(u"%1: ok: [a] 7 lines, 2 tasks, ended with bye; [b] 7 lines, 2 tasks, ended with bye"_s.arg(out).toUtf8()),
             result.out.constData());

    // Splice: b loses its "started" line (a seq jump), and a bad marker lands among b's lines.
    QList<QByteArray> lines = linesOf(readAll(out));
    const QByteArray startedB = Lines::task(3, 12, "started", 1'200'000);
    const QByteArray byeB = Lines::bye(6, 1'500'000);
    QVERIFY(lines.removeOne(startedB));
    const qsizetype bye = lines.lastIndexOf(byeB);
    QVERIFY(bye > 0);
    lines.insert(bye, R"({"v":1,"kind":"source","name":"not valid"})");
    QByteArray spliced;
    for (const QByteArray &line : lines)
        spliced += line + '\n';
    const QString bad = path(u"spliced.ndjson"_s);
    QVERIFY(writeAll(bad, spliced));
    const qsizetype jumpLine = lines.indexOf(Lines::task(4, 11, "succeeded", 1'300'000, R"(,"wait_us":1,"run_us":2)")) + 1;
    const qsizetype badMarkerLine = bye + 1;
    result = runCli({u"check"_s, bad});
    QCOMPARE(result.exitCode, 1);
    const QString text = QString::fromUtf8(result.out);
    QVERIFY2(text.contains(u"%1:%2: [b] seq jumps from 2"_s.arg(bad).arg(jumpLine)), qPrintable(text));
    QVERIFY2(text.contains(u"%1:%2: [b] malformed line: a source marker must be"_s.arg(bad).arg(badMarkerLine)), qPrintable(text));
    QVERIFY2(!text.contains(u"[a]"_s), qPrintable(text));
    QVERIFY(text.contains(u"2 violation(s)"_s));
}

void tst_CliMultiSource::exportGivesEachSourceItsProcess()
{
    const QString out = recording();
    QVERIFY(!out.isEmpty());
    const QString trace = path(u"both.trace.json"_s);
    const auto result = runCli({u"export"_s, u"--chrome"_s, out, trace});
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.err.contains("4 tasks written"), result.err.constData());
    const QJsonObject document = QJsonDocument::fromJson(readAll(trace)).object();
    QHash<qint64, QString> processes;
    QHash<qint64, QSet<QString>> tasksByPid;
    for (const QJsonValue &value : document.value(u"traceEvents"_s).toArray()) {
        const QJsonObject event = value.toObject();
        const qint64 pid = event.value(u"pid"_s).toInteger();
        if (event.value(u"name"_s) == u"process_name"_s)
            processes.insert(pid, event.value(u"args"_s).toObject().value(u"name"_s).toString());
        else if (event.value(u"cat"_s) == u"task"_s && event.value(u"ph"_s) == u"b"_s)
            tasksByPid[pid].insert(event.value(u"name"_s).toString());
    }
    QCOMPARE(processes.size(), 2);
    const QList<qint64> pids = processes.keys();
    QVERIFY(pids[0] != pids[1]);
    for (const qint64 pid : pids) {
        const QString label = processes[pid].startsWith(u"a: fake (pid "_s) ? u"a"_s : u"b"_s;
        QVERIFY2(processes[pid].startsWith(label + u": fake (pid "_s), qPrintable(processes[pid]));
        const QSet<QString> expected = label == u"a"_s ? QSet<QString>{u"task-1"_s, u"task-2"_s} : QSet<QString>{u"task-11"_s, u"task-12"_s};
        QCOMPARE(tasksByPid.value(pid), expected);
    }
    QCOMPARE(document.value(u"otherData"_s).toObject().value(u"sources"_s).toArray().size(), 2);
}

void tst_CliMultiSource::exportKeepsOverlappingTaskIdsApart()
{
    // Both sources number their tasks from 1, and lines come before the first marker too.
    const Run unnamed = cleanRun(u"cccccccc-0000-0000-0000-000000000003"_s, 1);
    const Run a = cleanRun(u"aaaaaaaa-0000-0000-0000-000000000001"_s, 1);
    const Run b = cleanRun(u"bbbbbbbb-0000-0000-0000-000000000002"_s, 1);
    const QString file = path(u"overlap.ndjson"_s);
    QVERIFY(writeAll(file, unnamed.all() + MarkerA + '\n' + a.greeting + MarkerB + '\n' + b.all() + MarkerA + '\n' + a.rest));
    const QString trace = path(u"overlap.trace.json"_s);
    const auto result = runCli({u"export"_s, u"--chrome"_s, file, trace});
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.err.contains("6 tasks written"), result.err.constData());
    QHash<QString, QSet<qint64>> pidsById;
    QHash<QString, int> begins;
    QHash<QString, int> ends;
    QSet<qint64> processes;
    int instants = 0;
    for (const QJsonValue &value : QJsonDocument::fromJson(readAll(trace)).object().value(u"traceEvents"_s).toArray()) {
        const QJsonObject event = value.toObject();
        const QString ph = event.value(u"ph"_s).toString();
        if (event.value(u"name"_s) == u"process_name"_s)
            processes.insert(event.value(u"pid"_s).toInteger());
        if (ph == u"i"_s) {
            QCOMPARE(event.value(u"s"_s).toString(), u"p"_s); // a source's bye is its own
            ++instants;
        }
        if (event.value(u"cat"_s) != u"task"_s)
            continue;
        const QString id = event.value(u"id"_s).toString();
        pidsById[id].insert(event.value(u"pid"_s).toInteger());
        begins[id] += ph == u"b"_s;
        ends[id] += ph == u"e"_s;
    }
    QCOMPARE(processes, (QSet<qint64>{1, 2, 3})); // the unnamed source is numbered too
    QCOMPARE(instants, 3);
    QCOMPARE(pidsById.size(), 6); // 3 sources x tasks 1 and 2
    for (auto it = pidsById.cbegin(); it != pidsById.cend(); ++it) {
        QCOMPARE(it.value().size(), 1); // an id never spans two sources
        QCOMPARE(begins.value(it.key()), 1);
        QCOMPARE(ends.value(it.key()), 1);
    }
}

void tst_CliMultiSource::replayServesTheSourcesApart()
{
    const QString out = recording();
    QVERIFY(!out.isEmpty());
    const QString name = uniqueSocketName("multi-replay");
    Cli replay({u"replay"_s, out, u"--listen"_s, name, u"--speed"_s, u"0"_s, u"--once"_s});
    // One startup line per socket, in whichever order they come.
    QVERIFY2(replay.waitForError(u"listening on '%1-a' for source 'a'"_s.arg(name).toUtf8()), replay.err().constData());
    QVERIFY2(replay.waitForError(u"listening on '%1-b' for source 'b'"_s.arg(name).toUtf8()), replay.err().constData());
    for (const auto &[label, run] : {std::pair{u"a"_s, RunA}, std::pair{u"b"_s, RunB}}) {
        const QString copy = path(u"replayed-%1.ndjson"_s.arg(label));
        const auto record = runCli({u"record"_s, u"--connect"_s, u"%1-%2"_s.arg(name, label), u"--out"_s, copy});
        QCOMPARE(record.exitCode, 0);
        QCOMPARE(readAll(copy), run.all()); // the source alone, as it was live
    }
    QCOMPARE(replay.finish().exitCode, 0); // --once on each socket: done

    // One source, on the name given; a label the recording lacks is refused.
    const QString only = uniqueSocketName("multi-replay-only");
    Cli one({u"replay"_s, out, u"--source"_s, u"b"_s, u"--listen"_s, only, u"--speed"_s, u"0"_s, u"--once"_s});
    QVERIFY(one.waitForError(u"listening on '%1' for source 'b'"_s.arg(only).toUtf8()));
    const QString copy = path(u"replayed-only.ndjson"_s);
    QCOMPARE(runCli({u"record"_s, u"--connect"_s, only, u"--out"_s, copy}).exitCode, 0);
    QCOMPARE(readAll(copy), RunB.all());
    QCOMPARE(one.finish().exitCode, 0);

    const auto missing = runCli({u"replay"_s, out, u"--source"_s, u"c"_s, u"--listen"_s, only});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY2(missing.err.contains("has no source 'c'; its sources: 'a', 'b'"), missing.err.constData());
}

void tst_CliMultiSource::checkExportAndReplayReadAPipe()
{
    // A pipe can be read once only: each command keeps the sources apart as it reads.
    const QByteArray recording = interleaved();
    Cli check({u"check"_s, u"/dev/stdin"_s});
    check.writeInput(recording);
    auto result = check.finish();
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains("/dev/stdin: ok: [a] 7 lines, 2 tasks, ended with bye; [b] 7 lines, 2 tasks, ended with bye"),
             result.out.constData());

    const QString trace = path(u"piped.trace.json"_s);
    Cli exporter({u"export"_s, u"--chrome"_s, u"/dev/stdin"_s, trace});
    exporter.writeInput(recording);
    result = exporter.finish();
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.err.contains("4 tasks written"), result.err.constData());
    QCOMPARE(QJsonDocument::fromJson(readAll(trace)).object().value(u"otherData"_s).toObject().value(u"sources"_s).toArray().size(), 2);

    const QString name = uniqueSocketName("multi-pipe");
    Cli replay({u"replay"_s, u"/dev/stdin"_s, u"--listen"_s, name, u"--speed"_s, u"0"_s, u"--once"_s});
    replay.writeInput(recording);
    QVERIFY2(replay.waitForError(u"listening on '%1-a' for source 'a'"_s.arg(name).toUtf8()), replay.err().constData());
    QVERIFY2(replay.waitForError(u"listening on '%1-b' for source 'b'"_s.arg(name).toUtf8()), replay.err().constData());
    for (const auto &[label, run] : {std::pair{u"a"_s, RunA}, std::pair{u"b"_s, RunB}}) {
        const QString copy = path(u"piped-%1.ndjson"_s.arg(label));
        QCOMPARE(runCli({u"record"_s, u"--connect"_s, u"%1-%2"_s.arg(name, label), u"--out"_s, copy}).exitCode, 0);
        QCOMPARE(readAll(copy), run.all());
    }
    QCOMPARE(replay.finish().exitCode, 0);
}

void tst_CliMultiSource::oddMarkersReadTheSameEverywhere()
{
    // A marker as the first line; an empty section (b: its marker, a blank line, then c's
    // marker); a malformed marker (v 2) among c's lines; a source coming back; a marker with
    // nothing after it on the last line (d).
    const Run c = cleanRun(u"cccccccc-0000-0000-0000-000000000003"_s, 21);
    const QByteArray badMarker = R"({"v":2,"kind":"source","name":"x"})";
    const QByteArray bytes = MarkerA + '\n' + RunA.greeting + MarkerB + "\n\n" + R"({"v":1,"kind":"source","name":"c"})" + '\n'
        + c.greeting + badMarker + '\n' + c.rest + MarkerA + '\n' + RunA.rest + R"({"v":1,"kind":"source","name":"d"})" + '\n';
    const QString file = path(u"odd.ndjson"_s);
    QVERIFY(writeAll(file, bytes));
    const qsizetype badLine = linesOf(bytes).indexOf(badMarker) + 1;

    const auto check = runCli({u"check"_s, file});
    QCOMPARE(check.exitCode, 1);
    const QString text = QString::fromUtf8(check.out);
    QVERIFY2(text.startsWith(u"%1:%2: [c] malformed line: a source marker must be"_s.arg(file).arg(badLine)), qPrintable(text));
    QVERIFY2(text.contains(u"%1: 1 violation(s) in 15 lines"_s.arg(file)), qPrintable(text)); // a's 7, c's 7 and the bad marker
    for (const char *absent : {"[b]", "[d]", "[x]"})
        QVERIFY2(!text.contains(QLatin1StringView(absent)), qPrintable(text));

    const QString trace = path(u"odd.trace.json"_s);
    const auto exported = runCli({u"export"_s, u"--chrome"_s, file, trace});
    QCOMPARE(exported.exitCode, 0);
    QVERIFY2(exported.err.contains("skipped 1 malformed line(s)") && exported.err.contains("4 tasks written"), exported.err.constData());
    const QJsonObject document = QJsonDocument::fromJson(readAll(trace)).object();
    QHash<qint64, QString> processes;
    for (const QJsonValue &value : document.value(u"traceEvents"_s).toArray()) {
        const QJsonObject event = value.toObject();
        if (event.value(u"name"_s) == u"process_name"_s)
            processes.insert(event.value(u"pid"_s).toInteger(), event.value(u"args"_s).toObject().value(u"name"_s).toString());
    }
    QCOMPARE(processes.keys().size(), 2);
    QVERIFY2(processes.value(1).startsWith(u"a: fake (pid "_s), qPrintable(processes.value(1)));
    QVERIFY2(processes.value(2).startsWith(u"c: fake (pid "_s), qPrintable(processes.value(2)));
    const QJsonArray sources = document.value(u"otherData"_s).toObject().value(u"sources"_s).toArray();
    QCOMPARE(sources.size(), 2);
    QCOMPARE(sources[1].toObject().value(u"source"_s).toString(), u"c"_s);

    const QString name = uniqueSocketName("multi-odd");
    Cli replay({u"replay"_s, file, u"--listen"_s, name, u"--speed"_s, u"0"_s, u"--once"_s});
    QVERIFY2(replay.waitForError(u"listening on '%1-c' for source 'c'"_s.arg(name).toUtf8()), replay.err().constData());
    QVERIFY2(replay.waitForError(u"listening on '%1-a' for source 'a'"_s.arg(name).toUtf8()), replay.err().constData());
    QVERIFY2(replay.err().contains(u"[c] '%1' has 1 malformed line(s)"_s.arg(file).toUtf8()), replay.err().constData());
    for (const auto &[label, expected] : {std::pair{u"a"_s, RunA.all()}, std::pair{u"c"_s, c.greeting + badMarker + '\n' + c.rest}}) {
        const QString copy = path(u"odd-%1.ndjson"_s.arg(label));
        QCOMPARE(runCli({u"record"_s, u"--connect"_s, u"%1-%2"_s.arg(name, label), u"--out"_s, copy}).exitCode, 0);
        QCOMPARE(readAll(copy), expected);
    }
    QCOMPARE(replay.finish().exitCode, 0);
    QVERIFY2(!replay.err().contains("-b'") && !replay.err().contains("-d'"), replay.err().constData());
}

void tst_CliMultiSource::exportRewritesTheFirstSourceWhenASecondAppears()
{
    // A source that restarts, shuts down and misses lines: exported alone, and as the first of
    // two, which the export learns only when the second appears.
    const QByteArray first = Lines::join({
        Lines::hello(0, u"aaaaaaaa-0000-0000-0000-000000000001"_s, 1'000'000), Lines::task(1, 1, "scheduled", 1'100'000),
        Lines::shutdown(2, "started", 1'200'000), Lines::gap(5, 2, 1'300'000), Lines::heartbeat(6, 1'400'000),
        Lines::hello(0, u"aaaaaaaa-0000-0000-0000-000000000002"_s, 1'500'000), Lines::task(1, 2, "scheduled", 1'600'000),
        Lines::task(2, 2, "succeeded", 1'700'000, R"(,"wait_us":1,"run_us":2)"), Lines::bye(3, 1'800'000)});
    int traces = 0;
    const auto traceOf = [&](const QByteArray &recording) {
        const QString file = path(u"first-%1.ndjson"_s.arg(++traces));
        const QString trace = file + u".trace.json"_s;
        if (!writeAll(file, recording) || runCli({u"export"_s, u"--chrome"_s, file, trace}).exitCode != 0)
            return QJsonObject();
        return QJsonDocument::fromJson(readAll(trace)).object();
    };
    const QJsonObject alone = traceOf(first);
    const QJsonArray aloneEvents = alone.value(u"traceEvents"_s).toArray();
    qsizetype instants = 0;
    qsizetype processNames = 0;
    for (const QJsonValue &value : aloneEvents) {
        instants += value.toObject().value(u"ph"_s) == u"i"_s;
        processNames += value.toObject().value(u"name"_s) == u"process_name"_s;
    }
    QCOMPARE(instants, 3);     // shutdown, gap, bye
    QCOMPARE(processNames, 2); // a hello each
    // A recording of one named source is exported as one without markers.
    QCOMPARE(traceOf(MarkerA + '\n' + first), alone);

    // As the first of two (unnamed, then labelled): the same events, but on process 1, with its
    // instants on that process and its process named after its label.
    for (const QString &label : {QString(), u"a"_s}) {
        const QJsonObject both = traceOf((label.isEmpty() ? QByteArray() : MarkerA + '\n') + first + MarkerB + '\n' + RunB.all());
        QJsonArray expected;
        for (const QJsonValue &value : aloneEvents) {
            QJsonObject event = value.toObject();
            event.insert(u"pid"_s, 1);
            if (event.value(u"ph"_s) == u"i"_s)
                event.insert(u"s"_s, u"p"_s);
            if (event.value(u"name"_s) == u"process_name"_s && !label.isEmpty()) {
                QJsonObject args = event.value(u"args"_s).toObject();
                args.insert(u"name"_s, label + u": "_s + args.value(u"name"_s).toString());
                event.insert(u"args"_s, args);
            }
            expected.append(event);
        }
        QJsonArray ofFirst;
        for (const QJsonValue &value : both.value(u"traceEvents"_s).toArray()) {
            if (value.toObject().value(u"pid"_s).toInteger() == 1)
                ofFirst.append(value);
        }
        QCOMPARE(ofFirst, expected);
        QCOMPARE(both.value(u"otherData"_s).toObject().value(u"sources"_s).toArray().size(), 2);
    }
}

QTEST_GUILESS_MAIN(tst_CliMultiSource)
#include "tst_climultisource.moc"
