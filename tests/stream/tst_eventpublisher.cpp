// SPDX-License-Identifier: MIT
// The EventPublisher over real local sockets: what every subscriber receives, backpressure with
// exact gaps, misbehaving subscribers, the socket file's ownership and takeover rules, and the
// end of the stream.

#include "streamtestclient.h"

#include <afterwork/eventpublisher.h>
#include <afterwork/eventencoder.h>
#include <afterwork/taskengine.h>

#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QThread>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <sys/stat.h>

#include <chrono>
#include <memory>

using namespace afterwork;
using namespace afterwork::test;
using namespace std::chrono_literals;

namespace {

constexpr auto noHeartbeat = std::chrono::hours(1);

PublisherOptions quietOptions()
{
    PublisherOptions options;
    options.app = QStringLiteral("tst_eventpublisher");
    options.heartbeatInterval = noHeartbeat;
    return options;
}

QJsonObject findTask(const QJsonArray &tasks, quint64 id)
{
    for (const QJsonValue &task : tasks) {
        if (quint64(task.toObject().value(QLatin1StringView("id")).toInteger()) == id)
            return task.toObject();
    }
    return {};
}

QJsonObject findTaskLine(const StreamClient &client, quint64 id, QLatin1StringView phase)
{
    for (const Line &line : client.lines) {
        if (line.kind == QLatin1StringView("task") && line.taskId == id && line.phase == phase)
            return line.object;
    }
    return {};
}

} // namespace

class tst_EventPublisher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helloThenSnapshotOnConnect();
    void streamsEveryEventInOrder();
    void slowSubscriberGetsExactGapAndSnapshot();
    void lateSubscriberSeesInFlightTasksWithTrueTimes();
    void lateSubscriberSeesProgressInItsSnapshot();
    void badInputClosesOnlyThatConnection_data();
    void badInputClosesOnlyThatConnection();
    void socketFileIsOwnerOnly();
    void staleSocketFileIsTakenOver();
    void liveSocketIsRefused();
    void nonSocketFileIsNeverReplaced();
    void byeIsTheLastLineOnClose();
    void byeOnDestructionWithTheEngine();
    void shutdownIsStreamed();
    void heartbeatCarriesCounters();
    void extraEventsFromAnyThread();
    void subscriberLimit();
};

void tst_EventPublisher::helloThenSnapshotOnConnect()
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    const QString name = uniqueSocketName("hello");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    QCOMPARE(publisher->serverName(), name);
    QSignalSpy countSpy(publisher, &EventPublisher::subscriberCountChanged);

    StreamClient client;
    const qint64 before = protocol::nowUs();
    client.connectTo(name);
    QTRY_COMPARE(client.lines.size(), 2);
    QCOMPARE(countSpy.size(), 1);
    QCOMPARE(countSpy.at(0).at(0).toInt(), 1);

    const QJsonObject hello = client.lines.at(0).object;
    QCOMPARE(hello.value("kind").toString(), "hello");
    QCOMPARE(hello.value("seq").toInteger(), 0);
    QVERIFY(hello.value("ts_us").toInteger() >= before);
    const QJsonObject source = hello.value("source").toObject();
    QCOMPARE(source.value("app").toString(), "tst_eventpublisher");
    QCOMPARE(source.value("pid").toInteger(), QCoreApplication::applicationPid());
    QCOMPARE(source.value("instance").toString(), publisher->instanceId().toString(QUuid::WithoutBraces));
    QVERIFY(source.value("started_us").toInteger() <= before);

    const QJsonObject snapshot = client.lines.at(1).object;
    QCOMPARE(snapshot.value("kind").toString(), "snapshot");
    QCOMPARE(snapshot.value("seq").toInteger(), 1);
    QCOMPARE(snapshot.value("tasks").toArray().size(), 0);
    QVERIFY(client.violations.isEmpty());

    // A second subscriber gets its own hello at seq 0 and the same instance.
    StreamClient second;
    second.connectTo(name);
    QTRY_COMPARE(second.lines.size(), 2);
    QCOMPARE(second.lines.at(0).seq, 0u);
    QCOMPARE(second.lines.at(0).object.value("source").toObject().value("instance"), source.value("instance"));
    QCOMPARE(publisher->subscriberCount(), 2);
}

