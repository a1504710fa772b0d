// SPDX-License-Identifier: MIT
// RemoteSource and createLiveSource() against a real EventPublisher over real TLS on ephemeral
// loopback ports (certificates made by openssl at test time): the token, the refusal, the
// server's certificate (trusted CA, another CA, expired, pinned), commands, and the checks
// createLiveSource() makes before connecting.

#include "../support/tlsfixtures.h"

#include <afterwork/client/livesource.h>
#include <afterwork/client/localsocketsource.h>
#include <afterwork/client/remotesource.h>
#include <afterwork/client/taskstore.h>
#include <afterwork/eventpublisher.h>
#include <afterwork/taskengine.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QSemaphore>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpServer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace afterwork;
using namespace afterwork::client;
using namespace afterwork::testing;
using namespace std::chrono_literals;

namespace {

const QByteArray goodToken = QByteArrayLiteral("remote-source-token-42");

//! What a source said, for the checks.
struct Watch
{
    explicit Watch(EventSource *source)
    {
        QObject::connect(source, &EventSource::linesReceived, source, [this](const QList<StreamLine> &batch) {
            for (const StreamLine &line : batch) {
                if (const StreamEvent *event = line.event())
                    kinds << QString(wireName(event->kind()));
            }
            lines += batch;
        });
        QObject::connect(source, &EventSource::errorOccurred, source, [this](EventSource::Error error, const QString &message) {
            errors.append({error, message});
        });
        QObject::connect(source, &EventSource::finished, source, [this] { finished = true; });
        QObject::connect(source, &EventSource::reconnecting, source, [this](int, int delayMs) { delays << delayMs; });
    }
    QStringList kinds;
    QList<StreamLine> lines;
    QList<std::pair<EventSource::Error, QString>> errors;
    QList<int> delays;
    bool finished = false;
};

} // namespace

class tst_RemoteSource : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rightTokenStreamsAndSendsCommands();
    void wrongTokenIsAccessDeniedAndNotRetriedInATightLoop();
    void untrustedCertificatesAreRefused_data();
    void untrustedCertificatesAreRefused();
    void pinnedCertificate();
    void plainTcpOnLoopback();
    void createLiveSourceChecks();
    void silentPeerFailsTheAttemptAtTheDeadline_data();
    void silentPeerFailsTheAttemptAtTheDeadline();

private:
    EventPublisher *startPublisher(TaskEngine &engine, const QString &certificate, const QString &key,
                                   bool allowControl = false)
    {
        auto *publisher = new EventPublisher(&engine, {.app = QStringLiteral("tst_remotesource"), .allowControl = allowControl});
        RemoteListenOptions remote;
        remote.certificateFile = certificate;
        remote.privateKeyFile = key;
        remote.tokenFile = m_tokenFile;
        if (!publisher->listenRemote(remote))
            qWarning() << publisher->errorString();
        return publisher;
    }
    LiveSourceOptions liveOptions(bool reconnect = false) const
    {
        return {.tokenFile = m_tokenFile, .caFile = m_tls.caCertificate(), .pin = {}, .insecure = false, .reconnect = reconnect};
    }

    TlsFixtures m_tls;
    QString m_tokenFile;
};

void tst_RemoteSource::initTestCase()
{
    if (!QSslSocket::supportsSsl())
        QSKIP(qPrintable(QStringLiteral("no TLS backend in this Qt (backends: %1)")
                             .arg(QSslSocket::availableBackends().join(QStringLiteral(", ")))));
    QString error;
    QVERIFY2(m_tls.create(&error), qPrintable(error));
    m_tokenFile = m_tls.writeToken(QStringLiteral("token"), goodToken);
}

