// SPDX-License-Identifier: MIT
// The control channel (docs/protocol.md, "Commands"), end to end against a real engine and
// publisher over real local sockets: cancel by id and by filter, drain, refusal when control is
// off, errors, the rate limit, and a malformed line closing only its own connection.
#include "streamtestclient.h"

#include <afterwork/eventpublisher.h>
#include <afterwork/protocol/command.h>
#include <afterwork/taskengine.h>

#include <QtCore/QPointer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace afterwork;
using namespace afterwork::test;
using namespace std::chrono_literals;

namespace {

QByteArray command(const QByteArray &json)
{
    return json + '\n';
}

//! A `cancel` of \a id, written by the protocol's own encoder.
QByteArray cancelOf(quint64 id)
{
    return protocol::encodeCommand({.kind = protocol::CommandKind::Cancel, .ids = {id}});
}

//! An id no test schedules: a cancel of it is always answered `unknown_task`.
constexpr quint64 noSuchTask = 424242;

//! An engine whose one pool thread is held by a gated task, with a publisher; tasks scheduled
//! next stay live (queued) until the gate opens.
struct Fixture
{
    explicit Fixture(bool allowControl, std::function<void(std::chrono::milliseconds)> onDrain = {})
        : engine(TaskConfig{}, EngineOptions{.maxThreads = 1})
    {
        publisher = new EventPublisher(&engine, {.app = "control-test", .allowControl = allowControl, .onDrain = std::move(onDrain)});
        name = uniqueSocketName("control");
        listening = publisher->listen(name);
        engine.schedule([gate = gate] { gate->pass(); });
    }
    ~Fixture() { gate->open(); }

    //! A connected client that has read its hello and snapshot.
    std::unique_ptr<StreamClient> connect()
    {
        auto client = std::make_unique<StreamClient>();
        client->connectTo(name);
        if (!waitFor([&] { return client->hasKind(QStringLiteral("snapshot")); }))
            return nullptr;
        return client;
    }

    std::shared_ptr<Gate> gate = std::make_shared<Gate>();
    TaskEngine engine;
    EventPublisher *publisher = nullptr;
    QString name;
    bool listening = false;
};

//! Sends \a line and waits for the next reply; its object (empty if none came).
QJsonObject ask(StreamClient &client, const QByteArray &line)
{
    const int before = client.count(QStringLiteral("reply"));
    client.socket.write(line);
    client.socket.flush();
    if (!waitFor([&] { return client.count(QStringLiteral("reply")) > before; }, 5000))
        return {};
    return client.linesOf(QStringLiteral("reply")).constLast().object;
}

QString phaseOf(const StreamClient &client, quint64 taskId)
{
    QString phase;
    for (const Line &line : client.lines) {
        if (line.kind == QLatin1StringView("task") && line.taskId == taskId)
            phase = line.phase;
    }
    return phase;
}

} // namespace

