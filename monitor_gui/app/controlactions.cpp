// SPDX-License-Identifier: MIT
#include "app/controlactions.h"

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

QString taskCount(qsizetype count)
{
    return count == 1 ? u"1 live task"_s : u"%1 live tasks"_s.arg(count);
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
        menu->setToolTipsVisible(true);
        menu->addAction(m_cancelSelected);
        menu->addAction(m_cancelMatching);
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
    update();
}

void ControlActions::fillMenu(QMenu *menu) const
{
    menu->setToolTipsVisible(true);
    menu->addAction(m_cancelSelected);
    menu->addAction(m_cancelMatching);
    menu->addSeparator();
    menu->addAction(m_drain);
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
    const QList<quint64> selected = m_tasks->selectedTaskIds();
    qsizetype liveSelected = 0;
    for (const quint64 id : selected) {
        if (const client::TaskState *task = m_session->store().task(id); task && task->isLive())
            ++liveSelected;
    }
    if (whyNotSelected.isEmpty() && selected.isEmpty())
        whyNotSelected = u"Select live tasks in the table first."_s;
    else if (whyNotSelected.isEmpty() && liveSelected == 0)
        whyNotSelected = u"The selected tasks have already ended."_s;
    setEnabled(m_cancelSelected, whyNotSelected, u"Cancel the %1 selected (Delete)."_s.arg(taskCount(liveSelected)));

    QString whyNotMatching = noControl;
    const client::TaskFilter &filter = m_tasks->proxy()->taskFilter();
    qsizetype liveMatching = 0;
    if (whyNotMatching.isEmpty() && !m_tasks->filterError().isEmpty())
        whyNotMatching = u"The filter does not parse."_s;
    else if (whyNotMatching.isEmpty() && filter.isEmpty())
        whyNotMatching = u"Type a filter first: without one it would cancel every task."_s;
    else if (whyNotMatching.isEmpty() && (liveMatching = m_tasks->shownLiveTaskIds().size()) == 0)
        whyNotMatching = u"No live task matches the filter."_s;
    setEnabled(m_cancelMatching, whyNotMatching, u"Cancel the %1 matching “%2”."_s.arg(taskCount(liveMatching), filter.expression()));

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
    QList<quint64> ids;
    for (const quint64 id : m_tasks->selectedTaskIds()) {
        if (const client::TaskState *task = m_session->store().task(id); task && task->isLive())
            ids.append(id);
    }
    ids = ids.mid(0, protocol::maxIdsPerCommand);
    askToCancel(ids, u"Cancel the %1 selected?"_s.arg(taskCount(ids.size())), QString(), [this, ids] {
        send({.kind = protocol::CommandKind::Cancel, .ids = ids});
    });
}

void ControlActions::confirmCancelMatching()
{
    update();
    if (!m_cancelMatching->isEnabled())
        return;
    const QList<quint64> ids = m_tasks->shownLiveTaskIds();
    const QString expression = m_tasks->proxy()->taskFilter().expression();
    askToCancel(ids, u"Cancel the %1 matching “%2”?"_s.arg(taskCount(ids.size()), expression),
                u"The source applies the filter when the command arrives, to the tasks live then: the number "
                u"cancelled may differ a little from what is shown here."_s,
                [this, expression] {
                    send({.kind = protocol::CommandKind::CancelMatching, .filter = expression});
                });
}

void ControlActions::askToCancel(const QList<quint64> &ids, const QString &question, const QString &detail,
                                 const std::function<void()> &send)
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
    QPushButton *confirm = box->addButton(ids.size() == 1 ? u"Cancel 1 task"_s : u"Cancel %1 tasks"_s.arg(ids.size()),
                                          QMessageBox::AcceptRole);
    confirm->setObjectName(u"confirmButton"_s);
    QPushButton *keep = box->addButton(u"Keep running"_s, QMessageBox::RejectRole);
    keep->setObjectName(u"rejectButton"_s);
    box->setDefaultButton(keep); // Enter keeps them: cancelling takes a deliberate click
    box->setEscapeButton(keep);
    connect(box, &QMessageBox::finished, this, [box, confirm, send] {
        if (box->clickedButton() == confirm)
            send();
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
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_drainDeadline = dialog->deadline();
        send({.kind = protocol::CommandKind::Drain, .deadline = m_drainDeadline});
    });
    show(dialog);
}

void ControlActions::send(const protocol::Command &command)
{
    // The source may have gone while the question was on screen.
    if (!m_session->sendCommand(command))
        m_banner->showMessage(MessageBanner::Level::Warning, u"Not sent: %1"_s.arg(m_session->controlUnavailableReason()));
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
