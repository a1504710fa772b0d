// SPDX-License-Identifier: MIT
#pragma once

#include "core/timelinelayout.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QTimer>
#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
QT_END_NAMESPACE

namespace afterwork::monitor {

class MonitorSession;
class TimelineCanvas;

//! The Gantt view: its toolbar (group by, zoom, fit, follow live) and the canvas. The layout is
//! rebuilt from the store after a flush, only while the view is shown.
class TimelineView final : public QWidget
{
    Q_OBJECT
public:
    explicit TimelineView(MonitorSession *session, QWidget *parent = nullptr);

    //! Marks the layout stale; rebuilds it if the view is visible, at most every 200 ms (packing
    //! ten thousand bars is cheap, but not at every flush of a 20,000 events/s stream).
    void refresh();
    //! Rebuilds now if shown (before a screenshot, or when the user changes a view).
    void refreshNow();
    void setGrouping(TimelineGrouping grouping);
    TimelineGrouping grouping() const noexcept { return m_grouping; }

    TimelineCanvas *canvas() const noexcept { return m_canvas; }
    QComboBox *groupingBox() const noexcept { return m_groupBy; }
    QCheckBox *followBox() const noexcept { return m_follow; }

Q_SIGNALS:
    //! Show task \a id in the tasks table.
    void showTaskRequested(quint64 id);
    void taskSelected(quint64 id);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void rebuild();

    MonitorSession *m_session; // Not owning.
    TimelineCanvas *m_canvas = nullptr;
    QComboBox *m_groupBy = nullptr;
    QCheckBox *m_follow = nullptr;
    TimelineGrouping m_grouping = TimelineGrouping::Mode;
    bool m_stale = true;
    QTimer m_rebuildSoon;
    QElapsedTimer m_sinceRebuild;
};

} // namespace afterwork::monitor
