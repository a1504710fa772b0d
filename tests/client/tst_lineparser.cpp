// SPDX-License-Identifier: MIT
#include <afterwork/client/lineparser.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QScopeGuard>
#include <QtTest/QTest>

#include <limits>
#include <thread>
#include <vector>

#ifdef Q_OS_LINUX
#include <sys/mman.h>
#include <unistd.h>
#endif

using namespace afterwork;
using namespace afterwork::client;
using namespace Qt::StringLiterals;

class tst_LineParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void hello();
    void snapshotKeepsStartTimes();
    void snapshotEntriesCarryProgress();
    void taskFields();
    void failedTaskCarriesErrors();
    void heartbeat();
    void gapShutdownByeRequest();
    void helloSaysControlAndRepliesParse();
    void unknownFieldsAndKindsAreIgnored();
    void unknownSpellingsAreKept();
    void escapesAndUnicode();
    void stringEndsAreFoundAtEveryOffset();
    void repeatedStringsReadBackExactly();
    void emptyStringsAreEmptyNotNull();
    void stringsOutliveTheThreadThatReadThem();
    void linesEndingAtAnUnreadablePageAreReadWithinTheirBytes();
    void keyOrderDoesNotMatter();
    void integersUpToTheirLimits();
    void invalidLines_data();
    void invalidLines();
    void errorsNameTheField();
    void findTopLevelValue_data();
    void findTopLevelValue();
    void parsesAMillionLinesInSeconds();
};

namespace {

StreamEvent parseOk(QByteArrayView line)
{
    auto result = parseLine(line);
    if (auto *error = std::get_if<ParseError>(&result))
        qFatal("unexpected parse error: %s in %s", qPrintable(error->toString()), line.data());
    return std::get<StreamEvent>(std::move(result));
}

} // namespace

void tst_LineParser::hello()
{
    const auto event = parseOk(
        R"({"v":1,"seq":1,"ts_us":1700000000000000,"kind":"hello","source":{"app":"demo","pid":42,"host":"box","instance":"6f1c","started_us":1699999999000000}})");
    QCOMPARE(event.kind(), EventKind::Hello);
    QCOMPARE(event.seq, 1u);
    QCOMPARE(event.tsUs, 1700000000000000);
    const auto *hello = event.as<HelloEvent>();
    QVERIFY(hello);
    QCOMPARE(hello->source.app, u"demo"_s);
    QCOMPARE(hello->source.pid, 42);
    QCOMPARE(hello->source.host, u"box"_s);
    QCOMPARE(hello->source.instance, u"6f1c"_s);
    QCOMPARE(hello->source.startedUs, 1699999999000000);
}

void tst_LineParser::snapshotKeepsStartTimes()
{
    const auto event = parseOk(
        R"({"v":1,"seq":2,"ts_us":500,"kind":"snapshot","tasks":[{"id":7,"ts_us":250,"name":"a","phase":"started","shielded":true,"mode":"after_response","work":"async","attempt":2,"scheduled_us":100,"started_us":200,"function":"sendEmail","request":9},{"id":8,"name":"b","phase":"scheduled"}]})");
    const auto *snapshot = event.as<SnapshotEvent>();
    QVERIFY(snapshot);
    QCOMPARE(snapshot->tasks.size(), 2);
    const TaskRecord &a = snapshot->tasks[0];
    QCOMPARE(a.id, 7u);
    QCOMPARE(a.phase, Phase::Started);
    QVERIFY(a.shielded);
    QCOMPARE(a.mode, Mode::AfterResponse);
    QCOMPARE(a.work, WorkKind::Async);
    QCOMPARE(a.attempt, 2);
    QCOMPARE(a.scheduledUs, 100);
    QCOMPARE(a.startedUs, 200);
    QCOMPARE(a.requestId, 9u);
    QCOMPARE(a.tsUs, 250); // the step's own time
    QCOMPARE(a.function, u"sendEmail"_s);
    QCOMPARE(snapshot->tasks[1].phase, Phase::Scheduled);
    QCOMPARE(snapshot->tasks[1].tsUs, 500); // none of its own: the snapshot's

    const auto empty = parseOk(R"({"v":1,"seq":2,"ts_us":5,"kind":"snapshot","tasks":[]})");
    QVERIFY(empty.as<SnapshotEvent>()->tasks.isEmpty());
}

