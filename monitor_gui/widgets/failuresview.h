// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
class QSortFilterProxyModel;
class QTableView;
QT_END_NAMESPACE

namespace afterwork::monitor {

class FailureGroupModel;
class MonitorSession;

//! Failed tasks grouped by name and error type; activating a group asks for its tasks.
class FailuresView final : public QWidget
{
    Q_OBJECT
public:
    explicit FailuresView(MonitorSession *session, QWidget *parent = nullptr);

    void refresh();

    FailureGroupModel *model() const noexcept { return m_model; }
    QTableView *table() const noexcept { return m_table; }

Q_SIGNALS:
    //! Show the tasks matching \a filterExpression (the group's tasks).
    void showTasksRequested(const QString &filterExpression);

private:
    MonitorSession *m_session; // Not owning.
    FailureGroupModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_summary = nullptr;
};

} // namespace afterwork::monitor