void tst_RemoteSource::rightTokenStreamsAndSendsCommands()
{
    TaskEngine engine({}, EngineOptions{.maxThreads = 1});
    EventPublisher *publisher = startPublisher(engine, m_tls.serverCertificate(), m_tls.serverKey(), true);
    QVERIFY(publisher->isListeningRemote());

    QString error;
    std::unique_ptr<EventSource> source =
        createLiveSource(QStringLiteral("tls://localhost:%1").arg(publisher->remotePort()), liveOptions(), &error);
    QVERIFY2(source, qPrintable(error));
    QVERIFY(qobject_cast<RemoteSource *>(source.get()));
    QCOMPARE(source->description(), QStringLiteral("tls://localhost:%1").arg(publisher->remotePort()));
    Watch watch(source.get());
    TaskStore store;
    store.attach(source.get());
    QSignalSpy connected(source.get(), &EventSource::connected);
    source->start();
    QTRY_COMPARE_WITH_TIMEOUT(watch.kinds.count(QStringLiteral("snapshot")), 1, 10000);
    QCOMPARE(connected.size(), 1);
    QCOMPARE(watch.kinds.first(), QStringLiteral("hello"));
    QVERIFY(source->sourceInfo().has_value());
    QCOMPARE(source->state(), EventSource::State::Connected);

    std::shared_ptr<QSemaphore> hold = std::make_shared<QSemaphore>();
    const Task held = engine.schedule([hold] {
        hold->acquire();
        hold->release();
    });
    const Task queued = engine.schedule([] {});
    QTRY_VERIFY_WITH_TIMEOUT(store.task(queued.id()) != nullptr, 10000);

    // A command over TLS: cancel the queued task.
    QVERIFY(source->canSendCommands());
    QVERIFY(source->sendCommand({.kind = protocol::CommandKind::Cancel, .ref = QStringLiteral("r1"), .ids = {queued.id()}}));
    QTRY_VERIFY_WITH_TIMEOUT(watch.kinds.contains(QStringLiteral("reply")), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(store.task(queued.id())->task.phase, Phase::Cancelled, 10000);
    hold->release();
    QTRY_COMPARE_WITH_TIMEOUT(store.task(held.id())->task.phase, Phase::Succeeded, 10000);

    QVERIFY(watch.errors.isEmpty());
    QSignalSpy disconnected(source.get(), &EventSource::disconnected);
    publisher->close();
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 10000);
    QCOMPARE(disconnected.first().first().toBool(), true); // bye
    QTRY_VERIFY(watch.finished);
}

void tst_RemoteSource::wrongTokenIsAccessDeniedAndNotRetriedInATightLoop()
{
    TaskEngine engine;
    EventPublisher *publisher = startPublisher(engine, m_tls.serverCertificate(), m_tls.serverKey());
    const QString wrongTokenFile = m_tls.writeToken(QStringLiteral("wrong-token"), QByteArrayLiteral("not-it"));

    // Once, without reconnecting: one error, no lines, finished.
    LiveSourceOptions options = liveOptions();
    options.tokenFile = wrongTokenFile;
    QString error;
    std::unique_ptr<EventSource> once =
        createLiveSource(QStringLiteral("tls://127.0.0.1:%1").arg(publisher->remotePort()), options, &error);
    QVERIFY2(once, qPrintable(error));
    Watch watch(once.get());
    once->start();
    QTRY_VERIFY_WITH_TIMEOUT(watch.finished, 10000);
    QCOMPARE(watch.errors.size(), 1);
    QCOMPARE(watch.errors.first().first, EventSource::Error::AccessDenied);
    QVERIFY2(watch.errors.first().second.contains(QStringLiteral("authentication failed")), qPrintable(watch.errors.first().second));
    QVERIFY(watch.lines.isEmpty());
    QVERIFY(!watch.errors.first().second.contains(QStringLiteral("not-it")));

    // Reconnecting: the next attempt waits the longest backoff, not the shortest.
    options.reconnect = true;
    std::unique_ptr<EventSource> retrying =
        createLiveSource(QStringLiteral("tls://127.0.0.1:%1").arg(publisher->remotePort()), options, &error);
    QVERIFY2(retrying, qPrintable(error));
    Watch retries(retrying.get());
    retrying->start();
    QTRY_COMPARE_WITH_TIMEOUT(retries.delays.size(), 1, 10000);
    QCOMPARE(retries.delays.first(), 2000);
    QCOMPARE(retrying->state(), EventSource::State::Reconnecting);
    retrying->stop();
    QCOMPARE(publisher->subscriberCount(), 0);
}

void tst_RemoteSource::untrustedCertificatesAreRefused_data()
{
    QTest::addColumn<QString>("serverCertificate");
    QTest::addColumn<QString>("serverKey");
    QTest::addColumn<QString>("caFile");
    QTest::addColumn<QString>("expected");
    QTest::newRow("expired") << m_tls.expiredCertificate() << m_tls.expiredKey() << m_tls.caCertificate()
                             << QStringLiteral("expired");
    QTest::newRow("another CA") << m_tls.serverCertificate() << m_tls.serverKey() << m_tls.otherCaCertificate()
                                << QStringLiteral("issuer");
    QTest::newRow("the system's CAs") << m_tls.serverCertificate() << m_tls.serverKey() << QString()
                                      << QStringLiteral("issuer");
}

