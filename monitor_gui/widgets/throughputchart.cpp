// SPDX-License-Identifier: MIT
#include "widgets/throughputchart.h"

#include "widgets/chartgeometry.h"
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
constexpr qreal LeftAxis = 44;
constexpr qreal BottomAxis = 22;
constexpr qreal Legend = 22;
constexpr qreal MinBarWidth = 4;
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
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const bool dark = phasestyle::isDark(palette());
    const QColor text = palette().color(QPalette::WindowText);
    const QFontMetrics metrics = fontMetrics();

    const int binCount = std::max(1, std::min(m_windowSeconds, int((width() - LeftAxis - 4) / MinBarWidth)));
    int perBin = 1;
    const QList<Bin> data = bins(binCount, &perBin);
    double largest = 0;
    for (const Bin &bin : data)
        largest = std::max({largest, double(bin.succeeded + bin.failed + bin.otherEnds), double(bin.scheduled)});
    // Rates per second, whatever the bin width.
    const BarChartGeometry geometry = BarChartGeometry::compute(rect(), binCount, largest / perBin, LeftAxis, BottomAxis, Legend);

    // Grid and y labels.
    const int steps = geometry.gridSteps();
    for (int step = 0; step <= steps; ++step) {
        const double value = geometry.maxValue * step / steps;
        const double y = geometry.valueToY(value);
        painter.setPen(phasestyle::gridLine(dark));
        painter.drawLine(QPointF(geometry.plot.left(), y), QPointF(geometry.plot.right(), y));
        painter.setPen(text);
        const QString label = value >= 10 || value == 0 ? QString::number(value, 'f', 0) : QString::number(value, 'g', 2);
        painter.drawText(QRectF(0, y - metrics.height() / 2.0, LeftAxis - 6, metrics.height()), Qt::AlignRight | Qt::AlignVCenter, label);
    }
    painter.drawText(QRectF(geometry.plot.left(), geometry.plot.bottom() + 3, geometry.plot.width(), BottomAxis - 3),
                     Qt::AlignLeft | Qt::AlignTop, u"−%1"_s.arg(m_windowSeconds >= 120 ? u"%1 min"_s.arg(m_windowSeconds / 60) : u"%1 s"_s.arg(m_windowSeconds)));
    painter.drawText(QRectF(geometry.plot.left(), geometry.plot.bottom() + 3, geometry.plot.width(), BottomAxis - 3),
                     Qt::AlignRight | Qt::AlignTop, u"now"_s);

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
    const qreal y = 4;
    for (const auto &[name, colour] : {std::pair{u"succeeded"_s, succeeded}, {u"failed"_s, failed}, {u"cancelled/abandoned/dropped"_s, other}, {u"scheduled"_s, phasestyle::accent(dark)}}) {
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        painter.drawRoundedRect(QRectF(x, y + 3, 10, 10), 2, 2);
        painter.setPen(text);
        const int w = metrics.horizontalAdvance(name);
        painter.drawText(QRectF(x + 14, y, w + 2, metrics.height() + 2), Qt::AlignLeft | Qt::AlignVCenter, name);
        x += 14 + w + 14;
    }
}

bool ThroughputChart::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int binCount = std::max(1, std::min(m_windowSeconds, int((width() - LeftAxis - 4) / MinBarWidth)));
        int perBin = 1;
        const QList<Bin> data = bins(binCount, &perBin);
        const BarChartGeometry geometry = BarChartGeometry::compute(rect(), binCount, 1, LeftAxis, BottomAxis, Legend);
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
