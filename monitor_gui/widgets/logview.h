// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QTableView;
QT_END_NAMESPACE

namespace afterwork::monitor {

class MonitorSession;
class SessionLogModel;
class SourcePicker;
class SourceSet;

//! The session log: connections, restarts, gaps, malformed lines, errors; of one source, the first
//! at first, another chosen in its source picker while there are several.
class LogView final : public QWidget
{
    Q_OBJECT
public:
    explicit LogView(const SourceSet *sources, QWidget *parent = nullptr);

    void refresh();
    SessionLogModel *model() const noexcept { return m_model; }
    QTableView *table() const noexcept { return m_table; }
    SourcePicker *sourcePicker() const noexcept { return m_picker; } //!< which source is shown

private:
    void showSession(MonitorSession *session);

    SourcePicker *m_picker = nullptr;
    SessionLogModel *m_model = nullptr;
    QTableView *m_table = nullptr;
};

} // namespace afterwork::monitor
