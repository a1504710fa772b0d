// SPDX-License-Identifier: MIT
// Several sources in one window: two real publishers, each a TaskEngine in a process of its own
// (afterwork_test_source), watched side by side; the tasks table shows both with their source,
// `source:` filters it, the Sources tab lists them; one publisher killed leaves its tasks lost and
// its row "lost", and the other source untouched; failures are grouped per source; the timeline
// shows every source in a lane of its own (a task of one source is never another's of the same
// id) or the one chosen, as the overview and the log show the one chosen; a source's shutdown
// comes to the front. Commands go to the source of the selected
// tasks only (two publishers in this process that allow control, whose task ids collide).
#include "monitortestsupport.h"
#include "livecontrolsource.h"
#include "windowfixture.h"

#include "../client/testsourceprocess.h"

#include "app/controlactions.h"
#include "app/mainwindow.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"
#include "models/failuregroupmodel.h"
#include "models/sessionlogmodel.h"
#include "models/sourcetablemodel.h"
#include "models/taskfilterproxy.h"
#include "models/tasktablemodel.h"
#include "widgets/connectionbar.h"
#include "widgets/countertile.h"
#include "widgets/drainview.h"
#include "widgets/failuresview.h"
#include "widgets/logview.h"
#include "widgets/overviewview.h"
#include "widgets/messagebanner.h"
#include "widgets/sourcesview.h"
#include "widgets/taskdetailspane.h"
#include "widgets/sourcepicker.h"
#include "widgets/tasksview.h"
#include "widgets/timelinecanvas.h"
#include "widgets/timelineview.h"

#include <afterwork/protocol/recording.h>

#include <QtCore/QSettings>
#include <QtCore/QTemporaryDir>
#include <QtGui/QAction>
#include <QtTest/QTest>
#include <QtGui/QHelpEvent>
#include <QtWidgets/QApplication>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QMessageBox>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QTabWidget>
#include <QtWidgets/QTableView>
#include <QtWidgets/QToolTip>

#include <algorithm>

using namespace afterwork;
using namespace afterwork::monitor;
using namespace std::chrono_literals;
using monitortest::LineWriter;
using monitortest::LiveSource;
using monitortest::T0;
using monitortest::Window;
using monitortest::button;

