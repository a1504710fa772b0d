// SPDX-License-Identifier: MIT
// The `progress` line and a snapshot entry's progress (docs/protocol.md): what the stream's encoder
// writes, the client's parser reads back; the documented examples parse; the store keeps the
// latest value of a live task.
#include <afterwork/client/lineparser.h>
#include <afterwork/client/taskstore.h>
#include <afterwork/eventencoder.h>

#include <QtCore/QFile>
#include <QtCore/QRegularExpression>
#include <QtTest/QTest>

#include <limits>

using namespace afterwork;
using namespace afterwork::client;

namespace {

StreamEvent parseOk(const QByteArray &line)
{
    QByteArray bare = line;
    if (bare.endsWith('\n'))
        bare.chop(1);
    auto parsed = parseLine(bare);
    if (const ParseError *error = std::get_if<ParseError>(&parsed)) {
        qWarning() << "rejected:" << error->toString() << bare;
        return {};
    }
    return std::get<StreamEvent>(std::move(parsed));
}

QByteArray progressLine(quint64 seq, const TaskProgress &progress)
{
    QByteArray body;
    protocol::appendProgressBody(body, progress);
    return protocol::makeLine(seq, body);
}

} // namespace

class tst_ProgressLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void encoderToParser_data();
    void encoderToParser();
    void docsExampleParses();
    void requiredFields();
    void storeKeepsLatestOfLiveTasks();
    void snapshotEncoderToParser();
    void docsSnapshotExampleParses();
    void percentIsExact_data();
    void percentIsExact();
};

void tst_ProgressLine::encoderToParser_data()
{
    QTest::addColumn<TaskProgress>("progress");
    QTest::newRow("with message") << TaskProgress{7, 3, 8, QStringLiteral("page \"3\"\n"), 1718000000026200};
    QTest::newRow("no message") << TaskProgress{9, 41, 100, {}, 1718000000026201};
    QTest::newRow("indeterminate") << TaskProgress{11, 5, 0, QStringLiteral("ünïcode"), 1718000000026202};
}

void tst_ProgressLine::encoderToParser()
{
    QFETCH(TaskProgress, progress);
    const QByteArray line = progressLine(6, progress);
    QVERIFY(line.startsWith(R"({"v":1,"seq":6,"ts_us":)"));
    QCOMPARE(line.contains("\"message\""), !progress.message.isEmpty());
    const StreamEvent event = parseOk(line);
    QCOMPARE(event.kind(), EventKind::Progress);
    QCOMPARE(event.seq, 6u);
    QCOMPARE(event.tsUs, progress.timestampUs);
    const ProgressEvent *parsed = event.as<ProgressEvent>();
    QVERIFY(parsed);
    QCOMPARE(parsed->taskId, progress.taskId);
    QCOMPARE(parsed->done, progress.done);
    QCOMPARE(parsed->total, progress.total);
    QCOMPARE(parsed->message, progress.message);
    QCOMPARE(parsed->fraction(), progress.fraction());
}

void tst_ProgressLine::docsExampleParses()
{
    QFile doc(QStringLiteral(AFTERWORK_PROTOCOL_DOC));
    QVERIFY(doc.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(doc.readAll());
    const QRegularExpressionMatch example =
        QRegularExpression(QStringLiteral(R"(^(\{"v":1,[^\n]*"kind":"progress"[^\n]*\})$)"),
                           QRegularExpression::MultilineOption)
            .match(text);
    QVERIFY2(example.hasMatch(), "docs/protocol.md has no progress example line");
    const StreamEvent event = parseOk(example.captured(1).toUtf8());
    QCOMPARE(event.kind(), EventKind::Progress);
    const ProgressEvent *progress = event.as<ProgressEvent>();
    QVERIFY(progress);
    QCOMPARE(progress->taskId, 10u);
    QCOMPARE(progress->done, 3);
    QCOMPARE(progress->total, 8);
    QCOMPARE(progress->message, QStringLiteral("page 3"));
}

void tst_ProgressLine::requiredFields()
{
    QVERIFY(std::holds_alternative<ParseError>(parseLine(R"({"v":1,"seq":1,"ts_us":2,"kind":"progress","done":1,"total":2})")));
    QVERIFY(std::holds_alternative<ParseError>(parseLine(R"({"v":1,"seq":1,"ts_us":2,"kind":"progress","id":1,"total":2})")));
    QVERIFY(std::holds_alternative<ParseError>(parseLine(R"({"v":1,"seq":1,"ts_us":2,"kind":"progress","id":1,"done":2})")));
    // Unknown members are ignored, as on every line.
    QCOMPARE(parseOk(R"({"v":1,"seq":1,"ts_us":2,"kind":"progress","id":1,"done":1,"total":2,"eta_us":5})").kind(),
             EventKind::Progress);
}

void tst_ProgressLine::storeKeepsLatestOfLiveTasks()
{
    const auto taskLine = [](quint64 seq, const char *phase) {
        return parseOk(QByteArrayLiteral(R"({"v":1,"seq":)") + QByteArray::number(seq)
                       + R"(,"ts_us":5,"kind":"task","id":4,"name":"export","phase":")" + phase
                       + R"(","shielded":false,"mode":"immediate","work":"sync","attempt":1,"scheduled_us":1})");
    };
    TaskStore store;
    store.apply(QList<StreamEvent>{taskLine(1, "started"), parseOk(progressLine(2, {4, 1, 4, {}, 6})),
                                   parseOk(progressLine(3, {4, 2, 4, QStringLiteral("two"), 7})),
                                   parseOk(progressLine(4, {99, 1, 1, {}, 7}))}); // an unknown task
    QVERIFY(store.task(4) && store.task(4)->progress);
    QCOMPARE(store.task(4)->progress->done, 2);
    QCOMPARE(store.task(4)->progress->message, QStringLiteral("two"));
    QVERIFY(!store.task(99));
    store.apply(QList<StreamEvent>{taskLine(5, "succeeded"), parseOk(progressLine(6, {4, 3, 4, {}, 8}))});
    QCOMPARE(store.task(4)->progress->done, 2); // nothing after the end changes it
}

