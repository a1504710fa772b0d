// SPDX-License-Identifier: MIT
#include "app/mainwindow.h"

#include "app/appidentity.h"
#include "app/controlactions.h"
#include "core/connectionstatus.h"
#include "core/formatting.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"
#include "core/taskcsv.h"
#include "models/taskfilterproxy.h"
#include "models/tasktablemodel.h"
#include "widgets/connectionbar.h"
#include "widgets/drainview.h"
#include "widgets/failuresview.h"
#include "widgets/logview.h"
#include "widgets/messagebanner.h"
#include "widgets/remotedialog.h"
#include "widgets/overviewview.h"
#include "widgets/phasestyle.h"
#include "widgets/sourcepicker.h"
#include "widgets/sourcesview.h"
#include "widgets/taskdetailspane.h"
#include "widgets/tasksview.h"
#include "widgets/timelineview.h"

#include <afterwork/client/filesource.h>

#include <QtCore/QFileInfo>
#include <QtCore/QSettings>
#include <QtGui/QAction>
#include <QtGui/QActionGroup>
#include <QtGui/QCloseEvent>
#include <QtWidgets/QApplication>
#include <QtWidgets/QFileDialog>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QInputDialog>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QMenuBar>
#include <QtWidgets/QSplitter>
#include <QtWidgets/QStatusBar>
#include <QtWidgets/QTabWidget>
#include <QtWidgets/QTableView>
#include <QtWidgets/QVBoxLayout>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

namespace {

//! The task table's saved header. A header state is kept by column position, so the key changes
//! whenever the columns do (v2: Progress before Error; v3: Source first): an older layout is then
//! not applied to the wrong columns, and the defaults are used once.
const QString tasksHeaderKey = QStringLiteral("tasks/header-v3");

} // namespace

MainWindow::MainWindow(MonitorSession *session, MainWindowOptions options, QWidget *parent)
    : QMainWindow(parent), m_session(session), m_options(std::move(options)), m_sources(new SourceSet(session, this))
{
    setWindowTitle(u"Afterwork monitor"_s);
    // Its own, not only the application's: a window embedded in another program keeps it too.
    setWindowIcon(applicationIcon());
    setObjectName(u"afterworkMonitor"_s);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_connectionBar = new ConnectionBar(central);
    if (!m_options.discoveryDirectory.isEmpty())
        m_connectionBar->discovery()->setDirectory(m_options.discoveryDirectory);
    layout->addWidget(m_connectionBar);
    m_banner = new MessageBanner(central);
    layout->addWidget(m_banner);

    m_tabs = new QTabWidget(central);
    m_tabs->setDocumentMode(true);
    m_overview = new OverviewView(m_sources, m_tabs);
    m_tasks = new TasksView(m_sources, m_tabs);
    m_failures = new FailuresView(m_sources, m_tabs);
    m_drain = new DrainView(m_sources, m_tabs);
    m_timeline = new TimelineView(m_sources, m_tabs);
    m_log = new LogView(m_sources, m_tabs);
    m_sourcesView = new SourcesView(m_sources, m_tabs);
    // In ViewId order.
    m_tabs->addTab(m_overview, u"Overview"_s);
    m_tabs->addTab(m_tasks, u"Tasks"_s);
    m_tabs->addTab(m_failures, u"Failures"_s);
    m_tabs->addTab(m_drain, u"Shutdown"_s);
    m_tabs->addTab(m_timeline, u"Timeline"_s);
    m_tabs->addTab(m_log, u"Log"_s);
    m_tabs->addTab(m_sourcesView, u"Sources"_s);
    for (int i = 0; i < ViewCount; ++i)
        m_tabs->setTabToolTip(i, u"Ctrl+%1"_s.arg(i + 1));
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    m_status = new QLabel(this);
    m_status->setObjectName(u"statusText"_s);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // long text is cut, never widens the window
    statusBar()->addPermanentWidget(m_status, 1);

    connect(m_connectionBar, &ConnectionBar::connectRequested, this, [this](const QString &socketName) { watchSocket(socketName); });
    const auto showTasks = [this](const QString &expression) {
        m_tasks->setFilterText(expression);
        showView(ViewId::Tasks);
    };
    connect(m_failures, &FailuresView::showTasksRequested, this, showTasks);
    connect(m_sourcesView, &SourcesView::showTasksRequested, this, showTasks);
    connect(m_sources, &SourceSet::sourceAdded, this, [this](int index) { watchAdded(m_sources->session(index)); });
    connect(m_sources, &SourceSet::sourceRemoved, this, [this] {
        updateSourcesTab();
        m_failures->refresh();
        updateStatusBar();
    });
    // The timeline's tasks come with their source: task ids are each source's own.
    connect(m_timeline, &TimelineView::showTaskRequested, this, [this](MonitorSession *source, quint64 id) {
        if (!m_tasks->selectTask(source, id)) {
            m_tasks->setFilterText(QString()); // it may be filtered out
            m_tasks->selectTask(source, id);
        }
        showView(ViewId::Tasks);
    });
    connect(m_timeline, &TimelineView::taskSelected, m_tasks, qOverload<const MonitorSession *, quint64>(&TasksView::selectTask));
    connect(m_tasks->table()->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { m_timeline->setSelectedTask(m_tasks->details()->session(), m_tasks->selectedTask()); });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] { refreshAll(); });

    connect(session, &MonitorSession::flushed, this, &MainWindow::onFlushed);
    connect(m_sources, &SourceSet::flushed, this, &MainWindow::onSourcesFlushed);
    connect(session, &MonitorSession::connectionChanged, this, &MainWindow::updateConnection);
    connect(session, &MonitorSession::sourceReplaced, this, [this] {
        m_banner->hide();
        refreshAll();
    });
    connect(session, &MonitorSession::shutdownStarted, this, [this, session] { onShutdownStarted(session); });
    connect(session, &MonitorSession::runStarted, this, [this](int run, const client::SourceInfo &source) {
        m_tabs->setTabIcon(int(ViewId::Shutdown), QIcon());
        if (run > 1)
            m_banner->showMessage(MessageBanner::Level::Info,
                                  u"The source restarted: this is run #%1 (%2, pid %3). Tasks of the previous run are gone."_s.arg(run)
                                      .arg(source.app)
                                      .arg(source.pid));
    });
    connect(session, &MonitorSession::recordingEnded, this, &MainWindow::onRecordingEnded);
    // After the window's own handlers: a question withdrawn by a restart says so last, in the banner.
    m_control = new ControlActions(m_sources, m_tasks, m_banner, this);
    buildMenus();

    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &MainWindow::onTick);
    m_tick.start();

    resize(1280, 800);
    if (m_options.restoreState)
        restoreSettings();
    updateSourcesTab();
    updateConnection();
    updateStatusBar();
    m_connectionBar->rescan();
}

