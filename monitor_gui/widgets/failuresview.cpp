// SPDX-License-Identifier: MIT
#include "widgets/failuresview.h"

#include "core/formatting.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"
#include "models/failuregroupmodel.h"
#include "models/fleetfailuremodel.h"
#include "widgets/tablesetup.h"

#include <QtCore/QSortFilterProxyModel>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QTableView>
#include <QtWidgets/QVBoxLayout>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

FailuresView::FailuresView(const SourceSet *sources, QWidget *parent) : QWidget(parent), m_sources(sources)
{
    m_model = new FleetFailureModel(sources, this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(FailureGroupModel::SortRole);
    m_proxy->setDynamicSortFilter(true);

    auto *layout = new QVBoxLayout(this);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_table = new QTableView(this);
    m_table->setObjectName(u"failuresTable"_s);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(FailureGroupModel::CountColumn, Qt::DescendingOrder);
    setUpTable(m_table);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setColumnWidth(FailureGroupModel::SourceColumn, 110);
    m_table->setColumnWidth(FailureGroupModel::NameColumn, 200);
    m_table->setColumnWidth(FailureGroupModel::ErrorTypeColumn, 200);
    m_table->setColumnWidth(FailureGroupModel::CountColumn, 70);
    m_table->setColumnWidth(FailureGroupModel::FirstSeenColumn, 100);
    m_table->setColumnWidth(FailureGroupModel::LastSeenColumn, 100);
    layout->addWidget(m_table, 1);

    // One click (or Enter) opens the group's tasks: a group is only interesting for them.
    auto open = [this](const QModelIndex &index) {
        if (index.isValid())
            Q_EMIT showTasksRequested(index.data(FailureGroupModel::FilterExpressionRole).toString());
    };
    connect(m_table, &QAbstractItemView::clicked, this, open);
    connect(m_table, &QAbstractItemView::activated, this, open);
    refresh();
}

void FailuresView::refresh()
{
    m_model->syncAll();
    // The Source column while there are several sources: the groups of one are as they were.
    m_table->setColumnHidden(FailureGroupModel::SourceColumn, m_sources->count() <= 1);
    qint64 failures = 0;
    qint64 groups = 0;
    qint64 overflow = 0;
    for (int i = 0; i < m_sources->count(); ++i) {
        const FailureGroups &of = m_sources->session(i)->failures();
        failures += of.totalFailures();
        groups += of.groups().size();
        overflow += of.overflowCount();
    }
    if (failures == 0) {
        m_summary->setText(u"No task has failed. Failed tasks appear here grouped by name and error type."_s);
        return;
    }
    QString text = u"%1 failures in %2 groups. Click a group to see its tasks."_s.arg(formatCount(failures)).arg(formatCount(groups));
    if (overflow > 0)
        text += u" %1 failures of further kinds are only counted (too many groups)."_s.arg(formatCount(overflow));
    m_summary->setText(text);
}

} // namespace afterwork::monitor
