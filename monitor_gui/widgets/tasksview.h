// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QModelIndex>
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

class FleetTaskModel;
class MonitorSession;
class SourceSet;
class TaskDetailsPane;
class TaskFilterProxy;
class TaskTableModel;

//! A task of one of the watched sources.
struct TaskRef
{
    MonitorSession *session = nullptr; //!< its source
    quint64 id = 0;                    //!< its id there
};

//! The tasks table (sortable, filtered by the filter grammar) and the selected task's details:
//! the tasks of every source of the set, with a Source column while there are several.
class TasksView final : public QWidget
{
    Q_OBJECT
public:
    explicit TasksView(SourceSet *sources, QWidget *parent = nullptr);
    ~TasksView() override;

    //! Puts \a expression in the search box and applies it at once. (Typed text is applied once
    //! typing pauses for 200 ms, or on Enter: half-typed prefixes are not worth filtering by.)
    void setFilterText(const QString &expression);
    QString filterText() const;
    //! The parse error shown under the search box ("" when the filter is valid).
    QString filterError() const;
    //! Selects task \a id of the first source if it is shown; false otherwise.
    bool selectTask(quint64 id);
    //! Selects task \a id of \a session's source if it is shown; false otherwise.
    bool selectTask(const MonitorSession *session, quint64 id);
    //! The id of the current task (the details pane's).
    std::optional<quint64> selectedTask() const;
    //! Every selected task (the table allows several), in the table's order.
    QList<TaskRef> selectedTasks() const;
    //! The proxy index of task \a id of \a session in \a column (invalid if not shown).
    QModelIndex indexOf(const MonitorSession *session, quint64 id, int column = 0) const;

    //! After a flush: live durations and the details pane.
    void refresh();

    //! The first source's tasks (the only source's, when there is one).
    TaskTableModel *model() const;
    FleetTaskModel *fleetModel() const noexcept { return m_fleet; } //!< every source's tasks
    TaskFilterProxy *proxy() const noexcept { return m_proxy; }
    QTableView *table() const noexcept { return m_table; }
    QLineEdit *searchBox() const noexcept { return m_search; }
    TaskDetailsPane *details() const noexcept { return m_details; }
    QSplitter *splitter() const noexcept { return m_splitter; }

private:
    void applyFilter();
    void updateCount();
    //! The Source column is shown while there are several sources.
    void updateSourceColumn();

    SourceSet *m_sources; // Not owning.
    FleetTaskModel *m_fleet = nullptr;
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