MainWindow::~MainWindow()
{
    // The views and the actions read the sources until they go: they go first, while the
    // sources (a child made before them) are still there.
    delete m_control;
    delete takeCentralWidget();
}

std::unique_ptr<QSettings> MainWindow::settings() const
{
    if (!m_options.settingsPath.isEmpty())
        return std::make_unique<QSettings>(m_options.settingsPath, QSettings::IniFormat);
    return std::make_unique<QSettings>(u"Afterwork"_s, u"afterwork-monitor"_s);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(u"&File"_s);
    QAction *open = file->addAction(u"&Open recording…"_s, this, &MainWindow::openRecordingDialog);
    open->setShortcut(QKeySequence::Open);
    QAction *save = file->addAction(u"&Save recording…"_s, this, &MainWindow::saveRecordingDialog);
    save->setShortcut(QKeySequence::Save);
    QAction *csv = file->addAction(u"&Export table as CSV…"_s, this, &MainWindow::exportCsvDialog);
    csv->setShortcut(QKeySequence(u"Ctrl+E"_s));
    file->addSeparator();
    QAction *reconnect = file->addAction(u"&Watch socket"_s, this, [this] { watchSocket(m_connectionBar->socketName()); });
    reconnect->setShortcut(QKeySequence(u"Ctrl+R"_s));
    file->addAction(u"Remote &connection…"_s, this, &MainWindow::remoteDialog);
    file->addSeparator();
    file->addAction(u"&Add source…"_s, this, &MainWindow::addSourceDialog)->setObjectName(u"addSourceAction"_s);
    file->addAction(u"Re&move source…"_s, this, &MainWindow::removeSourceDialog)->setObjectName(u"removeSourceAction"_s);
    file->addSeparator();
    QAction *quit = file->addAction(u"&Quit"_s, this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(u"&View"_s);
    for (int i = 0; i < ViewCount; ++i) {
        QAction *action = view->addAction(m_tabs->tabText(i), this, [this, i] { showView(ViewId(i)); });
        action->setShortcut(QKeySequence(u"Ctrl+%1"_s.arg(i + 1)));
        action->setShortcutContext(Qt::ApplicationShortcut);
    }
    view->addSeparator();
    QAction *filter = view->addAction(u"&Filter tasks"_s, this, [this] {
        showView(ViewId::Tasks);
        m_tasks->searchBox()->setFocus();
        m_tasks->searchBox()->selectAll();
    });
    filter->setShortcut(QKeySequence::Find);
    view->addSeparator();
    QMenu *themes = view->addMenu(u"&Theme"_s);
    m_themeActions = new QActionGroup(this);
    for (const Theme theme : {Theme::System, Theme::Light, Theme::Dark}) {
        const QString label = theme == Theme::System ? u"Follow the &desktop"_s : theme == Theme::Light ? u"&Light"_s : u"D&ark"_s;
        QAction *action = themes->addAction(label, this, [this, theme] { setTheme(theme); });
        action->setCheckable(true);
        action->setData(int(theme));
        action->setChecked(theme == m_theme);
        m_themeActions->addAction(action);
    }

    // Acting on the source (docs/monitor.md): disabled, saying why, unless it allows control.
    QMenu *control = menuBar()->addMenu(u"&Control"_s);
    m_control->fillMenu(control);
    connect(control, &QMenu::aboutToShow, m_control, &ControlActions::update);
}

bool MainWindow::watchSocket(const QString &socketName, const QString &label)
{
    m_connectionBar->setSocketName(socketName);
    // The remote options are for remote publishers only: a local socket needs none.
    const client::LiveSourceOptions remote = client::isRemoteConnectArgument(socketName) ? m_remote : client::LiveSourceOptions{};
    if (!m_session->watchSocket(socketName, remote))
        return false;
    const SourceSpec &current = m_sources->spec(0);
    m_sources->setPrimarySpec({.label = !label.isEmpty() ? label : current.address == socketName ? current.label : QString(),
                               .address = socketName,
                               .remote = remote});
    return true;
}

std::optional<QString> MainWindow::addSource(const SourceSpec &spec)
{
    QString error;
    if (!m_sources->addSource(spec, &error))
        return error;
    return std::nullopt;
}

bool MainWindow::removeSource(const QString &label)
{
    return m_sources->removeSource(m_sources->indexOf(label));
}

void MainWindow::watchAdded(MonitorSession *session)
{
    // The views of one source follow it when it is the one shown; the tables of every source
    // follow the set (onSourcesFlushed()).
    connect(session, &MonitorSession::flushed, this, [this, session] {
        if (m_timeline->shows(session))
            m_timeline->refresh();
        if (m_overview->session() == session && m_overview->isVisible())
            m_overview->refresh();
        if (m_log->sourcePicker()->session() == session)
            m_log->refresh();
        if (m_drain->session() == session)
            m_drain->refresh();
    });
    connect(session, &MonitorSession::connectionChanged, m_sourcesView, &SourcesView::refresh);
    connect(session, &MonitorSession::shutdownStarted, this, [this, session] { onShutdownStarted(session); });
    updateSourcesTab();
    updateStatusBar();
}

void MainWindow::onShutdownStarted(MonitorSession *session)
{
    // The drain is what matters now: bring it, of that source, to the front.
    m_drain->sourcePicker()->pick(m_sources->indexOf(session));
    m_tabs->setTabIcon(int(ViewId::Shutdown), phasestyle::icon(Phase::ShutdownPending, phasestyle::isDark(palette())));
    showView(ViewId::Shutdown);
}

void MainWindow::updateSourcesTab()
{
    // One source is the dashboard as it always was: no Sources tab, no Source column.
    const bool several = m_sources->count() > 1;
    m_tabs->setTabVisible(int(ViewId::Sources), several);
    m_sourcesView->refresh();
}

void MainWindow::addSourceDialog()
{
    bool ok = false;
    const QString argument = QInputDialog::getText(this, u"Add source"_s,
                                                   u"Socket name or path, or tls://HOST:PORT; LABEL=ADDRESS names it:"_s,
                                                   QLineEdit::Normal, QString(), &ok);
    if (!ok || argument.trimmed().isEmpty())
        return;
    QString error;
    std::optional<client::ConnectSpec> parsed = client::parseConnectSpec(argument.trimmed(), &error);
    if (!parsed) {
        m_banner->showMessage(MessageBanner::Level::Error, u"Cannot add the source: %1."_s.arg(error));
        return;
    }
    SourceSpec spec{.label = parsed->label, .address = parsed->address};
    if (client::isRemoteConnectArgument(spec.address)) {
        // The same settings as the connection bar's remote source, to start from.
        RemoteDialog dialog(m_remote, this);
        dialog.setWindowTitle(u"Reach %1"_s.arg(spec.address));
        if (dialog.exec() != QDialog::Accepted)
            return;
        spec.remote = dialog.options();
    }
    if (const auto failed = addSource(spec))
        m_banner->showMessage(MessageBanner::Level::Error, u"Cannot add %1: %2"_s.arg(spec.label, *failed));
    else
        m_banner->showMessage(MessageBanner::Level::Info, u"Watching %1 as well (%2 sources)."_s.arg(spec.label).arg(m_sources->count()));
}

void MainWindow::removeSourceDialog()
{
    QStringList labels;
    for (int i = 1; i < m_sources->count(); ++i)
        labels << m_sources->label(i);
    if (labels.isEmpty()) {
        m_banner->showMessage(MessageBanner::Level::Info,
                              u"Only the connection bar's source is watched: change it there, or add another with File > Add source…"_s);
        return;
    }
    bool ok = false;
    const QString label = QInputDialog::getItem(this, u"Remove source"_s, u"Stop watching:"_s, labels, 0, false, &ok);
    if (ok && removeSource(label))
        m_banner->showMessage(MessageBanner::Level::Info, u"Stopped watching %1."_s.arg(label));
}

void MainWindow::setRemoteOptions(const client::LiveSourceOptions &options)
{
    m_remote = options;
}

void MainWindow::remoteDialog()
{
    RemoteDialog dialog(m_remote, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    setRemoteOptions(dialog.options());
    if (client::isRemoteConnectArgument(m_connectionBar->socketName()))
        watchSocket(m_connectionBar->socketName());
}

void MainWindow::openRecording(const QString &path, double speed)
{
    // The sources of the recording read before go with it.
    for (int i = m_sources->count() - 1; i > 0; --i) {
        if (m_sources->spec(i).recordingSource)
            m_sources->removeSource(i);
    }
    // A recording of several sources (`afterwork record` with several --connect) is read as that
    // many sources, each on its own, as they were recorded; one without names as it is.
    const QStringList names = client::recordingSources(path);
    if (names.size() <= 1 || names.first().isEmpty()) {
        m_session->openRecording(path, speed, names.value(0).isEmpty() ? std::nullopt : std::optional(names.value(0)));
        m_sources->setPrimarySpec({.label = names.value(0).isEmpty() ? QFileInfo(path).fileName() : names.value(0), .address = path});
        return;
    }
    m_session->openRecording(path, speed, names.first());
    m_sources->setPrimarySpec({.label = names.first(), .address = path, .recordingSource = names.first()});
    for (qsizetype i = 1; i < names.size(); ++i) {
        if (const auto error = addSource({.label = names[i], .address = path, .recordingSource = names[i], .recordingSpeed = speed}))
            m_banner->showMessage(MessageBanner::Level::Error, u"Could not read source '%1' of %2: %3"_s.arg(names[i], path, *error));
    }
}

void MainWindow::showView(ViewId view)
{
    // Sources (Ctrl+7, --view sources) is there only while several sources are watched.
    if (m_tabs->isTabVisible(int(view)))
        m_tabs->setCurrentIndex(int(view));
}

ViewId MainWindow::currentView() const
{
    return ViewId(std::clamp(m_tabs->currentIndex(), 0, ViewCount - 1));
}

QWidget *MainWindow::viewWidget(ViewId view) const
{
    return m_tabs->widget(int(view));
}

void MainWindow::onFlushed()
{
    m_drain->refresh();
    m_log->refresh();
    // The painted views only when shown: they catch up when they are.
    if (m_overview->isVisible())
        m_overview->refresh();
    m_timeline->refresh();
}

void MainWindow::onSourcesFlushed()
{
    // Once for all the sources that flushed together, however many there are.
    m_tasks->refresh();
    m_failures->refresh();
    if (m_sourcesView->isVisible())
        m_sourcesView->refresh();
    updateStatusBar();
}

void MainWindow::onTick()
{
    updateConnection();
    m_log->refresh();
    if (m_sourcesView->isVisible())
        m_sourcesView->refresh(); // "last seen" and the rates move by themselves
    // Live sources' clocks move by themselves (with several, some of them are live).
    if (m_session->sourceKind() == MonitorSession::SourceKind::Live || m_sources->count() > 1) {
        if (m_overview->isVisible())
            m_overview->refresh();
        if (m_tasks->isVisible())
            m_tasks->refresh();
        if (m_timeline->isVisible())
            m_timeline->refresh();
    }
    updateStatusBar();
}

void MainWindow::refreshAll()
{
    m_overview->refresh();
    m_tasks->refresh();
    m_failures->refresh();
    m_drain->refresh();
    m_timeline->refreshNow();
    m_log->refresh();
    m_sourcesView->refresh();
    updateConnection();
    updateStatusBar();
}

void MainWindow::updateConnection()
{
    m_connectionBar->setStatus(ConnectionStatus::describe(*m_session));
    const auto &source = m_session->store().source();
    setWindowTitle(source ? u"%1 — Afterwork monitor"_s.arg(source->app) : u"Afterwork monitor"_s);
}

void MainWindow::updateStatusBar()
{
    const client::TaskStore &store = m_session->store();
    QStringList parts;
    // With several sources the figures are the connection bar's source's (the Sources tab has
    // every source's): say whose.
    const QString whose = m_sources->count() > 1 ? u"%1 sources — %2: "_s.arg(m_sources->count()).arg(m_sources->label(0)) : QString();
    parts << whose + u"%1 events"_s.arg(formatCount(m_session->linesReceived()));
    if (m_session->sourceKind() == MonitorSession::SourceKind::Live)
        parts << u"%1 ev/s"_s.arg(formatCount(qint64(m_session->lineRate())));
    parts << u"%1 malformed"_s.arg(formatCount(m_session->malformedLines()));
    parts << u"%1 gaps (%2 missed)"_s.arg(store.gapCount()).arg(formatCount(store.missedEvents()));
    parts << u"%1 live · %2 finished kept (limit %3)"_s.arg(formatCount(store.liveCount()), formatCount(store.finishedCount()),
                                                           formatCount(store.options().finishedLimit));
    if (m_session->recording().isTruncated())
        parts << u"recording full (%1 lines kept)"_s.arg(formatCount(m_session->recording().lineCount()));
    m_status->setText(parts.join(u"  ·  "_s));
}

QString MainWindow::statusText() const
{
    return m_status->text();
}

void MainWindow::onRecordingEnded(const RecordingSummary &summary)
{
    MessageBanner::Level level = MessageBanner::Level::Info;
    if (summary.error)
        level = MessageBanner::Level::Error;
    else if (!summary.isClean())
        level = MessageBanner::Level::Warning;
    m_banner->showMessage(level, summary.describe());
    refreshAll();
}

std::optional<QString> MainWindow::exportCsv(const QString &path) const
{
    const TaskFilterProxy *proxy = m_tasks->proxy();
    QList<TaskCsvRow> rows;
    rows.reserve(proxy->rowCount());
    for (int row = 0; row < proxy->rowCount(); ++row)
        rows.append({proxy->taskAtRow(row), proxy->sourceLabelAtRow(row)});
    return writeTasksCsv(path, rows);
}

std::optional<QString> MainWindow::saveRecording(const QString &path) const
{
    return m_session->saveRecording(path);
}

void MainWindow::openRecordingDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, u"Open recording"_s, QString(), u"Afterwork recordings (*.ndjson *.jsonl *.log);;All files (*)"_s);
    if (!path.isEmpty())
        openRecording(path);
}

