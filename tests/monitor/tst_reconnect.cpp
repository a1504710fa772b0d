// SPDX-License-Identifier: MIT
// The connection: a source that restarts (a new EventPublisher on the same name) is a new run;
// a source that vanishes without bye leaves its tasks lost until it is back; the socket scan
// finds publishers and ignores other sockets.
#include "monitortestsupport.h"

#include "app/mainwindow.h"
#include "core/monitorsession.h"
#include "core/socketdiscovery.h"
#include "models/tasktablemodel.h"
#include "widgets/connectionbar.h"
#include "widgets/countertile.h"
#include "widgets/messagebanner.h"
#include "widgets/overviewview.h"
#include "widgets/tasksview.h"

#include <afterwork/eventpublisher.h>
#include <afterwork/taskengine.h>

#include <QtCore/QDir>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QLocalServer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace afterwork;
using namespace afterwork::monitor;
using namespace std::chrono_literals;

class tst_Reconnect : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    std::unique_ptr<MainWindow> window(MonitorSession &session)
    {
        auto w = std::make_unique<MainWindow>(&session, MainWindowOptions{.settingsPath = m_dir.filePath(QStringLiteral("r.ini")), .restoreState = false, .discoveryDirectory = m_dir.path()});
        w->show();
        return w;
    }

