// SPDX-License-Identifier: MIT
// The EventPublisher's remote transport over real TLS on ephemeral loopback ports (certificates
// made by openssl at test time): the token exchange, refusals, a client that speaks plain text to
// the TLS port, a stalled TLS client, the bound on unauthenticated connections, and the checks on
// the token file and on plain TCP.

#include "streamtestclient.h"
#include "../support/tlsfixtures.h"

#include <afterwork/eventpublisher.h>
#include <afterwork/protocol/auth.h>
#include <afterwork/taskengine.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QSslSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <sys/stat.h>

#include <csignal>
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

using namespace afterwork;
using namespace afterwork::test;
using namespace afterwork::testing;
using namespace std::chrono_literals;

namespace {

const QByteArray goodToken = QByteArrayLiteral("s3cret-Token_for.tests");

//! One remote connection as the tests need it: TLS (or plain) to 127.0.0.1, an optional first
//! line sent as soon as the connection is up, and every line received, parsed, with the `seq`
//! rule checked.
class RemoteClient : public QObject
{
public:
    RemoteClient()
    {
        connect(&socket, &QSslSocket::encrypted, this, [this] { sendFirstLine(); });
        connect(&socket, &QSslSocket::connected, this, [this] {
            if (!m_tls)
                sendFirstLine();
        });
        connect(&socket, &QSslSocket::readyRead, this, [this] { readLines(); });
        connect(&socket, &QSslSocket::disconnected, this, [this] {
            readLines();
            disconnectedSeen = true;
        });
        connect(&socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) { sslErrors += errors; });
    }
    ~RemoteClient() override { socket.disconnect(this); }

    void connectTls(quint16 port, const QString &caFile, QByteArray firstLine)
    {
        m_tls = true;
        m_firstLine = std::move(firstLine);
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setCaCertificates(QSslCertificate::fromPath(caFile));
        socket.setSslConfiguration(configuration);
        socket.setPeerVerifyName(QStringLiteral("localhost"));
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    }
    void connectPlain(quint16 port, QByteArray firstLine)
    {
        m_tls = false;
        m_firstLine = std::move(firstLine);
        socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    }

    QStringList kinds() const
    {
        QStringList result;
        for (const QJsonObject &line : lines)
            result << line.value(QLatin1StringView("kind")).toString();
        return result;
    }
    int count(const QString &kind) const { return kindCounts.value(kind); }
    bool hasTaskLine(quint64 id, const char *phase) const
    {
        return std::any_of(lines.cbegin(), lines.cend(), [&](const QJsonObject &line) {
            return line.value(QLatin1StringView("kind")).toString() == QLatin1StringView("task")
                && quint64(line.value(QLatin1StringView("id")).toInteger()) == id
                && line.value(QLatin1StringView("phase")).toString() == QLatin1StringView(phase);
        });
    }

    QSslSocket socket;
    QList<QJsonObject> lines;
    QByteArray raw; // every byte received
    QStringList violations;
    QList<QSslError> sslErrors;
    QHash<QString, int> kindCounts;
    bool disconnectedSeen = false;

private:
    void sendFirstLine()
    {
        if (!m_firstLine.isEmpty())
            socket.write(m_firstLine);
    }
    void readLines()
    {
        if (!socket.isReadable() || socket.bytesAvailable() == 0)
            return; // (an aborted QSslSocket's inner socket warns on any read)
        const QByteArray data = socket.readAll();
        raw += data;
        m_buffer += data;
        for (;;) {
            const qsizetype newline = m_buffer.indexOf('\n');
            if (newline < 0)
                break;
            const QByteArray line = m_buffer.left(newline);
            m_buffer.remove(0, newline + 1);
            const QJsonDocument document = QJsonDocument::fromJson(line);
            if (!document.isObject()) {
                violations << QStringLiteral("unparsable line: %1").arg(QString::fromUtf8(line.left(200)));
                continue;
            }
            const QJsonObject object = document.object();
            const auto seq = quint64(object.value(QLatin1StringView("seq")).toInteger());
            if (!lines.isEmpty()) {
                quint64 expected = quint64(lines.constLast().value(QLatin1StringView("seq")).toInteger()) + 1;
                if (object.value(QLatin1StringView("kind")).toString() == QLatin1StringView("gap"))
                    expected += quint64(object.value(QLatin1StringView("missed")).toInteger());
                if (seq != expected)
                    violations << QStringLiteral("seq %1, expected %2").arg(seq).arg(expected);
            } else if (seq != 0) {
                violations << QStringLiteral("first line has seq %1").arg(seq);
            }
            ++kindCounts[object.value(QLatin1StringView("kind")).toString()];
            lines.append(object);
        }
    }

