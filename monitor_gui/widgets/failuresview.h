// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
class QSortFilterProxyModel;
class QTableView;
QT_END_NAMESPACE

namespace afterwork::monitor {

class FleetFailureModel;
class SourceSet;

//! Failed tasks grouped by name and error type, of every source (with a Source column while there
//! are several); activating a group asks for its tasks.
class FailuresView final : public QWidget
{
    Q_OBJECT
public:
    explicit FailuresView(const SourceSet *sources, QWidget *parent = nullptr);

    //! After a flush of any source.
    void refresh();

    FleetFailureModel *model() const noexcept { return m_model; } //!< every source's groups
    QTableView *table() const noexcept { return m_table; }

Q_SIGNALS:
    //! Show the tasks matching \a filterExpression (the group's tasks).
    void showTasksRequested(const QString &filterExpression);

private:
    const SourceSet *m_sources; // Not owning.
    FleetFailureModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_summary = nullptr;
};

} // namespace afterwork::monitor
