// SPDX-License-Identifier: MIT
#include "../support/fakepublisher.h"
#include "scriptedsource.h"

#include <afterwork/client/filesource.h>
#include <afterwork/client/localsocketsource.h>
#include <afterwork/client/taskstore.h>
#include <afterwork/protocol/recording.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace afterwork;
using namespace afterwork::client;
using afterwork::testing::FakePublisher;
using afterwork::testing::Lines;
using afterwork::testing::ScriptedSource;
using afterwork::testing::uniqueSocketName;
using namespace Qt::StringLiterals;

namespace {

const QString InstanceA = QStringLiteral("aaaaaaaa-0000-0000-0000-000000000001");
const QString InstanceB = QStringLiteral("bbbbbbbb-0000-0000-0000-000000000002");

//! Everything a source emitted, in order, as text: lets two sources be compared signal for signal.
class Recorder : public QObject
{
public:
    explicit Recorder(EventSource *source)
    {
        connect(source, &EventSource::connected, this, [this] { log.append(QStringLiteral("connected")); });
        connect(source, &EventSource::disconnected, this,
                [this](bool bye) { log.append(QStringLiteral("disconnected bye=%1").arg(bye)); });
        connect(source, &EventSource::linesReceived, this, [this](const QList<StreamLine> &batch) {
            ++batches;
            for (const StreamLine &line : batch) {
                lines.append(line);
                log.append(QStringLiteral("line %1 %2").arg(line.lineNumber).arg(line.event() ? u"ok" : u"error"));
            }
        });
        connect(source, &EventSource::sequenceGap, this, [this](quint64 expected, quint64 received, qint64 lineNumber) {
            log.append(QStringLiteral("seq gap expected %1 got %2 at line %3").arg(expected).arg(received).arg(lineNumber));
        });
        connect(source, &EventSource::instanceChanged, this, [this](const SourceInfo &previous, const SourceInfo &current) {
            log.append(QStringLiteral("instance %1 -> %2").arg(previous.instance, current.instance));
        });
        connect(source, &EventSource::finished, this, [this] { ++finished; });
        connect(source, &EventSource::errorOccurred, this, [this](EventSource::Error error, const QString &message) {
            errors.append({error, message});
        });
        connect(source, &EventSource::reconnecting, this, [this](int, int delayMs) { delays.append(delayMs); });
    }
    //! The log without line-level entries (batching differs between transports).
    QStringList lineLog() const { return log; }

