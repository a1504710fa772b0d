// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QRectF>
#include <QtWidgets/QStyledItemDelegate>

namespace afterwork::monitor {

//! Where a progress cell's parts go: a bar inset in the cell, and the part of it that is done.
//! A plain value, so that it can be tested without painting.
struct ProgressBarGeometry
{
    QRectF track; //!< the whole bar
    QRectF done;  //!< its first `fraction`, from the left; empty for 0 or an unknown total

    //! \a cell is the item's rectangle, \a fraction done / total (negative: unknown total),
    //! \a padding the margin around the bar.
    static ProgressBarGeometry compute(const QRect &cell, double fraction, int padding);
};

//! Paints a cell as a progress bar with its text ("42 %", or "3 done") centred on it: the done
//! part filled in the colour of running work, an unknown total as a hatched bar, and a task that
//! has ended faded (its last value: where it stopped). Cells without a value in the fraction role
//! are painted as usual. Takes the roles it reads, so any model with a progress can use it.
class ProgressDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
public:
    //! The opacity of an ended task's bar.
    static constexpr double EndedOpacity = 0.45;

    //! \a fractionRole: a double in [0, 1], negative for an unknown total, invalid for none;
    //! \a liveRole: a bool, false once the task has ended.
    ProgressDelegate(int fractionRole, int liveRole, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_fractionRole;
    int m_liveRole;
};

} // namespace afterwork::monitor
