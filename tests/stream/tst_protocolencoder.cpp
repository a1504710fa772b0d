// SPDX-License-Identifier: MIT
// The hand-built encoder of docs/protocol.md: every kind of line is one compact JSON object with
// the documented fields, strings are escaped correctly, and wire names match the enums.

#include <afterwork/eventencoder.h>
#include <afterwork/protocol/rawwriter.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QRandomGenerator>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QTest>

#include <algorithm>
#include <array>
#include <limits>

using namespace afterwork;

namespace {

constexpr qint64 someTime = 1718000000123456;

//! True when \a line has no whitespace outside its strings (compact JSON).
bool isCompact(QByteArrayView line)
{
    bool inString = false;
    bool escaped = false;
    for (const char c : line) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            else if (uchar(c) < 0x20)
                return false; // a raw control character inside a string
        } else if (c == '"') {
            inString = true;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            return false;
        }
    }
    return !inString;
}

//! Checks the framing of one complete line and returns its object.
QJsonObject parseLine(const QByteArray &line)
{
    [&] {
        QVERIFY2(line.endsWith('\n'), line.constData());
        QCOMPARE(line.count('\n'), 1);
        QVERIFY2(isCompact(line.chopped(1)), line.constData());
    }();
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        qWarning() << "not a JSON object:" << line << error.errorString();
        return {};
    }
    return document.object();
}

QByteArray line(quint64 seq, const std::function<void(QByteArray &)> &body)
{
    QByteArray encoded;
    body(encoded);
    return protocol::makeLine(seq, encoded);
}

TaskEvent sampleEvent(Phase phase = Phase::Started)
{
    TaskEvent event;
    event.taskId = 42;
    event.name = QStringLiteral("send_email");
    event.phase = phase;
    event.shielded = true;
    event.mode = Mode::AfterResponse;
    event.work = WorkKind::Async;
    event.attempt = 2;
    event.requestId = 7;
    event.functionLabel = QStringLiteral("sendEmail");
    event.timestampUs = someTime;
    event.scheduledUs = someTime - 5000;
    event.startedUs = someTime - 1000;
    event.waitUs = 4000;
    event.runUs = 1000;
    return event;
}

QStringList keysOf(const QJsonObject &object)
{
    QStringList keys = object.keys();
    keys.sort();
    return keys;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

} // namespace

class tst_ProtocolEncoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void commonFieldsLeadEveryLine();
    void hello();
    void snapshot();
    void taskLine_data();
    void taskLine();
    void taskOptionalFields();
    void failedTaskCarriesErrors();
    void heartbeat();
    void gap();
    void shutdownStages_data();
    void shutdownStages();
    void shutdownFinished();
    void bye();
    void reply();
    void extraEvent();
    void escaping_data();
    void escaping();
    void escapingBytes_data();
    void escapingBytes();
    void latin1Escaping();
    void utf8Escaping();
    void doubles();
    void integers();
    void decimalTextOfEveryWidth();
    void jsonValues();
    void fieldWriter();
    void encodeRate();
};

void tst_ProtocolEncoder::commonFieldsLeadEveryLine()
{
    const QByteArray encoded = line(12, [](QByteArray &out) { protocol::appendByeBody(out, someTime); });
    QVERIFY2(encoded.startsWith(R"({"v":1,"seq":12,"ts_us":1718000000123456,"kind":"bye")"), encoded.constData());
}

void tst_ProtocolEncoder::hello()
{
    protocol::SourceInfo source;
    source.app = QStringLiteral("demo \"app\"");
    source.pid = 4242;
    source.host = QStringLiteral("build-7");
    source.instance = QUuid::createUuid();
    source.startedUs = someTime - 1;
    const QJsonObject object = parseLine(line(0, [&](QByteArray &out) { protocol::appendHelloBody(out, someTime, source); }));
    QCOMPARE(keysOf(object), sorted({"v", "seq", "ts_us", "kind", "source", "control"}));
    QCOMPARE(object.value("v").toInteger(), 1);
    QCOMPARE(object.value("seq").toInteger(), 0);
    QCOMPARE(object.value("ts_us").toInteger(), someTime);
    QCOMPARE(object.value("kind").toString(), "hello");
    const QJsonObject src = object.value("source").toObject();
    QCOMPARE(keysOf(src), sorted({"app", "pid", "host", "instance", "started_us"}));
    QCOMPARE(src.value("app").toString(), source.app);
    QCOMPARE(src.value("pid").toInteger(), 4242);
    QCOMPARE(src.value("host").toString(), "build-7");
    QCOMPARE(src.value("instance").toString(), source.instance.toString(QUuid::WithoutBraces));
    QCOMPARE(src.value("started_us").toInteger(), someTime - 1);
}

