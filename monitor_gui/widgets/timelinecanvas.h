// SPDX-License-Identifier: MIT
#pragma once

#include "core/requestmarkers.h"
#include "core/timelinelayout.h"
#include "widgets/timelinegeometry.h"

#include <QtWidgets/QAbstractScrollArea>

#include <optional>

namespace afterwork::monitor {

//! Paints a TimelineLayout: a time axis, group labels (under each source's header when there are
//! several sources), one bar per task (queue wait pale, run solid, coloured by phase; a running
//! task that reports progress has the part of its run still to do lighter), request markers, and
//! the "now" line. Ctrl+wheel or +/- zooms
//! around the pointer, wheel scrolls rows, Shift+wheel and dragging pan in time; a click selects
//! a task, a double click asks to show it in the tasks table.
class TimelineCanvas final : public QAbstractScrollArea
{
    Q_OBJECT
public:
    explicit TimelineCanvas(QWidget *parent = nullptr);

    void setLayoutData(TimelineLayout layout, qint64 nowUs);
    //! The request markers to draw, one list per source in the layout's order (not owned: they
    //! must outlive the canvas's use of them, or be replaced first).
    void setRequestMarkers(QList<const RequestMarkers *> markers) { m_markers = std::move(markers); }
    const TimelineLayout &layoutData() const noexcept { return m_layout; }
    const TimelineGeometry &geometry() const noexcept { return m_geometry; }

    //! Keeps "now" at the right edge as time passes; panning or zooming by hand turns it off.
    void setFollowLive(bool follow);
    bool followLive() const noexcept { return m_follow; }
    void zoomBy(double factor);
    //! Shows everything from the first task to now.
    void fitAll();

    //! Outlines \a task's bar (none for std::nullopt); a click selects the task clicked.
    void setSelectedTask(std::optional<TimelineTask> task);
    std::optional<TimelineTask> selectedTask() const noexcept { return m_selected; } //!< the outlined task
    //! The task whose bar is at \a pos (viewport coordinates), if any.
    std::optional<TimelineTask> taskAt(const QPoint &pos) const;
    //! Where task \a id of source \a source (of the layout's) is drawn now (viewport coordinates),
    //! empty if it is not visible.
    QRectF barRectOf(quint64 id, int source = 0) const;

Q_SIGNALS:
    void taskClicked(afterwork::monitor::TimelineTask task);   //!< \a task's bar was clicked
    void taskActivated(afterwork::monitor::TimelineTask task); //!< ... or double-clicked
    void followLiveChanged(bool follow);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    void syncScrollBars();
    void paintAxis(QPainter &painter, bool dark);
    void paintRows(QPainter &painter, bool dark);
    void paintMarkers(QPainter &painter, bool dark);
    void stopFollowing();
    int barIndexAt(const QPoint &pos) const;
    //! "LABEL: " for a tooltip about source \a source of a layout of several; "" for one source.
    QString sourcePrefix(int source) const;
    //! The timeline's time span for the horizontal scroll bar.
    std::pair<qint64, qint64> timeSpan() const;

    TimelineLayout m_layout;
    TimelineGeometry m_geometry;
    QList<const RequestMarkers *> m_markers; // Not owning.
    qint64 m_nowUs = 0;
    bool m_follow = true;
    bool m_syncingScrollBars = false;
    bool m_fittedOnce = false;
    std::optional<TimelineTask> m_selected;
    std::optional<QPoint> m_dragFrom;
    bool m_dragged = false;
};

} // namespace afterwork::monitor
