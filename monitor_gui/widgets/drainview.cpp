// SPDX-License-Identifier: MIT
#include "widgets/drainview.h"

#include "core/formatting.h"
#include "core/monitorsession.h"
#include "models/drainmodel.h"
#include "widgets/phasedelegate.h"
#include "widgets/phasestyle.h"
#include "widgets/sourcepicker.h"
#include "widgets/tablesetup.h"

#include <QtCore/QSortFilterProxyModel>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QProgressBar>
#include <QtWidgets/QStackedLayout>
#include <QtWidgets/QTableView>
#include <QtWidgets/QVBoxLayout>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;
using Outcome = DrainModel::Outcome;

DrainView::DrainView(const SourceSet *sources, QWidget *parent) : QWidget(parent)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_picker = new SourcePicker(sources, this);
    outer->addWidget(m_picker, 0, Qt::AlignLeft);
    MonitorSession *shown = m_picker->session();
    m_model = new DrainModel(&shown->store(), &shown->drain(), this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(DrainModel::SortRole);
    m_proxy->setDynamicSortFilter(true);

    auto *pages = new QWidget(this);
    outer->addWidget(pages, 1);
    m_stack = new QStackedLayout(pages);
    m_placeholder = new QLabel(u"No shutdown yet.\n\nWhen the source starts shutting down, this view comes to the front: the deadline counting down, the tasks the shutdown waits for, the ones it cancels, and at the end what finished and what was abandoned."_s, this);
    static_cast<QLabel *>(m_placeholder)->setWordWrap(true);
    static_cast<QLabel *>(m_placeholder)->setAlignment(Qt::AlignCenter);
    m_stack->addWidget(m_placeholder);

    m_content = new QWidget(this);
    auto *layout = new QVBoxLayout(m_content);
    m_stage = new QLabel(m_content);
    QFont stageFont = m_stage->font();
    stageFont.setBold(true);
    stageFont.setPointSizeF(stageFont.pointSizeF() * 1.3);
    m_stage->setFont(stageFont);
    layout->addWidget(m_stage);
    m_countdown = new QLabel(m_content);
    QFont countdownFont = m_countdown->font();
    countdownFont.setPointSizeF(countdownFont.pointSizeF() * 2.2);
    countdownFont.setBold(true);
    m_countdown->setFont(countdownFont);
    layout->addWidget(m_countdown);
    m_progress = new QProgressBar(m_content);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    layout->addWidget(m_progress);
    m_counts = new QLabel(m_content);
    m_counts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_counts);
    m_summary = new QLabel(m_content);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);

    m_table = new QTableView(m_content);
    m_table->setObjectName(u"drainTable"_s);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(DrainModel::OutcomeColumn, Qt::AscendingOrder);
    setUpTable(m_table);
    m_table->setColumnWidth(DrainModel::IdColumn, 64);
    m_table->setColumnWidth(DrainModel::NameColumn, 220);
    m_table->setColumnWidth(DrainModel::ShieldedColumn, 80);
    m_table->setColumnWidth(DrainModel::OutcomeColumn, 150);
    m_table->setItemDelegateForColumn(DrainModel::OutcomeColumn, new PhaseDelegate(DrainModel::PhaseRole, m_table));
    layout->addWidget(m_table, 1);
    m_stack->addWidget(m_content);

    m_clock.setInterval(100);
    connect(&m_clock, &QTimer::timeout, this, &DrainView::refresh);
    connect(m_picker, &SourcePicker::sessionChanged, this, &DrainView::showSession);
    refresh();
}

MonitorSession *DrainView::session() const
{
    return m_picker->session();
}

void DrainView::showSession(MonitorSession *session)
{
    // Another source's shutdown: a model of its own (the model follows one store incrementally).
    DrainModel *old = m_model;
    m_model = new DrainModel(&session->store(), &session->drain(), this);
    m_proxy->setSourceModel(m_model);
    delete old;
    refresh();
}

bool DrainView::isShowingPlaceholder() const
{
    return m_stack->currentWidget() == m_placeholder;
}

QString DrainView::stageText() const
{
    return m_stage->text();
}

QString DrainView::countdownText() const
{
    return m_countdown->text();
}

QString DrainView::countsText() const
{
    return m_counts->text();
}

