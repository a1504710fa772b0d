// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QList>

#include <algorithm>

namespace afterwork::monitor {

struct RowRange
{
    int first = 0;
    int last = 0; //!< inclusive
    friend bool operator==(const RowRange &, const RowRange &) = default;
};

//! \a rows sorted into ascending ranges, a range swallowing gaps of up to \a maxGap rows (so that
//! scattered changes become a few dataChanged() signals rather than one per row).
inline QList<RowRange> contiguousRanges(QList<int> rows, int maxGap)
{
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    QList<RowRange> ranges;
    for (const int row : std::as_const(rows)) {
        if (!ranges.isEmpty() && row - ranges.last().last <= maxGap + 1)
            ranges.last().last = row;
        else
            ranges.append(RowRange{row, row});
    }
    return ranges;
}

} // namespace afterwork::monitor
