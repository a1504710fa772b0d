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
class SourcePicker;
class SourceSet;
class TimelineCanvas;

//! The Gantt view: its toolbar (group by, zoom, fit, follow live; which source, while there are
//! several) and the canvas. It shows one source at a time, the first one at first. The layout is
//! rebuilt from the store after a flush, only while the view is shown.
class TimelineView final : public QWidget
{
    Q_OBJECT
public:
    explicit TimelineView(SourceSet *sources, QWidget *parent = nullptr);

    //! Marks the layout stale; rebuilds it if the view is visible, at most every 200 ms (packing
    //! ten thousand bars is cheap, but not at every flush of a 20,000 events/s stream).
    void refresh();
    //! Rebuilds now if shown (before a screenshot, or when the user changes a view).
    void refreshNow();
    void setGrouping(TimelineGrouping grouping);
    TimelineGrouping grouping() const noexcept { return m_grouping; }
    //! The source shown: the tasks of the canvas and of its signals are this one's.
    MonitorSession *session() const;

    TimelineCanvas *canvas() const noexcept { return m_canvas; }
    QComboBox *groupingBox() const noexcept { return m_groupBy; }
    QCheckBox *followBox() const noexcept { return m_follow; }
    SourcePicker *sourcePicker() const noexcept { return m_picker; } //!< which source is shown

Q_SIGNALS:
    //! Show task \a id in the tasks table.
    void showTaskRequested(quint64 id);
    void taskSelected(quint64 id);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void rebuild();
    void showSession(MonitorSession *session);

    SourcePicker *m_picker = nullptr;
    TimelineCanvas *m_canvas = nullptr;
    QComboBox *m_groupBy = nullptr;
    QCheckBox *m_follow = nullptr;
    TimelineGrouping m_grouping = TimelineGrouping::Mode;
    bool m_stale = true;
    QTimer m_rebuildSoon;
    QElapsedTimer m_sinceRebuild;
};

} // namespace afterwork::monitor