void tst_LineParser::snapshotEntriesCarryProgress()
{
    // The object may come before the id; unknown members inside it are skipped like any other.
    const auto event = parseOk(
        R"({"v":1,"seq":2,"ts_us":500,"kind":"snapshot","tasks":[{"progress":{"done":3,"total":10,"message":"page 3","eta_us":9},"id":7,"name":"a","phase":"started"},{"id":8,"name":"b","phase":"started","progress":{"total":0,"done":41}},{"id":9,"name":"c","phase":"scheduled"},{"id":10,"name":"d","phase":"started","progress":null}]})");
    const auto *snapshot = event.as<SnapshotEvent>();
    QVERIFY(snapshot);
    QCOMPARE(snapshot->tasks.size(), 4);
    QCOMPARE(snapshot->tasks[0].progress, (ProgressEvent{7, 3, 10, u"page 3"_s}));
    QCOMPARE(snapshot->tasks[0].progress->fraction(), 0.3);
    QCOMPARE(snapshot->tasks[1].progress, (ProgressEvent{8, 41, 0, {}}));
    QCOMPARE(snapshot->tasks[1].progress->fraction(), -1.0); // indeterminate
    QVERIFY(!snapshot->tasks[2].progress); // never reported
    QVERIFY(!snapshot->tasks[3].progress);

    // Only a snapshot entry has it: at a task line's top level it is an unknown member, and
    // another kind may use the name for anything.
    QVERIFY(!parseOk(R"({"v":1,"seq":1,"ts_us":2,"kind":"task","id":3,"phase":"started","progress":{"done":1,"total":2}})")
                 .as<TaskRecord>()
                 ->progress);
    QCOMPARE(parseOk(R"({"v":1,"seq":1,"ts_us":2,"kind":"build","progress":"half"})").kind(), EventKind::Other);
}

void tst_LineParser::taskFields()
{
    const auto event = parseOk(
        R"({"v":1,"seq":10,"ts_us":1000,"kind":"task","id":42,"name":"send_email","phase":"succeeded","shielded":false,"mode":"immediate","work":"sync","attempt":1,"wait_us":12,"run_us":3400,"scheduled_us":900,"started_us":950})");
    const auto *task = event.as<TaskRecord>();
    QVERIFY(task);
    QCOMPARE(task->id, 42u);
    QCOMPARE(task->name, u"send_email"_s);
    QCOMPARE(task->phase, Phase::Succeeded);
    QVERIFY(isTerminal(task->phase));
    QCOMPARE(task->mode, Mode::Immediate);
    QCOMPARE(task->work, WorkKind::Sync);
    QCOMPARE(task->waitUs, 12);
    QCOMPARE(task->runUs, 3400);
    QCOMPARE(task->requestId, 0u);
    QCOMPARE(task->tsUs, 1000);
    QVERIFY(!task->error);

    // Every phase spelling the protocol fixes.
    for (Phase phase : {Phase::Scheduled, Phase::Started, Phase::Retrying,
                            Phase::ShutdownPending, Phase::Succeeded, Phase::Failed,
                            Phase::Cancelled, Phase::Abandoned, Phase::Dropped}) {
        const QByteArray line = R"({"v":1,"seq":1,"ts_us":1,"kind":"task","id":1,"phase":")"
            + QByteArray(wireName(phase).data(), wireName(phase).size()) + R"("})";
        QCOMPARE(parseOk(line).as<TaskRecord>()->phase, phase);
    }
}

void tst_LineParser::failedTaskCarriesErrors()
{
    const auto event = parseOk(
        R"({"v":1,"seq":3,"ts_us":1,"kind":"task","id":1,"phase":"failed","error":{"type":"std::runtime_error","message":"smtp timeout"},"handler_error":{"type":"std::logic_error","message":"handler broke"}})");
    const auto *task = event.as<TaskRecord>();
    QVERIFY(task->error);
    QCOMPARE(task->error->type, u"std::runtime_error"_s);
    QCOMPARE(task->error->message, u"smtp timeout"_s);
    QVERIFY(task->handlerError);
    QCOMPARE(task->handlerError->message, u"handler broke"_s);

    const auto nulls = parseOk(R"({"v":1,"seq":3,"ts_us":1,"kind":"task","id":1,"phase":"failed","error":null,"request":null})");
    QVERIFY(!nulls.as<TaskRecord>()->error);
}