    QStringList log;
    QList<StreamLine> lines;
    QList<std::pair<EventSource::Error, QString>> errors;
    QList<int> delays;
    int batches = 0;
    int finished = 0;
};

QByteArray sampleStream()
{
    return Lines::join({
        Lines::hello(0, InstanceA),
        Lines::snapshot(1, {Lines::taskObject(1, "started")}),
        Lines::task(2, 2, "scheduled"),
        "this is not json",
        Lines::task(4, 2, "started"),
        Lines::task(7, 2, "succeeded"), // seq jumps by 3 with no gap line
        Lines::gap(20, 12),             // 7 + 1 + 12: accounted for
        Lines::snapshot(21, {}),
        Lines::hello(0, InstanceB),     // a concatenated recording of a restarted source
        Lines::snapshot(1, {}),
        Lines::bye(2),
    });
}

QString writeFile(const QTemporaryDir &dir, const QByteArray &bytes)
{
    const QString path = dir.filePath(QStringLiteral("stream.ndjson"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

} // namespace

class tst_EventSources : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void liveSourceChecksSeqAndInstance();
    void fileSourceReadsExactlyLikeALiveSocket();
    void linesSplitAcrossWritesAreReassembled();
    void aReceiverMayEndTheSourceInAChunkSplitByGaps_data();
    void aReceiverMayEndTheSourceInAChunkSplitByGaps();
    void oversizedLineIsReportedAndSkipped();
    void missingSocketIsAClearError();
    void reconnectsWithCappedBackoffAfterTheServerRestarts();
    void lostConnectionWithoutByeLeavesTasksLost();
    void missingFileIsAClearError();
    void fileWithoutTrailingNewlineOrWithCrlf();
    void pacedFileFollowsTimestamps();
    void fileSourceReadsOneSourceOfAMultiSourceRecording();
    void sourceMarkersSplitEverySourceInOnePass();
    void recordingSourcesListsTheSourcesInOrder();
};

void tst_EventSources::liveSourceChecksSeqAndInstance()
{
    FakePublisher publisher;
    const QString name = uniqueSocketName("seq");
    QVERIFY(publisher.listen(name));
    publisher.setGreeting(sampleStream());
    LocalSocketSource source(name, {.reconnect = false});
    Recorder recorder(&source);
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(recorder.lines.size(), 11, 5000);
    publisher.disconnectAll();
    QTRY_COMPARE_WITH_TIMEOUT(recorder.finished, 1, 5000);
    QVERIFY(recorder.log.contains(QStringLiteral("seq gap expected 5 got 7 at line 6")));
    // Line 4 was malformed: the line after it looks like a jump too (from 2 to 4).
    QVERIFY(recorder.log.contains(QStringLiteral("seq gap expected 3 got 4 at line 5")));
    QVERIFY(recorder.log.contains(QStringLiteral("instance %1 -> %2").arg(InstanceA, InstanceB)));
    QCOMPARE(recorder.log.filter(QStringLiteral("seq gap")).size(), 2); // the gap line and the new hello are fine
    QCOMPARE(recorder.log.last(), QStringLiteral("disconnected bye=1"));
    QCOMPARE(source.malformedLineCount(), 1);
    QCOMPARE(recorder.lines.at(3).error()->message, QStringLiteral("expected a JSON object"));
    QCOMPARE(recorder.lines.at(3).bytes, QByteArray("this is not json"));
    QCOMPARE(source.sourceInfo()->instance, InstanceB);
    // The instance change is reported right before the new hello is delivered.
    const qsizetype change = recorder.log.indexOf(QStringLiteral("instance %1 -> %2").arg(InstanceA, InstanceB));
    QCOMPARE(recorder.log.at(change + 1), QStringLiteral("line 9 ok"));
}

void tst_EventSources::fileSourceReadsExactlyLikeALiveSocket()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, sampleStream());

    FakePublisher publisher;
    const QString name = uniqueSocketName("same");
    QVERIFY(publisher.listen(name));
    publisher.setGreeting(sampleStream());
    LocalSocketSource live(name, {.reconnect = false});
    Recorder liveLog(&live);
    live.start();
    QTRY_COMPARE_WITH_TIMEOUT(liveLog.lines.size(), 11, 5000);
    publisher.disconnectAll();
    QTRY_COMPARE_WITH_TIMEOUT(liveLog.finished, 1, 5000);

    FileSource file(path);
    Recorder fileLog(&file);
    TaskStore store;
    store.attach(&file);
    file.start();
    QCOMPARE(fileLog.log.size(), 0); // nothing happens before the event loop runs
    QTRY_COMPARE_WITH_TIMEOUT(fileLog.finished, 1, 5000);

    QCOMPARE(fileLog.log, liveLog.log);
    QCOMPARE(fileLog.lines.size(), liveLog.lines.size());
    for (qsizetype i = 0; i < fileLog.lines.size(); ++i) {
        QCOMPARE(fileLog.lines[i].bytes, liveLog.lines[i].bytes);
        QCOMPARE(fileLog.lines[i].lineNumber, liveLog.lines[i].lineNumber);
    }
    QCOMPARE(file.state(), EventSource::State::Finished);
    QCOMPARE(store.sourceStatus(), TaskStore::SourceStatus::Ended);
    QCOMPARE(store.source()->instance, InstanceB);
}