void tst_ProtocolEncoder::snapshot()
{
    const QJsonObject empty = parseLine(line(1, [](QByteArray &out) { protocol::appendSnapshotBody(out, someTime, {}); }));
    QCOMPARE(empty.value("kind").toString(), "snapshot");
    QVERIFY(empty.value("tasks").isArray());
    QCOMPARE(empty.value("tasks").toArray().size(), 0);

    TaskEvent running = sampleEvent(Phase::Started);
    TaskEvent queued = sampleEvent(Phase::Scheduled);
    queued.taskId = 43;
    queued.startedUs = 0;
    const QJsonObject object =
        parseLine(line(1, [&](QByteArray &out) { protocol::appendSnapshotBody(out, someTime + 9, {running, queued}); }));
    QCOMPARE(object.value("ts_us").toInteger(), someTime + 9);
    const QJsonArray tasks = object.value("tasks").toArray();
    QCOMPARE(tasks.size(), 2);
    const QJsonObject first = tasks.at(0).toObject();
    QVERIFY(!first.contains("kind"));
    QVERIFY(!first.contains("seq"));
    QCOMPARE(first.value("id").toInteger(), 42);
    QCOMPARE(first.value("ts_us").toInteger(), someTime);
    QCOMPARE(first.value("phase").toString(), "started");
    QCOMPARE(first.value("scheduled_us").toInteger(), someTime - 5000);
    QCOMPARE(first.value("started_us").toInteger(), someTime - 1000);
    const QJsonObject second = tasks.at(1).toObject();
    QCOMPARE(second.value("id").toInteger(), 43);
    QCOMPARE(second.value("phase").toString(), "scheduled");
    QVERIFY(!second.contains("started_us"));
    QVERIFY(!first.contains("progress")); // neither has reported any

    // A task that reported progress carries its latest value; without a message, no message.
    running.progress = TaskProgress{42, 3, 8, QStringLiteral("page \"3\""), someTime - 500};
    queued.progress = TaskProgress{43, 5, 0, {}, someTime - 400};
    const QJsonArray withProgress =
        parseLine(line(1, [&](QByteArray &out) { protocol::appendSnapshotBody(out, someTime + 9, {running, queued}); }))
            .value("tasks")
            .toArray();
    const QJsonObject progress = withProgress.at(0).toObject().value(protocol::snapshotProgressMember).toObject();
    QCOMPARE(keysOf(progress), sorted({"done", "total", "message"}));
    QCOMPARE(progress.value("done").toInteger(), 3);
    QCOMPARE(progress.value("total").toInteger(), 8);
    QCOMPARE(progress.value("message").toString(), "page \"3\"");
    QCOMPARE(keysOf(withProgress.at(1).toObject().value("progress").toObject()), sorted({"done", "total"}));
    // Only a snapshot carries it: a task line of the same event does not.
    QVERIFY(!parseLine(line(2, [&](QByteArray &out) { protocol::appendTaskBody(out, running); })).contains("progress"));
}