void MainWindow::saveRecordingDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, u"Save recording"_s, u"afterwork-recording.ndjson"_s, u"Afterwork recordings (*.ndjson)"_s);
    if (path.isEmpty())
        return;
    if (const auto error = saveRecording(path)) {
        m_banner->showMessage(MessageBanner::Level::Error, u"Could not save the recording: %1"_s.arg(*error));
    } else {
        QString text = u"Saved the recording to %1."_s.arg(path);
        if (m_session->recording().isTruncated())
            text += u" It stops after %1 lines: the recording limit was reached."_s.arg(formatCount(m_session->recording().lineCount()));
        m_banner->showMessage(m_session->recording().isTruncated() ? MessageBanner::Level::Warning : MessageBanner::Level::Info, text);
    }
}

void MainWindow::exportCsvDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, u"Export tasks as CSV"_s, u"afterwork-tasks.csv"_s, u"CSV (*.csv)"_s);
    if (path.isEmpty())
        return;
    if (const auto error = exportCsv(path))
        m_banner->showMessage(MessageBanner::Level::Error, u"Could not export: %1"_s.arg(*error));
    else
        m_banner->showMessage(MessageBanner::Level::Info, u"Exported %1 tasks to %2."_s.arg(m_tasks->proxy()->rowCount()).arg(path));
}