void tst_EventSources::aReceiverMayEndTheSourceInAChunkSplitByGaps_data()
{
    QTest::addColumn<int>("endOnBatch");
    QTest::addColumn<bool>("deleteIt");
    QTest::addColumn<QString>("expected");
    const QString whole = u"lines[1,2,3] gap 3/5@4 lines[4,5] instance A->B lines[6,7] gap 2/3@8 lines[8,9]"_s;
    QTest::newRow("nobody ends it") << 0 << false << whole;
    QTest::newRow("stopped on the first batch") << 1 << false << u"lines[1,2,3]"_s;
    QTest::newRow("stopped on the second") << 2 << false << u"lines[1,2,3] gap 3/5@4 lines[4,5]"_s;
    QTest::newRow("deleted on the first batch") << 1 << true << u"lines[1,2,3]"_s;
    QTest::newRow("deleted on the third") << 3 << true
                                          << u"lines[1,2,3] gap 3/5@4 lines[4,5] instance A->B lines[6,7]"_s;
}

void tst_EventSources::aReceiverMayEndTheSourceInAChunkSplitByGaps()
{
    // One chunk, split into batches by two gaps and a new instance, each signal between the lines
    // around it. A receiver that stops or deletes the source ends the delivery there.
    QFETCH(int, endOnBatch);
    QFETCH(bool, deleteIt);
    QFETCH(QString, expected);
    auto *source = new ScriptedSource;
    const QPointer<ScriptedSource> alive(source);
    QStringList log;
    int batches = 0;
    connect(source, &EventSource::linesReceived, this, [&](const QList<StreamLine> &batch) {
        QStringList numbers;
        for (const StreamLine &line : batch)
            numbers.append(QString::number(line.lineNumber));
        log.append(u"lines[%1]"_s.arg(numbers.join(u',')));
        if (++batches == endOnBatch) {
            if (deleteIt)
                delete source;
            else
                source->stop();
        }
    });
    connect(source, &EventSource::sequenceGap, this, [&](quint64 expectedSeq, quint64 seq, qint64 lineNumber) {
        log.append(u"gap %1/%2@%3"_s.arg(expectedSeq).arg(seq).arg(lineNumber));
    });
    connect(source, &EventSource::instanceChanged, this, [&](const SourceInfo &previous, const SourceInfo &current) {
        log.append(u"instance %1->%2"_s.arg(previous.instance, current.instance));
    });
    source->start();
    source->feed(Lines::join({Lines::hello(0, u"A"_s), Lines::task(1, 1, "started"), Lines::task(2, 1, "succeeded"),
                              Lines::task(5, 2, "started"), Lines::task(6, 2, "succeeded"), Lines::hello(0, u"B"_s),
                              Lines::task(1, 3, "started"), Lines::task(3, 3, "succeeded"), Lines::bye(4)}));
    QCOMPARE(log.join(u' '), expected);
    QCOMPARE(bool(alive), !deleteIt);
    delete alive.data();
}

void tst_EventSources::linesSplitAcrossWritesAreReassembled()
{
    const QByteArray stream = Lines::join({Lines::hello(0, InstanceA), Lines::snapshot(1, {}), Lines::task(2, 1, "started")});
    // Every way of cutting the stream in two, and 7-byte pieces: no line may be cut or merged.
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        ScriptedSource source;
        Recorder recorder(&source);
        source.start();
        source.feed(QByteArrayView(stream).first(cut));
        source.feed(QByteArrayView(stream).sliced(cut));
        QCOMPARE(recorder.lines.size(), 3);
        for (const StreamLine &line : recorder.lines)
            QVERIFY2(line.event(), line.bytes.constData());
    }
    ScriptedSource source;
    Recorder recorder(&source);
    source.start();
    for (qsizetype i = 0; i < stream.size(); i += 7)
        source.feed(QByteArrayView(stream).sliced(i, std::min<qsizetype>(7, stream.size() - i)));
    QCOMPARE(recorder.lines.size(), 3);
    QCOMPARE(recorder.lines.at(2).event()->as<TaskRecord>()->id, 1u);
    QCOMPARE(recorder.lines.at(2).lineNumber, 3);
}

