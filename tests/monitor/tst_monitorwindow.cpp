// SPDX-License-Identifier: MIT
// The real window against a real TaskEngine and EventPublisher on a unique socket: it connects,
// shows the tasks as they run, and the views are clicked through with QTest (shortcuts, the
// filter box, a failure group, the timeline, the details pane); then the engine shuts down and
// the drain view comes to the front; the table is exported and the stream saved and reread. The
// long task reports progress: the table, the details pane, the timeline and the export show it.
// Also: the application icon and desktop id the program gives its windows (resources/).
#include "monitortestsupport.h"

#include "app/appidentity.h"
#include "app/mainwindow.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"
#include "models/drainmodel.h"
#include "models/failuregroupmodel.h"
#include "models/sessionlogmodel.h"
#include "models/taskfilterproxy.h"
#include "models/taskhistorymodel.h"
#include "models/tasktablemodel.h"
#include "widgets/connectionbar.h"
#include "widgets/countertile.h"
#include "widgets/drainview.h"
#include "widgets/failuresview.h"
#include "widgets/logview.h"
#include "widgets/overviewview.h"
#include "widgets/taskdetailspane.h"
#include "widgets/tasksview.h"
#include "widgets/timelinecanvas.h"
#include "widgets/timelineview.h"

#include <afterwork/eventpublisher.h>
#include <afterwork/taskengine.h>

#include <QtCore/QFile>
#include <QtCore/QSemaphore>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtGui/QGuiApplication>
#include <QtGui/QImage>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QTabWidget>
#include <QtWidgets/QTableView>

#include <algorithm>
#include <memory>
#include <stdexcept>

using namespace afterwork;
using namespace afterwork::monitor;
using namespace std::chrono_literals;

class tst_MonitorWindow : public QObject
{
    Q_OBJECT

private:
    static qint64 tileValue(const MainWindow &window, const char *title)
    {
        const CounterTile *tile = window.overview()->tile(QString::fromLatin1(title));
        return tile ? tile->value() : -1;
    }
    static int rowOfTask(const QTableView *table, quint64 id)
    {
        for (int row = 0; row < table->model()->rowCount(); ++row) {
            if (table->model()->index(row, 0).data(TaskTableModel::TaskIdRole).toULongLong() == id)
                return row;
        }
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
    }

    void applicationIdentity()
    {
        // Every PNG size of resources/icons/hicolor is compiled in, each an image of its size.
        const QList<int> sizes{16, 24, 32, 48, 64, 128, 256};
        const QStringList files = applicationIconFiles();
        QCOMPARE(files.size(), sizes.size());
        for (qsizetype i = 0; i < files.size(); ++i) {
            QVERIFY2(files[i].startsWith(u":/"), qPrintable(files[i]));
            const QImage image(files[i]);
            QVERIFY2(!image.isNull(), qPrintable(files[i]));
            QCOMPARE(image.size(), QSize(sizes[i], sizes[i]));
        }
        QVERIFY(QFile::exists(QStringLiteral(":/afterwork-monitor/icons/hicolor/16x16/apps/org.afterwork.Monitor.png")));
        QVERIFY(QFile::exists(QStringLiteral(":/afterwork-monitor/icons/hicolor/256x256/apps/org.afterwork.Monitor.png")));

        const QIcon icon = applicationIcon();
        QVERIFY(!icon.isNull());
        QCOMPARE(icon.availableSizes().size(), sizes.size());
        QCOMPARE(icon.pixmap(QSize(16, 16)).size(), QSize(16, 16));

        // What main() does: the desktop entry's id for Wayland, and the icon for every window.
        applyApplicationIdentity();
        QCOMPARE(QGuiApplication::desktopFileName(), QStringLiteral("org.afterwork.Monitor"));
        QCOMPARE(desktopId(), QGuiApplication::desktopFileName());
        QVERIFY(!QGuiApplication::windowIcon().isNull());
        QCOMPARE(QGuiApplication::windowIcon().availableSizes(), icon.availableSizes());

        // The window carries the icon itself, even in a program that never called the above.
        QGuiApplication::setWindowIcon(QIcon());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MonitorSession session;
        MainWindow window(&session, MainWindowOptions{.settingsPath = dir.filePath(QStringLiteral("monitor.ini")), .restoreState = false, .discoveryDirectory = dir.path()});
        QVERIFY(!window.windowIcon().isNull());
        QCOMPARE(window.windowIcon().availableSizes(), icon.availableSizes());
    }

