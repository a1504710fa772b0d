// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QTableView;
QT_END_NAMESPACE

namespace afterwork::monitor {

class SourceSet;
class SourceTableModel;

//! The Sources view: one row per watched source (SourceTableModel). Activating a row asks for
//! that source's tasks.
class SourcesView final : public QWidget
{
    Q_OBJECT
public:
    explicit SourcesView(const SourceSet *sources, QWidget *parent = nullptr);

    //! After a flush, and once a second: states, counters, rates, "last seen".
    void refresh();

    SourceTableModel *model() const noexcept { return m_model; }
    QTableView *table() const noexcept { return m_table; }

Q_SIGNALS:
    //! Show the tasks matching \a filterExpression (the source's: `source:LABEL`).
    void showTasksRequested(const QString &filterExpression);

private:
    const SourceSet *m_sources; // Not owning.
    SourceTableModel *m_model = nullptr;
    QTableView *m_table = nullptr;
};

} // namespace afterwork::monitor