void tst_EventPublisher::streamsEveryEventInOrder()
{
    TaskEngine engine({}, EngineOptions{.maxThreads = 2});
    auto *publisher = new EventPublisher(&engine, quietOptions());
    const QString name = uniqueSocketName("order");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    StreamClient client(false);
    client.connectTo(name);
    QTRY_COMPARE(client.count("snapshot"), 1);

    constexpr int taskCount = 66667; // three steps each: just over 200,000 task lines
    constexpr int batch = 1000;
    QList<quint64> ids;
    ids.reserve(taskCount);
    for (int scheduled = 0; scheduled < taskCount;) {
        const int n = qMin(batch, taskCount - scheduled);
        for (int i = 0; i < n; ++i)
            ids.append(engine.schedule([] {}).id());
        scheduled += n;
        QVERIFY2(waitFor([&] { return client.succeeded == quint64(scheduled); }),
                 qPrintable(QStringLiteral("%1 of %2 succeeded").arg(client.succeeded).arg(scheduled)));
    }

    QCOMPARE(client.count("task"), 3 * taskCount);
    QVERIFY(client.count("task") >= 200000);
    QCOMPARE(client.count("gap"), 0);
    QCOMPARE(publisher->eventsDropped(), 0u);
    QVERIFY2(client.violations.isEmpty(), qPrintable(client.violations.join('\n')));

    // Each task: scheduled, started, succeeded, in that order.
    QHash<quint64, int> step;
    step.reserve(taskCount);
    const QString expected[] = {QStringLiteral("scheduled"), QStringLiteral("started"), QStringLiteral("succeeded")};
    for (const Line &line : std::as_const(client.lines)) {
        if (line.kind != QLatin1StringView("task"))
            continue;
        int &at = step[line.taskId];
        QVERIFY2(at < 3, qPrintable(QStringLiteral("task %1 has a step after succeeded").arg(line.taskId)));
        QCOMPARE(line.phase, expected[at]);
        ++at;
    }
    QCOMPARE(step.size(), taskCount);
    for (quint64 id : std::as_const(ids))
        QCOMPARE(step.value(id), 3);
}

void tst_EventPublisher::slowSubscriberGetsExactGapAndSnapshot()
{
    TaskEngine engine({}, EngineOptions{.maxThreads = 2});
    PublisherOptions options = quietOptions();
    options.maxQueuedBytes = 512 * 1024;
    auto *publisher = new EventPublisher(&engine, options);
    const QString name = uniqueSocketName("slow");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));

    StreamClient fast(false);
    fast.connectTo(name);
    RawSubscriber stalled; // connects, then reads nothing
    QVERIFY(stalled.connectTo(publisher->fullServerName()));
    QTRY_COMPARE(publisher->subscriberCount(), 2);
    QTRY_COMPARE(fast.count("snapshot"), 1);

    // Two subscribers, each within its budget plus its last snapshot (tiny here) and one line.
    const qint64 bound = 2 * (options.maxQueuedBytes + 16 * 1024);
    qint64 maxQueued = 0;
    connect(&fast.socket, &QLocalSocket::readyRead, this,
            [&] { maxQueued = qMax(maxQueued, publisher->queuedBytes()); });

    constexpr int taskCount = 20000;
    constexpr int batch = 250; // 750 lines, well within the budget of a subscriber that keeps up
    for (int scheduled = 0; scheduled < taskCount;) {
        for (int i = 0; i < batch; ++i)
            engine.schedule([] {});
        scheduled += batch;
        QVERIFY2(waitFor([&] { return fast.succeeded == quint64(scheduled); }),
                 qPrintable(QStringLiteral("%1 of %2 succeeded").arg(fast.succeeded).arg(scheduled)));
        maxQueued = qMax(maxQueued, publisher->queuedBytes());
    }
    QVERIFY2(maxQueued <= bound, qPrintable(QStringLiteral("queued %1 > %2").arg(maxQueued).arg(bound)));
    QVERIFY2(publisher->eventsDropped() > 0, "the stalled subscriber never overflowed");
    QCOMPARE(fast.count("gap"), 0);

    // The stalled subscriber starts reading: what was handed to its socket, then a gap with the
    // exact count, then a fresh snapshot.
    StreamClient late(false);
    QVERIFY(late.adopt(stalled.release()));
    QTRY_COMPARE_WITH_TIMEOUT(late.count("snapshot"), 2, 10000);
    QCOMPARE(late.count("gap"), 1);
    const qsizetype gapIndex = std::find_if(late.lines.cbegin(), late.lines.cend(),
                                            [](const Line &line) { return line.kind == QLatin1StringView("gap"); })
        - late.lines.cbegin();
    QCOMPARE(late.lines.at(gapIndex + 1).kind, QStringLiteral("snapshot"));

    // Both see what happens next.
    const quint64 lastId = engine.schedule([] {}).id();
    QTRY_COMPARE(fast.succeeded, quint64(taskCount + 1));
    QTRY_VERIFY(std::any_of(late.lines.cbegin(), late.lines.cend(), [&](const Line &line) {
        return line.taskId == lastId && line.phase == QLatin1StringView("succeeded");
    }));
    publisher->close();
    QTRY_VERIFY(fast.disconnectedSeen && late.disconnectedSeen);

    QVERIFY2(fast.violations.isEmpty(), qPrintable(fast.violations.join('\n')));
    QVERIFY2(late.violations.isEmpty(), qPrintable(late.violations.join('\n')));
    QCOMPARE(fast.last().kind, QStringLiteral("bye"));
    QCOMPARE(late.last().kind, QStringLiteral("bye"));
    // Exact: what the slow one received plus what it was told it missed is what the fast one got.
    QVERIFY(late.totalMissed > 0);
    QCOMPARE(late.broadcastLines + late.totalMissed, fast.broadcastLines);
    QCOMPARE(publisher->eventsDropped(), late.totalMissed);
    QCOMPARE(publisher->queuedBytes(), 0);
}