void tst_LineParser::heartbeat()
{
    const auto event = parseOk(
        R"({"v":1,"seq":4,"ts_us":1,"kind":"heartbeat","counters":{"succeeded":10,"failed":2,"future":{"x":1}},"live":3,"pool":{"busy":1,"max":4},"events_dropped":5,"subscribers":2})");
    const auto *heartbeat = event.as<HeartbeatEvent>();
    QVERIFY(heartbeat);
    QCOMPARE(heartbeat->counter(u"succeeded"), 10);
    QCOMPARE(heartbeat->counter(u"failed"), 2);
    QCOMPARE(heartbeat->counter(u"future"), -1);
    QCOMPARE(heartbeat->live, 3);
    QCOMPARE(heartbeat->poolBusy, 1);
    QCOMPARE(heartbeat->poolMax, 4);
    QCOMPARE(heartbeat->eventsDropped, 5);
    QCOMPARE(heartbeat->subscribers, 2);
}

void tst_LineParser::gapShutdownByeRequest()
{
    QCOMPARE(parseOk(R"({"v":1,"seq":9,"ts_us":1,"kind":"gap","missed":17})").as<GapEvent>()->missed, 17);

    const auto shutdown = parseOk(
        R"({"v":1,"seq":9,"ts_us":1,"kind":"shutdown","stage":"started","deadline_us":99,"pending":3,"cancelled":2,"finished":1,"abandoned":0,"dropped":4,"deadline_reached":true,"elapsed_ms":10})");
    const auto *s = shutdown.as<ShutdownEvent>();
    QCOMPARE(s->stage, u"started"_s);
    QCOMPARE(s->deadlineUs, 99);
    QCOMPARE(s->pending, 3);
    QCOMPARE(s->cancelled, 2);
    QCOMPARE(s->finished, 1);
    QCOMPARE(s->abandoned, 0);
    QCOMPARE(s->dropped, 4);
    QVERIFY(s->deadlineReached);

    QCOMPARE(parseOk(R"({"v":1,"seq":9,"ts_us":1,"kind":"bye"})").kind(), EventKind::Bye);

    const auto request = parseOk(
        R"({"v":1,"seq":9,"ts_us":1,"kind":"request","request":7,"method":"POST","path":"/signup","stage":"response_written","status":201})");
    const auto *r = request.as<RequestEvent>();
    QCOMPARE(r->requestId, 7u);
    QCOMPARE(r->method, u"POST"_s);
    QCOMPARE(r->path, u"/signup"_s);
    QCOMPARE(r->stage, u"response_written"_s);
    QCOMPARE(r->status, 201);
    QVERIFY(!r->error);

    const auto failed = parseOk(
        R"({"v":1,"seq":9,"ts_us":1,"kind":"request","request":13,"method":"POST","path":"/tasks/spawn","stage":"failed","status":500,"error":{"type":"std::runtime_error","message":"route_fail=1"}})");
    QCOMPARE(failed.as<RequestEvent>()->error->message, u"route_fail=1"_s);
    QCOMPARE(parseOk(R"({"v":1,"seq":9,"ts_us":1,"kind":"request","request":13,"method":"GET","path":"/","stage":"received"})")
                 .as<RequestEvent>()
                 ->status,
             0);
}

void tst_LineParser::helloSaysControlAndRepliesParse()
{
    const auto plain = parseOk(R"({"v":1,"seq":0,"ts_us":1,"kind":"hello","source":{"app":"a"}})");
    QCOMPARE(plain.as<HelloEvent>()->control, false); // absent: read-only
    const auto control = parseOk(R"({"v":1,"seq":0,"ts_us":1,"kind":"hello","source":{"app":"a"},"control":true})");
    QCOMPARE(control.as<HelloEvent>()->control, true);

    // The examples of docs/protocol.md.
    const auto accepted =
        parseOk(R"({"v":1,"seq":9,"ts_us":1718000000900000,"kind":"reply","ref":"c1","cmd":"cancel","result":"accepted","affected":2})");
    QCOMPARE(accepted.kind(), EventKind::Reply);
    const auto *reply = accepted.as<ReplyEvent>();
    QCOMPARE(reply->ref, u"c1"_s);
    QCOMPARE(reply->command, u"cancel"_s);
    QCOMPARE(reply->result, u"accepted"_s);
    QCOMPARE(reply->affected, 2);
    const auto refused = parseOk(
        R"({"v":1,"seq":10,"ts_us":1718000001000000,"kind":"reply","ref":"c2","cmd":"drain","result":"refused","reason":"read-only: this publisher does not accept commands"})");
    QCOMPARE(refused.as<ReplyEvent>()->reason, u"read-only: this publisher does not accept commands"_s);
    QVERIFY(std::holds_alternative<ParseError>(parseLine(R"({"v":1,"seq":1,"ts_us":1,"kind":"reply","ref":"x"})")));
    // Lines of other kinds may use the same words with other types.
    const auto own = parseOk(R"({"v":1,"seq":2,"ts_us":1,"kind":"audit","result":200,"reason":null,"affected":-1,"control":"on","ref":7})");
    QCOMPARE(own.kind(), EventKind::Other);
}

