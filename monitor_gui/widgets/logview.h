// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QTableView;
QT_END_NAMESPACE

namespace afterwork::monitor {

class MonitorSession;
class SessionLogModel;

//! The session log: connections, restarts, gaps, malformed lines, errors.
class LogView final : public QWidget
{
    Q_OBJECT
public:
    explicit LogView(MonitorSession *session, QWidget *parent = nullptr);

    void refresh();
    SessionLogModel *model() const noexcept { return m_model; }
    QTableView *table() const noexcept { return m_table; }

private:
    SessionLogModel *m_model = nullptr;
    QTableView *m_table = nullptr;
};

} // namespace afterwork::monitor