void tst_EventPublisher::lateSubscriberSeesInFlightTasksWithTrueTimes()
{
    TaskEngine engine({}, EngineOptions{.maxThreads = 1});
    auto *publisher = new EventPublisher(&engine, quietOptions());
    const QString name = uniqueSocketName("late");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    StreamClient early;
    early.connectTo(name);
    QTRY_COMPARE(early.count("snapshot"), 1);

    auto gate = std::make_shared<Gate>();
    const quint64 running = engine.task({.name = QStringLiteral("holder")}).schedule([gate] { gate->pass(); }).id();
    const quint64 queued = engine.task({.name = QStringLiteral("waiter")}).schedule([] {}).id();
    QVERIFY(gate->waitArrived());
    QTRY_VERIFY(!findTaskLine(early, running, QLatin1StringView("started")).isEmpty());
    const QJsonObject startedLine = findTaskLine(early, running, QLatin1StringView("started"));
    const QJsonObject queuedLine = findTaskLine(early, queued, QLatin1StringView("scheduled"));

    StreamClient late;
    const qint64 connectUs = protocol::nowUs();
    late.connectTo(name);
    QTRY_COMPARE(late.count("snapshot"), 1);
    const QJsonArray tasks = late.linesOf("snapshot").at(0).object.value("tasks").toArray();
    QCOMPARE(tasks.size(), 2);

    const QJsonObject holder = findTask(tasks, running);
    QCOMPARE(holder.value("name").toString(), "holder");
    QCOMPARE(holder.value("phase").toString(), "started");
    QCOMPARE(holder.value("started_us").toInteger(), startedLine.value("started_us").toInteger());
    QCOMPARE(holder.value("scheduled_us").toInteger(), startedLine.value("scheduled_us").toInteger());
    QVERIFY(holder.value("started_us").toInteger() < connectUs);
    QCOMPARE(holder.value("ts_us").toInteger(), holder.value("started_us").toInteger()); // when the step happened
    QVERIFY(holder.value("scheduled_us").toInteger() <= holder.value("started_us").toInteger());

    const QJsonObject waiter = findTask(tasks, queued);
    QCOMPARE(waiter.value("phase").toString(), "scheduled");
    QCOMPARE(waiter.value("scheduled_us").toInteger(), queuedLine.value("scheduled_us").toInteger());
    QVERIFY(!waiter.contains("started_us"));
    QCOMPARE(waiter.value("ts_us").toInteger(), waiter.value("scheduled_us").toInteger());

    gate->open();
    QTRY_COMPARE(late.succeeded, 2u);
    QVERIFY2(late.violations.isEmpty(), qPrintable(late.violations.join('\n')));
}

