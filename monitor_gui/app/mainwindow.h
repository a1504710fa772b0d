// SPDX-License-Identifier: MIT
#pragma once

#include "app/theme.h"
#include "app/viewid.h"

#include <afterwork/client/livesource.h>

#include <QtCore/QTimer>
#include <QtWidgets/QMainWindow>

#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QActionGroup;
class QLabel;
class QSettings;
class QTabWidget;
QT_END_NAMESPACE

namespace afterwork::monitor {

class ConnectionBar;
class ControlActions;
class DrainView;
class FailuresView;
class LogView;
class MessageBanner;
class MonitorSession;
class OverviewView;
class SourceSet;
class SourcesView;
struct SourceSpec;
class TasksView;
class TimelineView;
struct RecordingSummary;

struct MainWindowOptions
{
    //! An INI file for the window state; empty: the user's settings (QSettings defaults).
    QString settingsPath{};
    //! Restore geometry, view, splitters and theme from the settings.
    bool restoreState = true;
    //! Where the connection bar looks for publishers; empty: the system temporary directory,
    //! where EventPublisher puts plain names. Looking connects to every socket found there.
    QString discoveryDirectory{};
};

//! The dashboard's window: the connection bar, a message banner, the views in tabs (Ctrl+1…7;
//! Sources only while several sources are watched), the menus (open/save recordings, CSV export, theme) and a status bar. It drives the
//! views from the session's signals: one refresh per flush, plus a one-second clock for what
//! moves by itself (uptime, run times so far).
class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(MonitorSession *session, MainWindowOptions options = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    //! Watches \a socketName: a local socket, or `tls://HOST:PORT` (`tcp://` on loopback) reached
    //! with remoteOptions(). False when that is not possible; the log says why. It is the first
    //! source, the connection bar's, labelled \a label (empty: kept if the address is the same,
    //! else the address).
    bool watchSocket(const QString &socketName, const QString &label = {});
    //! Watches one more source besides the first; the error when it cannot (its label is taken,
    //! a missing token file, ...).
    std::optional<QString> addSource(const SourceSpec &spec);
    //! Stops watching the source labelled \a label and forgets its tasks. The first source is the
    //! connection bar's and stays: false for it and for an unknown label.
    bool removeSource(const QString &label);
    //! The sources saved by saveSettings(), to watch again at the next start.
    QList<SourceSpec> savedSources() const;
    //! How remote publishers are reached: token file, CA file, pin, plain TCP allowed. Saved in
    //! the settings (paths and the pin, never a token); File > Remote connection… edits them.
    void setRemoteOptions(const client::LiveSourceOptions &options);
    const client::LiveSourceOptions &remoteOptions() const noexcept { return m_remote; } //!< as set
    void openRecording(const QString &path, double speed = 0);

    void showView(ViewId view);
    ViewId currentView() const;
    QWidget *viewWidget(ViewId view) const;

    //! Writes the tasks the table shows (filtered, in its order) as CSV; the error on failure.
    std::optional<QString> exportCsv(const QString &path) const;
    //! Writes what was received as a recording; the error on failure.
    std::optional<QString> saveRecording(const QString &path) const;

    void setTheme(Theme theme);
    Theme theme() const noexcept { return m_theme; }

    //! Brings every view up to date now (before a screenshot).
    void refreshAll();
    void saveSettings() const;

    MonitorSession *session() const noexcept { return m_session; } //!< the first source
    SourceSet *sources() const noexcept { return m_sources; }     //!< every source
    SourcesView *sourcesView() const noexcept { return m_sourcesView; }
    ConnectionBar *connectionBar() const noexcept { return m_connectionBar; }
    MessageBanner *banner() const noexcept { return m_banner; }
    OverviewView *overview() const noexcept { return m_overview; }
    TasksView *tasks() const noexcept { return m_tasks; }
    FailuresView *failures() const noexcept { return m_failures; }
    DrainView *drain() const noexcept { return m_drain; }
    TimelineView *timeline() const noexcept { return m_timeline; }
    LogView *log() const noexcept { return m_log; }
    ControlActions *control() const noexcept { return m_control; }
    QTabWidget *tabs() const noexcept { return m_tabs; }
    QString statusText() const;

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void buildMenus();
    //! The first source flushed: the views that show it.
    void onFlushed();
    //! The sources flushed: the views of every source.
    void onSourcesFlushed();
    void onTick();
    void onRecordingEnded(const RecordingSummary &summary);
    void updateConnection();
    void updateStatusBar();
    void openRecordingDialog();
    void saveRecordingDialog();
    void exportCsvDialog();
    void remoteDialog();
    void addSourceDialog();
    void removeSourceDialog();
    //! Follows \a session, one of the sources besides the first.
    void watchAdded(MonitorSession *session);
    void updateSourcesTab();
    //! \a session's source began shutting down: its drain comes to the front.
    void onShutdownStarted(MonitorSession *session);
    std::unique_ptr<QSettings> settings() const;
    void restoreSettings();

    MonitorSession *m_session; // Not owning.
    MainWindowOptions m_options;
    SourceSet *m_sources = nullptr;
    ConnectionBar *m_connectionBar = nullptr;
    MessageBanner *m_banner = nullptr;
    QTabWidget *m_tabs = nullptr;
    OverviewView *m_overview = nullptr;
    TasksView *m_tasks = nullptr;
    FailuresView *m_failures = nullptr;
    DrainView *m_drain = nullptr;
    TimelineView *m_timeline = nullptr;
    LogView *m_log = nullptr;
    SourcesView *m_sourcesView = nullptr;
    ControlActions *m_control = nullptr;
    QLabel *m_status = nullptr;
    QActionGroup *m_themeActions = nullptr;
    QTimer m_tick;
    Theme m_theme = Theme::System;
    client::LiveSourceOptions m_remote;
};

} // namespace afterwork::monitor