void tst_ProtocolEncoder::taskLine_data()
{
    QTest::addColumn<Phase>("phase");
    QTest::addColumn<Mode>("mode");
    QTest::addColumn<WorkKind>("work");
    QTest::addColumn<QString>("phaseName");
    QTest::addColumn<QString>("modeName");
    QTest::addColumn<QString>("workName");
    QTest::addColumn<bool>("terminal");

    const struct { Phase phase; const char *name; bool terminal; } phases[] = {
        {Phase::Scheduled, "scheduled", false},
        {Phase::Started, "started", false},
        {Phase::Retrying, "retrying", false},
        {Phase::ShutdownPending, "shutdown_pending", false},
        {Phase::Succeeded, "succeeded", true},
        {Phase::Failed, "failed", true},
        {Phase::Cancelled, "cancelled", true},
        {Phase::Abandoned, "abandoned", true},
        {Phase::Dropped, "dropped", true},
    };
    const struct { Mode mode; const char *name; } modes[] = {
        {Mode::Immediate, "immediate"}, {Mode::AfterRoute, "after_route"}, {Mode::AfterResponse, "after_response"},
    };
    const struct { WorkKind work; const char *name; } works[] = {{WorkKind::Sync, "sync"}, {WorkKind::Async, "async"}};
    for (const auto &p : phases) {
        for (const auto &m : modes) {
            for (const auto &w : works) {
                QTest::addRow("%s/%s/%s", p.name, m.name, w.name)
                    << p.phase << m.mode << w.work << QString::fromLatin1(p.name) << QString::fromLatin1(m.name)
                    << QString::fromLatin1(w.name) << p.terminal;
            }
        }
    }
}

void tst_ProtocolEncoder::taskLine()
{
    QFETCH(Phase, phase);
    QFETCH(Mode, mode);
    QFETCH(WorkKind, work);
    QFETCH(QString, phaseName);
    QFETCH(QString, modeName);
    QFETCH(QString, workName);
    QFETCH(bool, terminal);

    TaskEvent event = sampleEvent(phase);
    event.mode = mode;
    event.work = work;
    const QJsonObject object = parseLine(line(5, [&](QByteArray &out) { protocol::appendTaskBody(out, event); }));
    QCOMPARE(object.value("kind").toString(), "task");
    QCOMPARE(object.value("seq").toInteger(), 5);
    QCOMPARE(object.value("ts_us").toInteger(), someTime);
    QCOMPARE(object.value("id").toInteger(), 42);
    QCOMPARE(object.value("name").toString(), "send_email");
    QCOMPARE(object.value("phase").toString(), phaseName);
    QCOMPARE(object.value("mode").toString(), modeName);
    QCOMPARE(object.value("work").toString(), workName);
    QCOMPARE(object.value("shielded").toBool(), true);
    QVERIFY(object.value("shielded").isBool());
    QCOMPARE(object.value("attempt").toInteger(), 2);
    QCOMPARE(object.value("request").toInteger(), 7);
    QCOMPARE(object.value("function").toString(), "sendEmail");
    QCOMPARE(object.value("scheduled_us").toInteger(), someTime - 5000);
    QCOMPARE(object.value("started_us").toInteger(), someTime - 1000);
    // Durations only on terminal phases.
    QCOMPARE(object.contains("wait_us"), terminal);
    QCOMPARE(object.contains("run_us"), terminal);
    if (terminal) {
        QCOMPARE(object.value("wait_us").toInteger(), 4000);
        QCOMPARE(object.value("run_us").toInteger(), 1000);
    }
    // The enums' own wire names agree with the table.
    QCOMPARE(QString(wireName(phase)), phaseName);
    QCOMPARE(phaseFromWireName(phaseName), std::optional<Phase>(phase));
    QCOMPARE(modeFromWireName(modeName), std::optional<Mode>(mode));
    QCOMPARE(workFromWireName(workName), std::optional<WorkKind>(work));
}

void tst_ProtocolEncoder::taskOptionalFields()
{
    TaskEvent event = sampleEvent(Phase::Cancelled);
    event.requestId = 0;
    event.functionLabel.clear();
    event.startedUs = 0;
    event.runUs = -1; // never started
    event.shielded = false;
    const QJsonObject object = parseLine(line(5, [&](QByteArray &out) { protocol::appendTaskBody(out, event); }));
    QCOMPARE(keysOf(object), sorted({"v", "seq", "ts_us", "kind", "id", "name", "phase", "shielded", "mode", "work",
                                     "attempt", "scheduled_us", "wait_us"}));
    QCOMPARE(object.value("shielded").toBool(true), false);
}

