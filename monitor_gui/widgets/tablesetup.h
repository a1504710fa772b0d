// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QHeaderView>
#include <QtWidgets/QTableView>

namespace afterwork::monitor {

//! The dashboard's tables: read-only, whole rows selected, no row numbers, and rows of one fixed
//! height, so that the view never measures every row (it stays fast with 100,000 of them).
inline void setUpTable(QTableView *table)
{
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setWordWrap(false);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->hide();
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setHighlightSections(false);
}

} // namespace afterwork::monitor
