// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/durationformat.h>
#include <afterwork/client/streamevent.h>

#include <QtCore/QString>

namespace afterwork::monitor {

//! Durations read the same here as in `afterwork tail`: "850 µs", "12.3 ms", "4.20 s",
//! "3 min 12 s", "2 h 05 min", "—" when unknown (the rule is in durationformat.h).
using client::formatDuration;
//! Local wall-clock time of a µs-since-epoch stamp, "14:03:27.512"; "—" for 0.
QString formatTime(qint64 tsUs);
//! The same with the date, for tooltips and the details pane.
QString formatDateTime(qint64 tsUs);
//! A count with thousands separators in the C locale ("1,234,567"), so screenshots and tests read
//! the same everywhere.
QString formatCount(qint64 count);
//! "1 task", "3 tasks", "1,200 tasks"; with \a adjective "1 live task", "3 live tasks".
QString formatTasks(qint64 count, QStringView adjective = {});
//! What a progress bar says: "42 %" (rounded down, so that 100 % means all done), or "3 done"
//! when the work does not know its total.
QString formatProgressShort(const client::ProgressEvent &progress);
//! The whole value: "3 / 10 (30 %)", or "3 done" when the total is unknown, then " — message"
//! when the work gave one.
QString formatProgress(const client::ProgressEvent &progress);

//! \a value as a filter term's value (docs/filter.md), quoted when it needs to be: spaces, ':',
//! '~', '"', '\\', '-' or ','.
QString filterValue(const QString &value);

} // namespace afterwork::monitor