void tst_ProtocolEncoder::failedTaskCarriesErrors()
{
    TaskEvent event = sampleEvent(Phase::Failed);
    event.error = TaskError{QStringLiteral("std::runtime_error"), QStringLiteral("disk \"full\"\n"), {}};
    event.handlerError = TaskError{QStringLiteral("std::logic_error"), QStringLiteral("handler broke"), {}};
    const QJsonObject object = parseLine(line(5, [&](QByteArray &out) { protocol::appendTaskBody(out, event); }));
    const QJsonObject error = object.value("error").toObject();
    QCOMPARE(keysOf(error), sorted({"type", "message"}));
    QCOMPARE(error.value("type").toString(), "std::runtime_error");
    QCOMPARE(error.value("message").toString(), "disk \"full\"\n");
    const QJsonObject handlerError = object.value("handler_error").toObject();
    QCOMPARE(handlerError.value("type").toString(), "std::logic_error");
    QCOMPARE(handlerError.value("message").toString(), "handler broke");

    TaskEvent succeeded = sampleEvent(Phase::Succeeded);
    const QJsonObject clean = parseLine(line(6, [&](QByteArray &out) { protocol::appendTaskBody(out, succeeded); }));
    QVERIFY(!clean.contains("error"));
    QVERIFY(!clean.contains("handler_error"));
}

void tst_ProtocolEncoder::heartbeat()
{
    protocol::HeartbeatInfo info;
    info.counters.scheduled = 120;
    info.counters.started = 118;
    info.counters.retried = 2;
    info.counters.succeeded = 110;
    info.counters.failed = 3;
    info.counters.cancelled = 1;
    info.counters.abandoned = 4;
    info.counters.dropped = 5;
    info.counters.handlerErrors = 6;
    info.counters.live = 7;
    info.counters.poolActive = 2;
    info.counters.poolMax = 8;
    info.eventsDropped = 9000;
    info.subscribers = 3;
    const QJsonObject object = parseLine(line(9, [&](QByteArray &out) { protocol::appendHeartbeatBody(out, someTime, info); }));
    QCOMPARE(object.value("kind").toString(), "heartbeat");
    QCOMPARE(keysOf(object), sorted({"v", "seq", "ts_us", "kind", "counters", "live", "pool", "events_dropped", "subscribers"}));
    const QJsonObject counters = object.value("counters").toObject();
    QCOMPARE(keysOf(counters), sorted({"scheduled", "started", "retrying", "succeeded", "failed", "cancelled",
                                       "abandoned", "dropped", "handler_errors"}));
    QCOMPARE(counters.value("scheduled").toInteger(), 120);
    QCOMPARE(counters.value("started").toInteger(), 118);
    QCOMPARE(counters.value("retrying").toInteger(), 2);
    QCOMPARE(counters.value("succeeded").toInteger(), 110);
    QCOMPARE(counters.value("failed").toInteger(), 3);
    QCOMPARE(counters.value("cancelled").toInteger(), 1);
    QCOMPARE(counters.value("abandoned").toInteger(), 4);
    QCOMPARE(counters.value("dropped").toInteger(), 5);
    QCOMPARE(counters.value("handler_errors").toInteger(), 6);
    QCOMPARE(object.value("live").toInteger(), 7);
    QCOMPARE(object.value("pool").toObject().value("busy").toInteger(), 2);
    QCOMPARE(object.value("pool").toObject().value("max").toInteger(), 8);
    QCOMPARE(object.value("events_dropped").toInteger(), 9000);
    QCOMPARE(object.value("subscribers").toInteger(), 3);
}

void tst_ProtocolEncoder::gap()
{
    const QJsonObject object = parseLine(line(9046, [](QByteArray &out) { protocol::appendGapBody(out, someTime, 9000); }));
    QCOMPARE(keysOf(object), sorted({"v", "seq", "ts_us", "kind", "missed"}));
    QCOMPARE(object.value("kind").toString(), "gap");
    QCOMPARE(object.value("missed").toInteger(), 9000);
}

void tst_ProtocolEncoder::shutdownStages_data()
{
    QTest::addColumn<ShutdownStage>("stage");
    QTest::addColumn<QString>("name");
    QTest::newRow("started") << ShutdownStage::Started << "started";
    QTest::newRow("progress") << ShutdownStage::Progress << "progress";
}