void tst_LineParser::unknownFieldsAndKindsAreIgnored()
{
    const auto event = parseOk(
        R"({"v":1,"future":{"deep":[1,2.5e-3,{"a":[true,false,null]}]},"seq":1,"ts_us":2,"kind":"task","id":3,"phase":"started","extra":"x"})");
    QCOMPARE(event.as<TaskRecord>()->id, 3u);

    const auto other = parseOk(R"({"v":1,"seq":1,"ts_us":2,"kind":"metrics","cpu":0.5})");
    QCOMPARE(other.kind(), EventKind::Other);
    QCOMPARE(other.as<OtherEvent>()->kind, u"metrics"_s);
}

void tst_LineParser::unknownSpellingsAreKept()
{
    const auto event = parseOk(R"({"v":1,"seq":1,"ts_us":2,"kind":"task","id":3,"phase":"paused","mode":"later","work":"gpu"})");
    const auto *task = event.as<TaskRecord>();
    QCOMPARE(task->phase, Phase::Unknown);
    QCOMPARE(task->mode, Mode::Unknown);
    QCOMPARE(task->work, WorkKind::Unknown);
    // "lost" is the observer's word: a source cannot report it.
    QCOMPARE(parseOk(R"({"v":1,"seq":1,"ts_us":2,"kind":"task","id":3,"phase":"lost"})").as<TaskRecord>()->phase,
             Phase::Unknown);
}

void tst_LineParser::escapesAndUnicode()
{
    const auto event = parseOk(
        R"({"v":1,"seq":1,"ts_us":2,"kind":"task","id":3,"phase":"started","name":"a\"b\\c\/d\n\t\u00e9\u20ac\ud83d\ude00 é"})");
    QCOMPARE(event.as<TaskRecord>()->name, u"a\"b\\c/d\n\té€😀 é"_s);
    // A lone surrogate and invalid UTF-8 become U+FFFD rather than an error.
    const QByteArray invalid = R"({"v":1,"seq":1,"ts_us":2,"kind":"task","id":3,"phase":"started","name":"\ud800x)"
        + QByteArray("\xff\xfe") + R"("})";
    const QString name = parseOk(invalid).as<TaskRecord>()->name;
    QVERIFY(name.startsWith(QChar(0xFFFD)));
    QVERIFY(name.contains(u'x'));
    // A trailing '\r' (CRLF files) and whitespace are fine.
    QCOMPARE(parseOk(" { \"v\" : 1 , \"seq\" : 1 , \"ts_us\" : 2 , \"kind\" : \"bye\" } \r").kind(), EventKind::Bye);
}