namespace {

void select(TasksView *tasks, const QList<TaskRef> &rows)
{
    tasks->table()->clearSelection();
    for (const TaskRef &row : rows)
        tasks->table()->selectionModel()->select(tasks->indexOf(row.session, row.id), QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

//! Two real publishers, each a process of its own ("api" and "worker"), and a window.
struct TwoRealSources
{
    TwoRealSources()
        : nameA(testing::uniqueSocketName("fleet-api")), nameB(testing::uniqueSocketName("fleet-worker")), api(nameA), worker(nameB)
    {
    }
    //! Both publishers are up (false if one did not start).
    bool ready() { return !api.waitUntilReady().isEmpty() && !worker.waitUntilReady().isEmpty(); }
    //! The window watches the api (the connection bar's source) and not yet the worker.
    bool watchApi() { return w.window.watchSocket(nameA, QStringLiteral("api")); }
    //! ... and then the worker too: its session, or nullptr.
    MonitorSession *addWorker()
    {
        return w.window.addSource({.label = QStringLiteral("worker"), .address = nameB}) ? nullptr : w.window.sources()->session(1);
    }

    QString nameA;
    QString nameB;
    testing::TestSourceProcess api;
    testing::TestSourceProcess worker;
    Window w;
};

//! What `afterwork record --connect api=... --connect worker=...` writes, to \a path: a marker
//! before each run of a source's lines. Task 1 is in both (the api's running, the worker's
//! queued, with its task 2); neither source's hello is a restart of the other, and the markers
//! are not malformed lines.
bool writeTwoSourceRecording(const QString &path)
{
    LineWriter a;
    LineWriter b;
    QByteArray bytes;
    const auto marker = [](const char *name) { return protocol::sourceMarkerLine(QString::fromLatin1(name)) + '\n'; };
    bytes += marker("api") + testing::Lines::join({a.hello(T0), a.snapshot(T0 + 1), a.task(T0 + 2, 1, "scheduled", "job")});
    bytes += marker("worker") + testing::Lines::join({b.hello(T0 + 3), b.snapshot(T0 + 4), b.task(T0 + 5, 1, "scheduled", "job"),
                                                      b.task(T0 + 6, 2, "scheduled", "job")});
    bytes += marker("api") + testing::Lines::join({a.task(T0 + 7, 1, "started", "job", R"("started_us":1)"), a.bye(T0 + 8)});
    bytes += marker("worker") + testing::Lines::join({b.bye(T0 + 9)});
    return monitortest::writeFile(path, bytes);
}

//! writeTwoSourceRecording()'s, in a temporary directory of its own.
struct TwoSourceRecording
{
    QTemporaryDir dir;
    QString path = dir.filePath(QStringLiteral("two.ndjson"));
    bool written = writeTwoSourceRecording(path);
};

//! Opens the recording at \a path in \a w and reads every source of it to its end.
bool openAndRead(Window &w, const QString &path)
{
    w.window.openRecording(path);
    const SourceSet &sources = *w.window.sources();
    return QTest::qWaitFor(
        [&] {
            for (int i = 0; i < sources.count(); ++i) {
                if (!sources.session(i)->recordingSummary())
                    return false;
            }
            return true;
        },
        10000);
}

} // namespace

class tst_FleetWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneSourceLostLeavesTheOthersAlone()
    {
        TwoRealSources two;
        QVERIFY(two.ready());
        Window &w = two.w;
        testing::TestSourceProcess &api = two.api;
        testing::TestSourceProcess &worker = two.worker;
        TasksView *tasks = w.window.tasks();
        QTabWidget *tabs = w.window.tabs();
        // One source: the dashboard as it always was.
        QVERIFY(two.watchApi());
        QVERIFY(!tabs->isTabVisible(int(ViewId::Sources)));
        QVERIFY(tasks->table()->isColumnHidden(TaskTableModel::SourceColumn));

        MonitorSession *workerSession = two.addWorker();
        QVERIFY(workerSession);
        QVERIFY(tabs->isTabVisible(int(ViewId::Sources)));
        QVERIFY(!tasks->table()->isColumnHidden(TaskTableModel::SourceColumn));
        QVERIFY2(w.window.statusText().startsWith(QStringLiteral("2 sources — api: ")), qPrintable(w.window.statusText()));

        api.command("block 2");
        worker.command("block 3");
        QTRY_COMPARE_WITH_TIMEOUT(tasks->proxy()->rowCount(), 5, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(workerSession->store().count(Phase::Started), 3, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(w.session.store().count(Phase::Started), 2, 15000);
        // The engines number their tasks alike: task 1 is in both, one row each.
        const QModelIndex apiFirst = tasks->indexOf(&w.session, 1, TaskTableModel::SourceColumn);
        const QModelIndex workerFirst = tasks->indexOf(workerSession, 1, TaskTableModel::SourceColumn);
        QVERIFY(apiFirst.isValid() && workerFirst.isValid() && apiFirst.row() != workerFirst.row());
        QCOMPARE(apiFirst.data().toString(), QStringLiteral("api"));
        QCOMPARE(workerFirst.data().toString(), QStringLiteral("worker"));
        // The details pane reads the selected task's own source.
        QVERIFY(tasks->selectTask(workerSession, 1));
        QCOMPARE(tasks->details()->session(), workerSession);
        QVERIFY(tasks->details()->summaryText().startsWith(QStringLiteral("#1  blocker-0")));

        tasks->setFilterText(QStringLiteral("source:worker"));
        QCOMPARE(tasks->proxy()->rowCount(), 3);
        tasks->setFilterText(QString());

        // The Sources tab: a double click shows that source's tasks.
        w.window.showView(ViewId::Sources);
        SourceTableModel *sources = w.window.sourcesView()->model();
        QCOMPARE(sources->rowCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(sources->index(1, SourceTableModel::StateColumn).data().toString(), QStringLiteral("connected"), 10000);
        QTableView *sourcesTable = w.window.sourcesView()->table();
        QVERIFY(QTest::qWaitForWindowExposed(&w.window));
        const QRect workerRow = sourcesTable->visualRect(sources->index(1, SourceTableModel::LabelColumn));
        QVERIFY(!workerRow.isEmpty());
        // A double click is a press and release, then the double click event (what a person does).
        QTest::mouseClick(sourcesTable->viewport(), Qt::LeftButton, {}, workerRow.center());
        QCOMPARE(w.window.currentView(), ViewId::Sources); // one click only selects
        QTest::mouseDClick(sourcesTable->viewport(), Qt::LeftButton, {}, workerRow.center());
        QCOMPARE(w.window.currentView(), ViewId::Tasks);
        QCOMPARE(tasks->filterText(), QStringLiteral("source:worker"));
        tasks->setFilterText(QString());

        // Failures of both, grouped per source: a group shows its own source's tasks.
        api.command("quick 2");
        worker.command("quick 2"); // quick-1 fails in each
        QTRY_COMPARE_WITH_TIMEOUT(workerSession->failures().totalFailures(), 1, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(w.session.failures().totalFailures(), 1, 15000);
        w.window.showView(ViewId::Failures);
        QTableView *groups = w.window.failures()->table();
        QTRY_COMPARE_WITH_TIMEOUT(groups->model()->rowCount(), 2, 5000);
        QVERIFY(!groups->isColumnHidden(FailureGroupModel::SourceColumn));
        int workerGroup = -1;
        for (int row = 0; row < 2; ++row) {
            if (groups->model()->index(row, FailureGroupModel::SourceColumn).data().toString() == QStringLiteral("worker"))
                workerGroup = row;
        }
        QVERIFY(workerGroup >= 0);
        QTest::mouseClick(groups->viewport(), Qt::LeftButton, {},
                          groups->visualRect(groups->model()->index(workerGroup, FailureGroupModel::NameColumn)).center());
        QCOMPARE(w.window.currentView(), ViewId::Tasks);
        QVERIFY2(tasks->filterText().startsWith(QStringLiteral("source:worker phase:failed name:")), qPrintable(tasks->filterText()));
        QCOMPARE(tasks->proxy()->rowCount(), 1);
        QCOMPARE(tasks->proxy()->index(0, TaskTableModel::SourceColumn).data().toString(), QStringLiteral("worker"));
        tasks->setFilterText(QString());

        // The timeline shows both sources at once, a lane each; clicking the worker's task 1
        // selects the worker's, not the api's task 1.
        TimelineView *timeline = w.window.timeline();
        TimelineCanvas *canvas = timeline->canvas();
        w.window.showView(ViewId::Timeline);
        QVERIFY(timeline->sourcePicker()->isVisible());
        QCOMPARE(timeline->sourcePicker()->box()->count(), 3);
        QCOMPARE(timeline->sourcePicker()->box()->currentText(), QStringLiteral("All sources"));
        QCOMPARE(timeline->session(), nullptr);
        QTRY_COMPARE_WITH_TIMEOUT(canvas->layoutData().bars.size(), 9, 5000); // the api's 4 tasks, the worker's 5
        QCOMPARE(canvas->layoutData().sources.size(), 2);
        QRectF bar = canvas->barRectOf(1, 1);
        QVERIFY2(!bar.isEmpty(), "the worker's task 1 is drawn");
        QTest::mouseClick(canvas->viewport(), Qt::LeftButton, {}, bar.center().toPoint());
        QCOMPARE(tasks->details()->session(), workerSession);
        QCOMPARE(tasks->selectedTask(), std::optional<quint64>(1));
        QCOMPARE(canvas->selectedTask(), std::optional(TimelineTask{1, 1}));

        // One source at a time, chosen in its source box: the worker's.
        timeline->sourcePicker()->pick(1);
        QCOMPARE(timeline->session(), workerSession);
        QCOMPARE(timeline->sourcePicker()->box()->currentText(), QStringLiteral("worker"));
        QTRY_COMPARE_WITH_TIMEOUT(canvas->layoutData().bars.size(), 5, 5000); // 3 blockers, 2 quick tasks
        QVERIFY(canvas->layoutData().sources.isEmpty());
        bar = canvas->barRectOf(1);
        QVERIFY2(!bar.isEmpty(), "the worker's task 1 is drawn");
        QTest::mouseClick(canvas->viewport(), Qt::LeftButton, {}, bar.center().toPoint());
        QCOMPARE(tasks->details()->session(), workerSession); // its own task 1, not the api's
        QCOMPARE(tasks->selectedTask(), std::optional<quint64>(1));

        // So do the overview and the log.
        OverviewView *overview = w.window.overview();
        w.window.showView(ViewId::Overview);
        QVERIFY(overview->sourcePicker()->isVisible());
        QCOMPARE(overview->tile(QStringLiteral("running"))->value(), 2); // the api's blockers
        overview->sourcePicker()->pick(1);
        QCOMPARE(overview->session(), workerSession);
        QCOMPARE(overview->tile(QStringLiteral("running"))->value(), 3);
        LogView *log = w.window.log();
        log->sourcePicker()->pick(1);
        bool workerConnected = false;
        for (int row = 0; row < log->model()->rowCount(); ++row)
            workerConnected = workerConnected || log->model()->index(row, 2).data().toString().contains(two.nameB);
        QVERIFY2(workerConnected, "the worker's own log");

        // The worker dies without a word: its live tasks are lost, its row says so; the api's
        // tasks run on and its row stays connected. The connection bar is about the api.
        worker.kill();
        QTRY_COMPARE_WITH_TIMEOUT(workerSession->store().count(Phase::Lost), 3, 15000);
        sources->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(sources->index(1, SourceTableModel::StateColumn).data().toString(), QStringLiteral("lost"), 10000);
        QCOMPARE(sources->index(0, SourceTableModel::StateColumn).data().toString(), QStringLiteral("connected"));
        QCOMPARE(w.session.store().count(Phase::Lost), 0);
        QCOMPARE(w.session.store().count(Phase::Started), 2);
        QCOMPARE(tasks->indexOf(workerSession, 1, TaskTableModel::PhaseColumn).data().toString(), QStringLiteral("lost"));
        QCOMPARE(tasks->indexOf(&w.session, 1, TaskTableModel::PhaseColumn).data().toString(), QStringLiteral("started"));
        QCOMPARE(w.window.connectionBar()->stateText(), QStringLiteral("connected"));
        // On the timeline of every source, the worker's lane says it is lost, its tasks still drawn.
        w.window.showView(ViewId::Timeline);
        timeline->setAllSources(true);
        QTRY_COMPARE_WITH_TIMEOUT(canvas->layoutData().sources.value(1).state, QStringLiteral("lost"), 5000);
        QVERIFY(canvas->layoutData().sources.at(0).state.isEmpty()); // connected goes without saying
        const auto lostBars = std::count_if(canvas->layoutData().bars.cbegin(), canvas->layoutData().bars.cend(),
                                            [](const TimelineBar &b) { return b.source == 1 && b.phase == Phase::Lost; });
        QCOMPARE(lostBars, 3);

        // Removed: its tasks go, and with one source left the window is as it was.
        QVERIFY(w.window.removeSource(QStringLiteral("worker")));
        QCOMPARE(tasks->proxy()->rowCount(), 4); // two blockers, two quick tasks
        QCOMPARE(w.window.failures()->table()->model()->rowCount(), 1);
        QVERIFY(tasks->table()->isColumnHidden(TaskTableModel::SourceColumn));
        QVERIFY(!tabs->isTabVisible(int(ViewId::Sources)));
        QCOMPARE(tasks->details()->session(), &w.session);
        QCOMPARE(timeline->session(), &w.session);
        QVERIFY(timeline->shows(&w.session));
        QVERIFY(!timeline->sourcePicker()->isVisibleTo(timeline));
        QVERIFY(canvas->layoutData().sources.isEmpty()); // one source: no source lanes
        QCOMPARE(canvas->layoutData().bars.size(), 4);
        QCOMPARE(overview->session(), &w.session);
        QCOMPARE(log->sourcePicker()->session(), &w.session);
    }

    void aSourceShuttingDownComesToTheFront()
    {
        TwoRealSources two;
        QVERIFY(two.ready());
        Window &w = two.w;
        QVERIFY(two.watchApi());
        MonitorSession *workerSession = two.addWorker();
        QVERIFY(workerSession);
        testing::TestSourceProcess &worker = two.worker;
        SourceTableModel *sources = w.window.sourcesView()->model();
        QTRY_COMPARE_WITH_TIMEOUT(sources->index(1, SourceTableModel::StateColumn).data().toString(), QStringLiteral("connected"), 10000);
        w.window.showView(ViewId::Tasks);

        // The worker drains and says bye: its drain comes to the front; it has ended, not gone.
        worker.command("shielded 1 50");
        worker.command("shutdown 2000");
        QTRY_COMPARE_WITH_TIMEOUT(w.window.currentView(), ViewId::Shutdown, 10000);
        QCOMPARE(w.window.drain()->session(), workerSession);
        QTRY_VERIFY_WITH_TIMEOUT(!w.window.drain()->isShowingPlaceholder(), 5000);
        QVERIFY(worker.waitForExit());
        QTRY_COMPARE_WITH_TIMEOUT(sources->index(1, SourceTableModel::StateColumn).data().toString(), QStringLiteral("ended"), 10000);
        QCOMPARE(sources->index(0, SourceTableModel::StateColumn).data().toString(), QStringLiteral("connected"));
        QCOMPARE(workerSession->store().count(Phase::Lost), 0);
        // The api's own drain view is there to pick.
        w.window.drain()->sourcePicker()->pick(0);
        QVERIFY(w.window.drain()->isShowingPlaceholder());
    }

    void commandsGoToTheSelectedTasksSourceOnly()
    {
        LiveSource api(true);
        LiveSource worker(true);
        QVERIFY(api.listening && worker.listening);
        const Task apiResize = api.queued(QStringLiteral("resize"));
        const Task workerResize = worker.queued(QStringLiteral("resize"));
        QCOMPARE(apiResize.id(), workerResize.id()); // the same id, two tasks

        Window w;
        QVERIFY(w.window.watchSocket(api.name, QStringLiteral("api")));
        QCOMPARE(w.window.addSource({.label = QStringLiteral("worker"), .address = worker.name}), std::nullopt);
        MonitorSession *workerSession = w.window.sources()->session(1);
        TasksView *tasks = w.window.tasks();
        ControlActions *control = &w.control();
        w.window.showView(ViewId::Tasks);
        QTRY_COMPARE_WITH_TIMEOUT(tasks->proxy()->rowCount(), 4, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(w.session.canControl() && workerSession->canControl(), 10000);

        QAction *cancel = control->cancelSelectedAction();
        control->update();
        QVERIFY(!cancel->isEnabled());
        QVERIFY2(cancel->toolTip().contains(QStringLiteral("select a task of the source")), qPrintable(cancel->toolTip()));
        QVERIFY(!control->drainAction()->isEnabled());
        select(tasks, {{&w.session, apiResize.id()}, {workerSession, workerResize.id()}});
        QVERIFY(!cancel->isEnabled());
        QVERIFY2(cancel->toolTip().contains(QStringLiteral("come from several sources")), qPrintable(cancel->toolTip()));

        // The worker's task only: the api's task of the same id runs on.
        select(tasks, {{workerSession, workerResize.id()}});
        QVERIFY(cancel->isEnabled());
        cancel->trigger();
        auto *box = qobject_cast<QMessageBox *>(control->confirmation());
        QVERIFY(box);
        QCOMPARE(box->text(), QStringLiteral("worker: Cancel the 1 live task selected?"));
        button(box, "confirmButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(w.window.banner()->text(), QStringLiteral("worker: 1 task cancelled."), 10000);
        QCOMPARE(workerResize.phase(), Phase::Cancelled);
        QVERIFY(apiResize.phase() != Phase::Cancelled);

        // Cancel matching, with a source term: the api gets the rest of the filter and applies it.
        tasks->setFilterText(QStringLiteral("source:api name~resize"));
        QTRY_COMPARE_WITH_TIMEOUT(tasks->proxy()->rowCount(), 1, 10000);
        select(tasks, {{&w.session, apiResize.id()}});
        QAction *matching = control->cancelMatchingAction();
        QVERIFY2(matching->isEnabled(), qPrintable(matching->toolTip()));
        matching->trigger();
        box = qobject_cast<QMessageBox *>(control->confirmation());
        QVERIFY(box);
        QVERIFY2(box->text().startsWith(QStringLiteral("api: Cancel the 1 live task matching")), qPrintable(box->text()));
        button(box, "confirmButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(w.window.banner()->text(), QStringLiteral("api: 1 task cancelled."), 10000);
        QCOMPARE(apiResize.phase(), Phase::Cancelled);
        // A filter of source terms alone would be no filter at the source: off.
        tasks->setFilterText(QStringLiteral("source:api"));
        select(tasks, {{&w.session, 1}});
        QVERIFY(!matching->isEnabled());
        QVERIFY2(matching->toolTip().contains(QStringLiteral("Type a filter first")), qPrintable(matching->toolTip()));
    }

    void theTimelineHasALanePerSource()
    {
        const TwoSourceRecording recording;
        QVERIFY(recording.written);
        Window w;
        QVERIFY(openAndRead(w, recording.path));
        MonitorSession *worker = w.window.sources()->session(1);
        TasksView *tasks = w.window.tasks();
        TimelineView *timeline = w.window.timeline();
        TimelineCanvas *canvas = timeline->canvas();
        w.window.showView(ViewId::Timeline);
        QVERIFY(QTest::qWaitForWindowExposed(&w.window));
        timeline->refreshNow();

        // A lane per source, under a header naming it, with that source's bars.
        QStringList lanes;
        for (const TimelineRow &row : canvas->layoutData().rows) {
            if (row.source >= 0)
                lanes << row.label;
        }
        QCOMPARE(lanes, (QStringList{QStringLiteral("api"), QStringLiteral("worker")}));
        QCOMPARE(monitortest::timelineTasks(canvas->layoutData()), (QSet<std::pair<int, quint64>>{{0, 1}, {1, 1}, {1, 2}}));
        canvas->setFollowLive(false);
        canvas->fitAll();

        // Hovering a bar names its source.
        const QPoint workerTask1 = canvas->barRectOf(1, 1).center().toPoint();
        QVERIFY(canvas->viewport()->rect().contains(workerTask1));
        QHelpEvent help(QEvent::ToolTip, workerTask1, canvas->viewport()->mapToGlobal(workerTask1));
        QApplication::sendEvent(canvas->viewport(), &help);
        QVERIFY2(QToolTip::text().startsWith(QStringLiteral("worker: #1 ")), qPrintable(QToolTip::text()));

        // Clicking the worker's task 1 selects it, not the api's task 1; the table's selection is
        // what the timeline highlights.
        QTest::mouseClick(canvas->viewport(), Qt::LeftButton, {}, workerTask1);
        QCOMPARE(tasks->details()->session(), worker);
        QCOMPARE(tasks->selectedTask(), std::optional<quint64>(1));
        QCOMPARE(canvas->selectedTask(), std::optional(TimelineTask{1, 1}));
        QVERIFY(tasks->selectTask(&w.session, 1));
        QCOMPARE(canvas->selectedTask(), std::optional(TimelineTask{0, 1}));
        // A double click on the worker's task 2 shows it in the tasks table.
        QTest::mouseDClick(canvas->viewport(), Qt::LeftButton, {}, canvas->barRectOf(2, 1).center().toPoint());
        QCOMPARE(w.window.currentView(), ViewId::Tasks);
        QCOMPARE(tasks->details()->session(), worker);
        QCOMPARE(tasks->selectedTask(), std::optional<quint64>(2));

        // One source again: the worker's alone, drawn as the timeline of one source is; the api's
        // task selected in the table is not the worker's task 1.
        QVERIFY(tasks->selectTask(&w.session, 1));
        w.window.showView(ViewId::Timeline);
        timeline->sourcePicker()->pick(1);
        QCOMPARE(timeline->session(), worker);
        QVERIFY(!timeline->shows(&w.session));
        QVERIFY(canvas->layoutData().sources.isEmpty());
        QCOMPARE(monitortest::timelineTasks(canvas->layoutData()), (QSet<std::pair<int, quint64>>{{0, 1}, {0, 2}}));
        QVERIFY(!canvas->selectedTask());
        // The api's: its task 1 highlighted again.
        timeline->sourcePicker()->pick(0);
        QCOMPARE(canvas->selectedTask(), std::optional(TimelineTask{0, 1}));
        // "All sources", first in the box, brings every lane back.
        QComboBox *box = timeline->sourcePicker()->box();
        QCOMPARE(box->itemText(0), QStringLiteral("All sources"));
        box->setFocus();
        QTest::keyClick(box, Qt::Key_Home); // what choosing an item does: activated()
        QCOMPARE(box->currentText(), QStringLiteral("All sources"));
        QVERIFY(timeline->sourcePicker()->showsAll());
        QCOMPARE(timeline->session(), nullptr);
        QCOMPARE(canvas->layoutData().sources.size(), 2);
        QCOMPARE(canvas->selectedTask(), std::optional(TimelineTask{0, 1}));
    }

    void theTimelinesChoiceOfSourcesIsRemembered()
    {
        const TwoSourceRecording recording;
        QVERIFY(recording.written);
        const MainWindowOptions options{.settingsPath = recording.dir.filePath(QStringLiteral("monitor.ini")),
                                        .restoreState = true,
                                        .discoveryDirectory = recording.dir.path()};
        {
            MonitorSession session;
            MainWindow window(&session, options);
            QVERIFY(window.timeline()->allSources()); // by default, as the tasks table shows them all
        }
        for (const bool all : {false, true}) {
            {
                MonitorSession session;
                MainWindow window(&session, options);
                window.timeline()->setAllSources(all);
                window.saveSettings();
            }
            MonitorSession session;
            MainWindow window(&session, options);
            QCOMPARE(window.timeline()->allSources(), all);
            // Restored with one source, it applies when the others come.
            window.openRecording(recording.path);
            QCOMPARE(window.sources()->count(), 2);
            QCOMPARE(window.timeline()->sourcePicker()->showsAll(), all);
            QCOMPARE(window.timeline()->session(), all ? nullptr : &session);
        }
    }

    void theSourcesAreSavedAndNoToken()
    {
        QTemporaryDir dir;
        const QString tokenFile = dir.filePath(QStringLiteral("build.token"));
        QVERIFY(monitortest::writeFile(tokenFile, "the-secret-token-value\n"));
        QVERIFY(QFile::setPermissions(tokenFile, QFile::ReadOwner | QFile::WriteOwner));
        const QString ini = dir.filePath(QStringLiteral("monitor.ini"));
        const QString local = testing::uniqueSocketName("fleet-saved");
        {
            MonitorSession session;
            MainWindow window(&session, MainWindowOptions{.settingsPath = ini, .restoreState = false, .discoveryDirectory = dir.path()});
            QVERIFY(window.watchSocket(local, QStringLiteral("api")));
            // Port 9 on loopback: nothing answers; it keeps trying, which is all this needs.
            QCOMPARE(window.addSource({.label = QStringLiteral("build"),
                                       .address = QStringLiteral("tcp://127.0.0.1:9"),
                                       .remote = {.tokenFile = tokenFile, .insecure = true}}),
                     std::nullopt);
            window.saveSettings();
        }
        QFile file(ini);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray saved = file.readAll();
        QVERIFY2(!saved.contains("the-secret-token-value"), saved.constData());
        QVERIFY(saved.contains("build.token")); // where it is, only

        MonitorSession session;
        MainWindow window(&session, MainWindowOptions{.settingsPath = ini, .restoreState = false, .discoveryDirectory = dir.path()});
        const QList<SourceSpec> restored = window.savedSources();
        QCOMPARE(restored.size(), 2);
        QCOMPARE(restored.at(0).label, QStringLiteral("api"));
        QCOMPARE(restored.at(0).address, local);
        QCOMPARE(restored.at(1).label, QStringLiteral("build"));
        QCOMPARE(restored.at(1).address, QStringLiteral("tcp://127.0.0.1:9"));
        QCOMPARE(restored.at(1).remote.tokenFile, tokenFile);
        QVERIFY(restored.at(1).remote.insecure);
    }

    void aRecordingOfSeveralSourcesOpensAsThatManySources()
    {
        const TwoSourceRecording recording;
        QVERIFY(recording.written);
        const QTemporaryDir &dir = recording.dir;
        Window w;
        QVERIFY(openAndRead(w, recording.path));
        SourceSet &sources = *w.window.sources();
        QCOMPARE(sources.count(), 2);
        QCOMPARE(sources.label(0), QStringLiteral("api"));
        QCOMPARE(sources.label(1), QStringLiteral("worker"));
        MonitorSession *worker = sources.session(1);
        QCOMPARE(w.session.store().count(Phase::Started), 1);
        QCOMPARE(worker->store().count(Phase::Scheduled), 2);
        QCOMPARE(w.session.runNumber(), 1);
        QCOMPARE(worker->runNumber(), 1);
        QVERIFY2(w.session.recordingSummary()->isClean(), qPrintable(w.session.recordingSummary()->describe()));
        QVERIFY2(worker->recordingSummary()->isClean(), qPrintable(worker->recordingSummary()->describe()));

        // The CSV export says whose each task is: task 1 of each source, told apart.
        const QString csvPath = dir.filePath(QStringLiteral("tasks.csv"));
        QCOMPARE(w.window.exportCsv(csvPath), std::nullopt);
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = csv.readAll().trimmed().split('\n');
        QCOMPARE(rows.size(), 4); // the header and three tasks
        const auto count = [&rows](const QByteArray &prefix, const QByteArray &suffix) {
            return std::count_if(rows.cbegin(), rows.cend(),
                                 [&](const QByteArray &row) { return row.startsWith(prefix) && row.trimmed().endsWith(suffix); });
        };
        QCOMPARE(count("1,", ",api"), 1);
        QCOMPARE(count("1,", ",worker"), 1);
        QCOMPARE(count("2,", ",worker"), 1);

        // Another recording replaces both; a recording's sources are never saved as live ones.
        const QString single = dir.filePath(QStringLiteral("one.ndjson"));
        LineWriter c;
        QVERIFY(monitortest::writeFile(single, testing::Lines::join({c.hello(T0), c.snapshot(T0 + 1)})));
        w.window.openRecording(single);
        QCOMPARE(sources.count(), 1);
        w.window.saveSettings();
        QVERIFY(w.window.savedSources().isEmpty());
    }
};

QTEST_MAIN(tst_FleetWindow)
#include "tst_fleetwindow.moc"