class tst_Control : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helloSaysWhetherControlIsOn()
    {
        for (const bool allow : {false, true}) {
            Fixture f(allow);
            QVERIFY(f.listening);
            auto client = f.connect();
            QVERIFY(client);
            QCOMPARE(client->linesOf(QStringLiteral("hello")).constFirst().object.value("control").toBool(), allow);
        }
    }

    void cancelById()
    {
        Fixture f(true);
        auto client = f.connect();
        QVERIFY(client);
        const Task queued = f.engine.schedule([] {});
        const Task other = f.engine.schedule([] {});
        const QJsonObject reply = ask(*client, protocol::encodeCommand({.kind = protocol::CommandKind::Cancel,
                                                                        .ref = "c1",
                                                                        .ids = {queued.id(), 999999}}));
        QCOMPARE(reply.value("ref").toString(), QStringLiteral("c1"));
        QCOMPARE(reply.value("cmd").toString(), QStringLiteral("cancel"));
        QCOMPARE(reply.value("result").toString(), QStringLiteral("accepted"));
        QCOMPARE(reply.value("affected").toInteger(), 1);
        // The effect arrives as ordinary task lines.
        QVERIFY(waitFor([&] { return phaseOf(*client, queued.id()) == QLatin1StringView("cancelled"); }));
        QCOMPARE(other.phase(), Phase::Scheduled);
    }

    void aRepeatedIdCountsOnce()
    {
        Fixture f(true);
        auto client = f.connect();
        QVERIFY(client);
        const Task queued = f.engine.schedule([] {});
        const QByteArray id = QByteArray::number(queued.id());
        const QJsonObject reply = ask(*client, command("{\"cmd\":\"cancel\",\"ids\":[" + id + "," + id + "," + id + "]}"));
        QCOMPARE(reply.value("affected").toInteger(), 1);
    }

    void aDrainWhosePublisherIsDeletedRepliesFirst()
    {
        // An idle engine drains at once; a receiver of shutdownFinished deletes the publisher.
        TaskEngine engine;
        QPointer<EventPublisher> publisher = new EventPublisher(&engine, {.app = QStringLiteral("control-delete"), .allowControl = true});
        const QString name = uniqueSocketName("control-delete");
        QVERIFY(publisher->listen(name));
        connect(&engine, &TaskEngine::shutdownFinished, this, [&] { delete publisher.data(); });
        StreamClient client;
        client.connectTo(name);
        QVERIFY(waitFor([&] { return client.hasKind(QStringLiteral("snapshot")); }));
        const QJsonObject reply = ask(client, command(R"({"cmd":"drain","deadline_ms":0})"));
        QCOMPARE(reply.value("result").toString(), QStringLiteral("accepted"));
        QVERIFY(waitFor([&] { return client.hasKind(QStringLiteral("bye")); }));
        QVERIFY(publisher.isNull());
    }

    void aFloodClosesTheConnection()
    {
        Fixture f(true);
        auto flood = f.connect();
        auto other = f.connect();
        QVERIFY(flood && other);
        QByteArray burst;
        for (int i = 0; i < 2 * protocol::maxCommandsPerSecond + 1; ++i)
            burst += cancelOf(noSuchTask);
        flood->socket.write(burst);
        QVERIFY(waitFor([&] { return flood->disconnectedSeen; }));
        QVERIFY(flood->count(QStringLiteral("reply")) <= 2 * protocol::maxCommandsPerSecond);
        QCOMPARE(ask(*other, cancelOf(noSuchTask)).value("result").toString(),
                 QStringLiteral("unknown_task"));
    }

    void cancelOfNoLiveTaskIsUnknown()
    {
        Fixture f(true);
        auto client = f.connect();
        QVERIFY(client);
        const QJsonObject reply = ask(*client, cancelOf(noSuchTask));
        QCOMPARE(reply.value("result").toString(), QStringLiteral("unknown_task"));
    }

    void cancelMatchingAFilter()
    {
        Fixture f(true);
        auto client = f.connect();
        QVERIFY(client);
        const Task report1 = f.engine.task({.name = "export_report"}).schedule([] {});
        const Task report2 = f.engine.task({.name = "export_report_2"}).schedule([] {});
        const Task email = f.engine.task({.name = "send_email"}).schedule([] {});
        const QJsonObject reply = ask(*client, command(R"({"cmd":"cancel_matching","filter":"name~report"})"));
        QCOMPARE(reply.value("result").toString(), QStringLiteral("accepted"));
        QCOMPARE(reply.value("affected").toInteger(), 2);
        QVERIFY(waitFor([&] { return report1.phase() == Phase::Cancelled && report2.phase() == Phase::Cancelled; }));
        QCOMPARE(email.phase(), Phase::Scheduled);

        const QJsonObject none = ask(*client, command(R"({"cmd":"cancel_matching","filter":"name:nothing_like_it"})"));
        QCOMPARE(none.value("result").toString(), QStringLiteral("accepted"));
        QCOMPARE(none.value("affected").toInteger(), 0);

        const QJsonObject bad = ask(*client, command(R"({"cmd":"cancel_matching","filter":"phase:faild"})"));
        QCOMPARE(bad.value("result").toString(), QStringLiteral("error"));
        QVERIFY2(bad.value("reason").toString().contains(QStringLiteral("faild")), qPrintable(bad.value("reason").toString()));
    }

    void drainStartsTheShutdown()
    {
        std::optional<std::chrono::milliseconds> asked;
        Fixture f(true, [&](std::chrono::milliseconds deadline) { asked = deadline; });
        auto client = f.connect();
        QVERIFY(client);
        const QJsonObject reply = ask(*client, command(R"({"cmd":"drain","deadline_ms":2500})"));
        QCOMPARE(reply.value("result").toString(), QStringLiteral("accepted"));
        QCOMPARE(asked, std::optional(2500ms));
    }

    void drainWithoutAHookDrainsTheEngine()
    {
        Fixture f(true);
        auto client = f.connect();
        QVERIFY(client);
        QSignalSpy finished(&f.engine, &TaskEngine::shutdownFinished);
        const QJsonObject reply = ask(*client, command(R"({"cmd":"drain","deadline_ms":50})"));
        QCOMPARE(reply.value("result").toString(), QStringLiteral("accepted"));
        QCOMPARE(reply.value("affected").toInteger(), 1); // the gated task
        QVERIFY(waitFor([&] { return client->hasKind(QStringLiteral("shutdown")); }));
        f.gate->open();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
        const QJsonObject again = ask(*client, command(R"({"cmd":"drain","deadline_ms":50})"));
        QCOMPARE(again.value("result").toString(), QStringLiteral("refused"));
    }

    void readOnlyRefusesEveryCommand()
    {
        Fixture f(false);
        auto client = f.connect();
        QVERIFY(client);
        const Task queued = f.engine.schedule([] {});
        for (const QByteArray &line : {cancelOf(queued.id()), command(R"({"cmd":"cancel_matching","filter":"id:1"})"),
                                       command(R"({"cmd":"drain","deadline_ms":0})")}) {
            const QJsonObject reply = ask(*client, line);
            QCOMPARE(reply.value("result").toString(), QStringLiteral("refused"));
            QVERIFY(reply.value("reason").toString().contains(QStringLiteral("read-only")));
        }
        QCOMPARE(queued.phase(), Phase::Scheduled);
        QCOMPARE(f.engine.state(), EngineState::Running);
    }

    void errorsKeepTheConnection_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("reasonContains");
        QTest::newRow("unknown command") << QByteArray(R"({"cmd":"reboot"})") << QStringLiteral("unknown command 'reboot'");
        QTest::newRow("cmd not a string") << QByteArray(R"({"cmd":7})") << QStringLiteral("'cmd'");
        QTest::newRow("ids missing") << QByteArray(R"({"cmd":"cancel"})") << QStringLiteral("'ids'");
        QTest::newRow("id negative") << QByteArray(R"({"cmd":"cancel","ids":[-1]})") << QStringLiteral("'ids'");
        QTest::newRow("id fraction") << QByteArray(R"({"cmd":"cancel","ids":[1.5]})") << QStringLiteral("'ids'");
        QTest::newRow("empty filter") << QByteArray(R"({"cmd":"cancel_matching","filter":"  "})") << QStringLiteral("'filter'");
        QTest::newRow("deadline string") << QByteArray(R"({"cmd":"drain","deadline_ms":"5"})") << QStringLiteral("'deadline_ms'");
        QTest::newRow("version 2") << QByteArray(R"({"v":2,"cmd":"cancel","ids":[1]})") << QStringLiteral("version");
        QTest::newRow("ref too long") << (QByteArray(R"({"cmd":"cancel","ids":[1],"ref":")") + QByteArray(65, 'r') + "\"}")
                                      << QStringLiteral("'ref'");
    }

    void errorsKeepTheConnection()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, reasonContains);
        Fixture f(true);
        auto client = f.connect();
        QVERIFY(client);
        const QJsonObject reply = ask(*client, command(line));
        QCOMPARE(reply.value("result").toString(), QStringLiteral("error"));
        QVERIFY2(reply.value("reason").toString().contains(reasonContains), qPrintable(reply.value("reason").toString()));
        // Still connected and answered.
        const QJsonObject next = ask(*client, cancelOf(noSuchTask));
        QCOMPARE(next.value("result").toString(), QStringLiteral("unknown_task"));
        QCOMPARE(f.engine.state(), EngineState::Running);
    }

    void objectsWithoutACommandAreIgnored()
    {
        Fixture f(true);
        auto client = f.connect();
        QVERIFY(client);
        client->socket.write(command(R"({"hello":"there"})"));
        const QJsonObject reply = ask(*client, command(R"({"cmd":"cancel","ids":[424242],"ref":"after"})"));
        QCOMPARE(reply.value("ref").toString(), QStringLiteral("after")); // the first line got no reply
        QCOMPARE(client->count(QStringLiteral("reply")), 1);
    }

    void aMalformedLineClosesOnlyItsConnection()
    {
        Fixture f(true);
        auto bad = f.connect();
        auto good = f.connect();
        QVERIFY(bad && good);
        bad->socket.write(command(R"({"cmd":"cancel","ids":[1])")); // not a complete object
        QVERIFY(waitFor([&] { return bad->disconnectedSeen; }));
        QVERIFY(!bad->hasKind(QStringLiteral("reply")));
        const QJsonObject reply = ask(*good, cancelOf(noSuchTask));
        QCOMPARE(reply.value("result").toString(), QStringLiteral("unknown_task"));
    }

    void fasterThanTheRateIsRefused()
    {
        Fixture f(true);
        auto client = f.connect();
        QVERIFY(client);
        const Task queued = f.engine.schedule([] {});
        QByteArray burst;
        for (int i = 0; i < protocol::maxCommandsPerSecond; ++i)
            burst += cancelOf(noSuchTask);
        // One over the limit, within the same second: refused, and the task stays.
        burst += cancelOf(queued.id());
        client->socket.write(burst);
        QVERIFY(waitFor([&] { return client->count(QStringLiteral("reply")) == protocol::maxCommandsPerSecond + 1; }));
        const QJsonObject last = client->linesOf(QStringLiteral("reply")).constLast().object;
        QCOMPARE(last.value("result").toString(), QStringLiteral("refused"));
        QVERIFY(last.value("reason").toString().contains(QStringLiteral("rate")));
        QCOMPARE(queued.phase(), Phase::Scheduled);
        QVERIFY(client->violations.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_Control)
#include "tst_control.moc"