void tst_RemoteSource::untrustedCertificatesAreRefused()
{
    QFETCH(QString, serverCertificate);
    QFETCH(QString, serverKey);
    QFETCH(QString, caFile);
    QFETCH(QString, expected);
    TaskEngine engine;
    EventPublisher *publisher = startPublisher(engine, serverCertificate, serverKey);
    QVERIFY(publisher->isListeningRemote());

    LiveSourceOptions options = liveOptions();
    options.caFile = caFile;
    QString error;
    std::unique_ptr<EventSource> source =
        createLiveSource(QStringLiteral("tls://localhost:%1").arg(publisher->remotePort()), options, &error);
    QVERIFY2(source, qPrintable(error));
    Watch watch(source.get());
    source->start();
    QTRY_VERIFY_WITH_TIMEOUT(watch.finished, 10000);
    QCOMPARE(watch.errors.size(), 1);
    QCOMPARE(watch.errors.first().first, EventSource::Error::TlsFailed);
    QVERIFY2(watch.errors.first().second.contains(expected, Qt::CaseInsensitive), qPrintable(watch.errors.first().second));
    QVERIFY(watch.lines.isEmpty());
    QCOMPARE(publisher->subscriberCount(), 0);
}

void tst_RemoteSource::pinnedCertificate()
{
    TaskEngine engine;
    EventPublisher *publisher = startPublisher(engine, m_tls.serverCertificate(), m_tls.serverKey());
    const QList<QSslCertificate> certificate = QSslCertificate::fromPath(m_tls.serverCertificate());
    QCOMPARE(certificate.size(), 1);
    const QString pin = QStringLiteral("sha256:") + QString::fromLatin1(certificate.first().digest(QCryptographicHash::Sha256).toHex(':'));

    // The pinned certificate is trusted without its CA.
    LiveSourceOptions options{.tokenFile = m_tokenFile, .pin = pin, .reconnect = false};
    QString error;
    std::unique_ptr<EventSource> source =
        createLiveSource(QStringLiteral("tls://127.0.0.1:%1").arg(publisher->remotePort()), options, &error);
    QVERIFY2(source, qPrintable(error));
    Watch watch(source.get());
    source->start();
    QTRY_COMPARE_WITH_TIMEOUT(watch.kinds.count(QStringLiteral("snapshot")), 1, 10000);
    source->stop();

    // Another pin: refused, even with the right CA.
    options.pin = QStringLiteral("sha256:") + QString(64, u'a');
    options.caFile = m_tls.caCertificate();
    std::unique_ptr<EventSource> wrong =
        createLiveSource(QStringLiteral("tls://127.0.0.1:%1").arg(publisher->remotePort()), options, &error);
    QVERIFY2(wrong, qPrintable(error));
    Watch refused(wrong.get());
    wrong->start();
    QTRY_VERIFY_WITH_TIMEOUT(refused.finished, 10000);
    QCOMPARE(refused.errors.size(), 1);
    QCOMPARE(refused.errors.first().first, EventSource::Error::TlsFailed);
    QVERIFY2(refused.errors.first().second.contains(QStringLiteral("pinned")), qPrintable(refused.errors.first().second));
    QVERIFY(refused.lines.isEmpty());
}

void tst_RemoteSource::plainTcpOnLoopback()
{
    TaskEngine engine;
    auto *publisher = new EventPublisher(&engine);
    RemoteListenOptions remote;
    remote.insecure = true;
    remote.tokenFile = m_tokenFile;
    QVERIFY2(publisher->listenRemote(remote), qPrintable(publisher->errorString()));
    QString error;
    std::unique_ptr<EventSource> source = createLiveSource(
        QStringLiteral("tcp://127.0.0.1:%1").arg(publisher->remotePort()),
        {.tokenFile = m_tokenFile, .insecure = true, .reconnect = false}, &error);
    QVERIFY2(source, qPrintable(error));
    Watch watch(source.get());
    source->start();
    QTRY_COMPARE_WITH_TIMEOUT(watch.kinds.count(QStringLiteral("snapshot")), 1, 10000);
}