    bool m_tls = true;
    QByteArray m_firstLine;
    QByteArray m_buffer;
};

PublisherOptions quietOptions()
{
    PublisherOptions options;
    options.app = QStringLiteral("tst_remotepublisher");
    options.heartbeatInterval = std::chrono::hours(1);
    return options;
}

//! Counts the afterwork.stream info lines about connections turned away while it lives.
class TurnedAwayLines
{
public:
    TurnedAwayLines() { s_previous = qInstallMessageHandler(&TurnedAwayLines::handle); }
    ~TurnedAwayLines() { qInstallMessageHandler(s_previous); }
    QStringList lines() const { return s_lines; }

private:
    static void handle(QtMsgType type, const QMessageLogContext &context, const QString &message)
    {
        if (qstrcmp(context.category, "afterwork.stream") == 0
            && (message.contains(QLatin1StringView("refusing a remote connection"))
                || message.contains(QLatin1StringView("TLS handshake"))))
            s_lines.append(message);
        s_previous(type, context, message);
    }
    static inline QtMessageHandler s_previous = nullptr;
    static inline QStringList s_lines;
};

} // namespace

class tst_RemotePublisher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rightTokenIsServedLikeALocalSubscriber();
    void refusedConnectionsGetOneLineOnly_data();
    void refusedConnectionsGetOneLineOnly();
    void plainTextToTheTlsPortIsClosed();
    void stalledTlsClientGetsAGapOthersDoNot();
    void unauthenticatedConnectionsAreBounded();
    void silentConnectionsToTheTlsPortAreBounded();
    void garbageFromManyConnectionsDoesNotCloseTheListener();
    void refusalsDoNotFloodTheLog();
    void tokenFileMustBeOwnerOnlyAndNotEmpty();
    void insecureOnlyOnLoopback();
    void badCertificateOrKeyIsRefused();
    void keyOfAnotherCertificateIsRefused();

private:
    RemoteListenOptions tlsOptions() const
    {
        RemoteListenOptions remote;
        remote.address = QStringLiteral("127.0.0.1");
        remote.certificateFile = m_tls.serverCertificate();
        remote.privateKeyFile = m_tls.serverKey();
        remote.tokenFile = m_tokenFile;
        return remote;
    }

    TlsFixtures m_tls;
    QString m_tokenFile;
};

void tst_RemotePublisher::initTestCase()
{
    if (!QSslSocket::supportsSsl())
        QSKIP(qPrintable(QStringLiteral("no TLS backend in this Qt (backends: %1)")
                             .arg(QSslSocket::availableBackends().join(QStringLiteral(", ")))));
    QString error;
    QVERIFY2(m_tls.create(&error), qPrintable(error));
    m_tokenFile = m_tls.writeToken(QStringLiteral("token"), goodToken);
}

