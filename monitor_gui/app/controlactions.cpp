// SPDX-License-Identifier: MIT
#include "app/controlactions.h"

#include "core/formatting.h"
#include "core/monitorsession.h"
#include "models/taskfilterproxy.h"
#include "widgets/draindialog.h"
#include "widgets/messagebanner.h"
#include "widgets/tasksview.h"

#include <QtGui/QAction>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QMenu>
#include <QtWidgets/QMessageBox>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QTableView>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

namespace {

//! Tasks a confirmation lists by name; beyond it, only their number.
constexpr int tasksListed = 8;

//! "Some text" → "Some text.", for the banner.
QString sentence(const QString &text)
{
    return text.isEmpty() ? text : text.at(0).toUpper() + text.mid(1) + u'.';
}

QString liveTaskCount(qsizetype count)
{
    return formatTasks(count, u"live");
}

} // namespace

ControlActions::ControlActions(MonitorSession *session, TasksView *tasks, MessageBanner *banner, QWidget *dialogParent)
    : QObject(dialogParent), m_session(session), m_tasks(tasks), m_banner(banner), m_dialogParent(dialogParent)
{
    m_cancelSelected = new QAction(u"&Cancel selected tasks…"_s, this);
    m_cancelSelected->setObjectName(u"cancelSelectedAction"_s);
    m_cancelSelected->setShortcut(QKeySequence::Delete);
    // Only where the selection is: Delete in the filter box edits the filter.
    m_cancelSelected->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    tasks->table()->addAction(m_cancelSelected);
    connect(m_cancelSelected, &QAction::triggered, this, &ControlActions::confirmCancelSelected);

    m_cancelMatching = new QAction(u"Cancel all &matching the filter…"_s, this);
    m_cancelMatching->setObjectName(u"cancelMatchingAction"_s);
    connect(m_cancelMatching, &QAction::triggered, this, &ControlActions::confirmCancelMatching);

    m_drain = new QAction(u"&Drain server…"_s, this);
    m_drain->setObjectName(u"drainAction"_s);
    connect(m_drain, &QAction::triggered, this, &ControlActions::confirmDrain);

    QTableView *table = tasks->table();
    table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(table, &QWidget::customContextMenuRequested, this, [this, table](const QPoint &position) {
        auto *menu = new QMenu(table);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        update();
        fillMenu(menu, {m_cancelSelected, m_cancelMatching});
        menu->popup(table->viewport()->mapToGlobal(position));
    });

    const auto refresh = [this] { update(); };
    connect(session, &MonitorSession::flushed, this, refresh);
    connect(session, &MonitorSession::connectionChanged, this, refresh);
    connect(session, &MonitorSession::sourceReplaced, this, refresh);
    connect(table->selectionModel(), &QItemSelectionModel::selectionChanged, this, refresh);
    connect(tasks->proxy(), &QAbstractItemModel::modelReset, this, refresh);
    connect(tasks->proxy(), &QAbstractItemModel::layoutChanged, this, refresh);
    connect(tasks->searchBox(), &QLineEdit::textChanged, this, refresh);
    connect(session, &MonitorSession::commandAnswered, this, &ControlActions::onAnswered);
    // A question asked about one run is not answered for another: a restart or another source
    // withdraws it, and so does a shutdown for "drain".
    connect(session, &MonitorSession::sourceReplaced, this, [this] { withdraw(u"the source was replaced"_s); });
    connect(session, &MonitorSession::runStarted, this, [this](int run) {
        if (run > 1)
            withdraw(u"the source restarted"_s);
    });
    connect(session, &MonitorSession::shutdownStarted, this, [this] {
        if (qobject_cast<DrainDialog *>(m_confirmation.data()))
            withdraw(u"the source began shutting down"_s);
    });
    update();
}

void ControlActions::withdraw(const QString &why)
{
    if (!m_confirmation)
        return;
    m_confirmation->reject();
    const QString text = u"The question was withdrawn: %1. Nothing was sent."_s.arg(why);
    m_session->log().append(SessionLog::Level::Info, text);
    m_banner->showMessage(MessageBanner::Level::Info, text);
}