    void liveEngineThroughTheWindow()
    {
        TaskEngine engine(TaskConfig{}, EngineOptions{.maxThreads = 4});
        auto *publisher = new EventPublisher(&engine, PublisherOptions{.app = QStringLiteral("gui-test"), .heartbeatInterval = 200ms});
        const QString name = testing::uniqueSocketName("window");
        QVERIFY2(publisher->listen(name), qPrintable(publisher->errorString()));

        QTemporaryDir dir;
        MonitorSession session(SessionOptions{.flushInterval = 50ms});
        MainWindow window(&session, MainWindowOptions{.settingsPath = dir.filePath(QStringLiteral("monitor.ini")), .restoreState = true, .discoveryDirectory = dir.path()});
        window.resize(1200, 760);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));

        window.watchSocket(name);
        QTRY_COMPARE_WITH_TIMEOUT(window.connectionBar()->stateText(), QStringLiteral("connected"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.connectionBar()->detailsText().contains(QStringLiteral("gui-test")), 10000);
        QVERIFY(window.connectionBar()->detailsText().contains(QStringLiteral("run #1")));
        QVERIFY(window.connectionBar()->detailsText().contains(QStringLiteral("pid %1").arg(QCoreApplication::applicationPid())));

        // Work: five successes, three failures of one kind, one of another, one long shielded task.
        auto release = std::make_shared<QSemaphore>();
        for (int i = 0; i < 5; ++i)
            engine.task(TaskConfig{.name = QStringLiteral("resize_avatar")}).schedule([] {});
        for (int i = 0; i < 3; ++i)
            engine.task(TaskConfig{.name = QStringLiteral("send_email")}).schedule([] { throw std::runtime_error("smtp down"); });
        engine.task(TaskConfig{.name = QStringLiteral("charge_card")}).schedule([] { throw std::invalid_argument("bad amount"); });
        const Task report = engine.task(TaskConfig{.name = QStringLiteral("export_report"), .shield = true})
                                .schedule([release](const CancellationToken &token) {
                                    token.reportProgress(3, 10, QStringLiteral("page 3"));
                                    release->tryAcquire(1, 20000); // bounded, in case the test fails before releasing it
                                });

        window.showView(ViewId::Overview);
        QTRY_COMPARE_WITH_TIMEOUT(tileValue(window, "succeeded"), 5, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(tileValue(window, "failed"), 4, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(tileValue(window, "running"), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.overview()->sourceFacts().contains(QStringLiteral("Engine (since it started): 10 scheduled")), 10000);

        // Ctrl+2: the tasks table.
        QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(window.currentView(), ViewId::Tasks);
        TasksView *tasks = window.tasks();
        QTRY_COMPARE_WITH_TIMEOUT(tasks->proxy()->rowCount(), 10, 10000);

        // Typing a filter narrows the table once typing pauses; a bad one says why and keeps the
        // last good one.
        QTest::keyClicks(tasks->searchBox(), QStringLiteral("phase:failed"));
        QCOMPARE(tasks->filterText(), QStringLiteral("phase:failed"));
        QTRY_COMPARE_WITH_TIMEOUT(tasks->proxy()->rowCount(), 4, 5000);
        QVERIFY2(tasks->filterError().isEmpty(), qPrintable(tasks->filterError()));
        QTest::keyClicks(tasks->searchBox(), QStringLiteral(" phaze:x"));
        QTest::keyClick(tasks->searchBox(), Qt::Key_Return); // Enter applies at once
        QVERIFY2(tasks->filterError().contains(QStringLiteral("unknown field 'phaze'")), qPrintable(tasks->filterError()));
        QCOMPARE(tasks->proxy()->rowCount(), 4);
        tasks->searchBox()->clear();
        QCOMPARE(tasks->proxy()->rowCount(), 10);
        QVERIFY(tasks->filterError().isEmpty());

        // Clicking a row shows the task's details and its whole history.
        QTableView *table = tasks->table();
        int row = -1;
        for (int r = 0; r < table->model()->rowCount() && row < 0; ++r) {
            if (table->model()->index(r, TaskTableModel::NameColumn).data().toString() == QStringLiteral("charge_card"))
                row = r;
        }
        QVERIFY(row >= 0);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(table->model()->index(row, TaskTableModel::NameColumn)).center());
        QVERIFY(tasks->selectedTask().has_value());
        const QString details = tasks->details()->summaryText();
        QVERIFY2(details.contains(QStringLiteral("charge_card")), qPrintable(details));
        QVERIFY2(details.contains(QStringLiteral("std::invalid_argument: bad amount")), qPrintable(details));
        TaskHistoryModel *history = tasks->details()->historyModel();
        QTRY_COMPARE_WITH_TIMEOUT(history->rowCount(), 3, 5000); // scheduled, started, failed
        QCOMPARE(history->index(0, TaskHistoryModel::PhaseColumn).data().toString(), QStringLiteral("scheduled"));
        QCOMPARE(history->index(2, TaskHistoryModel::PhaseColumn).data().toString(), QStringLiteral("failed"));

        // Ctrl+3: failures grouped; a click on a group filters the table to its tasks.
        QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
        QCOMPARE(window.currentView(), ViewId::Failures);
        QTableView *groups = window.failures()->table();
        QTRY_COMPARE_WITH_TIMEOUT(groups->model()->rowCount(), 2, 5000);
        QCOMPARE(groups->model()->index(0, FailureGroupModel::NameColumn).data().toString(), QStringLiteral("send_email"));
        QCOMPARE(groups->model()->index(0, FailureGroupModel::CountColumn).data().toString(), QStringLiteral("3"));
        QCOMPARE(groups->model()->index(0, FailureGroupModel::ErrorTypeColumn).data().toString(), QStringLiteral("std::runtime_error"));
        QCOMPARE(groups->model()->index(0, FailureGroupModel::MessageColumn).data().toString(), QStringLiteral("smtp down"));
        QTest::mouseClick(groups->viewport(), Qt::LeftButton, {}, groups->visualRect(groups->model()->index(0, FailureGroupModel::NameColumn)).center());
        QCOMPARE(window.currentView(), ViewId::Tasks);
        QCOMPARE(tasks->filterText(), QStringLiteral("phase:failed name:send_email error~\"std::runtime_error\""));
        QCOMPARE(tasks->proxy()->rowCount(), 3);

        // Ctrl+5: the timeline has a bar per task; clicking one selects it in the table too.
        QTest::keyClick(&window, Qt::Key_5, Qt::ControlModifier);
        QCOMPARE(window.currentView(), ViewId::Timeline);
        TimelineCanvas *canvas = window.timeline()->canvas();
        QTRY_COMPARE_WITH_TIMEOUT(canvas->layoutData().bars.size(), 10, 5000);
        canvas->setFollowLive(false);
        canvas->fitAll();
        const quint64 reportId = report.id();
        // The long task's bar is shaded up to the 30 % its work reported.
        const auto reportBar = std::find_if(canvas->layoutData().bars.cbegin(), canvas->layoutData().bars.cend(),
                                            [&](const TimelineBar &b) { return b.id == reportId; });
        QVERIFY(reportBar != canvas->layoutData().bars.cend());
        QCOMPARE(reportBar->shadedFraction(), 0.3);
        const QRectF bar = canvas->barRectOf(reportId);
        QVERIFY2(!bar.isEmpty(), "the long task's bar is visible");
        QTest::mouseClick(canvas->viewport(), Qt::LeftButton, {}, bar.center().toPoint());
        QCOMPARE(canvas->selectedTask(), std::optional(TimelineTask{0, reportId}));
        tasks->setFilterText(QString());
        QVERIFY(tasks->selectTask(reportId));
        QCOMPARE(tasks->selectedTask(), std::optional<quint64>(reportId));
        QVERIFY2(tasks->details()->summaryText().contains(QStringLiteral("Progress: 3 / 10 (30 %) — page 3")),
                 qPrintable(tasks->details()->summaryText()));
        const QModelIndex progressCell = tasks->indexOf(window.session(), reportId, TaskTableModel::ProgressColumn);
        QCOMPARE(progressCell.data().toString(), QStringLiteral("30 %"));
        // Grouped by name, the groups are the task names.
        window.timeline()->setGrouping(TimelineGrouping::Name);
        QStringList groupNames;
        for (const TimelineRow &r : canvas->layoutData().rows) {
            if (r.header)
                groupNames << r.label;
        }
        QCOMPARE(groupNames, (QStringList{QStringLiteral("charge_card"), QStringLiteral("export_report"), QStringLiteral("resize_avatar"),
                                          QStringLiteral("send_email")}));

        // Ctrl+6: the log says what happened to the connection.
        QTest::keyClick(&window, Qt::Key_6, Qt::ControlModifier);
        QCOMPARE(window.currentView(), ViewId::Log);
        bool connectedLogged = false;
        for (int r = 0; r < window.log()->model()->rowCount(); ++r)
            connectedLogged = connectedLogged || window.log()->model()->index(r, 2).data().toString().startsWith(QStringLiteral("Connected to"));
        QVERIFY(connectedLogged);

        // Export what the table shows.
        const QString csvPath = dir.filePath(QStringLiteral("tasks.csv"));
        QCOMPARE(window.exportCsv(csvPath), std::nullopt);
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> csvLines = csv.readAll().trimmed().split('\n');
        QCOMPARE(csvLines.size(), 11);
        QVERIFY(csvLines.constFirst().startsWith("id,name,phase,shielded"));
        QVERIFY(csvLines.constFirst().trimmed().endsWith(",progress_done,progress_total,progress_message,source"));
        const auto reportLine = std::find_if(csvLines.cbegin(), csvLines.cend(), [](const QByteArray &line) { return line.contains("export_report"); });
        QVERIFY(reportLine != csvLines.cend());
        // The one source's label: its address, as nothing named it.
        const QByteArray label = window.sources()->label(0).toUtf8();
        QVERIFY(!label.isEmpty());
        QVERIFY2(reportLine->trimmed().endsWith(",3,10,page 3," + label), reportLine->constData());

        // Shutdown: the drain view comes to the front and waits for the shielded task.
        QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(window.currentView(), ViewId::Overview);
        engine.startShutdown(10s);
        QTRY_COMPARE_WITH_TIMEOUT(window.currentView(), ViewId::Shutdown, 10000);
        DrainView *drain = window.drain();
        QTRY_COMPARE_WITH_TIMEOUT(drain->model()->count(DrainModel::Outcome::WaitedFor), 1, 10000);
        QVERIFY2(drain->countdownText().endsWith(QStringLiteral(" left")), qPrintable(drain->countdownText()));
        QVERIFY2(drain->stageText().startsWith(QStringLiteral("Shutting down")), qPrintable(drain->stageText()));
        release->release();
        QTRY_VERIFY_WITH_TIMEOUT(drain->stageText().startsWith(QStringLiteral("Shutdown finished")), 10000);
        QVERIFY2(drain->countdownText().startsWith(QStringLiteral("drained in")), qPrintable(drain->countdownText()));
        QCOMPARE(drain->model()->count(DrainModel::Outcome::Finished), 1);
        QCOMPARE(drain->model()->count(DrainModel::Outcome::Abandoned), 0);
        QVERIFY2(drain->summaryText().startsWith(QStringLiteral("1 task(s) finished while the shutdown waited")), qPrintable(drain->summaryText()));

        // What was received, saved and read back, shows the same tasks.
        session.flushNow();
        const QString recording = dir.filePath(QStringLiteral("run.ndjson"));
        QCOMPARE(window.saveRecording(recording), std::nullopt);
        MonitorSession replay;
        QSignalSpy ended(&replay, &MonitorSession::recordingEnded);
        replay.openRecording(recording);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 10000);
        QCOMPARE(replay.store().count(Phase::Failed), 4);
        QCOMPARE(replay.store().count(Phase::Succeeded), 6);
        QVERIFY(replay.drain().isActive());

        // The window's state is remembered.
        window.timeline()->setGrouping(TimelineGrouping::Name);
        window.showView(ViewId::Failures);
        window.close();
        MonitorSession second;
        MainWindow reopened(&second, MainWindowOptions{.settingsPath = dir.filePath(QStringLiteral("monitor.ini")), .restoreState = true, .discoveryDirectory = dir.path()});
        QCOMPARE(reopened.currentView(), ViewId::Failures);
        QCOMPARE(reopened.timeline()->grouping(), TimelineGrouping::Name);
        QCOMPARE(reopened.connectionBar()->socketName(), name);
    }
};

QTEST_MAIN(tst_MonitorWindow)
#include "tst_monitorwindow.moc"
