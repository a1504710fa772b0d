// SPDX-License-Identifier: MIT
#include "widgets/sourcesview.h"

#include "core/formatting.h"
#include "core/sourceset.h"
#include "models/sourcetablemodel.h"
#include "widgets/tablesetup.h"

#include <QtWidgets/QLabel>
#include <QtWidgets/QTableView>
#include <QtWidgets/QVBoxLayout>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

SourcesView::SourcesView(const SourceSet *sources, QWidget *parent) : QWidget(parent), m_sources(sources)
{
    m_model = new SourceTableModel(sources, this);
    auto *layout = new QVBoxLayout(this);
    auto *hint = new QLabel(u"Every watched source. Double-click one to see its tasks; File > Add source… watches another."_s, this);
    hint->setWordWrap(true);
    layout->addWidget(hint);
    m_table = new QTableView(this);
    m_table->setObjectName(u"sourcesTable"_s);
    m_table->setModel(m_model);
    setUpTable(m_table);
    const QList<std::pair<int, int>> widths = {{SourceTableModel::LabelColumn, 140}, {SourceTableModel::AddressColumn, 220},
                                               {SourceTableModel::StateColumn, 110}, {SourceTableModel::LiveColumn, 64},
                                               {SourceTableModel::RunningColumn, 64}, {SourceTableModel::FailedColumn, 64},
                                               {SourceTableModel::RateColumn, 72}};
    for (const auto &[column, width] : widths)
        m_table->setColumnWidth(column, width);
    layout->addWidget(m_table, 1);
    // A double click or Enter (one click only selects: a row is worth reading as it is).
    const auto open = [this](const QModelIndex &index) {
        if (index.isValid())
            Q_EMIT showTasksRequested(u"source:"_s + filterValue(m_sources->label(index.row())));
    };
    connect(m_table, &QAbstractItemView::doubleClicked, this, open);
    connect(m_table, &QAbstractItemView::activated, this, open);
}

void SourcesView::refresh()
{
    m_model->refresh();
}

} // namespace afterwork::monitor