void tst_ProgressLine::snapshotEncoderToParser()
{
    TaskEvent reporting;
    reporting.taskId = 4;
    reporting.name = QStringLiteral("export");
    reporting.phase = Phase::Started;
    reporting.progress = TaskProgress{4, 3, 8, QStringLiteral("page \"3\""), 1718000000026200};
    TaskEvent silent = reporting;
    silent.taskId = 5;
    silent.progress.reset();
    TaskEvent unknownTotal = reporting;
    unknownTotal.taskId = 6;
    unknownTotal.progress = TaskProgress{6, 12, 0, {}, 1718000000026201};
    QByteArray body;
    protocol::appendSnapshotBody(body, 1718000000030000, {reporting, silent, unknownTotal});
    const StreamEvent event = parseOk(protocol::makeLine(1, body));
    const SnapshotEvent *snapshot = event.as<SnapshotEvent>();
    QVERIFY(snapshot);
    QCOMPARE(snapshot->tasks.size(), 3);
    QCOMPARE(snapshot->tasks.at(0).progress, (ProgressEvent{4, 3, 8, QStringLiteral("page \"3\"")}));
    QVERIFY(!snapshot->tasks.at(1).progress);
    QCOMPARE(snapshot->tasks.at(2).progress, (ProgressEvent{6, 12, 0, {}}));
    QVERIFY(!body.contains(R"("total":0,"message")")); // no message member when there is none

    TaskStore store;
    store.apply(QList<StreamEvent>{event});
    QCOMPARE(store.task(4)->progress, snapshot->tasks.at(0).progress);
    QVERIFY(!store.task(5)->progress);
}

void tst_ProgressLine::docsSnapshotExampleParses()
{
    QFile doc(QStringLiteral(AFTERWORK_PROTOCOL_DOC));
    QVERIFY(doc.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(doc.readAll());
    const QRegularExpressionMatch example =
        QRegularExpression(QStringLiteral(R"(^(\{"v":1,[^\n]*"kind":"snapshot","tasks":\[\{[^\n]*\})$)"),
                           QRegularExpression::MultilineOption)
            .match(text);
    QVERIFY2(example.hasMatch(), "docs/protocol.md has no snapshot example with tasks");
    const StreamEvent event = parseOk(example.captured(1).toUtf8());
    const SnapshotEvent *snapshot = event.as<SnapshotEvent>();
    QVERIFY(snapshot);
    QCOMPARE(snapshot->tasks.size(), 2);
    QCOMPARE(snapshot->tasks.at(0).progress, (ProgressEvent{7, 2, 5, QStringLiteral("attachment 2")}));
    QVERIFY(!snapshot->tasks.at(1).progress); // a queued task has reported nothing
}

void tst_ProgressLine::percentIsExact_data()
{
    QTest::addColumn<qint64>("done");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<int>("percent");
    // 0.29 * 100 is 28.999... in binary floating point: the percent is computed exactly.
    QTest::newRow("29 of 100") << qint64(29) << qint64(100) << 29;
    QTest::newRow("57 of 100") << qint64(57) << qint64(100) << 57;
    QTest::newRow("1 of 3") << qint64(1) << qint64(3) << 33;
    QTest::newRow("999 of 1000") << qint64(999) << qint64(1000) << 99;
    QTest::newRow("done") << qint64(10) << qint64(10) << 100;
    QTest::newRow("beyond the total") << qint64(12) << qint64(10) << 100;
    QTest::newRow("negative done") << qint64(-5) << qint64(10) << 0;
    QTest::newRow("unknown total") << qint64(7) << qint64(0) << -1;
    QTest::newRow("huge") << std::numeric_limits<qint64>::max() / 2 << std::numeric_limits<qint64>::max() << 49;
}

void tst_ProgressLine::percentIsExact()
{
    QFETCH(qint64, done);
    QFETCH(qint64, total);
    QFETCH(int, percent);
    QCOMPARE((ProgressEvent{.done = done, .total = total, .message = {}}.percent()), percent);
}

QTEST_GUILESS_MAIN(tst_ProgressLine)
#include "tst_progressline.moc"