void tst_RemoteSource::createLiveSourceChecks()
{
    QString error;
    // A local socket name, as before.
    std::unique_ptr<EventSource> local = createLiveSource(QStringLiteral("afterwork-demo"), {}, &error);
    QVERIFY(qobject_cast<LocalSocketSource *>(local.get()));
    QVERIFY(!isRemoteConnectArgument(QStringLiteral("afterwork-demo")));
    QVERIFY(isRemoteConnectArgument(QStringLiteral("tls://h:1")));

    const auto refused = [&](const QString &connect, const LiveSourceOptions &options, const QString &expected) {
        error.clear();
        const bool none = createLiveSource(connect, options, &error) == nullptr;
        if (!none || !error.contains(expected))
            qWarning() << connect << "->" << error;
        return none && error.contains(expected);
    };
    const LiveSourceOptions withToken{.tokenFile = m_tokenFile};
    QVERIFY(refused(QStringLiteral("tcp://127.0.0.1:9"), withToken, QStringLiteral("insecure")));
    QVERIFY(refused(QStringLiteral("tcp://192.0.2.1:9"), {.tokenFile = m_tokenFile, .insecure = true}, QStringLiteral("loopback")));
    QVERIFY(refused(QStringLiteral("tls://127.0.0.1:9"), {}, QStringLiteral("token")));
    QVERIFY(refused(QStringLiteral("tls://127.0.0.1"), withToken, QStringLiteral("HOST:PORT")));
    QVERIFY(refused(QStringLiteral("tls://127.0.0.1:0"), withToken, QStringLiteral("HOST:PORT")));
    QVERIFY(refused(QStringLiteral("tls://::1:9"), withToken, QStringLiteral("HOST:PORT")));
    QVERIFY(refused(QStringLiteral("http://127.0.0.1:9"), withToken, QStringLiteral("tls://")));
    QVERIFY(refused(QStringLiteral("afterwork-demo"), withToken, QStringLiteral("local socket")));
    QVERIFY(refused(QStringLiteral("tls://127.0.0.1:9"), {.tokenFile = m_tokenFile, .pin = QStringLiteral("sha1:00")},
                    QStringLiteral("pin")));
    QVERIFY(refused(QStringLiteral("tls://127.0.0.1:9"), {.tokenFile = m_tokenFile, .caFile = m_tls.path("missing")},
                    QStringLiteral("CA file")));
    const QString groupReadable = m_tls.writeToken(QStringLiteral("group-readable"), goodToken,
                                                   QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup);
    QVERIFY(refused(QStringLiteral("tls://127.0.0.1:9"), {.tokenFile = groupReadable}, QStringLiteral("group or others")));
    QVERIFY(!error.contains(QString::fromLatin1(goodToken)));

    std::unique_ptr<EventSource> v6 = createLiveSource(QStringLiteral("tls://[::1]:9"), withToken, &error);
    QVERIFY2(v6, qPrintable(error));
    QCOMPARE(static_cast<RemoteSource *>(v6.get())->options().host, QStringLiteral("::1"));
    QCOMPARE(parsePin(QStringLiteral("sha256:") + QString(64, u'F')).size(), 32);
    QVERIFY(parsePin(QStringLiteral("sha256:") + QString(63, u'F')).isEmpty());
    QByteArray digest(32, '\x5a');
    QCOMPARE(parsePin(QStringLiteral("SHA256 Fingerprint=") + QString::fromLatin1(digest.toHex(':').toUpper())), digest);
    QVERIFY(parsePin(QString::fromLatin1(digest.toHex())).isEmpty()); // the algorithm must be said
}

QTEST_GUILESS_MAIN(tst_RemoteSource)
void tst_RemoteSource::silentPeerFailsTheAttemptAtTheDeadline_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("no TLS handshake") << true;
    QTest::newRow("no answer to the token") << false;
}

void tst_RemoteSource::silentPeerFailsTheAttemptAtTheDeadline()
{
    QFETCH(bool, tls);
    // Accepts, reads nothing, answers nothing, closes nothing.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    QList<QTcpSocket *> accepted;
    connect(&silent, &QTcpServer::newConnection, &silent, [&] {
        while (QTcpSocket *socket = silent.nextPendingConnection())
            accepted.append(socket);
    });
    RemoteSourceOptions options{.host = QStringLiteral("127.0.0.1"), .port = silent.serverPort(), .tls = tls, .token = goodToken,
                                .reconnect = false, .connectTimeout = 200ms};
    RemoteSource once(options);
    Watch watch(&once);
    once.start();
    QTRY_VERIFY_WITH_TIMEOUT(watch.finished, 10000);
    QCOMPARE(accepted.size(), 1);
    QCOMPARE(watch.errors.size(), 1);
    QCOMPARE(watch.errors.first().first, EventSource::Error::Other);
    const QString message = watch.errors.first().second;
    QVERIFY2(message.contains(QStringLiteral("did not answer within 0.2 s")), qPrintable(message));
    QVERIFY2(message.contains(tls ? QStringLiteral("no TLS handshake") : QStringLiteral("no answer to the token")), qPrintable(message));

    // Reconnecting: the attempt is retried with the backoff, and fails again.
    options.reconnect = true;
    RemoteSource retrying(options);
    Watch retries(&retrying);
    retrying.start();
    QTRY_VERIFY_WITH_TIMEOUT(retries.errors.size() >= 2, 10000);
    QVERIFY(!retries.delays.isEmpty());
    QVERIFY(retrying.state() != EventSource::State::Finished);
    retrying.stop();
}

#include "tst_remotesource.moc"
