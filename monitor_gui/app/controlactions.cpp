// SPDX-License-Identifier: MIT
#include "app/controlactions.h"

#include "core/formatting.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"
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

ControlActions::ControlActions(SourceSet *sources, TasksView *tasks, MessageBanner *banner, QWidget *dialogParent)
    : QObject(dialogParent), m_sources(sources), m_tasks(tasks), m_banner(banner), m_dialogParent(dialogParent)
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
    connect(table->selectionModel(), &QItemSelectionModel::selectionChanged, this, refresh);
    connect(tasks->proxy(), &QAbstractItemModel::modelReset, this, refresh);
    connect(tasks->proxy(), &QAbstractItemModel::layoutChanged, this, refresh);
    connect(tasks->searchBox(), &QLineEdit::textChanged, this, refresh);
    for (int i = 0; i < sources->count(); ++i)
        watch(sources->session(i));
    connect(sources, &SourceSet::sourceAdded, this, [this](int index) { watch(m_sources->session(index)); });
    connect(sources, &SourceSet::sourceAboutToBeRemoved, this, [this](int index) {
        if (m_questionSession && m_questionSession == m_sources->session(index))
            withdraw(u"the source was removed"_s);
    });
    connect(sources, &SourceSet::sourceRemoved, this, refresh);
    update();
}

void ControlActions::watch(MonitorSession *session)
{
    const auto refresh = [this] { update(); };
    connect(session, &MonitorSession::flushed, this, refresh);
    connect(session, &MonitorSession::connectionChanged, this, refresh);
    connect(session, &MonitorSession::sourceReplaced, this, refresh);
    connect(session, &MonitorSession::commandAnswered, this,
            [this, session](const CommandOutcome &outcome) { onAnswered(session, outcome); });
    // A question asked about one run is not answered for another: a restart or another source
    // withdraws it, and so does a shutdown for "drain". Only its own source's, though.
    connect(session, &MonitorSession::sourceReplaced, this, [this, session] {
        if (m_questionSession == session)
            withdraw(u"the source was replaced"_s);
    });
    connect(session, &MonitorSession::runStarted, this, [this, session](int run) {
        if (run > 1 && m_questionSession == session)
            withdraw(u"the source restarted"_s);
    });
    connect(session, &MonitorSession::shutdownStarted, this, [this, session] {
        if (m_questionSession == session && qobject_cast<DrainDialog *>(m_confirmation.data()))
            withdraw(u"the source began shutting down"_s);
    });
}

ControlActions::Target ControlActions::target() const
{
    if (m_sources->count() == 1)
        return {m_sources->primary(), {}};
    const QList<TaskRef> selected = m_tasks->selectedTasks();
    if (selected.isEmpty())
        return {nullptr, u"Several sources are watched: select a task of the source to act on."_s};
    MonitorSession *session = selected.constFirst().session;
    for (const TaskRef &task : selected) {
        if (task.session != session)
            return {nullptr, u"The selected tasks come from several sources: select tasks of one source."_s};
    }
    return {session, {}};
}

QString ControlActions::sourcePrefix(const MonitorSession *session) const
{
    return m_sources->count() > 1 && session ? m_sources->labelOf(session) + u": "_s : QString();
}

void ControlActions::withdraw(const QString &why)
{
    if (!m_confirmation)
        return;
    MonitorSession *session = m_questionSession ? m_questionSession.data() : m_sources->primary();
    m_confirmation->reject();
    const QString text = u"The question was withdrawn: %1. Nothing was sent."_s.arg(why);
    session->log().append(SessionLog::Level::Info, text);
    m_banner->showMessage(MessageBanner::Level::Info, sourcePrefix(m_questionSession) + text);
}

QList<quint64> ControlActions::liveSelectedIds(const MonitorSession *session) const
{
    QList<quint64> ids;
    for (const TaskRef &selected : m_tasks->selectedTasks()) {
        if (selected.session != session)
            continue;
        if (const client::TaskState *task = session->store().task(selected.id); task && task->isLive())
            ids.append(selected.id);
    }
    return ids;
}

