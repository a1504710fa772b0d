// SPDX-License-Identifier: MIT
#include "widgets/timelinegeometry.h"

#include <algorithm>
#include <cmath>

namespace afterwork::monitor {

int TimelineGeometry::rowAt(int y, int rowCount) const
{
    if (y < axisHeight || rowHeight <= 0)
        return -1;
    const int row = (y - axisHeight + scrollY) / rowHeight;
    return row < rowCount ? row : -1;
}

std::pair<int, int> TimelineGeometry::visibleRows(int rowCount) const
{
    if (rowCount <= 0 || rowHeight <= 0 || plotHeight() <= 0)
        return {0, -1};
    const int first = std::max(scrollY / rowHeight, 0);
    const int last = std::min((scrollY + plotHeight() - 1) / rowHeight, rowCount - 1);
    return {first, last};
}

QRectF TimelineGeometry::barRect(int row, qint64 fromUs, qint64 toUs, double minWidth) const
{
    double left = timeToX(fromUs);
    double right = std::max(timeToX(toUs), left + minWidth);
    if (right < plotLeft() || left > width)
        return {};
    left = std::max(left, double(plotLeft()));
    right = std::min(right, double(width));
    const int padding = std::max(rowHeight / 6, 1);
    return QRectF(left, rowTop(row) + padding, std::max(right - left, 1.0), std::max(rowHeight - 2 * padding, 1));
}

QRectF TimelineGeometry::progressRect(int row, qint64 runFromUs, qint64 runToUs, double fraction) const
{
    if (!(fraction > 0) || runToUs <= runFromUs)
        return {};
    // In time, not in pixels, so that the part stays the same however the bar is clipped.
    const qint64 doneUntilUs = runFromUs + qint64(double(runToUs - runFromUs) * std::min(fraction, 1.0));
    if (timeToX(doneUntilUs) < plotLeft())
        return {};
    return barRect(row, runFromUs, doneUntilUs, 1);
}

void TimelineGeometry::zoomAt(double x, double factor)
{
    if (!(factor > 0))
        return;
    const qint64 anchor = xToTime(x);
    usPerPixel = std::clamp(usPerPixel / factor, MinUsPerPixel, MaxUsPerPixel);
    originUs = anchor - qint64((x - labelWidth) * usPerPixel);
}

void TimelineGeometry::fit(qint64 fromUs, qint64 toUs)
{
    const qint64 span = std::max<qint64>(toUs - fromUs, 1000);
    const double margin = 0.03 * double(span);
    usPerPixel = std::clamp((double(span) + 2 * margin) / plotWidth(), MinUsPerPixel, MaxUsPerPixel);
    originUs = fromUs - qint64(margin);
}

void TimelineGeometry::followLive(qint64 nowUs, int marginPx)
{
    originUs = nowUs - qint64(double(plotWidth() - marginPx) * usPerPixel);
}

qint64 TimelineGeometry::niceStep(double minUs)
{
    if (minUs <= 1)
        return 1;
    // Above a second, steps people read: 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1 h...
    static constexpr qint64 Human[] = {1'000'000,      2'000'000,      5'000'000,       10'000'000,      15'000'000,
                                       30'000'000,     60'000'000,     120'000'000,     300'000'000,     600'000'000,
                                       900'000'000,    1'800'000'000,  3'600'000'000LL, 7'200'000'000LL, 21'600'000'000LL,
                                       43'200'000'000LL, 86'400'000'000LL};
    if (minUs > 500'000) {
        for (const qint64 step : Human) {
            if (double(step) >= minUs)
                return step;
        }
        return qint64(std::ceil(minUs / 86'400'000'000.0)) * 86'400'000'000LL;
    }
    const double magnitude = std::pow(10.0, std::floor(std::log10(minUs)));
    for (const double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * magnitude >= minUs)
            return qint64(m * magnitude);
    }
    return qint64(10 * magnitude);
}

QList<qint64> TimelineGeometry::ticks(int minSpacingPx, qint64 *stepUs) const
{
    const qint64 step = niceStep(double(std::max(minSpacingPx, 1)) * usPerPixel);
    if (stepUs)
        *stepUs = step;
    QList<qint64> result;
    const qint64 start = originUs;
    const qint64 end = visibleEndUs();
    // The first multiple of step at or after the start (floor division for negative values too).
    qint64 tick = (start / step) * step;
    if (tick < start)
        tick += step;
    for (; tick <= end && result.size() < 1000; tick += step)
        result.append(tick);
    return result;
}

} // namespace afterwork::monitor
