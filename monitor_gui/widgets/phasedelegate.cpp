// SPDX-License-Identifier: MIT
#include "widgets/phasedelegate.h"

#include "widgets/phasestyle.h"

#include <QtGui/QPainter>
#include <QtWidgets/QApplication>

#include <algorithm>

namespace afterwork::monitor {

PhaseBadgeGeometry PhaseBadgeGeometry::compute(const QRect &cell, int glyphSize, int padding)
{
    PhaseBadgeGeometry geometry;
    const int side = std::max(0, std::min(glyphSize, cell.height() - 2 * padding));
    geometry.glyph = QRect(cell.left() + padding, cell.top() + (cell.height() - side) / 2, side, side);
    const int textLeft = geometry.glyph.right() + 1 + padding;
    geometry.text = QRect(textLeft, cell.top(), std::max(0, cell.right() + 1 - padding - textLeft), cell.height());
    return geometry;
}

PhaseDelegate::PhaseDelegate(int phaseRole, QObject *parent) : QStyledItemDelegate(parent), m_phaseRole(phaseRole)
{
}

void PhaseDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QVariant phaseValue = index.data(m_phaseRole);
    if (!phaseValue.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // The background (selection, hover) as the style draws it, without text or icon.
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    background.icon = QIcon();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    const auto phase = Phase(phaseValue.toInt());
    const bool dark = phasestyle::isDark(option.palette);
    const int glyph = option.fontMetrics.height() - 2;
    const PhaseBadgeGeometry geometry = PhaseBadgeGeometry::compute(option.rect, glyph, 3);
    phasestyle::paintGlyph(painter, geometry.glyph, phase, dark);

    painter->save();
    const bool selected = option.state & QStyle::State_Selected;
    painter->setPen(selected ? option.palette.color(QPalette::HighlightedText) : phasestyle::color(phase, dark));
    const QString text = option.fontMetrics.elidedText(index.data(Qt::DisplayRole).toString(), Qt::ElideRight, geometry.text.width());
    painter->drawText(geometry.text, Qt::AlignLeft | Qt::AlignVCenter, text);
    painter->restore();
}

QSize PhaseDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    if (index.data(m_phaseRole).isValid()) {
        const int textWidth = option.fontMetrics.horizontalAdvance(index.data(Qt::DisplayRole).toString());
        size.setWidth(std::max(size.width(), option.fontMetrics.height() + textWidth + 12));
    }
    return size;
}

} // namespace afterwork::monitor