void tst_EventSources::oversizedLineIsReportedAndSkipped()
{
    QTemporaryDir dir;
    const QByteArray huge = R"({"v":1,"seq":1,"ts_us":1,"kind":"other","blob":")" + QByteArray(100'000, 'x') + "\"}";
    const QString path = writeFile(dir, Lines::join({Lines::hello(0, InstanceA), huge, Lines::snapshot(2, {})}));
    FileSource file(path, {.chunkBytes = 4096});
    file.setMaxLineBytes(10'000);
    Recorder recorder(&file);
    file.start();
    QTRY_COMPARE_WITH_TIMEOUT(recorder.finished, 1, 5000);
    QCOMPARE(recorder.lines.size(), 3);
    QVERIFY(recorder.lines[0].event());
    QVERIFY(recorder.lines[1].error());
    QVERIFY2(recorder.lines[1].error()->message.contains(QStringLiteral("exceeds the limit of 10000 bytes")),
             qPrintable(recorder.lines[1].error()->message));
    QVERIFY(recorder.lines[1].bytes.size() <= 200);
    QVERIFY(recorder.lines[2].event());
    QCOMPARE(recorder.lines[2].lineNumber, 3);
}

void tst_EventSources::missingSocketIsAClearError()
{
    LocalSocketSource source(uniqueSocketName("missing"), {.reconnect = false});
    Recorder recorder(&source);
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(recorder.finished, 1, 5000);
    QCOMPARE(recorder.errors.size(), 1);
    QCOMPARE(recorder.errors[0].first, EventSource::Error::NotFound);
    QVERIFY2(recorder.errors[0].second.startsWith(QStringLiteral("no Afterwork source is listening on '")),
             qPrintable(recorder.errors[0].second));
    QCOMPARE(source.state(), EventSource::State::Finished);
}

void tst_EventSources::reconnectsWithCappedBackoffAfterTheServerRestarts()
{
    const QString name = uniqueSocketName("restart");
    LocalSocketSource source(name, {.reconnect = true,
                                    .initialBackoff = std::chrono::milliseconds(10),
                                    .maxBackoff = std::chrono::milliseconds(40)});
    Recorder recorder(&source);
    source.start();
    // Nobody listens yet: 10, 20, 40, 40 ms...
    QTRY_VERIFY_WITH_TIMEOUT(recorder.delays.size() >= 5, 5000);
    QCOMPARE(recorder.delays.mid(0, 5), (QList<int>{10, 20, 40, 40, 40}));

    auto publisher = std::make_unique<FakePublisher>();
    QVERIFY(publisher->listen(name));
    publisher->setGreeting(Lines::join({Lines::hello(0, InstanceA), Lines::snapshot(1, {})}));
    QTRY_VERIFY_WITH_TIMEOUT(recorder.log.contains(QStringLiteral("connected")), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.lines.size(), 2, 5000);

    // The source restarts (a new instance) after dying without bye.
    recorder.delays.clear();
    publisher.reset();
    QTRY_VERIFY_WITH_TIMEOUT(recorder.log.contains(QStringLiteral("disconnected bye=0")), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!recorder.delays.isEmpty(), 5000);
    QCOMPARE(recorder.delays.first(), 10); // the backoff starts over after a good connection
    publisher = std::make_unique<FakePublisher>();
    QVERIFY(publisher->listen(name));
    publisher->setGreeting(Lines::join({Lines::hello(0, InstanceB), Lines::snapshot(1, {})}));
    QTRY_VERIFY_WITH_TIMEOUT(recorder.log.contains(QStringLiteral("instance %1 -> %2").arg(InstanceA, InstanceB)), 5000);
    QCOMPARE(recorder.log.count(QStringLiteral("connected")), 2);
    QCOMPARE(source.state(), EventSource::State::Connected);
    source.stop();
    QCOMPARE(source.state(), EventSource::State::Idle);
}