void MainWindow::setTheme(Theme theme)
{
    m_theme = theme;
    applyTheme(theme);
    if (m_themeActions) {
        for (QAction *action : m_themeActions->actions())
            action->setChecked(action->data().toInt() == int(theme));
    }
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) {
        // Phase colours have light and dark variants: repaint with the right ones.
        updateConnection();
        if (drain() && !m_tabs->tabIcon(int(ViewId::Shutdown)).isNull())
            m_tabs->setTabIcon(int(ViewId::Shutdown), phasestyle::icon(Phase::ShutdownPending, phasestyle::isDark(palette())));
        update();
    }
}

void MainWindow::saveSettings() const
{
    const auto store = settings();
    store->setValue(u"window/geometry"_s, saveGeometry());
    store->setValue(u"window/state"_s, saveState());
    store->setValue(u"window/view"_s, viewName(currentView()));
    store->setValue(tasksHeaderKey, m_tasks->table()->horizontalHeader()->saveState());
    store->setValue(u"tasks/splitter"_s, m_tasks->splitter()->saveState());
    store->setValue(u"timeline/grouping"_s, m_timeline->grouping() == TimelineGrouping::Name ? u"name"_s : u"mode"_s);
    store->setValue(u"timeline/sources"_s, m_timeline->allSources() ? u"all"_s : u"one"_s);
    store->setValue(u"connection/socket"_s, m_connectionBar->socketName());
    // Where the token is, never the token.
    store->setValue(u"connection/tokenFile"_s, m_remote.tokenFile);
    store->setValue(u"connection/caFile"_s, m_remote.caFile);
    store->setValue(u"connection/pin"_s, m_remote.pin);
    store->setValue(u"connection/insecure"_s, m_remote.insecure);
    // The live sources, to watch again at the next start (a recording is not one).
    QList<SourceSpec> live = m_sources->specs();
    if (m_session->sourceKind() != MonitorSession::SourceKind::Live)
        live.removeFirst();
    live.removeIf([](const SourceSpec &spec) { return spec.recordingSource.has_value(); });
    writeSourceList(*store, live);
    store->setValue(u"theme"_s, themeName(m_theme));
}

