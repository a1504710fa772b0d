// SPDX-License-Identifier: MIT
#include "widgets/taskdetailspane.h"

#include "core/formatting.h"
#include "core/monitorsession.h"
#include "models/taskhistorymodel.h"
#include "models/tasktablemodel.h"
#include "widgets/phasedelegate.h"
#include "widgets/phasestyle.h"
#include "widgets/tablesetup.h"

#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QTableView>
#include <QtWidgets/QVBoxLayout>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

TaskDetailsPane::TaskDetailsPane(MonitorSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel(this);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_title);
    m_fields = new QLabel(this);
    m_fields->setTextFormat(Qt::RichText);
    m_fields->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fields->setWordWrap(true);
    m_fields->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    layout->addWidget(m_fields);

    auto *historyLabel = new QLabel(u"Event history"_s, this);
    layout->addWidget(historyLabel);
    m_history = new TaskHistoryModel(&session->history(), this);
    m_historyView = new QTableView(this);
    m_historyView->setModel(m_history);
    m_historyView->setItemDelegateForColumn(TaskHistoryModel::PhaseColumn, new PhaseDelegate(TaskHistoryModel::PhaseRole, m_historyView));
    setUpTable(m_historyView);
    m_historyView->setColumnWidth(TaskHistoryModel::TimeColumn, 100);
    m_historyView->setColumnWidth(TaskHistoryModel::PhaseColumn, 140);
    m_historyView->setColumnWidth(TaskHistoryModel::AttemptColumn, 60);
    layout->addWidget(m_historyView, 1);
    showTask(std::nullopt);
}

void TaskDetailsPane::showTask(MonitorSession *session, std::optional<quint64> id)
{
    if (session != m_session) {
        m_session = session;
        m_history->setHistory(&session->history());
    }
    showTask(id);
}

void TaskDetailsPane::showTask(std::optional<quint64> id)
{
    m_taskId = id;
    m_history->setTaskId(id);
    refresh();
}

void TaskDetailsPane::refresh()
{
    const client::TaskState *state = m_taskId ? m_session->store().task(*m_taskId) : nullptr;
    if (!state) {
        m_title->setText(m_taskId ? u"Task #%1 is no longer kept"_s.arg(*m_taskId) : u"No task selected"_s);
        m_fields->setText(m_taskId ? u"It finished and left the bounded history (see the limit in the overview)."_s
                                   : u"Select a task in the table to see its details and event history."_s);
        m_history->sync();
        return;
    }
    const client::TaskRecord &task = state->task;
    const bool dark = phasestyle::isDark(palette());
    m_title->setText(u"#%1  %2"_s.arg(task.id).arg(task.name));

    const qint64 now = m_session->nowUs();
    QList<std::pair<QString, QString>> rows;
    rows.append({u"Phase"_s, u"<b><span style=\"color:%1\">%2</span></b>%3"_s
                                 .arg(phasestyle::color(task.phase, dark).name(), phasestyle::label(task.phase).toHtmlEscaped(),
                                      task.phase == Phase::Lost
                                          ? u" (last reported: %1)"_s.arg(phasestyle::label(state->lastReportedPhase))
                                          : QString())});
    rows.append({u"Mode / work"_s, u"%1, %2%3"_s.arg(QString(afterwork::wireName(task.mode)), QString(afterwork::wireName(task.work)),
                                                      task.shielded ? u", shielded"_s : QString())});
    rows.append({u"Attempt"_s, QString::number(task.attempt)});
    if (!task.function.isEmpty())
        rows.append({u"Function"_s, task.function.toHtmlEscaped()});
    if (task.requestId)
        rows.append({u"Request"_s, QString::number(task.requestId)});
    rows.append({u"Scheduled"_s, formatDateTime(task.scheduledUs > 0 ? task.scheduledUs : state->firstSeenUs)});
    rows.append({u"Started"_s, formatDateTime(task.startedUs)});
    rows.append({u"Ended"_s, state->isLive() ? u"still live"_s : formatDateTime(state->finishedUs)});
    rows.append({u"Queue wait"_s, formatDuration(TaskTableModel::queueWaitUs(*state, now))});
    rows.append({u"Run time"_s, formatDuration(TaskTableModel::runTimeUs(*state, now)) + (state->isLive() && task.startedUs > 0 ? u" so far"_s : QString())});
    if (state->progress)
        rows.append({u"Progress"_s, formatProgress(*state->progress).toHtmlEscaped()
                                        + (state->isLive() ? QString() : u" (the last value reported)"_s)});
    if (task.error)
        rows.append({u"Error"_s, u"<b>%1</b>: %2"_s.arg(task.error->type.toHtmlEscaped(), task.error->message.toHtmlEscaped())});
    if (task.handlerError)
        rows.append({u"Error handler threw"_s, u"<b>%1</b>: %2"_s.arg(task.handlerError->type.toHtmlEscaped(), task.handlerError->message.toHtmlEscaped())});

    QString html = u"<table cellspacing=\"2\">"_s;
    for (const auto &[label, value] : std::as_const(rows))
        html += u"<tr><td style=\"padding-right:12px; white-space:nowrap\"><i>%1</i></td><td>%2</td></tr>"_s.arg(label, value);
    html += u"</table>"_s;
    m_fields->setText(html);
    m_history->sync();
}

QString TaskDetailsPane::summaryText() const
{
    QString fields = m_fields->text();
    fields.replace(u"</tr>"_s, u"\n"_s).replace(u"</td><td>"_s, u": "_s);
    // Strip the remaining tags for a plain reading.
    QString plain;
    bool inTag = false;
    for (const QChar c : std::as_const(fields)) {
        if (c == u'<')
            inTag = true;
        else if (c == u'>')
            inTag = false;
        else if (!inTag)
            plain += c;
    }
    return m_title->text() + u"\n"_s + plain;
}

} // namespace afterwork::monitor