void tst_EventPublisher::lateSubscriberSeesProgressInItsSnapshot()
{
    TaskEngine engine({}, EngineOptions{.maxThreads = 1});
    auto *publisher = new EventPublisher(&engine, quietOptions());
    const QString name = uniqueSocketName("progress");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    StreamClient early;
    early.connectTo(name);
    QTRY_COMPARE(early.count("snapshot"), 1);

    auto gate = std::make_shared<Gate>();
    const quint64 reporting = engine.task({.name = QStringLiteral("reporter")})
                                  .schedule([gate](const CancellationToken &token) {
                                      token.reportProgress(3, 8, QStringLiteral("page 3"));
                                      gate->pass();
                                  })
                                  .id();
    const quint64 queued = engine.task({.name = QStringLiteral("waiter")}).schedule([] {}).id();
    QVERIFY(gate->waitArrived());
    // The report has gone out as a progress line before the late subscriber connects.
    QTRY_COMPARE(early.count("progress"), 1);

    StreamClient late;
    late.connectTo(name);
    QTRY_COMPARE(late.count("snapshot"), 1);
    const QJsonArray tasks = late.linesOf("snapshot").at(0).object.value("tasks").toArray();
    QCOMPARE(tasks.size(), 2);
    const QJsonObject progress = findTask(tasks, reporting).value("progress").toObject();
    QCOMPARE(progress.value("done").toInteger(), 3);
    QCOMPARE(progress.value("total").toInteger(), 8);
    QCOMPARE(progress.value("message").toString(), "page 3");
    QCOMPARE(progress.size(), 3);
    QVERIFY(!findTask(tasks, queued).contains("progress")); // it has reported nothing

    gate->open();
    QTRY_COMPARE(late.succeeded, 2u);
    // The snapshot was the late subscriber's only word on it: no progress line was repeated.
    QCOMPARE(late.count("progress"), 0);
    QCOMPARE(early.count("progress"), 1);
    QVERIFY2(late.violations.isEmpty(), qPrintable(late.violations.join('\n')));
}

void tst_EventPublisher::badInputClosesOnlyThatConnection_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("closes");
    QTest::newRow("not json") << QByteArray("hello there\n") << true;
    QTest::newRow("json array") << QByteArray("[1,2,3]\n") << true;
    QTest::newRow("blank line") << QByteArray("\n") << true;
    QTest::newRow("two objects on a line") << QByteArray("{\"a\":1} {\"b\":2}\n") << true;
    QTest::newRow("binary") << QByteArray("\x00\xff\xfe\x01\x02\n", 6) << true;
    QTest::newRow("invalid utf-8 in a string") << QByteArray("{\"cmd\":\"\xff\xfe\"}\n") << true;
    QTest::newRow("oversized, no newline") << QByteArray(5000, 'a') << true;
    QTest::newRow("oversized object line")
        << QByteArray("{\"cmd\":\"" + QByteArray(4200, 'x') + "\"}\n") << true;
    QTest::newRow("flood of valid lines") << QByteArray("{\"cmd\":\"ping\"}\n").repeated(6000) << true;
    QTest::newRow("ping is fine") << QByteArray("{\"cmd\":\"ping\"}\n") << false;
    QTest::newRow("object in two writes is fine") << QByteArray("{\"cmd\":") << false;
    QTest::newRow("largest allowed line")
        << QByteArray("{\"cmd\":\"" + QByteArray(4096 - 11, 'x') + "\"}\n") << false;
}