void tst_EventSources::lostConnectionWithoutByeLeavesTasksLost()
{
    const QString name = uniqueSocketName("lost");
    FakePublisher publisher;
    QVERIFY(publisher.listen(name));
    publisher.setGreeting(Lines::join({Lines::hello(0, InstanceA), Lines::snapshot(1, {Lines::taskObject(1, "started")}),
                                       Lines::task(2, 2, "started")}));
    LocalSocketSource source(name, {.reconnect = false});
    TaskStore store;
    store.attach(&source);
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(store.liveCount(), 2, 5000);
    publisher.disconnectAll();
    QTRY_COMPARE_WITH_TIMEOUT(store.sourceStatus(), TaskStore::SourceStatus::Vanished, 5000);
    QCOMPARE(store.count(Phase::Lost), 2);
    QCOMPARE(store.liveCount(), 0);
}

void tst_EventSources::missingFileIsAClearError()
{
    QTemporaryDir dir;
    FileSource source(dir.filePath(QStringLiteral("nope.ndjson")));
    Recorder recorder(&source);
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(recorder.finished, 1, 5000);
    QCOMPARE(recorder.errors.size(), 1);
    QCOMPARE(recorder.errors[0].first, EventSource::Error::NotFound);
    QVERIFY(recorder.errors[0].second.contains(QStringLiteral("no such file")));
    QVERIFY(!recorder.log.contains(QStringLiteral("connected")));

    FileSource directory(dir.path());
    Recorder directoryRecorder(&directory);
    directory.start();
    QTRY_COMPARE_WITH_TIMEOUT(directoryRecorder.finished, 1, 5000);
    QVERIFY(directoryRecorder.errors.at(0).second.contains(QStringLiteral("directory")));
}

void tst_EventSources::fileWithoutTrailingNewlineOrWithCrlf()
{
    QTemporaryDir dir;
    QByteArray bytes = Lines::hello(0, InstanceA) + "\r\n\r\n" + Lines::snapshot(1, {}) + "\r\n" + Lines::bye(2);
    FileSource source(writeFile(dir, bytes));
    Recorder recorder(&source);
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(recorder.finished, 1, 5000);
    QCOMPARE(recorder.lines.size(), 3);
    for (const StreamLine &line : recorder.lines)
        QVERIFY2(line.event(), line.bytes.constData());
    QCOMPARE(recorder.lines[2].lineNumber, 4); // the blank line counts
    QCOMPARE(recorder.log.last(), QStringLiteral("disconnected bye=1"));
}

void tst_EventSources::pacedFileFollowsTimestamps()
{
    QTemporaryDir dir;
    // 600 ms of recorded time at speed 4: about 150 ms to replay.
    const QString path = writeFile(dir, Lines::join({Lines::hello(0, InstanceA, 1'000'000), Lines::snapshot(1, {}, 1'000'000),
                                                     Lines::task(2, 1, "scheduled", 1'300'000),
                                                     Lines::task(3, 1, "started", 1'600'000), Lines::bye(4, 1'600'000)}));
    FileSource source(path, {.speed = 4});
    Recorder recorder(&source);
    QList<qint64> arrivalsMs;
    QElapsedTimer clock;
    connect(&source, &EventSource::linesReceived, this, [&](const QList<StreamLine> &lines) {
        for (qsizetype i = 0; i < lines.size(); ++i)
            arrivalsMs.append(clock.elapsed());
    });
    clock.start();
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(recorder.finished, 1, 5000);
    QCOMPARE(arrivalsMs.size(), 5);
    // Not before their time (the timer may only be late, never early).
    QVERIFY2(arrivalsMs[2] >= 75, qPrintable(QString::number(arrivalsMs[2])));
    QVERIFY2(arrivalsMs[3] >= 150, qPrintable(QString::number(arrivalsMs[3])));
    QVERIFY(arrivalsMs[3] >= arrivalsMs[2]);
}

