// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

namespace afterwork::monitor {

//! "—" for a negative (unknown) duration, else the shortest readable form: "850 µs", "12.3 ms",
//! "4.20 s", "3 m 12 s", "2 h 05 m".
QString formatDuration(qint64 us);
//! Local wall-clock time of a µs-since-epoch stamp, "14:03:27.512"; "—" for 0.
QString formatTime(qint64 tsUs);
//! The same with the date, for tooltips and the details pane.
QString formatDateTime(qint64 tsUs);
//! A count with thousands separators in the C locale ("1,234,567"), so screenshots and tests read
//! the same everywhere.
QString formatCount(qint64 count);

} // namespace afterwork::monitor