void tst_EventPublisher::badInputClosesOnlyThatConnection()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, closes);
    if (QTest::currentDataTag() == QLatin1StringView("largest allowed line"))
        QCOMPARE(input.size(), protocol::maxInputLineBytes);

    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    const QString name = uniqueSocketName("input");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    StreamClient good;
    good.connectTo(name);
    StreamClient bad;
    bad.connectTo(name);
    QTRY_COMPARE(good.count("snapshot"), 1);
    QTRY_COMPARE(bad.count("snapshot"), 1);
    QCOMPARE(publisher->subscriberCount(), 2);

    bad.socket.write(input);
    bad.socket.flush();
    if (closes) {
        QTRY_VERIFY(bad.disconnectedSeen);
        QCOMPARE(publisher->subscriberCount(), 1);
        QVERIFY(bad.last().kind != QLatin1StringView("bye")); // closed, not said goodbye to
    }

    // The other subscriber (and a well-behaved one) keeps receiving.
    QVERIFY(publisher->publish(QLatin1StringView("probe"), QJsonObject{{"n", 1}}));
    QTRY_COMPARE(good.count("probe"), 1);
    QVERIFY(!good.disconnectedSeen);
    if (!closes) {
        QTRY_COMPARE(bad.count("probe"), 1);
        QVERIFY(!bad.disconnectedSeen);
        QCOMPARE(publisher->subscriberCount(), 2);
    }
    QVERIFY(good.violations.isEmpty());
}

void tst_EventPublisher::socketFileIsOwnerOnly()
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    QVERIFY2(publisher->listen(uniqueSocketName("mode")), qPrintable(publisher->errorString()));
    const QString path = publisher->fullServerName();
    QCOMPARE(path, socketPathFor(publisher->serverName()));

    struct stat info {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
    QVERIFY(S_ISSOCK(info.st_mode));
    QCOMPARE(info.st_mode & 0777, mode_t(0700));
    QCOMPARE(info.st_uid, ::getuid());

    const QFileDevice::Permissions permissions = QFileInfo(path).permissions();
    QVERIFY(permissions.testFlags(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
        | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    QCOMPARE(permissions & others, QFileDevice::Permissions());
}

void tst_EventPublisher::staleSocketFileIsTakenOver()
{
    const QString name = uniqueSocketName("stale");
    const QString path = socketPathFor(name);
    {
        // What a killed process leaves behind: a bound, once-listening socket whose file was
        // never unlinked.
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        QVERIFY(fd >= 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        const QByteArray encoded = QFile::encodeName(path);
        std::memcpy(address.sun_path, encoded.constData(), size_t(encoded.size()));
        QCOMPARE(::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);
        QCOMPARE(::listen(fd, 1), 0);
        ::close(fd);
    }
    QVERIFY(QFileInfo::exists(path));

    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    StreamClient client;
    client.connectTo(name);
    QTRY_COMPARE(client.count("hello"), 1);
    QCOMPARE(client.lines.at(0).object.value("source").toObject().value("instance").toString(),
             publisher->instanceId().toString(QUuid::WithoutBraces));
    struct stat info {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0700));
}

void tst_EventPublisher::liveSocketIsRefused()
{
    TaskEngine engine;
    auto *first = new EventPublisher(&engine, quietOptions());
    const QString name = uniqueSocketName("live");
    QVERIFY2(first->listen(name), qPrintable(first->errorString()));

    auto *second = new EventPublisher(&engine, quietOptions());
    QVERIFY(!second->listen(name));
    QVERIFY2(second->errorString().contains(QLatin1StringView("already publishing")), qPrintable(second->errorString()));
    QVERIFY(second->errorString().contains(socketPathFor(name)));
    QVERIFY(!second->isListening());

    // The live one keeps its name and its subscribers.
    QVERIFY(first->isListening());
    StreamClient client;
    client.connectTo(name);
    QTRY_COMPARE(client.count("hello"), 1);
    QCOMPARE(client.lines.at(0).object.value("source").toObject().value("instance").toString(),
             first->instanceId().toString(QUuid::WithoutBraces));

    // Listening twice on one publisher is refused too.
    QVERIFY(!first->listen(uniqueSocketName("again")));
    QVERIFY(first->errorString().contains(QLatin1StringView("already listening")));
}

void tst_EventPublisher::nonSocketFileIsNeverReplaced()
{
    const QString name = uniqueSocketName("file");
    const QString path = socketPathFor(name);
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("precious");
    }
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    QVERIFY(!publisher->listen(name));
    QVERIFY2(publisher->errorString().contains(QLatin1StringView("not a socket")), qPrintable(publisher->errorString()));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("precious"));
    file.close();
    QVERIFY(file.remove());
}

