// SPDX-License-Identifier: MIT
#include "widgets/logview.h"

#include "core/monitorsession.h"
#include "models/sessionlogmodel.h"
#include "widgets/tablesetup.h"

#include <QtWidgets/QHeaderView>
#include <QtWidgets/QScrollBar>
#include <QtWidgets/QTableView>
#include <QtWidgets/QVBoxLayout>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

LogView::LogView(MonitorSession *session, QWidget *parent) : QWidget(parent)
{
    m_model = new SessionLogModel(&session->log(), this);
    auto *layout = new QVBoxLayout(this);
    m_table = new QTableView(this);
    m_table->setObjectName(u"logTable"_s);
    m_table->setModel(m_model);
    setUpTable(m_table);
    m_table->setColumnWidth(SessionLogModel::TimeColumn, 100);
    m_table->setColumnWidth(SessionLogModel::LevelColumn, 70);
    layout->addWidget(m_table);
}

void LogView::refresh()
{
    // Keep following the newest entry if the user was looking at it.
    QScrollBar *bar = m_table->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 2;
    m_model->sync();
    if (atEnd)
        m_table->scrollToBottom();
}

} // namespace afterwork::monitor
