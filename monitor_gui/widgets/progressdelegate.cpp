// SPDX-License-Identifier: MIT
#include "widgets/progressdelegate.h"

#include "widgets/phasestyle.h"

#include <QtGui/QPainter>
#include <QtGui/QRegion>
#include <QtWidgets/QApplication>

#include <algorithm>

namespace afterwork::monitor {

ProgressBarGeometry ProgressBarGeometry::compute(const QRect &cell, double fraction, int padding)
{
    ProgressBarGeometry geometry;
    const double width = std::max(0, cell.width() - 2 * padding);
    const double height = std::max(0, cell.height() - 2 * padding);
    geometry.track = QRectF(cell.left() + padding, cell.top() + padding, width, height);
    if (fraction > 0)
        geometry.done = QRectF(geometry.track.topLeft(), QSizeF(width * std::min(fraction, 1.0), height));
    return geometry;
}

ProgressDelegate::ProgressDelegate(int fractionRole, int liveRole, QObject *parent)
    : QStyledItemDelegate(parent), m_fractionRole(fractionRole), m_liveRole(liveRole)
{
}

void ProgressDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QVariant fractionValue = index.data(m_fractionRole);
    if (!fractionValue.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // The background (selection, hover) as the style draws it, without text.
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    const double fraction = fractionValue.toDouble();
    const bool dark = phasestyle::isDark(option.palette);
    const QColor fill = phasestyle::progressFill(dark);
    const ProgressBarGeometry geometry = ProgressBarGeometry::compute(option.rect, fraction, 3);
    if (geometry.track.isEmpty())
        return;

    painter->save();
    if (!index.data(m_liveRole).toBool())
        painter->setOpacity(EndedOpacity);
    // An opaque track, so that the text reads the same on a selected row.
    painter->fillRect(geometry.track, option.palette.color(QPalette::Base));
    if (fraction < 0) {
        // Unknown total: hatched, not animated (a table of busy cells would repaint forever).
        QColor hatch = fill;
        hatch.setAlpha(110);
        painter->fillRect(geometry.track, QBrush(hatch, Qt::BDiagPattern));
    } else if (!geometry.done.isEmpty()) {
        painter->fillRect(geometry.done, fill);
    }
    painter->setPen(fill);
    painter->setBrush(Qt::NoBrush);
    painter->drawRect(geometry.track.adjusted(0, 0, -1, -1));

    // The text, in one colour over the done part and another over the rest.
    const QString text = option.fontMetrics.elidedText(index.data(Qt::DisplayRole).toString(), Qt::ElideRight,
                                                       int(geometry.track.width()) - 4);
    const QRect done = geometry.done.toAlignedRect();
    if (!done.isEmpty()) {
        painter->setClipRect(done);
        painter->setPen(phasestyle::textOn(fill));
        painter->drawText(geometry.track, Qt::AlignCenter, text);
    }
    painter->setClipRegion(QRegion(geometry.track.toAlignedRect()).subtracted(QRegion(done)));
    painter->setPen(option.palette.color(QPalette::Text));
    painter->drawText(geometry.track, Qt::AlignCenter, text);
    painter->restore();
}

QSize ProgressDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    // Room for the widest percentage, whatever the cell says now: the column does not jitter.
    const int barWidth = option.fontMetrics.horizontalAdvance(QStringLiteral("100 %")) + 24;
    size.setWidth(std::max(size.width(), barWidth));
    return size;
}

} // namespace afterwork::monitor