void tst_RemotePublisher::rightTokenIsServedLikeALocalSubscriber()
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    QVERIFY2(publisher->listenRemote(tlsOptions()), qPrintable(publisher->errorString()));
    QVERIFY(publisher->isListeningRemote());
    QVERIFY(publisher->isRemoteEncrypted());
    QVERIFY(publisher->remotePort() != 0);

    RemoteClient client;
    // The token and a command right behind it, in one write: the command is answered too.
    client.connectTls(publisher->remotePort(), m_tls.caCertificate(),
                      protocol::encodeAuthLine(goodToken) + QByteArrayLiteral("{\"v\":1,\"cmd\":\"drain\",\"ref\":\"r1\",\"deadline_ms\":0}\n"));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(QStringLiteral("snapshot")), 1, 10000);
    QCOMPARE(client.kinds().first(), QStringLiteral("hello"));
    QCOMPARE(client.kinds().at(1), QStringLiteral("snapshot"));
    QCOMPARE(publisher->subscriberCount(), 1);
    QCOMPARE(publisher->authenticatingCount(), 0);
    QVERIFY(client.sslErrors.isEmpty());
    // Each line leaves at once, not held back by Nagle's algorithm until the previous segment is
    // acknowledged (milliseconds of lag per event otherwise: bench_stream's 10c).
    const QList<QTcpSocket *> sockets = publisher->findChildren<QTcpSocket *>();
    const auto served = std::find_if(sockets.cbegin(), sockets.cend(),
                                     [&client](QTcpSocket *s) { return s->peerPort() == client.socket.localPort(); });
    QVERIFY(served != sockets.cend());
    QCOMPARE((*served)->socketOption(QAbstractSocket::LowDelayOption).toInt(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(client.count(QStringLiteral("reply")), 1, 10000);
    const QJsonObject reply = client.lines.constLast();
    QCOMPARE(reply.value(QLatin1StringView("result")).toString(), QStringLiteral("refused")); // read-only
    QCOMPARE(engine.state(), EngineState::Running);

    const quint64 id = engine.schedule([] {}).id();
    QTRY_VERIFY_WITH_TIMEOUT(client.hasTaskLine(id, "succeeded"), 10000);
    QVERIFY(client.hasTaskLine(id, "scheduled"));

    publisher->close();
    QTRY_VERIFY_WITH_TIMEOUT(client.disconnectedSeen, 10000);
    QCOMPARE(client.kinds().constLast(), QStringLiteral("bye"));
    QVERIFY2(client.violations.isEmpty(), qPrintable(client.violations.join(u'\n')));
}

void tst_RemotePublisher::refusedConnectionsGetOneLineOnly_data()
{
    QTest::addColumn<QByteArray>("firstLine");
    QTest::addColumn<QString>("reason");
    QTest::newRow("wrong token") << protocol::encodeAuthLine("not-the-token")
                                 << QString(protocol::deniedReasonText(protocol::DeniedReason::BadToken));
    QTest::newRow("token with one more character") << protocol::encodeAuthLine(goodToken + 'x')
                                                   << QString(protocol::deniedReasonText(protocol::DeniedReason::BadToken));
    QTest::newRow("no token in time") << QByteArray()
                                      << QString(protocol::deniedReasonText(protocol::DeniedReason::Timeout));
    QTest::newRow("a command first") << QByteArrayLiteral("{\"v\":1,\"cmd\":\"drain\",\"deadline_ms\":0}\n")
                                     << QString(protocol::deniedReasonText(protocol::DeniedReason::Malformed));
    QTest::newRow("a command riding on the token")
        << QByteArray("{\"v\":1,\"auth\":\"" + goodToken + "\",\"cmd\":\"drain\",\"deadline_ms\":0}\n")
        << QString(protocol::deniedReasonText(protocol::DeniedReason::Malformed));
    QTest::newRow("not JSON") << QByteArrayLiteral("GET / HTTP/1.1\r\n\r\n")
                              << QString(protocol::deniedReasonText(protocol::DeniedReason::Malformed));
    QTest::newRow("a long line without newline") << QByteArray(6000, 'a')
                                                 << QString(protocol::deniedReasonText(protocol::DeniedReason::Malformed));
}

void tst_RemotePublisher::refusedConnectionsGetOneLineOnly()
{
    QFETCH(QByteArray, firstLine);
    QFETCH(QString, reason);
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    RemoteListenOptions remote = tlsOptions();
    remote.authTimeout = 500ms;
    QVERIFY2(publisher->listenRemote(remote), qPrintable(publisher->errorString()));
    QSignalSpy subscribers(publisher, &EventPublisher::subscriberCountChanged);
    engine.schedule([] {}); // there is something to tell, and none of it may reach the client

    RemoteClient client;
    client.connectTls(publisher->remotePort(), m_tls.caCertificate(), firstLine);
    QTRY_VERIFY_WITH_TIMEOUT(client.disconnectedSeen, 10000);
    QCOMPARE(client.lines.size(), 1);
    QCOMPARE(client.kinds().constFirst(), QString(protocol::deniedKind));
    QCOMPARE(client.lines.constFirst().value(QLatin1StringView("reason")).toString(), reason);
    QCOMPARE(client.lines.constFirst().value(QLatin1StringView("seq")).toInteger(), 0);
    QVERIFY(!client.raw.contains(goodToken));
    QVERIFY(client.raw.endsWith('\n'));
    QCOMPARE(client.raw.count('\n'), 1);
    QCOMPARE(subscribers.size(), 0);
    QCOMPARE(publisher->subscriberCount(), 0);
    QTRY_COMPARE(publisher->authenticatingCount(), 0);
}

void tst_RemotePublisher::plainTextToTheTlsPortIsClosed()
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    QVERIFY2(publisher->listenRemote(tlsOptions()), qPrintable(publisher->errorString()));
    RemoteClient before;
    before.connectTls(publisher->remotePort(), m_tls.caCertificate(), protocol::encodeAuthLine(goodToken));
    QTRY_COMPARE_WITH_TIMEOUT(before.count(QStringLiteral("snapshot")), 1, 10000);

    RemoteClient plain; // speaks the protocol, but without TLS
    plain.connectPlain(publisher->remotePort(), protocol::encodeAuthLine(goodToken));
    QTRY_VERIFY_WITH_TIMEOUT(plain.disconnectedSeen, 10000);
    QVERIFY(plain.lines.isEmpty()); // at most a TLS alert: no line, no hello
    QVERIFY(!plain.raw.contains("hello"));
    QCOMPARE(publisher->subscriberCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(publisher->findChildren<QSslSocket *>().size(), 1, 5000); // the failed one is freed

    // The server goes on: the subscriber from before and a new one both see the next task.
    RemoteClient after;
    after.connectTls(publisher->remotePort(), m_tls.caCertificate(), protocol::encodeAuthLine(goodToken));
    QTRY_COMPARE_WITH_TIMEOUT(after.count(QStringLiteral("snapshot")), 1, 10000);
    const quint64 id = engine.schedule([] {}).id();
    QTRY_VERIFY_WITH_TIMEOUT(before.hasTaskLine(id, "succeeded") && after.hasTaskLine(id, "succeeded"), 10000);
    QVERIFY(before.violations.isEmpty());
    QVERIFY(after.violations.isEmpty());
    QTRY_COMPARE(publisher->authenticatingCount(), 0);
}

void tst_RemotePublisher::stalledTlsClientGetsAGapOthersDoNot()
{
    TaskEngine engine({}, EngineOptions{.maxThreads = 2});
    PublisherOptions options = quietOptions();
    options.maxQueuedBytes = 256 * 1024;
    auto *publisher = new EventPublisher(&engine, options);
    QVERIFY2(publisher->listenRemote(tlsOptions()), qPrintable(publisher->errorString()));

    RemoteClient fast;
    fast.connectTls(publisher->remotePort(), m_tls.caCertificate(), protocol::encodeAuthLine(goodToken));
    QTRY_COMPARE_WITH_TIMEOUT(fast.count(QStringLiteral("snapshot")), 1, 10000);

    // The stalled client is another process, a real TLS client: openssl s_client, stopped with
    // SIGSTOP once it has authenticated, so that it reads nothing while the publisher writes.
    QProcess stalled;
    QByteArray stalledOutput;
    connect(&stalled, &QProcess::readyReadStandardOutput, this, [&] { stalledOutput += stalled.readAllStandardOutput(); });
    stalled.start(m_tls.openssl(), {QStringLiteral("s_client"), QStringLiteral("-quiet"), QStringLiteral("-connect"),
                                    QStringLiteral("127.0.0.1:%1").arg(publisher->remotePort()), QStringLiteral("-CAfile"),
                                    m_tls.caCertificate(), QStringLiteral("-verify_return_error")});
    QVERIFY(stalled.waitForStarted(10000));
    stalled.write(protocol::encodeAuthLine(goodToken));
    QTRY_COMPARE_WITH_TIMEOUT(publisher->subscriberCount(), 2, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(stalledOutput.contains("\"kind\":\"snapshot\""), 10000);
    QCOMPARE(::kill(pid_t(stalled.processId()), SIGSTOP), 0);

    constexpr int taskCount = 20000;
    constexpr int batch = 250;
    for (int scheduled = 0; scheduled < taskCount;) {
        for (int i = 0; i < batch; ++i)
            engine.schedule([] {});
        scheduled += batch;
        QTRY_VERIFY_WITH_TIMEOUT(fast.count(QStringLiteral("task")) >= 3 * scheduled, 20000);
    }
    QVERIFY2(publisher->eventsDropped() > 0, "the stalled client never overflowed");
    QCOMPARE(fast.count(QStringLiteral("gap")), 0);
    // Bounded: the stalled client's queue (plain and encrypted) within its budget, plus a snapshot.
    QVERIFY2(publisher->queuedBytes() <= 2 * (options.maxQueuedBytes + 64 * 1024),
             qPrintable(QString::number(publisher->queuedBytes())));

    // It reads again: what was handed over before, then a gap, then a fresh snapshot.
    QCOMPARE(::kill(pid_t(stalled.processId()), SIGCONT), 0);
    QTRY_VERIFY_WITH_TIMEOUT(stalledOutput.contains("\"kind\":\"gap\""), 20000);
    const quint64 lastId = engine.schedule([] {}).id();
    const QByteArray lastLine = QByteArrayLiteral("\"kind\":\"task\",\"id\":%1,").replace("%1", QByteArray::number(lastId));
    QTRY_VERIFY_WITH_TIMEOUT(fast.hasTaskLine(lastId, "succeeded"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(stalledOutput.count(lastLine) >= 2, 20000);
    const qsizetype gapAt = stalledOutput.indexOf("\"kind\":\"gap\"");
    const qsizetype nextLine = stalledOutput.indexOf('\n', gapAt) + 1;
    QVERIFY(stalledOutput.mid(nextLine, 120).contains("\"kind\":\"snapshot\""));
    QVERIFY2(fast.violations.isEmpty(), qPrintable(fast.violations.join(u'\n')));
    stalled.kill();
    stalled.waitForFinished(5000);
}

void tst_RemotePublisher::unauthenticatedConnectionsAreBounded()
{
    TaskEngine engine;
    PublisherOptions options = quietOptions();
    options.maxSubscribers = 2;
    auto *publisher = new EventPublisher(&engine, options);
    RemoteListenOptions remote = tlsOptions();
    remote.insecure = true; // plain TCP on loopback: the bound is the same, and faster to reach
    remote.certificateFile.clear();
    remote.privateKeyFile.clear();
    QVERIFY2(publisher->listenRemote(remote), qPrintable(publisher->errorString()));
    QVERIFY(!publisher->isRemoteEncrypted());

    RemoteClient idle1;
    RemoteClient idle2;
    idle1.connectPlain(publisher->remotePort(), {});
    idle2.connectPlain(publisher->remotePort(), {});
    QTRY_COMPARE(publisher->authenticatingCount(), 2);
    RemoteClient third;
    third.connectPlain(publisher->remotePort(), protocol::encodeAuthLine(goodToken));
    QTRY_VERIFY_WITH_TIMEOUT(third.disconnectedSeen, 10000);
    QCOMPARE(third.kinds(), QStringList{QString(protocol::deniedKind)});
    QCOMPARE(third.lines.constFirst().value(QLatin1StringView("reason")).toString(),
             QString(protocol::deniedReasonText(protocol::DeniedReason::TooMany)));
    QCOMPARE(publisher->subscriberCount(), 0);

    // One idle connection goes away: a subscriber with the token gets in.
    idle1.socket.abort();
    QTRY_COMPARE(publisher->authenticatingCount(), 1);
    RemoteClient good;
    good.connectPlain(publisher->remotePort(), protocol::encodeAuthLine(goodToken));
    QTRY_COMPARE_WITH_TIMEOUT(good.count(QStringLiteral("snapshot")), 1, 10000);
    QCOMPARE(publisher->subscriberCount(), 1);
}

void tst_RemotePublisher::silentConnectionsToTheTlsPortAreBounded()
{
    TaskEngine engine;
    PublisherOptions options = quietOptions();
    options.maxSubscribers = 2;
    auto *publisher = new EventPublisher(&engine, options);
    RemoteListenOptions remote = tlsOptions();
    remote.authTimeout = 2s;
    QVERIFY2(publisher->listenRemote(remote), qPrintable(publisher->errorString()));

    // Two connections that never start a TLS handshake: they count from their accept.
    RemoteClient silent1;
    RemoteClient silent2;
    silent1.connectPlain(publisher->remotePort(), {});
    silent2.connectPlain(publisher->remotePort(), {});
    QTRY_COMPARE_WITH_TIMEOUT(publisher->authenticatingCount(), 2, 10000);
    RemoteClient turnedAway; // closed before its handshake: not even a refusal line can reach it
    turnedAway.connectTls(publisher->remotePort(), m_tls.caCertificate(), protocol::encodeAuthLine(goodToken));
    QTRY_VERIFY_WITH_TIMEOUT(turnedAway.disconnectedSeen || turnedAway.socket.state() == QAbstractSocket::UnconnectedState, 10000);
    QVERIFY(turnedAway.lines.isEmpty());
    QCOMPARE(publisher->subscriberCount(), 0);

    // The handshake timeout ends the silent ones; then a client with the token gets in.
    QTRY_VERIFY_WITH_TIMEOUT(silent1.disconnectedSeen && silent2.disconnectedSeen, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(publisher->authenticatingCount(), 0, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(publisher->findChildren<QSslSocket *>().size(), 0, 5000); // none kept
    RemoteClient good;
    good.connectTls(publisher->remotePort(), m_tls.caCertificate(), protocol::encodeAuthLine(goodToken));
    QTRY_COMPARE_WITH_TIMEOUT(good.count(QStringLiteral("snapshot")), 1, 10000);
}

void tst_RemotePublisher::garbageFromManyConnectionsDoesNotCloseTheListener()
{
    // With the default bound (32): Qt's own limit on waiting connections (30, handshakes
    // included) must not be the one that decides, or 31 connections sending garbage instead of a
    // ClientHello would leave the listener accepting nothing, for good.
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    QVERIFY2(publisher->listenRemote(tlsOptions()), qPrintable(publisher->errorString()));
    std::vector<std::unique_ptr<RemoteClient>> garbage;
    for (int i = 0; i < 31; ++i) {
        garbage.push_back(std::make_unique<RemoteClient>());
        garbage.back()->connectPlain(publisher->remotePort(), {});
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(garbage.cbegin(), garbage.cend(),
                                         [](const auto &c) { return c->socket.state() == QAbstractSocket::ConnectedState; }),
                             10000);
    for (const auto &client : garbage)
        client->socket.write("x\n");
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(garbage.cbegin(), garbage.cend(),
                                         [](const auto &c) {
                                             return c->disconnectedSeen
                                                 || c->socket.state() == QAbstractSocket::UnconnectedState;
                                         }),
                             15000);
    RemoteClient good;
    good.connectTls(publisher->remotePort(), m_tls.caCertificate(), protocol::encodeAuthLine(goodToken));
    QTRY_COMPARE_WITH_TIMEOUT(good.count(QStringLiteral("snapshot")), 1, 10000);
}

void tst_RemotePublisher::refusalsDoNotFloodTheLog()
{
    TurnedAwayLines log;
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    QVERIFY2(publisher->listenRemote(tlsOptions()), qPrintable(publisher->errorString()));
    std::vector<std::unique_ptr<RemoteClient>> refused;
    for (int i = 0; i < 10; ++i) {
        refused.push_back(std::make_unique<RemoteClient>());
        refused.back()->connectTls(publisher->remotePort(), m_tls.caCertificate(), protocol::encodeAuthLine(goodToken + 'x'));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(refused.cbegin(), refused.cend(),
                                         [](const auto &c) { return c->disconnectedSeen && c->count(QStringLiteral("denied")) == 1; }),
                             15000);
    // Each was told, and the log has one line: the others are counted on the next line written,
    // at most one per 10 s.
    QCOMPARE(log.lines().size(), 1);
    QVERIFY2(log.lines().first().contains(QLatin1StringView("authentication failed")), qPrintable(log.lines().first()));
}

void tst_RemotePublisher::tokenFileMustBeOwnerOnlyAndNotEmpty()
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    RemoteListenOptions remote = tlsOptions();

    remote.tokenFile = m_tls.writeToken(QStringLiteral("group-readable"), goodToken,
                                        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup);
    QVERIFY(!publisher->listenRemote(remote));
    QVERIFY2(publisher->errorString().contains(QStringLiteral("group or others")), qPrintable(publisher->errorString()));
    QVERIFY(!publisher->errorString().contains(QString::fromLatin1(goodToken)));
    QVERIFY(!publisher->isListeningRemote());

    remote.tokenFile = m_tls.writeToken(QStringLiteral("other-readable"), goodToken,
                                        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
    QVERIFY(!publisher->listenRemote(remote));
    QVERIFY(publisher->errorString().contains(QStringLiteral("group or others")));

    remote.tokenFile = m_tls.writeToken(QStringLiteral("empty"), QByteArray());
    QVERIFY(!publisher->listenRemote(remote));
    QVERIFY2(publisher->errorString().contains(QStringLiteral("empty")), qPrintable(publisher->errorString()));

    remote.tokenFile = m_tls.writeToken(QStringLiteral("spaces"), QByteArrayLiteral("two words"));
    QVERIFY(!publisher->listenRemote(remote));
    QVERIFY(!publisher->errorString().contains(QStringLiteral("two words")));

    remote.tokenFile = m_tls.path("missing");
    QVERIFY(!publisher->listenRemote(remote));

    // A link to a good token file is refused: the file itself must be named.
    const QString link = m_tls.path("token-link");
    QVERIFY(QFile::link(m_tokenFile, link));
    remote.tokenFile = link;
    QVERIFY(!publisher->listenRemote(remote));
    QVERIFY2(publisher->errorString().contains(QStringLiteral("symbolic link")), qPrintable(publisher->errorString()));

    // A FIFO would block a reader until someone writes: refused at once instead.
    const QString fifo = m_tls.path("token-fifo");
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    remote.tokenFile = fifo;
    QVERIFY(!publisher->listenRemote(remote));
    QVERIFY2(publisher->errorString().contains(QStringLiteral("not a regular file")), qPrintable(publisher->errorString()));

    // A token of the longest size followed by more than a little whitespace and more text is not a
    // token file (reading only up to the limit, then trimming, would have taken the token alone).
    remote.tokenFile = m_tls.writeToken(QStringLiteral("long"), QByteArray(protocol::maxTokenBytes, 'a')
                                                                    + QByteArray(100, ' ') + "tail");
    QVERIFY(!publisher->listenRemote(remote));
    QVERIFY2(publisher->errorString().contains(QStringLiteral("too long")), qPrintable(publisher->errorString()));

    remote.tokenFile.clear();
    QVERIFY(!publisher->listenRemote(remote));
    QVERIFY(!publisher->isListeningRemote());
}

void tst_RemotePublisher::insecureOnlyOnLoopback()
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    RemoteListenOptions remote;
    remote.tokenFile = m_tokenFile;
    remote.insecure = true;
    for (const char *address : {"0.0.0.0", "::", "192.0.2.1"}) {
        remote.address = QString::fromLatin1(address);
        QVERIFY(!publisher->listenRemote(remote));
        QVERIFY2(publisher->errorString().contains(QStringLiteral("loopback")), qPrintable(publisher->errorString()));
    }
    remote.address = QStringLiteral("not an address");
    QVERIFY(!publisher->listenRemote(remote));

    // On loopback, plain TCP works, and the token is still required.
    remote.address = QStringLiteral("localhost");
    QVERIFY2(publisher->listenRemote(remote), qPrintable(publisher->errorString()));
    RemoteClient wrong;
    wrong.connectPlain(publisher->remotePort(), protocol::encodeAuthLine("wrong"));
    QTRY_VERIFY_WITH_TIMEOUT(wrong.disconnectedSeen, 10000);
    QCOMPARE(wrong.kinds(), QStringList{QString(protocol::deniedKind)});
    RemoteClient right;
    right.connectPlain(publisher->remotePort(), protocol::encodeAuthLine(goodToken));
    QTRY_COMPARE_WITH_TIMEOUT(right.count(QStringLiteral("snapshot")), 1, 10000);
}

void tst_RemotePublisher::badCertificateOrKeyIsRefused()
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    RemoteListenOptions remote = tlsOptions();
    remote.certificateFile = m_tls.path("missing.crt");
    QVERIFY(!publisher->listenRemote(remote));
    QVERIFY2(publisher->errorString().contains(QStringLiteral("certificate")), qPrintable(publisher->errorString()));
    remote = tlsOptions();
    remote.privateKeyFile = m_tls.caCertificate(); // not a key
    QVERIFY(!publisher->listenRemote(remote));
    QVERIFY2(publisher->errorString().contains(QStringLiteral("private key")), qPrintable(publisher->errorString()));
    remote = tlsOptions();
    remote.privateKeyFile.clear();
    QVERIFY(!publisher->listenRemote(remote));
    QVERIFY(!publisher->isListeningRemote());
}

void tst_RemotePublisher::keyOfAnotherCertificateIsRefused()
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine, quietOptions());
    const auto refused = [publisher](const RemoteListenOptions &remote) {
        if (publisher->listenRemote(remote) || publisher->isListeningRemote())
            return QStringLiteral("accepted");
        const QString expected = QStringLiteral("the private key in '%1' does not belong to the certificate in '%2'")
                                     .arg(remote.privateKeyFile, remote.certificateFile);
        return publisher->errorString().startsWith(expected) ? QString() : publisher->errorString();
    };
    // An EC key like the certificate's, made for another certificate (a renewal's old key).
    RemoteListenOptions remote = tlsOptions();
    remote.privateKeyFile = m_tls.expiredKey();
    QCOMPARE(refused(remote), QString());
    QVERIFY2(publisher->errorString().contains(QStringLiteral("every TLS handshake would fail")), qPrintable(publisher->errorString()));

    // The certificate, then its CA's: the key must be the first one's.
    const QString chain = m_tls.path("chain.pem");
    {
        QFile out(chain);
        QVERIFY(out.open(QIODevice::WriteOnly));
        for (const QString &part : {m_tls.serverCertificate(), m_tls.caCertificate()}) {
            QFile in(part);
            QVERIFY(in.open(QIODevice::ReadOnly));
            out.write(in.readAll());
        }
    }
    remote = tlsOptions();
    remote.certificateFile = chain;
    remote.privateKeyFile = m_tls.path("ca.key");
    QCOMPARE(refused(remote), QString());
    remote.privateKeyFile = m_tls.serverKey();
    QVERIFY2(publisher->listenRemote(remote), qPrintable(publisher->errorString()));
    RemoteClient client; // and its handshakes succeed
    client.connectTls(publisher->remotePort(), m_tls.caCertificate(), protocol::encodeAuthLine(goodToken));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(QStringLiteral("snapshot")), 1, 10000);
    publisher->close();

    // RSA: its own key is accepted; an EC key for it, or it for an EC certificate, is not.
    QProcess openssl;
    openssl.setProcessChannelMode(QProcess::MergedChannels);
    openssl.start(m_tls.openssl(), {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                                    QStringLiteral("-nodes"), QStringLiteral("-keyout"), m_tls.path("rsa.key"), QStringLiteral("-out"),
                                    m_tls.path("rsa.crt"), QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                                    QStringLiteral("/CN=localhost")});
    QVERIFY(openssl.waitForFinished(60000));
    QVERIFY2(openssl.exitCode() == 0, openssl.readAll().constData());
    remote = tlsOptions();
    remote.certificateFile = m_tls.path("rsa.crt");
    remote.privateKeyFile = m_tls.path("rsa.key");
    QVERIFY2(publisher->listenRemote(remote), qPrintable(publisher->errorString()));
    publisher->close();
    remote.privateKeyFile = m_tls.serverKey();
    QCOMPARE(refused(remote), QString());
    remote = tlsOptions();
    remote.privateKeyFile = m_tls.path("rsa.key");
    QCOMPARE(refused(remote), QString());
}

QTEST_GUILESS_MAIN(tst_RemotePublisher)
#include "tst_remotepublisher.moc"
