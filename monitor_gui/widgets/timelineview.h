// SPDX-License-Identifier: MIT
#pragma once

#include "core/timelinelayout.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QTimer>
#include <QtWidgets/QWidget>

#include <optional>
#include <utility>

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
//! several) and the canvas. With several sources it shows them all at first, a lane each under a
//! header naming the source (and its state when it is not simply connected), or the one chosen in
//! its Source box. The layout is rebuilt from the stores after a flush, only while the view is
//! shown. A task is always (source, id): ids are each source's own.
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
    //! Shows every source when there are several (\a all), or one, the first at first. The choice
    //! is kept while there is one source; it is what the settings remember.
    void setAllSources(bool all);
    bool allSources() const; //!< the choice setAllSources() made, or the Source box's
    //! The source shown alone; nullptr while every source is shown.
    MonitorSession *session() const;
    //! Whether \a session's tasks are drawn: it is the source shown, or one of all shown.
    bool shows(const MonitorSession *session) const;
    //! Highlights task \a id of \a session (the tasks table's current one) if it is drawn; none
    //! for std::nullopt. Kept while other sources are chosen, so that it shows again with them.
    void setSelectedTask(const MonitorSession *session, std::optional<quint64> id);

    TimelineCanvas *canvas() const noexcept { return m_canvas; }
    QComboBox *groupingBox() const noexcept { return m_groupBy; }
    QCheckBox *followBox() const noexcept { return m_follow; }
    SourcePicker *sourcePicker() const noexcept { return m_picker; } //!< which source is shown, or all

Q_SIGNALS:
    //! Show task \a id of \a session in the tasks table.
    void showTaskRequested(afterwork::monitor::MonitorSession *session, quint64 id);
    //! Task \a id of \a session was clicked.
    void taskSelected(afterwork::monitor::MonitorSession *session, quint64 id);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void rebuild();
    void showSession();
    //! The canvas's task for a task of \a session, if that source is drawn.
    std::optional<TimelineTask> canvasTask(const MonitorSession *session, std::optional<quint64> id) const;

    SourceSet *m_sources; // Not owning.
    SourcePicker *m_picker = nullptr;
    TimelineCanvas *m_canvas = nullptr;
    QComboBox *m_groupBy = nullptr;
    QCheckBox *m_follow = nullptr;
    TimelineGrouping m_grouping = TimelineGrouping::Mode;
    //! The sources drawn, in the layout's order (TimelineTask::source); null for one removed since.
    QList<MonitorSession *> m_drawn;
    //! The highlighted task (its source only compared, never read).
    std::optional<std::pair<const MonitorSession *, quint64>> m_selected;
    bool m_stale = true;
    QTimer m_rebuildSoon;
    QElapsedTimer m_sinceRebuild;
};

} // namespace afterwork::monitor
