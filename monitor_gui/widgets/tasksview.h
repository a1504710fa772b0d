// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QTimer>
#include <QtWidgets/QWidget>

#include <optional>

QT_BEGIN_NAMESPACE
class QLabel;
class QLineEdit;
class QSplitter;
class QTableView;
QT_END_NAMESPACE

namespace afterwork::monitor {

class MonitorSession;
class TaskDetailsPane;
class TaskFilterProxy;
class TaskTableModel;

//! The tasks table (sortable, filtered by the filter grammar) and the selected task's details.
class TasksView final : public QWidget
{
    Q_OBJECT
public:
    explicit TasksView(MonitorSession *session, QWidget *parent = nullptr);

    //! Puts \a expression in the search box and applies it at once. (Typed text is applied once
    //! typing pauses for 200 ms, or on Enter: half-typed prefixes are not worth filtering by.)
    void setFilterText(const QString &expression);
    QString filterText() const;
    //! The parse error shown under the search box ("" when the filter is valid).
    QString filterError() const;
    //! Selects task \a id if it is shown; false otherwise.
    bool selectTask(quint64 id);
    std::optional<quint64> selectedTask() const;
    //! Every selected task (the table allows several), in the table's order.
    QList<quint64> selectedTaskIds() const;
    //! The live tasks among those the table shows (what "cancel all matching" would cancel).
    QList<quint64> shownLiveTaskIds() const;

    //! After a flush: live durations and the details pane.
    void refresh();

    TaskTableModel *model() const noexcept { return m_model; }
    TaskFilterProxy *proxy() const noexcept { return m_proxy; }
    QTableView *table() const noexcept { return m_table; }
    QLineEdit *searchBox() const noexcept { return m_search; }
    TaskDetailsPane *details() const noexcept { return m_details; }
    QSplitter *splitter() const noexcept { return m_splitter; }

private:
    void applyFilter();
    void updateCount();

    MonitorSession *m_session; // Not owning.
    TaskTableModel *m_model = nullptr;
    TaskFilterProxy *m_proxy = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_count = nullptr;
    QTableView *m_table = nullptr;
    TaskDetailsPane *m_details = nullptr;
    QSplitter *m_splitter = nullptr;
    QTimer m_typingPause;
};

} // namespace afterwork::monitor