QString DrainView::summaryText() const
{
    return m_summary->text();
}

void DrainView::refresh()
{
    const MonitorSession *shown = session();
    const DrainState &drain = shown->drain();
    if (!drain.isActive()) {
        m_stack->setCurrentWidget(m_placeholder);
        m_clock.stop();
        return;
    }
    m_stack->setCurrentWidget(m_content);
    const qint64 now = shown->nowUs();
    const client::ShutdownEvent &latest = drain.latest();
    const bool draining = drain.stage() == DrainState::Stage::Draining;
    // Only a live source's clock moves by itself.
    if (draining && shown->sourceKind() == MonitorSession::SourceKind::Live && isVisible())
        m_clock.start();
    else
        m_clock.stop();

    const qint64 window = std::max<qint64>(drain.deadlineUs() - drain.startedUs(), 1);
    if (draining) {
        const qint64 remaining = drain.remainingUs(now);
        m_stage->setText(drain.sawStart() ? u"Shutting down — started %1, deadline %2"_s.arg(formatTime(drain.startedUs()), formatTime(drain.deadlineUs()))
                                          : u"Shutting down (joined after it began) — deadline %1"_s.arg(formatTime(drain.deadlineUs())));
        m_countdown->setText(remaining > 0 ? u"%1 left"_s.arg(formatDuration(remaining)) : u"deadline passed"_s);
        m_progress->setValue(int(std::clamp<qint64>((now - drain.startedUs()) * 1000 / window, 0, 1000)));
    } else {
        const qint64 took = drain.finishedUs() - drain.startedUs();
        if (drain.sawStart()) {
            m_stage->setText(u"Shutdown finished at %1"_s.arg(formatTime(drain.finishedUs())));
            m_countdown->setText(latest.deadlineReached ? u"deadline reached after %1"_s.arg(formatDuration(took))
                                                        : u"drained in %1"_s.arg(formatDuration(took)));
        } else {
            m_stage->setText(u"Shutdown finished at %1 (its start was not seen)"_s.arg(formatTime(drain.finishedUs())));
            m_countdown->setText(latest.deadlineReached ? u"deadline reached"_s : u"drained"_s);
        }
        m_progress->setValue(int(std::clamp<qint64>(took * 1000 / window, 0, 1000)));
    }
    QStringList counts;
    counts << u"pending %1"_s.arg(std::max<qint64>(latest.pending, 0)) << u"cancelled %1"_s.arg(std::max<qint64>(latest.cancelled, 0))
           << u"finished %1"_s.arg(std::max<qint64>(latest.finished, 0)) << u"abandoned %1"_s.arg(std::max<qint64>(latest.abandoned, 0));
    if (latest.dropped >= 0)
        counts << u"dropped %1"_s.arg(latest.dropped);
    m_counts->setText(counts.join(u"  ·  "_s));

    if (draining) {
        const int waited = m_model->count(Outcome::WaitedFor) + m_model->count(Outcome::Running) + m_model->count(Outcome::Queued);
        m_summary->setText(waited > 0 ? u"Waiting for %1 task(s); unshielded tasks are cancelled as the shutdown reaches them."_s.arg(waited)
                                      : u"Nothing left to wait for."_s);
        m_model->refreshElapsed(now);
    } else {
        const int finished = m_model->count(Outcome::Finished) + m_model->count(Outcome::Failed);
        const int abandoned = m_model->count(Outcome::Abandoned);
        QString text = u"%1 task(s) finished while the shutdown waited, %2 were cancelled, %3 abandoned at the deadline"_s.arg(finished)
                           .arg(m_model->count(Outcome::Cancelled))
                           .arg(abandoned);
        QStringList abandonedNames;
        for (int row = 0; row < m_model->rowCount() && abandonedNames.size() < 8; ++row) {
            const client::TaskState &task = m_model->rowTask(row);
            if (task.task.phase == Phase::Abandoned)
                abandonedNames << u"%1 (#%2)"_s.arg(task.task.name).arg(task.task.id);
        }
        if (!abandonedNames.isEmpty())
            text += u": "_s + abandonedNames.join(u", "_s);
        m_summary->setText(text + u"."_s);
    }
}

} // namespace afterwork::monitor