private Q_SLOTS:
    void restartedSourceIsANewRun()
    {
        const QString name = testing::uniqueSocketName("restart");
        auto first = std::make_unique<TaskEngine>();
        auto *publisherA = new EventPublisher(first.get(), PublisherOptions{.app = QStringLiteral("first-run")});
        QVERIFY(publisherA->listen(name));
        const QString firstInstance = publisherA->instanceId().toString(QUuid::WithoutBraces);

        MonitorSession session(SessionOptions{.flushInterval = 50ms});
        auto win = window(session);
        QSignalSpy runs(&session, &MonitorSession::runStarted);
        win->watchSocket(name);
        QTRY_COMPARE_WITH_TIMEOUT(runs.count(), 1, 10000);
        QCOMPARE(session.runNumber(), 1);
        first->task(TaskConfig{.name = QStringLiteral("old_work")}).schedule([] {});
        first->task(TaskConfig{.name = QStringLiteral("old_work")}).schedule([] {});
        QTRY_COMPARE_WITH_TIMEOUT(win->tasks()->model()->rowCount(), 2, 10000);

        // The application stops (its publisher says bye) ...
        first.reset();
        QTRY_COMPARE_WITH_TIMEOUT(session.store().sourceStatus(), client::TaskStore::SourceStatus::Ended, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(win->connectionBar()->stateText().startsWith(QStringLiteral("source ended")), 5000);
        QCOMPARE(win->tasks()->model()->rowCount(), 2); // what it did stays shown meanwhile

        // ... and starts again: a new instance on the same name.
        TaskEngine second;
        auto *publisherB = new EventPublisher(&second, PublisherOptions{.app = QStringLiteral("second-run")});
        QVERIFY(publisherB->listen(name));
        QVERIFY(publisherB->instanceId().toString(QUuid::WithoutBraces) != firstInstance);
        QTRY_COMPARE_WITH_TIMEOUT(runs.count(), 2, 10000);
        QCOMPARE(runs.at(1).at(0).toInt(), 2);
        QCOMPARE(session.runNumber(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(win->connectionBar()->stateText(), QStringLiteral("connected"), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(win->connectionBar()->detailsText().contains(QStringLiteral("run #2")), 5000);
        QVERIFY(win->connectionBar()->detailsText().contains(QStringLiteral("second-run")));
        QVERIFY(win->banner()->isVisible());
        QVERIFY2(win->banner()->text().contains(QStringLiteral("restarted: this is run #2")), qPrintable(win->banner()->text()));
        // The old run's tasks are gone; the new run's appear.
        QCOMPARE(win->tasks()->model()->rowCount(), 0);
        second.task(TaskConfig{.name = QStringLiteral("new_work")}).schedule([] {});
        QTRY_COMPARE_WITH_TIMEOUT(win->tasks()->model()->rowCount(), 1, 10000);
        QCOMPARE(win->tasks()->model()->index(0, TaskTableModel::NameColumn).data().toString(), QStringLiteral("new_work"));
        win.reset();
    }

    void vanishedSourceLosesItsTasksUntilItIsBack()
    {
        const QString name = testing::uniqueSocketName("vanish");
        const qint64 t0 = QDateTime::currentMSecsSinceEpoch() * 1000;
        monitortest::LineWriter lines(QStringLiteral("the-one-run"));
        auto server = std::make_unique<testing::FakePublisher>();
        QVERIFY(server->listen(name));
        server->setGreeting(testing::Lines::join({lines.hello(t0), lines.snapshot(t0 + 1),
                                                  lines.task(t0 + 2, 1, "started", "long_job", QByteArray("\"started_us\":") + QByteArray::number(t0 + 2))}));

        MonitorSession session(SessionOptions{.flushInterval = 50ms});
        auto win = window(session);
        win->watchSocket(name);
        QTRY_COMPARE_WITH_TIMEOUT(win->tasks()->model()->rowCount(), 1, 10000);
        QCOMPARE(win->tasks()->model()->index(0, TaskTableModel::PhaseColumn).data().toString(), QStringLiteral("started"));

        // Killed: no bye. The task's outcome is unknown: lost; the bar says the source is gone.
        server->vanish();
        QTRY_COMPARE_WITH_TIMEOUT(session.store().count(Phase::Lost), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(win->connectionBar()->stateText().startsWith(QStringLiteral("source gone")), 5000);
        QCOMPARE(win->connectionBar()->level(), ConnectionStatus::Level::Bad);
        QCOMPARE(win->tasks()->model()->index(0, TaskTableModel::PhaseColumn).data().toString(), QStringLiteral("lost"));
        win->refreshAll();
        QCOMPARE(win->overview()->tile(QStringLiteral("lost"))->value(), 1);

        // The same run comes back (e.g. a network filesystem hiccup): its snapshot revives it.
        server = std::make_unique<testing::FakePublisher>();
        QVERIFY(server->listen(name));
        monitortest::LineWriter again(QStringLiteral("the-one-run"));
        server->setGreeting(testing::Lines::join({again.hello(t0 + 10), again.snapshot(t0 + 11, {monitortest::LineWriter::taskObject(t0 + 2, 1, "started", "long_job", QByteArray("\"started_us\":") + QByteArray::number(t0 + 2))})}));
        QTRY_COMPARE_WITH_TIMEOUT(session.store().count(Phase::Lost), 0, 10000);
        QCOMPARE(session.runNumber(), 1); // the same run
        QTRY_COMPARE_WITH_TIMEOUT(win->connectionBar()->stateText(), QStringLiteral("connected"), 5000);
        QCOMPARE(win->tasks()->model()->index(0, TaskTableModel::PhaseColumn).data().toString(), QStringLiteral("started"));
        win.reset();
    }

    void waitingForASourceThatIsNotThereYet()
    {
        MonitorSession session(SessionOptions{.flushInterval = 50ms});
        auto win = window(session);
        win->watchSocket(testing::uniqueSocketName("nobody"));
        QTRY_VERIFY_WITH_TIMEOUT(win->connectionBar()->stateText().startsWith(QStringLiteral("waiting for the source")), 5000);
        QCOMPARE(win->connectionBar()->level(), ConnectionStatus::Level::Waiting);
        win.reset();
    }

    void discoveryFindsPublishersOnly()
    {
        TaskEngine engine;
        // A directory of our own: discovery connects to every socket it finds, and in the system
        // temporary directory those include the publishers of tests running beside this one.
        QTemporaryDir sockets;
        QVERIFY(sockets.isValid());
        auto *publisher = new EventPublisher(&engine, PublisherOptions{.app = QStringLiteral("discoverable")});
        const QString name = sockets.filePath(QStringLiteral("found"));
        QVERIFY(publisher->listen(name));
        // A socket that is not an Afterwork publisher: it never says hello.
        QLocalServer silent;
        const QString silentName = sockets.filePath(QStringLiteral("silent"));
        QVERIFY(silent.listen(silentName));

        QVERIFY(SocketDiscovery::candidateSockets(sockets.path(), 10'000).contains(name));
        SocketDiscovery discovery;
        discovery.setDirectory(sockets.path());
        discovery.setTimeout(1500);
        QSignalSpy finished(&discovery, &SocketDiscovery::finished);
        discovery.scan();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        const auto found = finished.constFirst().constFirst().value<QList<DiscoveredSource>>();
        const auto it = std::find_if(found.cbegin(), found.cend(), [&](const DiscoveredSource &s) { return s.name == name; });
        QVERIFY2(it != found.cend(), "the publisher was found");
        QCOMPARE(it->app, QStringLiteral("discoverable"));
        QCOMPARE(it->pid, QCoreApplication::applicationPid());
        QCOMPARE(it->instance, publisher->instanceId().toString(QUuid::WithoutBraces));
        QVERIFY(std::none_of(found.cbegin(), found.cend(), [&](const DiscoveredSource &s) { return s.name == silentName; }));
    }
};

QTEST_MAIN(tst_Reconnect)
#include "tst_reconnect.moc"
