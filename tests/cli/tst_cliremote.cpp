// SPDX-License-Identifier: MIT
// The real `afterwork` binary against a real engine and publisher in this process, over real TLS
// on an ephemeral loopback port (certificates made by openssl at test time): tail, record and
// cancel with --connect tls://, and the errors and exit statuses of docs/cli.md.
#include "../support/tlsfixtures.h"
#include "../support/socketnames.h"
#include "clitestsupport.h"

#include <afterwork/eventpublisher.h>
#include <afterwork/taskengine.h>

#include <QtCore/QSemaphore>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QSslSocket>
#include <QtTest/QTest>

#include <memory>

using namespace afterwork;
using namespace afterwork::testing;
using namespace Qt::StringLiterals;

namespace {

const QByteArray token = QByteArrayLiteral("cli-remote-token");

} // namespace

class tst_CliRemote : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("no TLS backend in this Qt");
        QString error;
        QVERIFY2(m_tls.create(&error), qPrintable(error));
        m_tokenFile = m_tls.writeToken(u"token"_s, token);
    }

    void tailOverTls()
    {
        TaskEngine engine;
        auto *publisher = listen(engine, false);
        QVERIFY(publisher->isListeningRemote());
        Cli tail({u"tail"_s, u"--connect"_s, target(publisher), u"--token-file"_s, m_tokenFile, u"--ca-file"_s,
                  m_tls.caCertificate(), u"--json"_s});
        QVERIFY(tail.started());
        QVERIFY2(tail.waitForOutput("\"kind\":\"snapshot\""), tail.err().constData());
        const quint64 id = engine.task({.name = u"remote_job"_s}).schedule([] {}).id();
        QVERIFY2(tail.waitForOutput("\"phase\":\"succeeded\""), tail.out().constData());
        publisher->close(); // bye: tail ends with status 0
        const CliResult result = tail.finish();
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.startsWith("{\"v\":1,\"seq\":0,"));
        QVERIFY(result.out.contains("\"kind\":\"hello\""));
        QVERIFY(result.out.contains(u"\"id\":%1,\"name\":\"remote_job\""_s.arg(id).toUtf8()));
        QVERIFY(result.out.contains("\"kind\":\"bye\""));
        QVERIFY(!result.out.contains(token));
    }

    void wrongTokenExits2()
    {
        TaskEngine engine;
        auto *publisher = listen(engine, false);
        const QString wrong = m_tls.writeToken(u"wrong"_s, "not-the-token");
        Cli tail({u"tail"_s, u"--connect"_s, target(publisher), u"--token-file"_s, wrong, u"--ca-file"_s,
                  m_tls.caCertificate(), u"--wait"_s});
        const CliResult result = tail.finish();
        QCOMPARE(result.exitCode, 2); // even with --wait: a refusal does not fix itself
        QVERIFY2(result.err.contains("refused the connection: authentication failed"), result.err.constData());
        QVERIFY(result.out.isEmpty());
    }

    void untrustedServerExits2()
    {
        TaskEngine engine;
        auto *publisher = listen(engine, false);
        const CliResult result = Cli({u"tail"_s, u"--connect"_s, target(publisher), u"--token-file"_s, m_tokenFile,
                                      u"--ca-file"_s, m_tls.otherCaCertificate()})
                                     .finish();
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains("refusing tls://127.0.0.1"), result.err.constData());
        QCOMPARE(publisher->subscriberCount(), 0);
    }

    void usageErrorsExit2_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("no token file") << QStringList{u"tail"_s, u"--connect"_s, u"tls://127.0.0.1:9"_s}
                                       << QByteArray("needs the publisher's token");
        QTest::newRow("plain TCP without --insecure")
            << QStringList{u"tail"_s, u"--connect"_s, u"tcp://127.0.0.1:9"_s, u"--token-file"_s, u"TOKEN"_s}
            << QByteArray("insecure option");
        QTest::newRow("plain TCP off loopback")
            << QStringList{u"record"_s, u"--out"_s, u"OUT"_s, u"--connect"_s, u"tcp://192.0.2.1:9"_s, u"--token-file"_s,
                           u"TOKEN"_s, u"--insecure"_s}
            << QByteArray("loopback");
        QTest::newRow("bad pin") << QStringList{u"drain"_s, u"--connect"_s, u"tls://127.0.0.1:9"_s, u"--token-file"_s,
                                                u"TOKEN"_s, u"--pin"_s, u"abc"_s}
                                 << QByteArray("not a pin");
        QTest::newRow("token file for a local socket")
            << QStringList{u"cancel"_s, u"--connect"_s, u"afterwork-demo"_s, u"--token-file"_s, u"TOKEN"_s, u"1"_s}
            << QByteArray("local socket");
        QTest::newRow("token file with local sockets only")
            << QStringList{u"tail"_s, u"--connect"_s, u"a=afterwork-a"_s, u"--connect"_s, u"b=afterwork-b"_s,
                           u"--token-file"_s, u"TOKEN"_s}
            << QByteArray("local socket");
        QTest::newRow("pin without a tls:// source")
            << QStringList{u"tail"_s, u"--connect"_s, u"b=tcp://127.0.0.1:9"_s, u"--connect"_s, u"a=afterwork-a"_s,
                           u"--token-file"_s, u"TOKEN"_s, u"--insecure"_s, u"--pin"_s, u"sha256:%1"_s.arg(QString(64, u'a'))}
            << QByteArray("needs TLS");
        QTest::newRow("no port") << QStringList{u"tail"_s, u"--connect"_s, u"tls://127.0.0.1"_s, u"--token-file"_s, u"TOKEN"_s}
                                 << QByteArray("HOST:PORT");
    }

    void usageErrorsExit2()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, message);
        QTemporaryDir dir;
        arguments.replaceInStrings(u"TOKEN"_s, m_tokenFile);
        arguments.replaceInStrings(u"OUT"_s, dir.filePath(u"out.ndjson"_s));
        const CliResult result = runCli(arguments);
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains(message), result.err.constData());
    }

    //! A local and a remote source together: the token and CA file go to the remote one only.
    void localAndRemoteSourcesTogether()
    {
        TaskEngine engine;
        auto *publisher = listen(engine, false);
        const QString local = uniqueSocketName("cliremote-mixed");
        QVERIFY2(publisher->listen(local), qPrintable(publisher->errorString()));
        Cli tail({u"tail"_s, u"--connect"_s, u"web="_s + local, u"--connect"_s, u"worker="_s + target(publisher),
                  u"--token-file"_s, m_tokenFile, u"--ca-file"_s, m_tls.caCertificate(), u"--json"_s});
        QVERIFY(tail.started());
        QVERIFY2(tail.waitForOutput("{\"source_label\":\"web\",\"v\":1,\"seq\":1,"), tail.err().constData());
        QVERIFY2(tail.waitForOutput("{\"source_label\":\"worker\",\"v\":1,\"seq\":1,"), tail.err().constData());
        publisher->close(); // bye on both connections
        const CliResult result = tail.finish();
        QCOMPARE(result.exitCode, 0);
        QVERIFY(!result.out.contains(token));
    }

    void groupReadableTokenFileExits2()
    {
        const QString loose = m_tls.writeToken(u"loose"_s, token,
                                               QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup);
        const CliResult result =
            runCli({u"tail"_s, u"--connect"_s, u"tls://127.0.0.1:9"_s, u"--token-file"_s, loose});
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains("group or others"), result.err.constData());
        QVERIFY(!result.err.contains(token));
    }

    void recordAndCancelOverTls()
    {
        TaskEngine engine(TaskConfig{}, EngineOptions{.maxThreads = 1});
        auto *publisher = listen(engine, true);
        auto hold = std::make_shared<QSemaphore>();
        engine.schedule([hold] {
            hold->acquire();
            hold->release();
        });
        const Task queued = engine.schedule([] {});

        QTemporaryDir dir;
        const QString out = dir.filePath(u"remote.ndjson"_s);
        Cli record({u"record"_s, u"--connect"_s, target(publisher), u"--token-file"_s, m_tokenFile, u"--ca-file"_s,
                    m_tls.caCertificate(), u"--out"_s, out});
        QVERIFY(record.started());
        QVERIFY2(record.waitForError("recording tls://"), record.err().constData());

        const CliResult cancel = Cli({u"cancel"_s, u"--connect"_s, target(publisher), u"--token-file"_s, m_tokenFile,
                                      u"--ca-file"_s, m_tls.caCertificate(), QString::number(queued.id())})
                                     .finish();
        QCOMPARE(cancel.exitCode, 0);
        QVERIFY2(cancel.out.contains("cancelled 1 task(s)"), cancel.err.constData());
        QTRY_COMPARE_WITH_TIMEOUT(queued.phase(), Phase::Cancelled, 5000);
        hold->release();

        publisher->close();
        const CliResult recorded = record.finish();
        QCOMPARE(recorded.exitCode, 0);
        const QByteArray lines = readAll(out);
        QVERIFY(lines.startsWith("{\"v\":1,\"seq\":0,"));
        QVERIFY(lines.contains("\"phase\":\"cancelled\""));
        QVERIFY(lines.contains("\"kind\":\"bye\""));
    }

private:
    EventPublisher *listen(TaskEngine &engine, bool allowControl)
    {
        auto *publisher = new EventPublisher(&engine, {.app = u"tst_cliremote"_s, .allowControl = allowControl});
        RemoteListenOptions remote;
        remote.certificateFile = m_tls.serverCertificate();
        remote.privateKeyFile = m_tls.serverKey();
        remote.tokenFile = m_tokenFile;
        if (!publisher->listenRemote(remote))
            qWarning() << publisher->errorString();
        return publisher;
    }
    static QString target(const EventPublisher *publisher)
    {
        return u"tls://127.0.0.1:%1"_s.arg(publisher->remotePort());
    }

    TlsFixtures m_tls;
    QString m_tokenFile;
};

QTEST_GUILESS_MAIN(tst_CliRemote)
#include "tst_cliremote.moc"