void tst_LineParser::stringEndsAreFoundAtEveryOffset()
{
    // Strings are scanned eight bytes at a time: their end, an escape or a control byte must be
    // found wherever it falls in (or after) a chunk, and the line's own end must not be read past.
    const auto taskLine = [](const QByteArray &nameJson) {
        return R"({"v":1,"seq":1,"ts_us":2,"kind":"task","id":3,"phase":"started","name":")" + nameJson + "\"}";
    };
    for (int length = 0; length <= 40; ++length) {
        const QByteArray plain(length, 'n');
        QCOMPARE(parseOk(taskLine(plain)).as<TaskRecord>()->name, QString::fromLatin1(plain));
        // UTF-8 bytes (all >= 0x80) are plain bytes too.
        const QByteArray accented = QByteArray(length, 'a') + "\\u00e9" + QByteArray(length, 'b') + "\xc3\xa9";
        QCOMPARE(parseOk(taskLine(accented)).as<TaskRecord>()->name,
                 QString(length, u'a') + u'\u00e9' + QString(length, u'b') + u'\u00e9');
        for (int at = 0; at <= length; ++at) {
            QByteArray escaped = plain;
            escaped.insert(at, "\\\"");
            QString expected = QString::fromLatin1(plain);
            expected.insert(at, u'"');
            QCOMPARE(parseOk(taskLine(escaped)).as<TaskRecord>()->name, expected);

            for (const char controlByte : {'\0', '\x01', '\t', '\x1f'}) {
                QByteArray control = plain;
                control.insert(at, controlByte);
                const auto refused = parseLine(taskLine(control));
                QVERIFY2(std::holds_alternative<ParseError>(refused), qPrintable(u"length %1 at %2"_s.arg(length).arg(at)));
                QVERIFY(std::get<ParseError>(refused).toString().contains(u"control character"));
            }
            // Bytes just outside the ones that end a plain run: a space and DEL are plain, and so
            // are '"' and '\\' with their high bit set (each alone invalid UTF-8, read as U+FFFD).
            for (const char plainByte : {' ', '\x7f'}) {
                QByteArray kept = plain;
                kept.insert(at, plainByte);
                QCOMPARE(parseOk(taskLine(kept)).as<TaskRecord>()->name, QString::fromLatin1(kept));
            }
            for (const char highByte : {'\xa2', '\xdc', '\x80', '\xff'}) {
                QByteArray high = plain;
                high.insert(at, highByte);
                QString replaced = QString::fromLatin1(plain);
                replaced.insert(at, QChar(0xFFFD));
                QCOMPARE(parseOk(taskLine(high)).as<TaskRecord>()->name, replaced);
            }
        }
        // A line that ends inside the string (that nothing past its end is read is checked by
        // linesEndingAtAnUnreadablePageAreReadWithinTheirBytes).
        const auto unterminated = parseLine(taskLine(plain).chopped(2));
        QVERIFY(std::holds_alternative<ParseError>(unterminated));
        QVERIFY(std::get<ParseError>(unterminated).toString().contains(u"unterminated string"));
    }
}

void tst_LineParser::repeatedStringsReadBackExactly()
{
    // Recently read strings are kept and shared: many different ones (more than are kept, some
    // too long to keep, some differing only in their last byte), read again and again, must each
    // come back as themselves.
    QStringList names;
    for (int i = 0; i < 300; ++i)
        names.append(u"task_%1_"_s.arg(i) + QString(i % 90, QChar(u'x' + i % 3)));
    names.append(u"send_email_a"_s);
    names.append(u"send_email_b"_s);
    for (int round = 0; round < 3; ++round) {
        for (const QString &name : std::as_const(names)) {
            const QByteArray line = R"({"v":1,"seq":1,"ts_us":2,"kind":"request","request":7,"method":"POST","path":")"
                + name.toUtf8() + R"(","stage":")" + name.toUtf8() + R"("})";
            const StreamEvent event = parseOk(line);
            const auto *request = event.as<RequestEvent>();
            QVERIFY(request);
            QCOMPARE(request->path, name);
            QCOMPARE(request->stage, name);
            QCOMPARE(request->method, u"POST"_s);
        }
    }
}

void tst_LineParser::emptyStringsAreEmptyNotNull()
{
    // Read as before the recent strings were kept: an empty string is empty, never null, whatever
    // the thread read earlier. A new thread starts with nothing kept.
    const QByteArray line = R"({"v":1,"seq":1,"ts_us":2,"kind":"task","id":3,"phase":"started","name":""})";
    QString onNewThread;
    std::thread([&] { onNewThread = parseOk(line).as<TaskRecord>()->name; }).join();
    QVERIFY(onNewThread.isEmpty());
    QVERIFY(!onNewThread.isNull());
    const QString here = parseOk(line).as<TaskRecord>()->name;
    QVERIFY(here.isEmpty());
    QVERIFY(!here.isNull());
}

void tst_LineParser::stringsOutliveTheThreadThatReadThem()
{
    // A thread's kept strings are shared with the events it parsed: those must stay whole after
    // the thread (and its table) is gone, and after this thread reads the same names again.
    std::vector<StreamEvent> events;
    std::thread([&] {
        for (int i = 0; i < 200; ++i)
            events.push_back(parseOk(R"({"v":1,"seq":1,"ts_us":2,"kind":"task","id":3,"phase":"started","name":"name_)"
                                     + QByteArray::number(i % 7) + R"(","function":"send_email"})"));
    }).join();
    QCOMPARE(events.size(), size_t(200));
    for (size_t i = 0; i < events.size(); ++i) {
        const TaskRecord *task = events[i].as<TaskRecord>();
        QCOMPARE(task->name, u"name_%1"_s.arg(i % 7));
        QCOMPARE(task->function, u"send_email"_s);
        const StreamEvent again =
            parseOk(R"({"v":1,"seq":1,"ts_us":2,"kind":"task","id":3,"phase":"started","name":"name_)"
                    + QByteArray::number(i % 7) + R"("})");
        QCOMPARE(again.as<TaskRecord>()->name, task->name);
    }
    events.clear(); // the last references, dropped on a thread that did not make them
}

