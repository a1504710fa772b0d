// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/protocol/command.h>

#include <QtCore/QObject>
#include <QtCore/QPointer>

#include <chrono>

QT_BEGIN_NAMESPACE
class QAction;
class QDialog;
class QMenu;
class QWidget;
QT_END_NAMESPACE

namespace afterwork::monitor {

class MessageBanner;
class MonitorSession;
class SourceSet;
class TasksView;
struct CommandOutcome;
struct ControlTarget;

//! The dashboard's actions on its source (docs/monitor.md, "Acting on the source"): cancel the
//! selected tasks (also the Delete key in the table), cancel every live task matching the filter,
//! and drain the server with a deadline.
//!
//! Each asks for confirmation in a window-modal dialog that names how many tasks it affects; the
//! dialog is opened with open(), never exec(), so the views keep updating behind it. An action is
//! disabled, its tooltip saying why, while the session cannot control its source (a recording, a
//! read-only source, not connected, --read-only). The outcome of each command ("3 tasks
//! cancelled", "refused: …") is shown in the message banner and logged.
//!
//! A command goes to one source only: with several sources watched, the source of the selected
//! tasks (none while the selection spans several sources, or nothing is selected).
class ControlActions final : public QObject
{
    Q_OBJECT
public:
    //! Confirmation dialogs are children of \a dialogParent.
    ControlActions(SourceSet *sources, TasksView *tasks, MessageBanner *banner, QWidget *dialogParent);

    QAction *cancelSelectedAction() const noexcept { return m_cancelSelected; } //!< Delete
    QAction *cancelMatchingAction() const noexcept { return m_cancelMatching; } //!< "Cancel all matching the filter"
    QAction *drainAction() const noexcept { return m_drain; }                   //!< "Drain server"

    //! The confirmation on screen, if any (one at a time).
    QDialog *confirmation() const { return m_confirmation.data(); }

    //! Re-evaluates what is enabled and each tooltip.
    void update();
    //! A menu with the actions, showing the disabled ones' tooltips.
    void fillMenu(QMenu *menu) const;

private:
    //! The source a command would go to now, or nullptr and why there is none.
    struct Target
    {
        MonitorSession *session = nullptr;
        QString whyNone;
    };
    //! Adds \a actions (nullptr: a separator), with tooltips shown.
    static void fillMenu(QMenu *menu, const QList<QAction *> &actions);
    Target target() const;
    //! Follows \a session's connection, flushes and command outcomes.
    void watch(MonitorSession *session);
    QList<quint64> liveSelectedIds(const MonitorSession *session) const;
    QList<quint64> liveMatchingIds(const MonitorSession *session) const;
    //! "api: " while several sources are watched, else "".
    QString sourcePrefix(const MonitorSession *session) const;
    //! Closes the open question unanswered, saying \a why in the banner.
    void withdraw(const QString &why);
    void confirmCancelSelected();
    void confirmCancelMatching();
    void confirmDrain();
    void askToCancel(MonitorSession *session, const QList<quint64> &ids, const QString &question, const QString &detail,
                     const protocol::Command &command);
    void send(const QPointer<MonitorSession> &session, const protocol::Command &command, const ControlTarget &target);
    void show(QDialog *dialog, MonitorSession *session);
    void onAnswered(const MonitorSession *session, const CommandOutcome &outcome);
    void setEnabled(QAction *action, const QString &whyNot, const QString &tip);

    SourceSet *m_sources;      // Not owning.
    TasksView *m_tasks;        // Not owning.
    MessageBanner *m_banner;   // Not owning.
    QWidget *m_dialogParent;   // Not owning.
    QAction *m_cancelSelected = nullptr;
    QAction *m_cancelMatching = nullptr;
    QAction *m_drain = nullptr;
    QPointer<QDialog> m_confirmation;
    QPointer<MonitorSession> m_questionSession; // the source the open question is about
    std::chrono::milliseconds m_drainDeadline{10'000};
};

} // namespace afterwork::monitor