void tst_ProtocolEncoder::shutdownStages()
{
    QFETCH(ShutdownStage, stage);
    QFETCH(QString, name);
    ShutdownProgress progress{someTime + 5000000, 2, 4, 1, 3};
    const QJsonObject object =
        parseLine(line(3, [&](QByteArray &out) { protocol::appendShutdownBody(out, someTime, stage, progress); }));
    QCOMPARE(keysOf(object), sorted({"v", "seq", "ts_us", "kind", "stage", "deadline_us", "pending", "cancelled",
                                     "finished", "abandoned"}));
    QCOMPARE(object.value("kind").toString(), "shutdown");
    QCOMPARE(object.value("stage").toString(), name);
    QCOMPARE(object.value("deadline_us").toInteger(), someTime + 5000000);
    QCOMPARE(object.value("pending").toInteger(), 2);
    QCOMPARE(object.value("cancelled").toInteger(), 4);
    QCOMPARE(object.value("finished").toInteger(), 1);
    QCOMPARE(object.value("abandoned").toInteger(), 3);
}

void tst_ProtocolEncoder::shutdownFinished()
{
    ShutdownReport report;
    report.finished = 2;
    report.cancelled = 4;
    report.abandoned = 1;
    report.dropped = 3;
    report.deadlineReached = true;
    report.elapsedMs = 5001;
    const QJsonObject object = parseLine(
        line(3, [&](QByteArray &out) { protocol::appendShutdownFinishedBody(out, someTime, someTime + 7, report); }));
    QCOMPARE(object.value("stage").toString(), "finished");
    QCOMPARE(object.value("deadline_us").toInteger(), someTime + 7);
    QCOMPARE(object.value("pending").toInteger(-1), 0);
    QCOMPARE(object.value("finished").toInteger(), 2);
    QCOMPARE(object.value("cancelled").toInteger(), 4);
    QCOMPARE(object.value("abandoned").toInteger(), 1);
    QCOMPARE(object.value("dropped").toInteger(), 3);
    QCOMPARE(object.value("deadline_reached").toBool(false), true);
    QCOMPARE(object.value("elapsed_ms").toInteger(), 5001);
}

void tst_ProtocolEncoder::bye()
{
    const QJsonObject object = parseLine(line(125, [](QByteArray &out) { protocol::appendByeBody(out, someTime); }));
    QCOMPARE(keysOf(object), sorted({"v", "seq", "ts_us", "kind"}));
    QCOMPARE(object.value("kind").toString(), "bye");
}

void tst_ProtocolEncoder::reply()
{
    const QJsonObject accepted = parseLine(line(7, [](QByteArray &out) {
        protocol::appendReplyBody(out, someTime,
                                  {.ref = "c1", .command = "cancel", .result = protocol::ReplyResult::Accepted, .affected = 2});
    }));
    QCOMPARE(keysOf(accepted), sorted({"v", "seq", "ts_us", "kind", "ref", "cmd", "result", "affected"}));
    QCOMPARE(accepted.value("kind").toString(), "reply");
    QCOMPARE(accepted.value("result").toString(), "accepted");
    QCOMPARE(accepted.value("affected").toInteger(), 2);
    const QJsonObject refused = parseLine(line(8, [](QByteArray &out) {
        protocol::appendReplyBody(out, someTime,
                                  {.command = "drain", .result = protocol::ReplyResult::Refused, .reason = "read-only"});
    }));
    QCOMPARE(refused.value("result").toString(), "refused");
    QCOMPARE(refused.value("reason").toString(), "read-only");
    QVERIFY(!refused.contains("affected"));
}

void tst_ProtocolEncoder::extraEvent()
{
    QByteArray fields;
    protocol::FieldWriter(fields)
        .unsignedInteger(QLatin1StringView("request"), 12)
        .string(QLatin1StringView("method"), QLatin1StringView("GET"))
        .string(QLatin1StringView("path"), u"/caf\u00e9?q=\"x\"")
        .string(QLatin1StringView("stage"), QLatin1StringView("response_written"))
        .integer(QLatin1StringView("status"), 200);
    const QJsonObject object = parseLine(
        line(8, [&](QByteArray &out) { protocol::appendEventBody(out, someTime, QLatin1StringView("request"), fields); }));
    QCOMPARE(object.value("kind").toString(), "request");
    QCOMPARE(object.value("request").toInteger(), 12);
    QCOMPARE(object.value("method").toString(), "GET");
    QCOMPARE(object.value("path").toString(), u"/caf\u00e9?q=\"x\"");
    QCOMPARE(object.value("status").toInteger(), 200);

    const QJsonObject bare = parseLine(
        line(9, [&](QByteArray &out) { protocol::appendEventBody(out, someTime, QLatin1StringView("ping"), {}); }));
    QCOMPARE(keysOf(bare), sorted({"v", "seq", "ts_us", "kind"}));
}

