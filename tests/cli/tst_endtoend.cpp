// SPDX-License-Identifier: MIT
// The `afterwork` binary against a real engine and publisher (afterwork_test_source): record a
// real run, check it, replay it, record the replay, check and export that.
#include "../client/testsourceprocess.h"
#include "../support/socketnames.h"
#include "clitestsupport.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

using namespace afterwork::testing;
using namespace Qt::StringLiterals;

class tst_EndToEnd : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void recordCheckReplayRoundTripOfARealRun();
    void tailFollowsARealSourceUntilItIsKilled();

private:
    QTemporaryDir m_dir;
};

void tst_EndToEnd::recordCheckReplayRoundTripOfARealRun()
{
    const QString name = uniqueSocketName("e2e");
    TestSourceProcess source(name);
    QVERIFY(!source.waitUntilReady().isEmpty());

    const QString recording = m_dir.filePath(u"real.ndjson"_s);
    Cli record({u"record"_s, u"--connect"_s, name, u"--out"_s, recording});
    // Subscribed once the snapshot is in the file (flushed as it comes).
    QTRY_VERIFY_WITH_TIMEOUT(readAll(recording).contains(R"("kind":"snapshot")"), 15000);

    source.command("quick 20");
    source.command("shielded 2 100");
    source.command("request 5");
    source.command("request 6");
    source.command("block 3");
    // All three blockers running before the shutdown, so it has something to cancel.
    for (const QByteArray blocker : {"blocker-0", "blocker-1", "blocker-2"})
        QTRY_VERIFY_WITH_TIMEOUT(readAll(recording).contains(R"("name":")" + blocker + R"(","phase":"started")"), 15000);
    source.command("shutdown 5000");
    QVERIFY(source.waitForLine("bye"));
    const auto recorded = record.finish();
    QCOMPARE(recorded.exitCode, 0);
    QVERIFY2(recorded.err.contains("the source said bye"), recorded.err.constData());

    const QByteArray bytes = readAll(recording);
    QVERIFY(bytes.contains(R"("kind":"request")"));
    QVERIFY(bytes.contains(R"("stage":"response_written")"));
    QVERIFY(bytes.contains(R"("name":"send_confirmation","phase":"started")"));
    QVERIFY(bytes.contains(R"("kind":"shutdown","stage":"started")"));
    QVERIFY(bytes.contains(R"("name":"blocker-0","phase":"cancelled")"));
    QVERIFY(bytes.contains(R"("name":"quick-1","phase":"failed")"));
    QVERIFY(bytes.trimmed().endsWith(R"("kind":"bye"})"));

    const auto check = runCli({u"check"_s, recording});
    QVERIFY2(check.exitCode == 0, check.out.constData());
    QVERIFY(check.out.contains("ended with bye"));

    // Replay it, record the replay: the same bytes (the hello was already seq 0), still clean.
    const QString replayName = uniqueSocketName("e2e-replay");
    Cli replay({u"replay"_s, recording, u"--listen"_s, replayName, u"--speed"_s, u"0"_s, u"--once"_s});
    QVERIFY(replay.waitForError("listening on"));
    const QString copy = m_dir.filePath(u"replayed.ndjson"_s);
    QCOMPARE(runCli({u"record"_s, u"--connect"_s, replayName, u"--out"_s, copy}).exitCode, 0);
    QCOMPARE(replay.finish().exitCode, 0);
    QCOMPARE(readAll(copy), bytes);
    QCOMPARE(runCli({u"check"_s, copy}).exitCode, 0);

    // And as a trace: every task of the run is a closed slice.
    const QString trace = m_dir.filePath(u"real.trace.json"_s);
    QCOMPARE(runCli({u"export"_s, u"--chrome"_s, copy, trace}).exitCode, 0);
    const QJsonArray events = QJsonDocument::fromJson(readAll(trace)).object().value(u"traceEvents"_s).toArray();
    int begins = 0;
    int ends = 0;
    for (const QJsonValue &event : events) {
        if (event.toObject().value(u"cat"_s).toString() != u"task"_s)
            continue;
        begins += event.toObject().value(u"ph"_s).toString() == u"b"_s;
        ends += event.toObject().value(u"ph"_s).toString() == u"e"_s;
    }
    QCOMPARE(begins, 20 + 2 + 4 + 3); // quick, shielded, two per request, blockers
    QCOMPARE(ends, begins);
}

void tst_EndToEnd::tailFollowsARealSourceUntilItIsKilled()
{
    const QString name = uniqueSocketName("e2e-tail");
    TestSourceProcess source(name);
    QVERIFY(!source.waitUntilReady().isEmpty());
    Cli tail({u"tail"_s, u"--connect"_s, name, u"--filter"_s, u"name~blocker"_s});
    QVERIFY(tail.waitForOutput("── snapshot"));
    source.command("quick 4");
    source.command("block 2");
    QVERIFY(tail.waitForOutput("blocker-1"));
    QTRY_VERIFY_WITH_TIMEOUT(tail.out().count("started ") >= 2, 15000);
    source.kill();
    const auto result = tail.finish();
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains("vanished without bye; 2 live task(s) lost"), result.err.constData());
    QVERIFY(!result.out.contains("quick-")); // filtered out
}

QTEST_GUILESS_MAIN(tst_EndToEnd)
#include "tst_endtoend.moc"