QList<quint64> ControlActions::liveMatchingIds(const MonitorSession *session) const
{
    // Over the live tasks only (not every row the table keeps), with the test the source applies.
    const client::TaskFilter &filter = m_tasks->proxy()->taskFilter();
    const QString label = m_sources->labelOf(session);
    QList<quint64> ids;
    if (!filter.matchesSource(label))
        return ids;
    for (const quint64 id : session->store().liveTaskIds()) {
        if (const client::TaskState *task = session->store().task(id); task && filter.matches(task->task, label))
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
    const auto [session, whyNone] = target();
    const QString noControl = session ? session->controlUnavailableReason() : whyNone;

    QString whyNotSelected = noControl;
    const qsizetype liveSelected = noControl.isEmpty() ? liveSelectedIds(session).size() : 0;
    if (whyNotSelected.isEmpty() && m_tasks->selectedTasks().isEmpty())
        whyNotSelected = u"Select live tasks in the table first."_s;
    else if (whyNotSelected.isEmpty() && liveSelected == 0)
        whyNotSelected = u"The selected tasks have already ended."_s;
    setEnabled(m_cancelSelected, whyNotSelected, u"Cancel the %1 selected (Delete)."_s.arg(liveTaskCount(liveSelected)));

    QString whyNotMatching = noControl;
    const client::TaskFilter &filter = m_tasks->proxy()->taskFilter();
    qsizetype liveMatching = 0;
    if (whyNotMatching.isEmpty() && !m_tasks->filterError().isEmpty())
        whyNotMatching = u"The filter does not parse."_s;
    else if (whyNotMatching.isEmpty() && filter.expressionWithoutSourceTerms().isEmpty())
        whyNotMatching = u"Type a filter first: without one it would cancel every task."_s; // source terms alone: every task of it
    else if (whyNotMatching.isEmpty() && (liveMatching = liveMatchingIds(session).size()) == 0)
        whyNotMatching = u"No live task matches the filter."_s;
    setEnabled(m_cancelMatching, whyNotMatching,
               u"%1Cancel the %2 matching “%3”."_s.arg(sourcePrefix(session), liveTaskCount(liveMatching), filter.expression()));

    QString whyNotDrain = noControl;
    if (whyNotDrain.isEmpty() && session->drain().isActive())
        whyNotDrain = u"The source is already shutting down."_s;
    setEnabled(m_drain, whyNotDrain, u"%1Shut the source down gracefully, with a deadline."_s.arg(sourcePrefix(session)));
}

void ControlActions::confirmCancelSelected()
{
    update();
    if (!m_cancelSelected->isEnabled())
        return; // the shortcut of an action that just became disabled
    MonitorSession *session = target().session;
    const QList<quint64> live = liveSelectedIds(session);
    // One command carries at most maxIdsPerCommand ids: the rest are named as left alone.
    const QList<quint64> ids = live.mid(0, protocol::maxIdsPerCommand);
    const QString question = ids.size() == live.size()
        ? u"Cancel the %1 selected?"_s.arg(liveTaskCount(ids.size()))
        : u"Cancel the first %1 of the %2 selected? One command cancels at most %1; select the rest again afterwards."_s
              .arg(ids.size())
              .arg(liveTaskCount(live.size()));
    askToCancel(session, ids, question, QString(), {.kind = protocol::CommandKind::Cancel, .ids = ids});
}

void ControlActions::confirmCancelMatching()
{
    update();
    if (!m_cancelMatching->isEnabled())
        return;
    MonitorSession *session = target().session;
    const QList<quint64> ids = liveMatchingIds(session);
    const client::TaskFilter &filter = m_tasks->proxy()->taskFilter();
    // The source knows no labels: it gets the filter without its source terms, which the
    // dashboard has already applied in choosing it.
    askToCancel(session, ids, u"Cancel the %1 matching “%2”?"_s.arg(liveTaskCount(ids.size()), filter.expression()),
                u"The source applies the filter when the command arrives, to the tasks live then: the number "
                u"cancelled may differ a little from what is shown here."_s,
                {.kind = protocol::CommandKind::CancelMatching, .filter = filter.expressionWithoutSourceTerms()});
}

void ControlActions::askToCancel(MonitorSession *session, const QList<quint64> &ids, const QString &question,
                                 const QString &detail, const protocol::Command &command)
{
    QStringList listed;
    for (const quint64 id : ids.mid(0, tasksListed)) {
        const client::TaskState *task = session->store().task(id);
        listed << u"#%1 %2"_s.arg(id).arg(task ? task->task.name : QString());
    }
    if (ids.size() > tasksListed)
        listed << u"… and %1 more"_s.arg(ids.size() - tasksListed);

    auto *box = new QMessageBox(QMessageBox::Question, u"Cancel tasks"_s, sourcePrefix(session) + question, QMessageBox::NoButton,
                                m_dialogParent);
    box->setObjectName(u"cancelConfirmation"_s);
    box->setInformativeText((detail.isEmpty() ? QString() : detail + u"\n\n"_s) + listed.join(u'\n'));
    QPushButton *confirm = box->addButton(u"Cancel %1"_s.arg(formatTasks(ids.size())), QMessageBox::AcceptRole);
    confirm->setObjectName(u"confirmButton"_s);
    QPushButton *keep = box->addButton(u"Keep running"_s, QMessageBox::RejectRole);
    keep->setObjectName(u"rejectButton"_s);
    box->setDefaultButton(keep); // Enter keeps them: cancelling takes a deliberate click
    box->setEscapeButton(keep);
    const ControlTarget target = session->controlTarget();
    connect(box, &QMessageBox::finished, this, [this, box, confirm, command, target, to = QPointer(session)] {
        if (box->clickedButton() == confirm)
            send(to, command, target);
    });
    show(box, session);
}

void ControlActions::confirmDrain()
{
    update();
    if (!m_drain->isEnabled())
        return;
    MonitorSession *session = target().session;
    const auto &source = session->store().source();
    auto *dialog = new DrainDialog(sourcePrefix(session)
                                       + (source ? u"%1 (pid %2)"_s.arg(source->app).arg(source->pid) : session->sourceName()),
                                   session->store().liveCount(), m_drainDeadline, m_dialogParent);
    const ControlTarget target = session->controlTarget();
    connect(dialog, &QDialog::accepted, this, [this, dialog, target, to = QPointer(session)] {
        m_drainDeadline = dialog->deadline();
        send(to, {.kind = protocol::CommandKind::Drain, .deadline = m_drainDeadline}, target);
    });
    show(dialog, session);
}

void ControlActions::send(const QPointer<MonitorSession> &session, const protocol::Command &command, const ControlTarget &target)
{
    if (!session) {
        m_banner->showMessage(MessageBanner::Level::Warning, u"Not sent: the source was removed."_s);
        return;
    }
    if (const std::optional<QString> why = session->sendCommand(command, target))
        m_banner->showMessage(MessageBanner::Level::Warning, u"%1Not sent: %2"_s.arg(sourcePrefix(session), *why));
}

void ControlActions::show(QDialog *dialog, MonitorSession *session)
{
    if (m_confirmation)
        m_confirmation->reject(); // one question at a time: the newer one wins
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    m_confirmation = dialog;
    m_questionSession = session;
    dialog->open(); // not exec(): the views keep updating behind it
}

void ControlActions::onAnswered(const MonitorSession *session, const CommandOutcome &outcome)
{
    m_banner->showMessage(outcome.isSuccess() ? MessageBanner::Level::Info : MessageBanner::Level::Warning,
                          sourcePrefix(session) + sentence(outcome.describe()));
    update();
}

} // namespace afterwork::monitor