void tst_ProtocolEncoder::escaping_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("decoded"); // what a JSON reader must get back

    const QChar high(0xD83D);
    const QChar low(0xDE00);
    const QString replacement(QChar(0xFFFD));
    QTest::newRow("plain") << "hello world" << "hello world";
    QTest::newRow("empty") << "" << "";
    QTest::newRow("quote and backslash") << R"(say "hi" \ bye)" << R"(say "hi" \ bye)";
    QTest::newRow("newline, tab, cr") << "a\nb\tc\rd" << "a\nb\tc\rd";
    QTest::newRow("backspace, formfeed") << "a\bb\fc" << "a\bb\fc";
    QTest::newRow("other controls") << QString::fromLatin1("\x01\x1f\x7f", 3) << QString::fromLatin1("\x01\x1f\x7f", 3);
    QTest::newRow("nul") << QString(QChar(0)) << QString(QChar(0));
    QTest::newRow("two-byte utf-8") << QStringView(u"caf\u00e9 \u00fc").toString() << QStringView(u"caf\u00e9 \u00fc").toString();
    QTest::newRow("three-byte utf-8") << QStringView(u"\u65e5\u672c\u20ac").toString() << QStringView(u"\u65e5\u672c\u20ac").toString();
    QTest::newRow("surrogate pair") << QString(high) + low << QString(high) + low;
    QTest::newRow("lone high at end") << QString("x") + high << QString("x") + replacement;
    QTest::newRow("lone high before text") << QString(high) + "y" << replacement + "y";
    QTest::newRow("lone low") << QString(low) + "z" << replacement + "z";
    QTest::newRow("low then high") << QString(low) + high << replacement + replacement;
    QTest::newRow("u+2028 passes") << QStringView(u"a\u2028b").toString() << QStringView(u"a\u2028b").toString();
}

void tst_ProtocolEncoder::escaping()
{
    QFETCH(QString, input);
    QFETCH(QString, decoded);
    TaskEvent event = sampleEvent();
    event.name = input;
    const QByteArray encoded = line(1, [&](QByteArray &out) { protocol::appendTaskBody(out, event); });
    const QJsonObject object = parseLine(encoded);
    QCOMPARE(object.value("name").toString(), decoded);
    // UTF-8 passes through: nothing above ASCII is written as a \u escape.
    QCOMPARE(QString::fromUtf8(encoded).contains(QLatin1StringView("\\ud")), false);
    QVERIFY(QUtf8StringView(encoded).isValidUtf8());
}

void tst_ProtocolEncoder::escapingBytes_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("quote") << "\"" << QByteArray(R"("\"")");
    QTest::newRow("backslash") << "\\" << QByteArray(R"("\\")");
    QTest::newRow("newline") << "\n" << QByteArray(R"("\n")");
    QTest::newRow("control as lowercase hex") << QString(QChar(0x1b)) << QByteArray(R"("\u001b")");
    QTest::newRow("e acute as utf-8") << QStringView(u"\u00e9").toString() << QByteArray("\"\xc3\xa9\"");
    QTest::newRow("euro as utf-8") << QStringView(u"\u20ac").toString() << QByteArray("\"\xe2\x82\xac\"");
    QTest::newRow("emoji as utf-8") << QString::fromUtf8("\xf0\x9f\x98\x80") << QByteArray("\"\xf0\x9f\x98\x80\"");
    QTest::newRow("lone surrogate as U+FFFD") << QString(QChar(0xDC00)) << QByteArray("\"\xef\xbf\xbd\"");
    QTest::newRow("slash untouched") << "a/b" << QByteArray(R"("a/b")");
}

void tst_ProtocolEncoder::escapingBytes()
{
    QFETCH(QString, input);
    QFETCH(QByteArray, json);
    QByteArray out;
    protocol::json::appendString(out, input);
    QCOMPARE(out, json);
}

