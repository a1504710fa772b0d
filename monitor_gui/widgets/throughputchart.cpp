// SPDX-License-Identifier: MIT
#include "widgets/throughputchart.h"

#include "widgets/chartpainter.h"
#include "widgets/phasestyle.h"

#include <QtGui/QHelpEvent>
#include <QtGui/QPainter>
#include <QtGui/QPainterPath>
#include <QtWidgets/QToolTip>

#include <algorithm>
#include <cmath>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

namespace {
constexpr qreal MinBarWidth = 4;

//! As many bins as there are seconds in the window, or fewer so that each is MinBarWidth wide.
int binCountFor(int width, int windowSeconds)
{
    return std::max(1, std::min(windowSeconds, int((width - ChartPainter::LeftAxis - 4) / MinBarWidth)));
}
} // namespace

ThroughputChart::ThroughputChart(QWidget *parent) : QWidget(parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent, false);
    setMouseTracking(true);
}

void ThroughputChart::setData(const ThroughputSeries *series, qint64 nowUs)
{
    m_series = series;
    m_nowUs = nowUs;
    update();
}

void ThroughputChart::setWindowSeconds(int seconds)
{
    m_windowSeconds = std::max(seconds, 10);
    update();
}

QList<ThroughputChart::Bin> ThroughputChart::bins(int binCount, int *secondsPerBin) const
{
    QList<Bin> result(binCount);
    const int perBin = std::max(1, int(std::ceil(double(m_windowSeconds) / std::max(binCount, 1))));
    *secondsPerBin = perBin;
    if (!m_series || m_nowUs <= 0)
        return result;
    const qint64 lastSecond = m_nowUs / 1'000'000;
    const QList<ThroughputSeries::Second> seconds = m_series->lastSeconds(lastSecond, binCount * perBin);
    for (qsizetype i = 0; i < seconds.size(); ++i) {
        Bin &bin = result[i / perBin];
        bin.scheduled += seconds[i].scheduled;
        bin.succeeded += seconds[i].succeeded;
        bin.failed += seconds[i].failed;
        bin.otherEnds += seconds[i].otherEnds;
    }
    return result;
}

void ThroughputChart::paintEvent(QPaintEvent *)
{
    ChartPainter chart(this);
    QPainter &painter = chart.painter;
    const bool dark = chart.dark;

    const int binCount = binCountFor(width(), m_windowSeconds);
    int perBin = 1;
    const QList<Bin> data = bins(binCount, &perBin);
    double largest = 0;
    for (const Bin &bin : data)
        largest = std::max({largest, double(bin.succeeded + bin.failed + bin.otherEnds), double(bin.scheduled)});
    // Rates per second, whatever the bin width.
    const BarChartGeometry geometry = ChartPainter::geometry(rect(), binCount, largest / perBin);

    chart.drawGrid(geometry, [](double value) {
        return value >= 10 || value == 0 ? QString::number(value, 'f', 0) : QString::number(value, 'g', 2);
    });
    chart.drawAxisEnds(geometry,
                       u"−%1"_s.arg(m_windowSeconds >= 120 ? u"%1 min"_s.arg(m_windowSeconds / 60) : u"%1 s"_s.arg(m_windowSeconds)),
                       u"now"_s);

    // Stacked bars: succeeded at the bottom, then failed, then the other ends.
    const QColor succeeded = phasestyle::color(Phase::Succeeded, dark);
    const QColor failed = phasestyle::color(Phase::Failed, dark);
    const QColor other = phasestyle::color(Phase::Cancelled, dark);
    painter.setPen(Qt::NoPen);
    for (int i = 0; i < data.size(); ++i) {
        const Bin &bin = data.at(i);
        double base = 0;
        for (const auto &[count, colour] : {std::pair{bin.succeeded, succeeded}, {bin.failed, failed}, {bin.otherEnds, other}}) {
            if (count == 0)
                continue;
            const double top = base + double(count) / perBin;
            painter.setBrush(colour);
            painter.drawRect(geometry.barRect(i, base, top));
            base = top;
        }
    }
    // Scheduled per second as a line over the bars.
    QPainterPath line;
    for (int i = 0; i < data.size(); ++i) {
        const QRectF slot = geometry.barRect(i, 0, 0);
        const QPointF point(slot.center().x(), geometry.valueToY(double(data.at(i).scheduled) / perBin));
        if (i == 0)
            line.moveTo(point);
        else
            line.lineTo(point);
    }
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(phasestyle::accent(dark), 1.6));
    painter.drawPath(line);

    // Legend.
    qreal x = geometry.plot.left();
    for (const auto &[name, colour] : {std::pair{u"succeeded"_s, succeeded}, {u"failed"_s, failed}, {u"cancelled/abandoned/dropped"_s, other}, {u"scheduled"_s, phasestyle::accent(dark)}})
        x = chart.drawLegendEntry(x, colour, name);
}

bool ThroughputChart::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int binCount = binCountFor(width(), m_windowSeconds);
        int perBin = 1;
        const QList<Bin> data = bins(binCount, &perBin);
        const BarChartGeometry geometry = ChartPainter::geometry(rect(), binCount, 1);
        const int index = geometry.barAt(help->pos().x());
        if (index >= 0) {
            const Bin &bin = data.at(index);
            const int secondsAgo = (binCount - 1 - index) * perBin;
            QToolTip::showText(help->globalPos(),
                               u"%1 s ago (%2 s): %3 scheduled, %4 succeeded, %5 failed, %6 other ends"_s.arg(secondsAgo)
                                   .arg(perBin)
                                   .arg(bin.scheduled)
                                   .arg(bin.succeeded)
                                   .arg(bin.failed)
                                   .arg(bin.otherEnds),
                               this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

} // namespace afterwork::monitor
