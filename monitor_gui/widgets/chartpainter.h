// SPDX-License-Identifier: MIT
#pragma once

#include "widgets/chartgeometry.h"

#include <QtGui/QColor>
#include <QtGui/QFontMetrics>
#include <QtGui/QPainter>

#include <functional>

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace afterwork::monitor {

//! What the dashboard's bar charts have in common: the room kept around the plot, a painter on
//! the chart with the theme's colours, and the grid, the x axis's ends and the legend entries.
class ChartPainter
{
public:
    static constexpr qreal LeftAxis = 44;   //!< room left of the plot, for the grid's labels
    static constexpr qreal BottomAxis = 22; //!< room under the plot, for the x axis's labels
    static constexpr qreal Legend = 22;     //!< room above the plot, for the legend

    //! Where \a barCount bars go in a chart filling \a area, with this room kept around the plot.
    static BarChartGeometry geometry(const QRectF &area, int barCount, double largestValue);

    //! Paints on \a chart (from its paintEvent()), antialiased.
    explicit ChartPainter(QWidget *chart);

    //! Horizontal grid lines at geometry.gridSteps() round values from 0 to the axis's top, each
    //! labelled left of the plot with \a label(value).
    void drawGrid(const BarChartGeometry &geometry, const std::function<QString(double)> &label);
    //! \a first and \a last under the plot's left and right ends.
    void drawAxisEnds(const BarChartGeometry &geometry, const QString &first, const QString &last);
    //! One legend entry above the plot, starting at \a x: a swatch of \a colour, then \a name.
    //! Returns where the next one starts. Leaves the pen in the text colour.
    qreal drawLegendEntry(qreal x, const QColor &colour, const QString &name);

    QPainter painter;
    const bool dark;
    const QColor text;
    const QFontMetrics metrics;
};

} // namespace afterwork::monitor
