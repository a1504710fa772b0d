// SPDX-License-Identifier: MIT
#include "widgets/tasksview.h"

#include "core/formatting.h"
#include "core/monitorsession.h"
#include "models/taskfilterproxy.h"
#include "models/tasktablemodel.h"
#include "widgets/phasedelegate.h"
#include "widgets/progressdelegate.h"
#include "widgets/tablesetup.h"
#include "widgets/taskdetailspane.h"

#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QSplitter>
#include <QtWidgets/QTableView>
#include <QtWidgets/QVBoxLayout>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

TasksView::TasksView(MonitorSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    m_model = new TaskTableModel(&session->store(), this);
    m_proxy = new TaskFilterProxy(this);
    m_proxy->setTaskModel(m_model);

    auto *layout = new QVBoxLayout(this);
    auto *searchRow = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"taskFilter"_s);
    m_search->setClearButtonEnabled(true);
    m_search->setPlaceholderText(u"Filter: name~email  phase:failed,cancelled  shielded:true  mode:after_response  error~timeout  -name~ping"_s);
    m_search->setToolTip(u"The filter grammar of `afterwork tail --filter` (docs/filter.md): space-separated terms, all must match; -term negates."_s);
    searchRow->addWidget(m_search, 1);
    m_count = new QLabel(this);
    searchRow->addWidget(m_count);
    layout->addLayout(searchRow);
    m_error = new QLabel(this);
    m_error->setObjectName(u"filterError"_s);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    layout->addWidget(m_error);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_table = new QTableView(m_splitter);
    m_table->setObjectName(u"tasksTable"_s);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(TaskTableModel::IdColumn, Qt::DescendingOrder); // newest first
    setUpTable(m_table);
    // Several rows at once: they can be cancelled together.
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->setItemDelegateForColumn(TaskTableModel::PhaseColumn, new PhaseDelegate(TaskTableModel::PhaseRole, m_table));
    m_table->setItemDelegateForColumn(TaskTableModel::ProgressColumn,
                                      new ProgressDelegate(TaskTableModel::ProgressFractionRole, TaskTableModel::LiveRole, m_table));
    const QList<std::pair<int, int>> widths = {{TaskTableModel::IdColumn, 56},      {TaskTableModel::NameColumn, 160},
                                               {TaskTableModel::PhaseColumn, 124},  {TaskTableModel::ShieldedColumn, 68},
                                               {TaskTableModel::ModeColumn, 108},   {TaskTableModel::WorkColumn, 50},
                                               {TaskTableModel::AttemptColumn, 58}, {TaskTableModel::QueueWaitColumn, 84},
                                               {TaskTableModel::RunTimeColumn, 84}, {TaskTableModel::ProgressColumn, 96}};
    for (const auto &[column, width] : widths)
        m_table->setColumnWidth(column, width);
    m_details = new TaskDetailsPane(session, m_splitter);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({900, 340});
    layout->addWidget(m_splitter, 1);

    m_typingPause.setSingleShot(true);
    m_typingPause.setInterval(200);
    connect(&m_typingPause, &QTimer::timeout, this, &TasksView::applyFilter);
    connect(m_search, &QLineEdit::textEdited, &m_typingPause, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &TasksView::applyFilter);
    // Programmatic changes (setText(), clear(), the failures view) apply at once.
    connect(m_search, &QLineEdit::textChanged, this, [this] {
        if (!m_typingPause.isActive())
            applyFilter();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        const QModelIndex source = m_proxy->mapToSource(current);
        m_details->showTask(source.isValid() ? std::optional<quint64>(m_model->idAt(source.row())) : std::nullopt);
    });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &TasksView::updateCount);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &TasksView::updateCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &TasksView::updateCount);
    refresh();
}

void TasksView::setFilterText(const QString &expression)
{
    m_typingPause.stop();
    if (m_search->text() == expression)
        applyFilter();
    else
        m_search->setText(expression); // applies it through textChanged
}

QString TasksView::filterText() const
{
    return m_search->text();
}

QString TasksView::filterError() const
{
    return m_error->isVisibleTo(this) ? m_error->text() : QString();
}

void TasksView::applyFilter()
{
    m_typingPause.stop();
    if (const auto error = m_proxy->setFilterExpression(m_search->text())) {
        m_error->setText(u"Filter not applied — %1"_s.arg(error->toString()));
        m_error->setStyleSheet(u"color: %1"_s.arg(palette().color(QPalette::Window).lightness() < 128 ? u"#ff8a7a"_s : u"#c0392b"_s));
        m_error->show();
    } else {
        m_error->clear();
        m_error->hide();
    }
    refresh();
}

bool TasksView::selectTask(quint64 id)
{
    const int row = m_model->rowOf(id);
    if (row < 0)
        return false;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid())
        return false;
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    return true;
}

std::optional<quint64> TasksView::selectedTask() const
{
    return m_details->taskId();
}

QList<quint64> TasksView::selectedTaskIds() const
{
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<quint64> ids;
    ids.reserve(rows.size());
    for (const QModelIndex &row : std::as_const(rows))
        ids.append(m_model->idAt(m_proxy->mapToSource(row).row()));
    return ids;
}

QList<quint64> TasksView::shownLiveTaskIds() const
{
    QList<quint64> ids;
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const int sourceRow = m_proxy->mapToSource(m_proxy->index(row, 0)).row();
        if (const client::TaskState *task = m_model->taskAt(sourceRow); task && task->isLive())
            ids.append(m_model->idAt(sourceRow));
    }
    return ids;
}

void TasksView::refresh()
{
    updateCount();
    if (isVisible())
        m_model->refreshLiveDurations(m_session->nowUs());
    m_details->refresh();
}

void TasksView::updateCount()
{
    const int shown = m_proxy->rowCount();
    const int total = m_model->rowCount();
    m_count->setText(shown == total ? u"%1 tasks"_s.arg(formatCount(total)) : u"%1 of %2 tasks"_s.arg(formatCount(shown), formatCount(total)));
}

} // namespace afterwork::monitor