void tst_EventPublisher::byeIsTheLastLineOnClose()
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    const QString name = uniqueSocketName("close");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    const QString path = publisher->fullServerName();
    StreamClient client;
    client.connectTo(name);
    QTRY_COMPARE(client.count("snapshot"), 1);
    QVERIFY(publisher->publish(QLatin1StringView("probe"), {}));

    publisher->close();
    QVERIFY(!publisher->isListening());
    QVERIFY(!QFileInfo::exists(path));
    QTRY_VERIFY(client.disconnectedSeen);
    QCOMPARE(client.last().kind, QStringLiteral("bye"));
    QCOMPARE(client.count("bye"), 1);
    QCOMPARE(client.count("probe"), 1);
    QVERIFY2(client.violations.isEmpty(), qPrintable(client.violations.join('\n')));
    QCOMPARE(publisher->subscriberCount(), 0);

    // It may listen again; new subscribers start over with a hello.
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    StreamClient again;
    again.connectTo(name);
    QTRY_COMPARE(again.count("snapshot"), 1);
    QCOMPARE(again.lines.at(0).seq, 0u);
}

void tst_EventPublisher::byeOnDestructionWithTheEngine()
{
    StreamClient client;
    {
        auto engine = std::make_unique<TaskEngine>();
        auto *publisher = new EventPublisher(engine.get(), quietOptions());
        const QString name = uniqueSocketName("destroy");
        QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
        client.connectTo(name);
        QTRY_COMPARE(client.count("snapshot"), 1);
        QVERIFY(publisher->publish(QLatin1StringView("probe"), {}));
        engine.reset(); // deletes the publisher, its child
    }
    QTRY_VERIFY(client.disconnectedSeen);
    QCOMPARE(client.count("probe"), 1);
    QCOMPARE(client.last().kind, QStringLiteral("bye"));
    QVERIFY2(client.violations.isEmpty(), qPrintable(client.violations.join('\n')));
}

void tst_EventPublisher::shutdownIsStreamed()
{
    TaskEngine engine({}, EngineOptions{.maxThreads = 2});
    auto *publisher = new EventPublisher(&engine, quietOptions());
    const QString name = uniqueSocketName("shutdown");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    StreamClient client;
    client.connectTo(name);
    QTRY_COMPARE(client.count("snapshot"), 1);

    auto gate = std::make_shared<Gate>();
    const quint64 shielded = engine.task({.shield = true}).schedule([gate] { gate->pass(); }).id();
    QVERIFY(gate->waitArrived());
    const qint64 beforeUs = protocol::nowUs();
    engine.startShutdown(10s);
    QTRY_VERIFY(client.count("shutdown") >= 1);
    gate->open();
    QTRY_VERIFY(!client.linesOf("shutdown").isEmpty()
                && client.linesOf("shutdown").constLast().object.value("stage") == QLatin1StringView("finished"));

    const QList<Line> shutdown = client.linesOf("shutdown");
    const QJsonObject started = shutdown.constFirst().object;
    const QJsonObject finished = shutdown.constLast().object;
    QCOMPARE(started.value("stage").toString(), "started");
    QCOMPARE(client.count("shutdown") >= 2, true);
    for (qsizetype i = 1; i + 1 < shutdown.size(); ++i)
        QCOMPARE(shutdown.at(i).object.value("stage").toString(), "progress");
    const qint64 deadlineUs = started.value("deadline_us").toInteger();
    QVERIFY(deadlineUs >= beforeUs + 9'000'000 && deadlineUs <= protocol::nowUs() + 10'000'000);
    QCOMPARE(finished.value("deadline_us").toInteger(), deadlineUs);
    QCOMPARE(started.value("pending").toInteger(), 1);
    QCOMPARE(finished.value("pending").toInteger(-1), 0);
    QCOMPARE(finished.value("finished").toInteger(), 1);
    QCOMPARE(finished.value("abandoned").toInteger(-1), 0);
    QCOMPARE(finished.value("deadline_reached").toBool(true), false);
    QVERIFY(finished.contains("elapsed_ms"));
    QVERIFY(!findTaskLine(client, shielded, QLatin1StringView("succeeded")).isEmpty());
    QVERIFY2(client.violations.isEmpty(), qPrintable(client.violations.join('\n')));
}