void tst_LineParser::linesEndingAtAnUnreadablePageAreReadWithinTheirBytes()
{
#ifdef Q_OS_LINUX
    // The reader takes eight bytes at a time: it must never touch a byte past the line it is
    // given. Each line is put right before a page that cannot be read; a read past it crashes.
    const auto pageSize = size_t(sysconf(_SC_PAGESIZE));
    void *mapping = mmap(nullptr, 2 * pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    QVERIFY(mapping != MAP_FAILED);
    const auto unmap = qScopeGuard([&] { munmap(mapping, 2 * pageSize); });
    char *guard = static_cast<char *>(mapping) + pageSize;
    QCOMPARE(mprotect(guard, pageSize, PROT_NONE), 0);
    const auto atTheEdge = [&](const QByteArray &line) {
        char *start = guard - line.size();
        std::memcpy(start, line.constData(), size_t(line.size()));
        return parseLine(QByteArrayView(start, line.size()));
    };
    const QByteArray head = R"({"v":1,"seq":1,"ts_us":2,"kind":"task","id":3,"phase":"started","name":")";
    for (int length = 0; length <= 40; ++length) {
        const QByteArray name(length, 'n');
        const auto whole = atTheEdge(head + name + "\"}");
        QVERIFY(std::holds_alternative<StreamEvent>(whole));
        QCOMPARE(std::get<StreamEvent>(whole).as<TaskRecord>()->name, QString::fromLatin1(name));
        const auto cut = atTheEdge(head + name);
        QVERIFY(std::holds_alternative<ParseError>(cut));
        QVERIFY(std::get<ParseError>(cut).toString().contains(u"unterminated string"));
        const auto number = atTheEdge(R"({"v":1,"seq":1,"kind":"bye","ts_us":)" + QByteArray(1 + length % 19, '7'));
        QVERIFY(std::holds_alternative<ParseError>(number)); // no closing brace
    }
#else
    QSKIP("needs mmap and mprotect");
#endif
}

void tst_LineParser::keyOrderDoesNotMatter()
{
    const auto event = parseOk(R"({"phase":"failed","id":5,"kind":"task","ts_us":2,"seq":8,"v":1})");
    QCOMPARE(event.seq, 8u);
    QCOMPARE(event.as<TaskRecord>()->id, 5u);
}

