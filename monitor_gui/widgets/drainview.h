// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QTimer>
#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
class QProgressBar;
class QSortFilterProxyModel;
class QStackedLayout;
class QTableView;
QT_END_NAMESPACE

namespace afterwork::monitor {

class DrainModel;
class MonitorSession;
class SourcePicker;
class SourceSet;

//! The shutdown as it happens: the deadline counting down, the tasks it waits for with their
//! elapsed time, the ones it cancels, and at the end what finished and what was abandoned. Of one
//! source: the first at first, another chosen in its source picker while there are several.
class DrainView final : public QWidget
{
    Q_OBJECT
public:
    explicit DrainView(const SourceSet *sources, QWidget *parent = nullptr);

    void refresh();

    DrainModel *model() const noexcept { return m_model; }
    QTableView *table() const noexcept { return m_table; }
    QString stageText() const;
    QString countdownText() const;
    QString countsText() const;
    QString summaryText() const;
    bool isShowingPlaceholder() const;
    //! The source shown.
    MonitorSession *session() const;
    SourcePicker *sourcePicker() const noexcept { return m_picker; } //!< which source is shown

private:
    void showSession(MonitorSession *session);

    SourcePicker *m_picker = nullptr;
    DrainModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QStackedLayout *m_stack = nullptr;
    QWidget *m_placeholder = nullptr;
    QWidget *m_content = nullptr;
    QLabel *m_stage = nullptr;
    QLabel *m_countdown = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_counts = nullptr;
    QLabel *m_summary = nullptr;
    QTableView *m_table = nullptr;
    QTimer m_clock; //!< ticks while draining, for the countdown and elapsed times
};

} // namespace afterwork::monitor