void tst_ProtocolEncoder::latin1Escaping()
{
    QByteArray out;
    protocol::json::appendString(out, QLatin1StringView("caf\xe9 \"q\"\n"));
    QCOMPARE(out, QByteArray("\"caf\xc3\xa9 \\\"q\\\"\\n\""));
}

void tst_ProtocolEncoder::utf8Escaping()
{
    // ASCII takes the fast path; anything else is decoded, so malformed bytes become U+FFFD.
    QByteArray ascii;
    protocol::json::appendString(ascii, QUtf8StringView("a\"b\n"));
    QCOMPARE(ascii, QByteArray(R"("a\"b\n")"));
    QByteArray text;
    protocol::json::appendString(text, QUtf8StringView("caf\xc3\xa9"));
    QCOMPARE(text, QByteArray("\"caf\xc3\xa9\""));
    QByteArray malformed;
    protocol::json::appendString(malformed, QUtf8StringView("a\xff"));
    QCOMPARE(malformed, QByteArray("\"a\xef\xbf\xbd\""));
}

void tst_ProtocolEncoder::doubles()
{
    const auto written = [](double value) {
        QByteArray out;
        protocol::json::appendDouble(out, value);
        return out;
    };
    QCOMPARE(written(0.1), QByteArray("0.1"));
    QCOMPARE(written(-3.0), QByteArray("-3"));
    QCOMPARE(written(1e300), QByteArray("1e+300"));
    QCOMPARE(written(std::numeric_limits<double>::infinity()), QByteArray("null"));
    QCOMPARE(written(std::numeric_limits<double>::quiet_NaN()), QByteArray("null"));
}

void tst_ProtocolEncoder::integers()
{
    TaskEvent event = sampleEvent();
    event.taskId = std::numeric_limits<quint64>::max();
    event.requestId = (quint64(1) << 53) + 1;
    const QByteArray encoded = line(std::numeric_limits<quint64>::max(), [&](QByteArray &out) { protocol::appendTaskBody(out, event); });
    QVERIFY(encoded.startsWith(R"({"v":1,"seq":18446744073709551615,)"));
    QVERIFY(encoded.contains(R"("id":18446744073709551615,)"));
    QVERIFY(encoded.contains(R"("request":9007199254740993)"));

    QByteArray negative;
    protocol::json::appendInteger(negative, std::numeric_limits<qint64>::min());
    QCOMPARE(negative, QByteArray("-9223372036854775808"));
}

void tst_ProtocolEncoder::decimalTextOfEveryWidth()
{
    // The integer writer counts digits from the value's bit width and writes eight-digit groups:
    // every width, both sides of every power of ten and of two, and the ends of both types.
    const auto writtenSigned = [](qint64 value) {
        QByteArray out;
        protocol::detail::RawWriter(out, protocol::detail::maxIntegerBytes).integer(value);
        return out;
    };
    const auto writtenUnsigned = [](quint64 value) {
        QByteArray out;
        protocol::detail::RawWriter(out, protocol::detail::maxIntegerBytes).unsignedInteger(value);
        return out;
    };
    QList<quint64> values = {0, std::numeric_limits<quint64>::max(), quint64(std::numeric_limits<qint64>::max()),
                             quint64(std::numeric_limits<qint64>::max()) + 1};
    for (quint64 v = 0; v <= 1000; ++v)
        values.append(v);
    quint64 power = 1;
    for (int digits = 1; digits <= 19; ++digits) {
        power *= 10;
        values += {power - 1, power, power + 1, power / 10 * 99 / 10 + 7};
    }
    for (int bit = 1; bit < 64; ++bit)
        values += {(quint64(1) << bit) - 1, quint64(1) << bit, (quint64(1) << bit) + 1};
    QRandomGenerator random(20261205);
    for (int i = 0; i < 20'000; ++i)
        values.append(random.generate64() >> random.bounded(64));
    for (const quint64 value : std::as_const(values)) {
        // Nothing is written past the text: the rest of the room is as it was.
        std::array<char, protocol::detail::maxIntegerBytes + 4> room;
        room.fill('#');
        const char *end = protocol::detail::writeDecimal(room.data(), value);
        const QByteArray expected = QByteArray::number(value);
        QCOMPARE(QByteArray(room.data(), end - room.data()), expected);
        QVERIFY(std::all_of(room.begin() + expected.size(), room.end(), [](char c) { return c == '#'; }));
        QCOMPARE(writtenUnsigned(value), QByteArray::number(value));
        const auto asSigned = qint64(value);
        QCOMPARE(writtenSigned(asSigned), QByteArray::number(asSigned));
        if (asSigned != std::numeric_limits<qint64>::min())
            QCOMPARE(writtenSigned(-asSigned), QByteArray::number(-asSigned));
    }
}

void tst_ProtocolEncoder::jsonValues()
{
    QJsonObject object;
    object.insert("int", 42);
    object.insert("big", qint64(1) << 60);
    object.insert("fraction", 1.5);
    object.insert("nan", std::numeric_limits<double>::quiet_NaN());
    object.insert("zero", 0);
    object.insert("text", "a\"b");
    object.insert("list", QJsonArray{1, true, QJsonValue(), "x"});
    object.insert("nested", QJsonObject{{"k", false}});
    QByteArray out;
    protocol::json::appendObject(out, object);
    QVERIFY2(isCompact(out), out.constData());
    QVERIFY(out.contains(R"("int":42)"));
    QVERIFY(out.contains(R"("big":1152921504606846976)"));
    QVERIFY(out.contains(R"("fraction":1.5)"));
    QVERIFY(out.contains(R"("nan":null)"));
    QVERIFY(out.contains(R"("zero":0)"));
    QVERIFY(out.contains(R"("list":[1,true,null,"x"])"));
    QVERIFY(out.contains(R"("nested":{"k":false})"));
    const QJsonObject back = QJsonDocument::fromJson(out).object();
    QCOMPARE(back.value("text").toString(), "a\"b");
    QCOMPARE(back.value("big").toInteger(), qint64(1) << 60);
}

void tst_ProtocolEncoder::fieldWriter()
{
    QByteArray out("{");
    protocol::FieldWriter writer(out);
    writer.integer(QLatin1StringView("a"), -1)
        .boolean(QLatin1StringView("b"), true)
        .beginObject(QLatin1StringView("c"))
        .string(QLatin1StringView("d"), u"\u00e9")
        .raw(QLatin1StringView("e"), "[1,2]")
        .endObject()
        .value(QLatin1StringView("f"), QJsonValue(2.25));
    out.append('}');
    QCOMPARE(out, QByteArray("{\"a\":-1,\"b\":true,\"c\":{\"d\":\"\xc3\xa9\",\"e\":[1,2]},\"f\":2.25}"));

    QByteArray continued(R"({"x":1)");
    protocol::FieldWriter(continued, true).integer(QLatin1StringView("y"), 2);
    continued.append('}');
    QCOMPARE(continued, QByteArray(R"({"x":1,"y":2})"));
}

// Not a timed test: prints how many task lines one core encodes per second, for the record:
// the shared body alone, and the body plus one subscriber's prefix and copy.
void tst_ProtocolEncoder::encodeRate()
{
    TaskEvent event = sampleEvent(Phase::Succeeded);
    event.name = QStringLiteral("resize_image#1234");
    event.functionLabel = QStringLiteral("resizeImage");
    QByteArray body;
    QByteArray queue;
    constexpr int count = 500000;
    const auto measure = [&](bool withSubscriber) {
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < count; ++i) {
            event.taskId = quint64(i);
            body.resize(0);
            protocol::appendTaskBody(body, event);
            if (withSubscriber) {
                protocol::appendLinePrefix(queue, quint64(i));
                queue.append(body); // the publisher's own copy is a plain memcpy
                if (queue.size() > 1024 * 1024)
                    queue.resize(0); // as when the queue is handed to the socket
            }
        }
        return double(qMax<qint64>(timer.nsecsElapsed(), 1));
    };
    measure(true); // warm up
    const double bodyNs = measure(false);
    const double lineNs = measure(true);
    qInfo("encode: %lld-byte task lines: body %.0f ns (%.2f M/s); body + subscriber line %.0f ns (%.2f M/s)",
          qint64(body.size()) + 20, bodyNs / count, count * 1e3 / bodyNs, lineNs / count, count * 1e3 / lineNs);
    QVERIFY(!body.isEmpty());
}

QTEST_GUILESS_MAIN(tst_ProtocolEncoder)
#include "tst_protocolencoder.moc"