QList<SourceSpec> MainWindow::savedSources() const
{
    return readSourceList(*settings());
}

void MainWindow::restoreSettings()
{
    const auto store = settings();
    restoreGeometry(store->value(u"window/geometry"_s).toByteArray());
    restoreState(store->value(u"window/state"_s).toByteArray());
    if (const auto view = viewFromName(store->value(u"window/view"_s).toString()))
        showView(*view);
    m_tasks->table()->horizontalHeader()->restoreState(store->value(tasksHeaderKey).toByteArray());
    m_tasks->splitter()->restoreState(store->value(u"tasks/splitter"_s).toByteArray());
    m_timeline->setGrouping(store->value(u"timeline/grouping"_s).toString() == u"name"_s ? TimelineGrouping::Name : TimelineGrouping::Mode);
    m_timeline->setAllSources(store->value(u"timeline/sources"_s).toString() != u"one"_s);
    const QString socket = store->value(u"connection/socket"_s).toString();
    if (!socket.isEmpty())
        m_connectionBar->setSocketName(socket);
    m_remote.tokenFile = store->value(u"connection/tokenFile"_s).toString();
    m_remote.caFile = store->value(u"connection/caFile"_s).toString();
    m_remote.pin = store->value(u"connection/pin"_s).toString();
    m_remote.insecure = store->value(u"connection/insecure"_s).toBool();
    setTheme(themeFromName(store->value(u"theme"_s).toString()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

} // namespace afterwork::monitor