void tst_EventSources::fileSourceReadsOneSourceOfAMultiSourceRecording()
{
    QTemporaryDir dir;
    const QByteArray a = protocol::sourceMarkerLine(u"A") + '\n';
    const QByteArray b = protocol::sourceMarkerLine(u"B") + '\n';
    // Two interleaved streams, each with its own seq: read apart, neither has a gap.
    const QString path = writeFile(dir, a + Lines::join({Lines::hello(0, InstanceA), Lines::snapshot(1, {})})            // lines 1-3
                                            + b + Lines::join({Lines::hello(0, InstanceB)})                              // 4-5
                                            + a + Lines::join({Lines::task(2, 1, "scheduled"), "not json"})             // 6-8
                                            + R"({"v":1,"kind":"source","name":"has space"})" + "\n"                      // 9: bad marker
                                            + Lines::join({Lines::bye(3)})                                               // 10
                                            + b + Lines::join({Lines::snapshot(1, {}), Lines::bye(2)}));                 // 11-13
    const auto read = [&](const std::optional<QString> &name) {
        auto source = std::make_unique<FileSource>(path, FileSourceOptions{.sourceName = name});
        auto recorder = std::make_unique<Recorder>(source.get());
        source->start();
        [&] { QTRY_COMPARE_WITH_TIMEOUT(recorder->finished, 1, 5000); }();
        return std::make_pair(std::move(source), std::move(recorder));
    };
    const auto numbers = [](const QList<StreamLine> &lines) {
        QList<qint64> out;
        for (const StreamLine &line : lines)
            out.append(line.lineNumber);
        return out;
    };

    const auto [sourceA, recorderA] = read(u"A"_s);
    QCOMPARE(numbers(recorderA->lines), (QList<qint64>{2, 3, 7, 8, 9, 10})); // the file's numbers
    QVERIFY(!recorderA->lines[3].event());                                       // malformed stays
    QVERIFY2(recorderA->lines[4].error()->message.contains(u"a source marker must be"_s),  // a bad marker is malformed
             qPrintable(recorderA->lines[4].error()->message));
    QVERIFY(!recorderA->log.join(u'\n').contains(u"seq gap"_s));
    QCOMPARE(recorderA->log.last(), u"disconnected bye=1"_s);
    QCOMPARE(sourceA->malformedLineCount(), 2);

    const auto [sourceB, recorderB] = read(u"B"_s);
    QCOMPARE(numbers(recorderB->lines), (QList<qint64>{5, 12, 13}));
    QVERIFY(!recorderB->log.join(u'\n').contains(u"seq gap"_s));
    QCOMPARE(sourceB->sourceInfo()->instance, InstanceB);

    // Unset: every line as written, markers as malformed lines.
    const auto [all, recorderAll] = read(std::nullopt);
    QCOMPARE(recorderAll->lines.size(), 13);
    QVERIFY(!recorderAll->lines[0].event());

    // A name the file lacks, and the unnamed source of a file that starts with a marker: nothing.
    QVERIFY(read(u"C"_s).second->lines.isEmpty());
    QVERIFY(read(QString()).second->lines.isEmpty());
}

