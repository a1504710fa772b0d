// SPDX-License-Identifier: MIT
#include "widgets/countertile.h"

#include "core/formatting.h"
#include "widgets/phasestyle.h"

#include <QtGui/QPainter>

namespace afterwork::monitor {

CounterTile::CounterTile(Phase phase, QString title, QWidget *parent)
    : QWidget(parent), m_phase(phase), m_title(std::move(title))
{
    setAccessibleName(m_title);
}

void CounterTile::setValue(qint64 value)
{
    if (value == m_value)
        return;
    m_value = value;
    update();
}

QSize CounterTile::sizeHint() const
{
    const QFontMetrics metrics = fontMetrics();
    return {std::max(150, metrics.horizontalAdvance(m_title) + 56), metrics.height() * 3 + 18};
}

QSize CounterTile::minimumSizeHint() const
{
    return {110, fontMetrics().height() * 3 + 12};
}

void CounterTile::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const bool dark = phasestyle::isDark(palette());
    const QColor colour = phasestyle::color(m_phase, dark);
    const QRectF box = QRectF(rect()).adjusted(1, 1, -1, -1);

    QColor fill = palette().color(QPalette::Base);
    painter.setPen(QPen(palette().color(QPalette::Mid), 1));
    painter.setBrush(fill);
    painter.drawRoundedRect(box, 6, 6);
    // The phase colour as a stripe on the left.
    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    painter.drawRoundedRect(QRectF(box.left(), box.top(), 5, box.height()), 2, 2);

    const QFontMetrics metrics = fontMetrics();
    const qreal glyph = metrics.height();
    phasestyle::paintGlyph(&painter, QRectF(box.left() + 12, box.top() + 8, glyph, glyph), m_phase, dark);
    painter.setPen(palette().color(QPalette::Text));
    painter.drawText(QRectF(box.left() + 18 + glyph, box.top() + 8, box.width() - 24 - glyph, glyph), Qt::AlignLeft | Qt::AlignVCenter,
                     metrics.elidedText(m_title, Qt::ElideRight, int(box.width() - 24 - glyph)));

    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 1.9);
    big.setBold(true);
    painter.setFont(big);
    painter.setPen(m_value > 0 ? colour : palette().color(QPalette::PlaceholderText));
    painter.drawText(QRectF(box.left() + 12, box.top() + glyph + 10, box.width() - 20, box.height() - glyph - 14),
                     Qt::AlignLeft | Qt::AlignVCenter, formatCount(m_value));
}

} // namespace afterwork::monitor