QList<quint64> ControlActions::liveSelectedIds() const
{
    QList<quint64> ids;
    for (const quint64 id : m_tasks->selectedTaskIds()) {
        if (const client::TaskState *task = m_session->store().task(id); task && task->isLive())
            ids.append(id);
    }
    return ids;
}

QList<quint64> ControlActions::liveMatchingIds() const
{
    // Over the live tasks only (not every row the table keeps), with the test the source applies.
    const client::TaskFilter &filter = m_tasks->proxy()->taskFilter();
    QList<quint64> ids;
    for (const quint64 id : m_session->store().liveTaskIds()) {
        if (const client::TaskState *task = m_session->store().task(id); task && filter.matches(task->task))
            ids.append(id);
    }
    return ids;
}

void ControlActions::fillMenu(QMenu *menu) const
{
    fillMenu(menu, {m_cancelSelected, m_cancelMatching, nullptr, m_drain});
}

void ControlActions::fillMenu(QMenu *menu, const QList<QAction *> &actions)
{
    menu->setToolTipsVisible(true); // a disabled action's tooltip says why
    for (QAction *action : actions) {
        if (action)
            menu->addAction(action);
        else
            menu->addSeparator();
    }
}

void ControlActions::setEnabled(QAction *action, const QString &whyNot, const QString &tip)
{
    action->setEnabled(whyNot.isEmpty());
    action->setToolTip(whyNot.isEmpty() ? tip : whyNot);
    action->setStatusTip(action->toolTip());
}

void ControlActions::update()
{
    const QString noControl = m_session->controlUnavailableReason();

    QString whyNotSelected = noControl;
    const qsizetype liveSelected = noControl.isEmpty() ? liveSelectedIds().size() : 0;
    if (whyNotSelected.isEmpty() && m_tasks->selectedTaskIds().isEmpty())
        whyNotSelected = u"Select live tasks in the table first."_s;
    else if (whyNotSelected.isEmpty() && liveSelected == 0)
        whyNotSelected = u"The selected tasks have already ended."_s;
    setEnabled(m_cancelSelected, whyNotSelected, u"Cancel the %1 selected (Delete)."_s.arg(liveTaskCount(liveSelected)));

    QString whyNotMatching = noControl;
    const client::TaskFilter &filter = m_tasks->proxy()->taskFilter();
    qsizetype liveMatching = 0;
    if (whyNotMatching.isEmpty() && !m_tasks->filterError().isEmpty())
        whyNotMatching = u"The filter does not parse."_s;
    else if (whyNotMatching.isEmpty() && filter.isEmpty())
        whyNotMatching = u"Type a filter first: without one it would cancel every task."_s;
    else if (whyNotMatching.isEmpty() && (liveMatching = liveMatchingIds().size()) == 0)
        whyNotMatching = u"No live task matches the filter."_s;
    setEnabled(m_cancelMatching, whyNotMatching, u"Cancel the %1 matching “%2”."_s.arg(liveTaskCount(liveMatching), filter.expression()));

    QString whyNotDrain = noControl;
    if (whyNotDrain.isEmpty() && m_session->drain().isActive())
        whyNotDrain = u"The source is already shutting down."_s;
    setEnabled(m_drain, whyNotDrain, u"Shut the source down gracefully, with a deadline."_s);
}

void ControlActions::confirmCancelSelected()
{
    update();
    if (!m_cancelSelected->isEnabled())
        return; // the shortcut of an action that just became disabled
    const QList<quint64> live = liveSelectedIds();
    // One command carries at most maxIdsPerCommand ids: the rest are named as left alone.
    const QList<quint64> ids = live.mid(0, protocol::maxIdsPerCommand);
    const QString question = ids.size() == live.size()
        ? u"Cancel the %1 selected?"_s.arg(liveTaskCount(ids.size()))
        : u"Cancel the first %1 of the %2 selected? One command cancels at most %1; select the rest again afterwards."_s
              .arg(ids.size())
              .arg(liveTaskCount(live.size()));
    askToCancel(ids, question, QString(), {.kind = protocol::CommandKind::Cancel, .ids = ids});
}

