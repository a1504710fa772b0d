// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QRectF>

namespace afterwork::monitor {

//! Where a bar chart's bars go: \a barCount equal slots across the plot rectangle, values from 0
//! (bottom) to a rounded-up maximum (top). A plain value, tested without painting.
struct BarChartGeometry
{
    QRectF plot;
    int barCount = 0;
    double maxValue = 1; //!< the top of the axis: niceCeiling() of the largest value

    //! \a area is the whole chart; \a leftAxis and \a bottomAxis the room kept for axis labels,
    //! \a top the room for a legend.
    static BarChartGeometry compute(const QRectF &area, int barCount, double largestValue, qreal leftAxis,
                                    qreal bottomAxis, qreal top);

    double slotWidth() const { return barCount > 0 ? plot.width() / barCount : 0; }
    double valueToY(double value) const;
    //! The part of bar \a index between the values \a from and \a to (for stacked bars), with a
    //! gap between neighbouring bars when they are wide enough to afford one.
    QRectF barRect(int index, double from, double to) const;
    //! The bar under x, or -1.
    int barAt(double x) const;

    //! How many grid steps divide maxValue into round values (5 for 1 and 5 × 10^n, 4 for 2 × 10^n).
    int gridSteps() const;

    //! The smallest of 1, 2, 5 × 10^n that is >= \a value (1 for anything <= 0).
    static double niceCeiling(double value);
};

} // namespace afterwork::monitor
