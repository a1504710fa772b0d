// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

namespace afterwork::client {

//! A duration in microseconds as people read it; the one rule of `afterwork` and the dashboard
//! (docs/cli.md, docs/monitor.md):
//!
//! | duration            | shown as                                   | examples                    |
//! |---------------------|--------------------------------------------|-----------------------------|
//! | negative (unknown)  | an em dash                                 | "—"                         |
//! | under 1 ms          | whole microseconds                         | "0 µs", "850 µs"            |
//! | under 1 min         | three significant digits, in ms or s       | "1.25 ms", "12.3 ms", "350 ms", "4.20 s", "12.3 s" |
//! | under 1 h           | minutes and seconds, to the nearest second | "3 min 12 s"                |
//! | from 1 h            | hours and minutes, to the nearest minute   | "2 h 05 min"                |
//!
//! The unit is chosen after rounding, so a value never shows as "1000 ms" or "60.0 s": 999.6 ms
//! is "1.00 s". Three digits because more would be noise for what a stream's timestamps measure,
//! and fewer would hide a tenfold difference between neighbouring rows.
QString formatDuration(qint64 us);

} // namespace afterwork::client
