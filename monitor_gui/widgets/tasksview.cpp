// SPDX-License-Identifier: MIT
#include "widgets/tasksview.h"

#include "core/formatting.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"
#include "models/fleettaskmodel.h"
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

TasksView::TasksView(SourceSet *sources, QWidget *parent) : QWidget(parent), m_sources(sources)
{
    m_fleet = new FleetTaskModel(sources, this);
    m_proxy = new TaskFilterProxy(this);
    m_proxy->setTaskModel(m_fleet);

    auto *layout = new QVBoxLayout(this);
    auto *searchRow = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"taskFilter"_s);
    m_search->setClearButtonEnabled(true);
    m_search->setPlaceholderText(u"Filter: name~email  phase:failed,cancelled  shielded:true  mode:after_response  error~timeout  -name~ping"_s);
    m_search->setToolTip(u"The filter grammar of `afterwork tail --filter` (docs/filter.md): space-separated terms, all must match; -term negates; source:LABEL picks a source's tasks."_s);
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
    const QList<std::pair<int, int>> widths = {{TaskTableModel::SourceColumn, 110}, {TaskTableModel::IdColumn, 56},      {TaskTableModel::NameColumn, 160},
                                               {TaskTableModel::PhaseColumn, 124},  {TaskTableModel::ShieldedColumn, 68},
                                               {TaskTableModel::ModeColumn, 108},   {TaskTableModel::WorkColumn, 50},
                                               {TaskTableModel::AttemptColumn, 58}, {TaskTableModel::QueueWaitColumn, 84},
                                               {TaskTableModel::RunTimeColumn, 84}, {TaskTableModel::ProgressColumn, 96}};
    for (const auto &[column, width] : widths)
        m_table->setColumnWidth(column, width);
    m_details = new TaskDetailsPane(sources->primary(), m_splitter);
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
        if (MonitorSession *session = source.isValid() ? m_fleet->sessionAt(source.row()) : nullptr)
            m_details->showTask(session, m_fleet->idAt(source.row()));
        else
            m_details->showTask(std::nullopt);
    });
    // A source that goes takes its tasks along: the pane must not keep reading its history.
    connect(sources, &SourceSet::sourceAboutToBeRemoved, this, [this](int index) {
        if (m_details->session() == m_sources->session(index))
            m_details->showTask(m_sources->primary(), std::nullopt);
    });
    connect(sources, &SourceSet::sourceAdded, this, &TasksView::updateSourceColumn);
    connect(sources, &SourceSet::sourceRemoved, this, &TasksView::updateSourceColumn);
    updateSourceColumn();
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &TasksView::updateCount);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &TasksView::updateCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &TasksView::updateCount);
    refresh();
}

TasksView::~TasksView()
{
    // QWidget deletes the children after this view's own part is gone, in the order they were
    // made: the fleet model before the proxy, which announces that as a reset. Nothing of this
    // view may hear it then.
    m_proxy->disconnect(this);
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

TaskTableModel *TasksView::model() const
{
    return m_fleet->table(0);
}

void TasksView::updateSourceColumn()
{
    m_table->setColumnHidden(TaskTableModel::SourceColumn, m_sources->count() <= 1);
}

QModelIndex TasksView::indexOf(const MonitorSession *session, quint64 id, int column) const
{
    const int row = m_fleet->rowOf(session, id);
    return row < 0 ? QModelIndex() : m_proxy->mapFromSource(m_fleet->index(row, column));
}

bool TasksView::selectTask(quint64 id)
{
    return selectTask(m_sources->primary(), id);
}

bool TasksView::selectTask(const MonitorSession *session, quint64 id)
{
    const QModelIndex index = indexOf(session, id);
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

QList<TaskRef> TasksView::selectedTasks() const
{
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<TaskRef> tasks;
    tasks.reserve(rows.size());
    for (const QModelIndex &row : std::as_const(rows)) {
        const int sourceRow = m_proxy->mapToSource(row).row();
        tasks.append({m_fleet->sessionAt(sourceRow), m_fleet->idAt(sourceRow)});
    }
    return tasks;
}

void TasksView::refresh()
{
    updateCount();
    if (isVisible()) {
        m_fleet->refreshLiveDurations();
        // A live task's wait and run time grow with the clock, every live row's at once, and the
        // rows those changes were announced among had moved too: sorted by either, look again.
        if (TaskTableModel::followsClock(m_proxy->sortColumn()))
            m_proxy->invalidateSort();
    }
    m_details->refresh();
}

void TasksView::updateCount()
{
    const int shown = m_proxy->rowCount();
    const int total = m_fleet->rowCount();
    m_count->setText(shown == total ? u"%1 tasks"_s.arg(formatCount(total)) : u"%1 of %2 tasks"_s.arg(formatCount(shown), formatCount(total)));
}

} // namespace afterwork::monitor
