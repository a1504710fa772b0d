// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QWidget>

#include <optional>

QT_BEGIN_NAMESPACE
class QLabel;
class QTableView;
QT_END_NAMESPACE

namespace afterwork::monitor {

class MonitorSession;
class TaskHistoryModel;

//! The selected task: what the stream says about it and every step it went through.
class TaskDetailsPane final : public QWidget
{
    Q_OBJECT
public:
    explicit TaskDetailsPane(MonitorSession *session, QWidget *parent = nullptr);

    //! Shows task \a id of the pane's current source (none: nothing selected).
    void showTask(std::optional<quint64> id);
    //! Shows task \a id of \a session's source (one of several watched).
    void showTask(MonitorSession *session, std::optional<quint64> id);
    std::optional<quint64> taskId() const noexcept { return m_taskId; } //!< the task shown
    MonitorSession *session() const noexcept { return m_session; }     //!< its source
    //! Reads the task again (after a flush).
    void refresh();

    //! The fields shown, as "label: value" lines (for tests and copying).
    QString summaryText() const;
    TaskHistoryModel *historyModel() const noexcept { return m_history; }
    QTableView *historyView() const noexcept { return m_historyView; }

private:
    MonitorSession *m_session; // Not owning.
    std::optional<quint64> m_taskId;
    QLabel *m_title = nullptr;
    QLabel *m_fields = nullptr;
    TaskHistoryModel *m_history = nullptr;
    QTableView *m_historyView = nullptr;
};

} // namespace afterwork::monitor
