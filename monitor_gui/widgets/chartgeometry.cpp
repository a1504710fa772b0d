// SPDX-License-Identifier: MIT
#include "widgets/chartgeometry.h"

#include <algorithm>
#include <cmath>

namespace afterwork::monitor {

BarChartGeometry BarChartGeometry::compute(const QRectF &area, int barCount, double largestValue, qreal leftAxis,
                                           qreal bottomAxis, qreal top)
{
    BarChartGeometry geometry;
    geometry.plot = QRectF(area.left() + leftAxis, area.top() + top, std::max<qreal>(area.width() - leftAxis - 4, 1),
                           std::max<qreal>(area.height() - top - bottomAxis, 1));
    geometry.barCount = std::max(barCount, 0);
    geometry.maxValue = niceCeiling(largestValue);
    return geometry;
}

double BarChartGeometry::valueToY(double value) const
{
    const double fraction = std::clamp(value / maxValue, 0.0, 1.0);
    return plot.bottom() - fraction * plot.height();
}

QRectF BarChartGeometry::barRect(int index, double from, double to) const
{
    if (index < 0 || index >= barCount)
        return {};
    const double slot = slotWidth();
    const double gap = slot >= 4 ? std::max(1.0, slot * 0.15) : 0.0;
    const double left = plot.left() + index * slot + gap / 2;
    const double top = valueToY(to);
    const double bottom = valueToY(from);
    return QRectF(left, top, std::max(slot - gap, 1.0), std::max(bottom - top, 0.0));
}

int BarChartGeometry::barAt(double x) const
{
    if (barCount <= 0 || x < plot.left() || x >= plot.right())
        return -1;
    return std::clamp(int((x - plot.left()) / slotWidth()), 0, barCount - 1);
}

int BarChartGeometry::gridSteps() const
{
    const double magnitude = std::pow(10.0, std::floor(std::log10(maxValue)));
    const double leading = maxValue / magnitude;
    return std::abs(leading - 2.0) < 1e-9 ? 4 : 5;
}

double BarChartGeometry::niceCeiling(double value)
{
    if (!(value > 0))
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * magnitude >= value * (1 - 1e-12))
            return step * magnitude;
    }
    return 10 * magnitude;
}

} // namespace afterwork::monitor