void tst_EventSources::sourceMarkersSplitEverySourceInOnePass()
{
    QTemporaryDir dir;
    const auto marker = [](const char16_t *name) { return protocol::sourceMarkerLine(QStringView(name)) + '\n'; };
    // Lines before any marker, an empty section (b: a marker, a blank line, another marker), a
    // malformed marker, a source coming back, and a marker on the last line.
    const QString path = writeFile(dir, Lines::join({Lines::hello(0, InstanceA)})                                  // 1
                                            + marker(u"a") + Lines::join({Lines::hello(0, InstanceB), "not json"})  // 2-4
                                            + marker(u"b") + "\n" + marker(u"c")                                    // 5-7
                                            + Lines::join({R"({"v":2,"kind":"source","name":"d"})", Lines::bye(1)}) // 8-9
                                            + marker(u"a") + Lines::join({Lines::bye(1)})                           // 10-11
                                            + marker(u"e"));                                                        // 12
    FileSource all(path);
    Recorder recorder(&all);
    all.start();
    QTRY_COMPARE_WITH_TIMEOUT(recorder.finished, 1, 5000);

    SourceMarkers markers;
    QHash<QString, QList<qint64>> numbers;
    QHash<QString, QList<qsizetype>> indexes;
    QStringList markerErrors;
    for (const StreamLine &line : std::as_const(recorder.lines)) {
        QString markerError;
        if (markers.take(line, &markerError))
            continue;
        numbers[markers.current()].append(line.lineNumber);
        indexes[markers.current()].append(markers.currentIndex());
        if (!markerError.isEmpty())
            markerErrors.append(u"%1: %2"_s.arg(line.lineNumber).arg(markerError));
    }
    QCOMPARE(markers.sources(), (QStringList{QString(), u"a"_s, u"c"_s})); // no b, no e
    QCOMPARE(markers.sources(), recordingSources(path));
    QCOMPARE(numbers.value(QString()), QList<qint64>{1});
    QCOMPARE(numbers.value(u"a"_s), (QList<qint64>{3, 4, 11}));
    QCOMPARE(numbers.value(u"c"_s), (QList<qint64>{8, 9}));
    QCOMPARE(indexes.value(u"a"_s), (QList<qsizetype>{1, 1, 1}));
    QCOMPARE(indexes.value(u"c"_s), (QList<qsizetype>{2, 2}));
    QCOMPARE(markerErrors.size(), 1);
    QVERIFY2(markerErrors.constFirst().startsWith(u"8: a source marker must be"_s), qPrintable(markerErrors.constFirst()));
    // The same lines as a FileSource reading each source alone.
    for (const QString &name : markers.sources()) {
        FileSource one(path, FileSourceOptions{.sourceName = name});
        Recorder oneRecorder(&one);
        one.start();
        QTRY_COMPARE_WITH_TIMEOUT(oneRecorder.finished, 1, 5000);
        QList<qint64> oneNumbers;
        for (const StreamLine &line : std::as_const(oneRecorder.lines))
            oneNumbers.append(line.lineNumber);
        QCOMPARE(oneNumbers, numbers.value(name));
    }

    // A recording of markers only, or of nothing, is one unnamed source without lines.
    SourceMarkers none;
    QCOMPARE(none.sources(), QStringList{QString()});
    QCOMPARE(none.currentIndex(), -1);
}

void tst_EventSources::recordingSourcesListsTheSourcesInOrder()
{
    QTemporaryDir dir;
    const QByteArray stream = Lines::join({Lines::hello(0, InstanceA), Lines::bye(1)});
    const auto marker = [](const char16_t *name) { return protocol::sourceMarkerLine(QStringView(name)) + '\n'; };
    QCOMPARE(recordingSources(writeFile(dir, stream)), QStringList{QString()}); // one unnamed source
    QCOMPARE(recordingSources(writeFile(dir, {})), QStringList{QString()});
    QCOMPARE(recordingSources(writeFile(dir, marker(u"b") + stream + marker(u"a") + stream + marker(u"b") + stream)),
             (QStringList{u"b"_s, u"a"_s}));
    QCOMPARE(recordingSources(writeFile(dir, stream + marker(u"a") + stream)), (QStringList{QString(), u"a"_s}));
    // A marker with no line after it (a file cut short, two markers in a row) names no source.
    QCOMPARE(recordingSources(writeFile(dir, marker(u"a") + stream + marker(u"b"))), QStringList{u"a"_s});
    QCOMPARE(recordingSources(writeFile(dir, marker(u"a") + stream + marker(u"b") + "\n" + marker(u"c") + stream)),
             (QStringList{u"a"_s, u"c"_s}));
    QCOMPARE(recordingSources(writeFile(dir, marker(u"a"))), QStringList{QString()});
    QString error;
    QVERIFY(recordingSources(dir.filePath(u"nope"_s), &error).isEmpty());
    QVERIFY2(error.contains(u"no such file"_s), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_EventSources)
#include "tst_eventsources.moc"
