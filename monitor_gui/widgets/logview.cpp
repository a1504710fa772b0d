// SPDX-License-Identifier: MIT
#include "widgets/logview.h"

#include "core/monitorsession.h"
#include "models/sessionlogmodel.h"
#include "widgets/sourcepicker.h"
#include "widgets/tablesetup.h"

#include <QtWidgets/QHeaderView>
#include <QtWidgets/QScrollBar>
#include <QtWidgets/QTableView>
#include <QtWidgets/QVBoxLayout>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

LogView::LogView(const SourceSet *sources, QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    m_picker = new SourcePicker(sources, this);
    layout->addWidget(m_picker, 0, Qt::AlignLeft);
    m_model = new SessionLogModel(&m_picker->session()->log(), this);
    m_table = new QTableView(this);
    m_table->setObjectName(u"logTable"_s);
    m_table->setModel(m_model);
    setUpTable(m_table);
    m_table->setColumnWidth(SessionLogModel::TimeColumn, 100);
    m_table->setColumnWidth(SessionLogModel::LevelColumn, 70);
    layout->addWidget(m_table);
    connect(m_picker, &SourcePicker::sessionChanged, this, &LogView::showSession);
}

void LogView::showSession(MonitorSession *session)
{
    // Another log: a model of its own (the model follows one bounded log incrementally).
    SessionLogModel *old = m_model;
    QItemSelectionModel *oldSelection = m_table->selectionModel(); // setModel() leaves it to us
    m_model = new SessionLogModel(&session->log(), this);
    m_table->setModel(m_model);
    delete oldSelection;
    delete old;
    m_table->scrollToBottom();
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
