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
class ControlActions final : public QObject
{
    Q_OBJECT
public:
    //! Confirmation dialogs are children of \a dialogParent.
    ControlActions(MonitorSession *session, TasksView *tasks, MessageBanner *banner, QWidget *dialogParent);

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
    //! Adds \a actions (nullptr: a separator), with tooltips shown.
    static void fillMenu(QMenu *menu, const QList<QAction *> &actions);
    QList<quint64> liveSelectedIds() const;
    QList<quint64> liveMatchingIds() const;
    //! Closes the open question unanswered, saying \a why in the banner.
    void withdraw(const QString &why);
    void confirmCancelSelected();
    void confirmCancelMatching();
    void confirmDrain();
    void askToCancel(const QList<quint64> &ids, const QString &question, const QString &detail,
                     const protocol::Command &command);
    void send(const protocol::Command &command, const ControlTarget &target);
    void show(QDialog *dialog);
    void onAnswered(const CommandOutcome &outcome);
    void setEnabled(QAction *action, const QString &whyNot, const QString &tip);

    MonitorSession *m_session; // Not owning.
    TasksView *m_tasks;        // Not owning.
    MessageBanner *m_banner;   // Not owning.
    QWidget *m_dialogParent;   // Not owning.
    QAction *m_cancelSelected = nullptr;
    QAction *m_cancelMatching = nullptr;
    QAction *m_drain = nullptr;
    QPointer<QDialog> m_confirmation;
    std::chrono::milliseconds m_drainDeadline{10'000};
};

} // namespace afterwork::monitor
