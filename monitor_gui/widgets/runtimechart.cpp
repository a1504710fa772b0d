// SPDX-License-Identifier: MIT
#include "widgets/runtimechart.h"

#include "core/formatting.h"
#include "widgets/chartpainter.h"
#include "widgets/phasestyle.h"

#include <QtGui/QPainter>

#include <algorithm>
#include <cmath>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

RunTimeChart::RunTimeChart(QWidget *parent) : QWidget(parent) {}

void RunTimeChart::setHistogram(const RunTimeHistogram *histogram)
{
    m_histogram = histogram;
    update();
}

QList<RunTimeChart::Bar> RunTimeChart::bars(const RunTimeHistogram &histogram, int maxBars)
{
    QList<Bar> result;
    if (histogram.count() == 0 || maxBars <= 0)
        return result;
    const int first = RunTimeHistogram::bucketOf(histogram.min());
    const int last = RunTimeHistogram::bucketOf(histogram.max());
    const int span = last - first + 1;
    const int perBar = std::max(1, (span + maxBars - 1) / maxBars);
    for (int bucket = first; bucket <= last; bucket += perBar) {
        Bar bar{RunTimeHistogram::bucketLower(bucket), 0, 0};
        const int end = std::min(bucket + perBar, last + 1);
        for (int b = bucket; b < end; ++b)
            bar.count += histogram.countIn(b);
        bar.upperUs = RunTimeHistogram::bucketUpper(end - 1);
        result.append(bar);
    }
    return result;
}

void RunTimeChart::paintEvent(QPaintEvent *)
{
    ChartPainter chart(this);
    QPainter &painter = chart.painter;
    const bool dark = chart.dark;

    if (!m_histogram || m_histogram->count() == 0) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, u"No task has finished yet."_s);
        return;
    }
    const int maxBars = std::max(1, std::min(60, int((width() - ChartPainter::LeftAxis) / 8)));
    const QList<Bar> data = bars(*m_histogram, maxBars);
    qint64 largest = 0;
    for (const Bar &bar : data)
        largest = std::max(largest, bar.count);
    const BarChartGeometry geometry = ChartPainter::geometry(rect(), int(data.size()), double(largest));

    chart.drawGrid(geometry, [](double value) { return QString::number(value, 'g', 3); });
    painter.setPen(Qt::NoPen);
    painter.setBrush(phasestyle::color(Phase::Started, dark));
    for (int i = 0; i < data.size(); ++i)
        painter.drawRect(geometry.barRect(i, 0, double(data.at(i).count)));

    // The x axis is logarithmic: a run time's x is found through the bar holding it.
    auto xOf = [&](qint64 us) {
        for (int i = 0; i < data.size(); ++i) {
            if (us < data.at(i).upperUs || i == data.size() - 1) {
                const double lo = std::log(double(std::max<qint64>(data.at(i).lowerUs, 1)));
                const double hi = std::log(double(std::max<qint64>(data.at(i).upperUs, 2)));
                const double f = hi > lo ? std::clamp((std::log(double(std::max<qint64>(us, 1))) - lo) / (hi - lo), 0.0, 1.0) : 0.5;
                return geometry.plot.left() + (i + f) * geometry.slotWidth();
            }
        }
        return geometry.plot.left();
    };
    chart.drawAxisEnds(geometry, formatDuration(data.constFirst().lowerUs), formatDuration(data.constLast().upperUs));

    // Percentile markers, and the legend saying what they are.
    const QColor markerColours[] = {phasestyle::color(Phase::Succeeded, dark),
                                    phasestyle::color(Phase::Retrying, dark),
                                    phasestyle::color(Phase::Failed, dark)};
    const std::pair<QString, double> marks[] = {{u"median"_s, 0.5}, {u"p95"_s, 0.95}, {u"p99"_s, 0.99}};
    qreal legendX = geometry.plot.left();
    for (int i = 0; i < 3; ++i) {
        const qint64 value = m_histogram->percentile(marks[i].second);
        const qreal x = xOf(value);
        painter.setPen(QPen(markerColours[i], 1.5, Qt::DashLine));
        painter.drawLine(QPointF(x, geometry.plot.top()), QPointF(x, geometry.plot.bottom()));
        legendX = chart.drawLegendEntry(legendX, markerColours[i], u"%1 %2"_s.arg(marks[i].first, formatDuration(value)));
    }
    const QString n = u"n = %1"_s.arg(formatCount(m_histogram->count()));
    painter.drawText(QRectF(legendX, 4, std::max<qreal>(width() - legendX - 4, 0), chart.metrics.height() + 2),
                     Qt::AlignRight | Qt::AlignVCenter, n);
}

} // namespace afterwork::monitor
