// SPDX-License-Identifier: MIT
// The dashboard against a remote publisher over real TLS (certificates made by openssl at test
// time): watching tls://127.0.0.1:PORT with a token file and a CA file, an error instead of a
// connection when the token file is missing, and the settings, which keep the token file's path
// but never the token. The remote connection dialog round-trips its fields.
#include "monitortestsupport.h"
#include "../support/tlsfixtures.h"

#include "app/mainwindow.h"
#include "core/monitorsession.h"
#include "widgets/remotedialog.h"

#include <afterwork/eventpublisher.h>
#include <afterwork/taskengine.h>

#include <QtCore/QFile>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QSslSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QLineEdit>

#include <memory>

using namespace afterwork;
using namespace afterwork::monitor;
using namespace std::chrono_literals;

namespace {
const QByteArray token = QByteArrayLiteral("monitor-remote-token");
}

class tst_RemoteMonitor : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    testing::TlsFixtures m_tls;
    QString m_tokenFile;

    std::unique_ptr<MainWindow> window(MonitorSession &session)
    {
        auto w = std::make_unique<MainWindow>(&session, MainWindowOptions{.settingsPath = m_dir.filePath(QStringLiteral("remote.ini")),
                                                                          .restoreState = false,
                                                                          .discoveryDirectory = m_dir.path()});
        w->show();
        return w;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("no TLS backend in this Qt");
        QString error;
        QVERIFY2(m_tls.create(&error), qPrintable(error));
        m_tokenFile = m_tls.writeToken(QStringLiteral("token"), token);
    }

    void watchesATlsPublisher()
    {
        TaskEngine engine;
        auto *publisher = new EventPublisher(&engine, PublisherOptions{.app = QStringLiteral("remote-run")});
        RemoteListenOptions remote;
        remote.certificateFile = m_tls.serverCertificate();
        remote.privateKeyFile = m_tls.serverKey();
        remote.tokenFile = m_tokenFile;
        QVERIFY2(publisher->listenRemote(remote), qPrintable(publisher->errorString()));

        MonitorSession session(SessionOptions{.flushInterval = 50ms});
        auto win = window(session);
        win->setRemoteOptions({.tokenFile = m_tokenFile, .caFile = m_tls.caCertificate(), .pin = {}, .insecure = false,
                               .reconnect = true});
        QSignalSpy runs(&session, &MonitorSession::runStarted);
        QVERIFY(win->watchSocket(QStringLiteral("tls://127.0.0.1:%1").arg(publisher->remotePort())));
        QTRY_COMPARE_WITH_TIMEOUT(runs.count(), 1, 10000);
        QCOMPARE(session.store().source()->app, QStringLiteral("remote-run"));
        const quint64 id = engine.schedule([] {}).id();
        QTRY_VERIFY_WITH_TIMEOUT(session.store().task(id) && session.store().task(id)->task.phase == Phase::Succeeded, 10000);

        // Saved: where the token is, never the token.
        win->saveSettings();
        QFile ini(m_dir.filePath(QStringLiteral("remote.ini")));
        QVERIFY(ini.open(QIODevice::ReadOnly));
        const QByteArray saved = ini.readAll();
        QVERIFY2(saved.contains("tokenFile="), saved.constData());
        QVERIFY(!saved.contains(token));
        QVERIFY(saved.contains("tls://127.0.0.1"));
    }

    void missingTokenFileIsAnErrorNotAConnection()
    {
        MonitorSession session(SessionOptions{.flushInterval = 50ms});
        auto win = window(session);
        win->setRemoteOptions({.tokenFile = m_tls.path("no-such-token"), .caFile = {}, .pin = {}, .insecure = false,
                               .reconnect = true});
        QVERIFY(!win->watchSocket(QStringLiteral("tls://127.0.0.1:9")));
        QVERIFY2(session.lastError().contains(QStringLiteral("token file")), qPrintable(session.lastError()));
        QCOMPARE(session.sourceKind(), MonitorSession::SourceKind::None);
    }

    void remoteDialogRoundTrips()
    {
        RemoteDialog dialog({.tokenFile = QStringLiteral("/a/token"), .caFile = QStringLiteral("/a/ca.pem"),
                             .pin = {}, .insecure = false, .reconnect = true});
        QCOMPARE(dialog.tokenFileEdit()->text(), QStringLiteral("/a/token"));
        dialog.pinEdit()->setText(QStringLiteral(" sha256:00 "));
        dialog.insecureBox()->setChecked(true);
        const client::LiveSourceOptions options = dialog.options();
        QCOMPARE(options.caFile, QStringLiteral("/a/ca.pem"));
        QCOMPARE(options.pin, QStringLiteral("sha256:00"));
        QVERIFY(options.insecure);
        QVERIFY(options.reconnect);
    }
};

QTEST_MAIN(tst_RemoteMonitor)
#include "tst_remotemonitor.moc"
