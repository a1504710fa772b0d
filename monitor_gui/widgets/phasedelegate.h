// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QRect>
#include <QtWidgets/QStyledItemDelegate>

namespace afterwork::monitor {

//! Where a phase cell's parts go: the glyph at the left, vertically centred, then the text.
//! A plain value, so that it can be tested without painting.
struct PhaseBadgeGeometry
{
    QRect glyph;
    QRect text;

    //! \a cell is the item's rectangle, \a glyphSize the glyph's side (it shrinks to fit short
    //! rows), \a padding the margin around and between the parts.
    static PhaseBadgeGeometry compute(const QRect &cell, int glyphSize, int padding);
};

//! Paints a cell as the glyph of a phase and the cell's text in the phase colour. Takes the role
//! holding int(Phase), so any model with a phase (or outcome) column can use it.
class PhaseDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit PhaseDelegate(int phaseRole, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_phaseRole;
};

} // namespace afterwork::monitor
