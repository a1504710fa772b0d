// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QList>
#include <QtCore/QRectF>

#include <algorithm>
#include <utility>

namespace afterwork::monitor {

//! The timeline's coordinate system: time ↔ x, row ↔ y, what is visible, zooming and following
//! the live edge. A plain value (hotspot's TimeLineData idea), unit-tested without a widget.
//!
//! The viewport is `width` × `height` pixels: a label column on the left (`labelWidth`), a time
//! axis at the top (`axisHeight`), and the plot below and right of them. Rows are `rowHeight`
//! pixels high, scrolled by `scrollY`.
struct TimelineGeometry
{
    static constexpr double MinUsPerPixel = 0.5;
    static constexpr double MaxUsPerPixel = 600'000'000; //!< ten minutes per pixel

    qint64 originUs = 0;      //!< the time at the plot's left edge
    double usPerPixel = 10'000;
    int labelWidth = 170;
    int axisHeight = 26;
    int rowHeight = 20;
    int scrollY = 0;
    int width = 800;
    int height = 400;

    int plotLeft() const { return labelWidth; }
    int plotWidth() const { return std::max(width - labelWidth, 1); }
    int plotHeight() const { return std::max(height - axisHeight, 0); }

    double timeToX(qint64 us) const { return labelWidth + double(us - originUs) / usPerPixel; }
    qint64 xToTime(double x) const { return originUs + qint64((x - labelWidth) * usPerPixel); }
    qint64 visibleEndUs() const { return xToTime(width); }

    int rowTop(int row) const { return axisHeight + row * rowHeight - scrollY; }
    //! The row at \a y, or -1 above the rows (in the axis) or below \a rowCount.
    int rowAt(int y, int rowCount) const;
    //! The first and last row at least partly visible; first > last when none is.
    std::pair<int, int> visibleRows(int rowCount) const;
    int contentHeight(int rowCount) const { return rowCount * rowHeight; }
    int maxScrollY(int rowCount) const { return std::max(contentHeight(rowCount) - plotHeight(), 0); }

    //! A bar in \a row from \a fromUs to \a toUs, clipped to the plot horizontally, at least
    //! `minWidth` pixels wide so that instant tasks stay visible; empty when entirely off-screen.
    QRectF barRect(int row, qint64 fromUs, qint64 toUs, double minWidth = 2) const;
    //! The done part of a running bar in \a row that runs from \a runFromUs to \a runToUs: its
    //! first \a fraction of the run's length, clipped like barRect(); empty for a fraction that is
    //! not positive (none yet, or an unknown total) and when the part is off-screen.
    QRectF progressRect(int row, qint64 runFromUs, qint64 runToUs, double fraction) const;

    //! Zooms by \a factor (> 1 zooms in) keeping the time under \a x where it is.
    void zoomAt(double x, double factor);
    //! Shows \a fromUs … \a toUs across the plot (with a small margin).
    void fit(qint64 fromUs, qint64 toUs);
    //! Puts \a nowUs near the right edge, \a marginPx from it, keeping the zoom.
    void followLive(qint64 nowUs, int marginPx = 24);
    void scrollByPixels(double dx) { originUs += qint64(dx * usPerPixel); }

    //! Axis ticks: a round step (1, 2, 5 × 10^n µs, or whole seconds and minutes beyond) at
    //! least \a minSpacingPx apart, and the tick times within the visible range.
    QList<qint64> ticks(int minSpacingPx, qint64 *stepUs) const;
    static qint64 niceStep(double minUs);
};

} // namespace afterwork::monitor
