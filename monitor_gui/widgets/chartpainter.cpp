// SPDX-License-Identifier: MIT
#include "widgets/chartpainter.h"

#include "widgets/phasestyle.h"

#include <QtWidgets/QWidget>

namespace afterwork::monitor {

BarChartGeometry ChartPainter::geometry(const QRectF &area, int barCount, double largestValue)
{
    return BarChartGeometry::compute(area, barCount, largestValue, LeftAxis, BottomAxis, Legend);
}

ChartPainter::ChartPainter(QWidget *chart)
    : painter(chart), dark(phasestyle::isDark(chart->palette())), text(chart->palette().color(QPalette::WindowText)),
      metrics(chart->fontMetrics())
{
    painter.setRenderHint(QPainter::Antialiasing);
}

void ChartPainter::drawGrid(const BarChartGeometry &geometry, const std::function<QString(double)> &label)
{
    const int steps = geometry.gridSteps();
    for (int step = 0; step <= steps; ++step) {
        const double value = geometry.maxValue * step / steps;
        const double y = geometry.valueToY(value);
        painter.setPen(phasestyle::gridLine(dark));
        painter.drawLine(QPointF(geometry.plot.left(), y), QPointF(geometry.plot.right(), y));
        painter.setPen(text);
        painter.drawText(QRectF(0, y - metrics.height() / 2.0, LeftAxis - 6, metrics.height()), Qt::AlignRight | Qt::AlignVCenter,
                         label(value));
    }
}

void ChartPainter::drawAxisEnds(const BarChartGeometry &geometry, const QString &first, const QString &last)
{
    const QRectF below(geometry.plot.left(), geometry.plot.bottom() + 3, geometry.plot.width(), BottomAxis - 3);
    painter.setPen(text);
    painter.drawText(below, Qt::AlignLeft | Qt::AlignTop, first);
    painter.drawText(below, Qt::AlignRight | Qt::AlignTop, last);
}

qreal ChartPainter::drawLegendEntry(qreal x, const QColor &colour, const QString &name)
{
    const qreal y = 4;
    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    painter.drawRoundedRect(QRectF(x, y + 3, 10, 10), 2, 2);
    painter.setPen(text);
    const int w = metrics.horizontalAdvance(name);
    painter.drawText(QRectF(x + 14, y, w + 2, metrics.height() + 2), Qt::AlignLeft | Qt::AlignVCenter, name);
    return x + 14 + w + 14;
}

} // namespace afterwork::monitor