void ControlActions::confirmCancelMatching()
{
    update();
    if (!m_cancelMatching->isEnabled())
        return;
    const QList<quint64> ids = liveMatchingIds();
    const QString expression = m_tasks->proxy()->taskFilter().expression();
    askToCancel(ids, u"Cancel the %1 matching “%2”?"_s.arg(liveTaskCount(ids.size()), expression),
                u"The source applies the filter when the command arrives, to the tasks live then: the number "
                u"cancelled may differ a little from what is shown here."_s,
                {.kind = protocol::CommandKind::CancelMatching, .filter = expression});
}

void ControlActions::askToCancel(const QList<quint64> &ids, const QString &question, const QString &detail,
                                 const protocol::Command &command)
{
    QStringList listed;
    for (const quint64 id : ids.mid(0, tasksListed)) {
        const client::TaskState *task = m_session->store().task(id);
        listed << u"#%1 %2"_s.arg(id).arg(task ? task->task.name : QString());
    }
    if (ids.size() > tasksListed)
        listed << u"… and %1 more"_s.arg(ids.size() - tasksListed);

    auto *box = new QMessageBox(QMessageBox::Question, u"Cancel tasks"_s, question, QMessageBox::NoButton, m_dialogParent);
    box->setObjectName(u"cancelConfirmation"_s);
    box->setInformativeText((detail.isEmpty() ? QString() : detail + u"\n\n"_s) + listed.join(u'\n'));
    QPushButton *confirm = box->addButton(u"Cancel %1"_s.arg(formatTasks(ids.size())), QMessageBox::AcceptRole);
    confirm->setObjectName(u"confirmButton"_s);
    QPushButton *keep = box->addButton(u"Keep running"_s, QMessageBox::RejectRole);
    keep->setObjectName(u"rejectButton"_s);
    box->setDefaultButton(keep); // Enter keeps them: cancelling takes a deliberate click
    box->setEscapeButton(keep);
    const ControlTarget target = m_session->controlTarget();
    connect(box, &QMessageBox::finished, this, [this, box, confirm, command, target] {
        if (box->clickedButton() == confirm)
            send(command, target);
    });
    show(box);
}

void ControlActions::confirmDrain()
{
    update();
    if (!m_drain->isEnabled())
        return;
    const auto &source = m_session->store().source();
    auto *dialog = new DrainDialog(source ? u"%1 (pid %2)"_s.arg(source->app).arg(source->pid) : m_session->sourceName(),
                                   m_session->store().liveCount(), m_drainDeadline, m_dialogParent);
    const ControlTarget target = m_session->controlTarget();
    connect(dialog, &QDialog::accepted, this, [this, dialog, target] {
        m_drainDeadline = dialog->deadline();
        send({.kind = protocol::CommandKind::Drain, .deadline = m_drainDeadline}, target);
    });
    show(dialog);
}

void ControlActions::send(const protocol::Command &command, const ControlTarget &target)
{
    if (const std::optional<QString> why = m_session->sendCommand(command, target))
        m_banner->showMessage(MessageBanner::Level::Warning, u"Not sent: %1"_s.arg(*why));
}

void ControlActions::show(QDialog *dialog)
{
    if (m_confirmation)
        m_confirmation->reject(); // one question at a time: the newer one wins
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    m_confirmation = dialog;
    dialog->open(); // not exec(): the views keep updating behind it
}

void ControlActions::onAnswered(const CommandOutcome &outcome)
{
    m_banner->showMessage(outcome.isSuccess() ? MessageBanner::Level::Info : MessageBanner::Level::Warning,
                          sentence(outcome.describe()));
    update();
}

} // namespace afterwork::monitor