void tst_EventPublisher::heartbeatCarriesCounters()
{
    TaskEngine engine({}, EngineOptions{.maxThreads = 3});
    PublisherOptions options = quietOptions();
    options.heartbeatInterval = 20ms;
    auto *publisher = new EventPublisher(&engine, options);
    const QString name = uniqueSocketName("heartbeat");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    StreamClient client;
    client.connectTo(name);
    QTRY_COMPARE(client.count("snapshot"), 1);
    engine.schedule([] {});
    QTRY_VERIFY(client.succeeded == 1 && client.count("heartbeat") >= 1
                && client.last().kind == QLatin1StringView("heartbeat")
                && client.last().object.value("counters").toObject().value("succeeded").toInteger() == 1);

    const QJsonObject heartbeat = client.last().object;
    const QJsonObject counters = heartbeat.value("counters").toObject();
    QCOMPARE(counters.value("scheduled").toInteger(), 1);
    QCOMPARE(counters.value("started").toInteger(), 1);
    QCOMPARE(heartbeat.value("live").toInteger(-1), 0);
    QCOMPARE(heartbeat.value("pool").toObject().value("max").toInteger(), 3);
    QCOMPARE(heartbeat.value("events_dropped").toInteger(-1), 0);
    QCOMPARE(heartbeat.value("subscribers").toInteger(), 1);
}

void tst_EventPublisher::extraEventsFromAnyThread()
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    const QString name = uniqueSocketName("extra");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    StreamClient client;
    client.connectTo(name);
    QTRY_COMPARE(client.count("snapshot"), 1);

    QVERIFY(!publisher->publish(QLatin1StringView("task"), {}));      // the protocol's own kinds
    QVERIFY(!publisher->publish(QLatin1StringView("bye"), {}));
    QVERIFY(!publisher->publish(QLatin1StringView("source"), {})); // a recording's marker, never live
    QVERIFY(!publisher->publish(QLatin1StringView("Not A Kind"), {}));
    QVERIFY(!publisher->publish(QLatin1StringView(""), {}));
    QVERIFY(!publisher->publishEncoded(QLatin1StringView("request"), "\"a\":1\n,\"b\":2"));

    QVERIFY(publisher->publish(QLatin1StringView("request"),
                               QJsonObject{{"request", 1}, {"method", "GET"}, {"path", "/x"}, {"stage", "received"}}));
    std::unique_ptr<QThread> thread(QThread::create([publisher] {
        QByteArray fields;
        protocol::FieldWriter(fields)
            .unsignedInteger(QLatin1StringView("request"), 2)
            .string(QLatin1StringView("method"), QLatin1StringView("POST"))
            .integer(QLatin1StringView("status"), 201);
        publisher->publishEncoded(QLatin1StringView("request"), fields);
    }));
    thread->start();
    QVERIFY(thread->wait(5000));
    QTRY_COMPARE(client.count("request"), 2);
    const QList<Line> requests = client.linesOf("request");
    QCOMPARE(requests.at(0).object.value("method").toString(), "GET");
    QCOMPARE(requests.at(1).object.value("method").toString(), "POST");
    QCOMPARE(requests.at(1).object.value("status").toInteger(), 201);
    QVERIFY(client.violations.isEmpty());
}

void tst_EventPublisher::subscriberLimit()
{
    TaskEngine engine;
    PublisherOptions options = quietOptions();
    options.maxSubscribers = 1;
    auto *publisher = new EventPublisher(&engine, options);
    const QString name = uniqueSocketName("limit");
    QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));
    StreamClient first;
    first.connectTo(name);
    QTRY_COMPARE(first.count("snapshot"), 1);
    StreamClient second;
    second.connectTo(name);
    QTRY_VERIFY(second.disconnectedSeen);
    QVERIFY(second.lines.isEmpty());
    QCOMPARE(publisher->subscriberCount(), 1);
    QVERIFY(!first.disconnectedSeen);
}

QTEST_GUILESS_MAIN(tst_EventPublisher)
#include "tst_eventpublisher.moc"