void tst_LineParser::integersUpToTheirLimits()
{
    // Every 64-bit value reads back, the minimum too; one past either end is refused.
    for (const qint64 ts : {std::numeric_limits<qint64>::max(), std::numeric_limits<qint64>::min(), qint64(0),
                            qint64(-1), qint64(999'999'999'999'999'999), qint64(1'000'000'000'000'000'000)}) {
        const QByteArray line = R"({"v":1,"seq":1,"kind":"bye","ts_us":)" + QByteArray::number(ts) + '}';
        QCOMPARE(parseOk(line).tsUs, ts);
    }
    for (const char *outside : {"9223372036854775808", "-9223372036854775809", "18446744073709551616",
                                "99999999999999999999", "123456789012345678901"}) {
        const QByteArray line = R"({"v":1,"seq":1,"kind":"bye","ts_us":)" + QByteArray(outside) + '}';
        const auto result = parseLine(line);
        QVERIFY2(std::holds_alternative<ParseError>(result), outside);
        QVERIFY(std::get<ParseError>(result).toString().contains(u"integer out of range"));
    }
}

void tst_LineParser::invalidLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("messagePart");

    QTest::newRow("empty") << QByteArray() << u"empty line"_s;
    QTest::newRow("blank") << QByteArray("   ") << u"empty line"_s;
    QTest::newRow("array") << QByteArray("[1]") << u"expected a JSON object"_s;
    QTest::newRow("garbage") << QByteArray("hello") << u"expected a JSON object"_s;
    QTest::newRow("truncated") << QByteArray(R"({"v":1,"seq":1,"ts)") << u"unterminated string"_s;
    QTest::newRow("no close") << QByteArray(R"({"v":1,"seq":1)") << u"expected ',' or '}'"_s;
    QTest::newRow("trailing comma") << QByteArray(R"({"v":1,})") << u"expected a member name"_s;
    QTest::newRow("trailing data") << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"bye"} x)")
                                   << u"after the object"_s;
    QTest::newRow("two objects") << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"bye"}{})")
                                 << u"after the object"_s;
    QTest::newRow("missing v") << QByteArray(R"({"seq":1,"ts_us":1,"kind":"bye"})") << u"missing 'v'"_s;
    QTest::newRow("version 2") << QByteArray(R"({"v":2,"seq":1,"ts_us":1,"kind":"bye"})")
                               << u"unsupported protocol version 2"_s;
    QTest::newRow("missing seq") << QByteArray(R"({"v":1,"ts_us":1,"kind":"bye"})") << u"missing 'seq'"_s;
    QTest::newRow("missing ts") << QByteArray(R"({"v":1,"seq":1,"kind":"bye"})") << u"missing 'ts_us'"_s;
    QTest::newRow("missing kind") << QByteArray(R"({"v":1,"seq":1,"ts_us":1})") << u"missing 'kind'"_s;
    QTest::newRow("negative seq") << QByteArray(R"({"v":1,"seq":-1,"ts_us":1,"kind":"bye"})")
                                  << u"'seq': must not be negative"_s;
    QTest::newRow("fractional seq") << QByteArray(R"({"v":1,"seq":1.5,"ts_us":1,"kind":"bye"})")
                                    << u"'seq': expected an integer, not a fraction"_s;
    QTest::newRow("string seq") << QByteArray(R"({"v":1,"seq":"1","ts_us":1,"kind":"bye"})")
                                << u"'seq': expected an integer"_s;
    QTest::newRow("huge seq") << QByteArray(R"({"v":1,"seq":99999999999999999999,"ts_us":1,"kind":"bye"})")
                              << u"'seq': integer out of range"_s;
    QTest::newRow("leading zero") << QByteArray(R"({"v":1,"seq":01,"ts_us":1,"kind":"bye"})")
                                  << u"leading zero"_s;
    QTest::newRow("kind not string") << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":3})")
                                     << u"'kind': expected a string"_s;
    QTest::newRow("task without id") << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"task","phase":"started"})")
                                     << u"task without 'id'"_s;
    QTest::newRow("task without phase") << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"task","id":1})")
                                        << u"task without 'phase'"_s;
    QTest::newRow("shielded not bool")
        << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"task","id":1,"phase":"started","shielded":1})")
        << u"'shielded': expected true or false"_s;
    QTest::newRow("error not object")
        << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"task","id":1,"phase":"failed","error":"x"})")
        << u"'error': expected an object or null"_s;
    QTest::newRow("hello without source") << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"hello"})")
                                          << u"hello without 'source'"_s;
    QTest::newRow("snapshot without tasks") << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"snapshot"})")
                                            << u"snapshot without 'tasks'"_s;
    QTest::newRow("snapshot task without id")
        << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"snapshot","tasks":[{"id":1,"phase":"started"},{"phase":"started"}]})")
        << u"'tasks': [1]: task without 'id'"_s;
    QTest::newRow("snapshot progress not object")
        << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"snapshot","tasks":[{"id":1,"phase":"started","progress":50}]})")
        << u"'tasks': [0]: 'progress': expected an object or null"_s;
    QTest::newRow("snapshot progress without total")
        << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"snapshot","tasks":[{"id":1,"phase":"started","progress":{"done":1}}]})")
        << u"'tasks': [0]: 'progress': expected 'done' and 'total'"_s;
    QTest::newRow("snapshot progress done not integer")
        << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"snapshot","tasks":[{"id":1,"phase":"started","progress":{"done":"1","total":2}}]})")
        << u"'tasks': [0]: 'progress': 'done': expected an integer"_s;
    QTest::newRow("gap without missed") << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"gap"})")
                                        << u"gap without 'missed'"_s;
    QTest::newRow("control char") << QByteArray("{\"v\":1,\"seq\":1,\"ts_us\":1,\"kind\":\"b\x01ye\"}")
                                  << u"control character"_s;
    QTest::newRow("bad escape") << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"b\qye"})") << u"bad escape"_s;
    QTest::newRow("bad unicode escape") << QByteArray(R"({"v":1,"seq":1,"ts_us":1,"kind":"\u12G4"})")
                                        << u"bad \\u escape"_s;
    QTest::newRow("bad literal") << QByteArray(R"({"v":1,"x":tru,"seq":1,"ts_us":1,"kind":"bye"})")
                                 << u"unexpected character"_s;
    QTest::newRow("bad number") << QByteArray(R"({"v":1,"x":1.,"seq":1,"ts_us":1,"kind":"bye"})") << u"bad number"_s;
    QTest::newRow("too deep") << (QByteArray(R"({"v":1,"x":)") + QByteArray(100, '[') + QByteArray(100, ']') + "}")
                              << u"nesting deeper than"_s;
    QTest::newRow("nul byte") << QByteArray("{\"v\":1,\0}", 9) << u"expected a member name"_s;
}

void tst_LineParser::invalidLines()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, messagePart);
    const auto result = parseLine(line);
    const auto *error = std::get_if<ParseError>(&result);
    QVERIFY2(error, line.constData());
    QVERIFY2(error->message.contains(messagePart), qPrintable(error->message));
    QVERIFY(error->offset >= 0 && error->offset <= line.size());
}

void tst_LineParser::errorsNameTheField()
{
    const QByteArray line = R"({"v":1,"seq":1,"ts_us":1,"kind":"hello","source":{"pid":"x"}})";
    const auto result = parseLine(line);
    const auto &error = std::get<ParseError>(result);
    QCOMPARE(error.message, u"'source': 'pid': expected an integer"_s);
    QCOMPARE(error.offset, line.indexOf("\"x\""));
}

void tst_LineParser::findTopLevelValue_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("value"); // empty: not found

    QTest::newRow("seq") << QByteArray(R"({"v":1,"seq":123,"ts_us":4})") << QByteArray("seq") << QByteArray("123");
    QTest::newRow("spaces") << QByteArray(R"({ "seq" :  7 , "v":1})") << QByteArray("seq") << QByteArray("7");
    QTest::newRow("nested is not top level")
        << QByteArray(R"({"x":{"seq":1},"v":1})") << QByteArray("seq") << QByteArray();
    QTest::newRow("object value") << QByteArray(R"({"source":{"a":[1]}})") << QByteArray("source")
                                  << QByteArray(R"({"a":[1]})");
    QTest::newRow("not json") << QByteArray("seq:1") << QByteArray("seq") << QByteArray();
}

void tst_LineParser::findTopLevelValue()
{
    QFETCH(QByteArray, line);
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, value);
    const auto span = afterwork::client::findTopLevelValue(line, key);
    if (value.isEmpty()) {
        QVERIFY(!span);
        return;
    }
    QVERIFY(span);
    QCOMPARE(line.mid(span->offset, span->length), value);
}

// The timing is only asserted in optimised builds without sanitizers; elsewhere it is reported.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AFTERWORK_INSTRUMENTED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define AFTERWORK_INSTRUMENTED 1
#endif
#endif
#if defined(NDEBUG) && !defined(AFTERWORK_INSTRUMENTED)
constexpr bool TimingIsMeaningful = true;
#else
constexpr bool TimingIsMeaningful = false;
#endif

void tst_LineParser::parsesAMillionLinesInSeconds()
{
    // A representative task line; the whole file of a million such lines must load in seconds.
    const QByteArray line =
        R"({"v":1,"seq":123456,"ts_us":1700000000123456,"kind":"task","id":98765,"name":"send_welcome_email","phase":"succeeded","shielded":true,"mode":"after_response","work":"async","attempt":1,"request":4321,"scheduled_us":1700000000000000,"started_us":1700000000001000,"wait_us":1000,"run_us":122456})";
    const int lines = TimingIsMeaningful ? 200'000 : 20'000;
    QElapsedTimer timer;
    timer.start();
    quint64 sum = 0;
    for (int i = 0; i < lines; ++i) {
        const auto result = parseLine(line);
        sum += std::get<StreamEvent>(result).as<TaskRecord>()->id;
    }
    const double usPerLine = double(timer.nsecsElapsed()) / 1000.0 / lines;
    QCOMPARE(sum, quint64(lines) * 98765u);
    qInfo("parsed %d task lines at %.2f us/line (%.1f s per million)", lines, usPerLine, usPerLine);
    if (!TimingIsMeaningful)
        return; // a debug or sanitizer build: the figure says nothing about the parser
    // About 1 us/line here; generous so that a loaded machine passes, while a regression to a DOM
    // parser plus a copy per field would not.
    QVERIFY2(usPerLine < 6.0, qPrintable(QString::number(usPerLine)));
}

QTEST_GUILESS_MAIN(tst_LineParser)
#include "tst_lineparser.moc"
