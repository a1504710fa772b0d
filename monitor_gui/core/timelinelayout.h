// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/taskstore.h>

#include <QtCore/QList>
#include <QtCore/QString>

#include <optional>

namespace afterwork::monitor {

enum class TimelineGrouping : quint8 { Mode, Name };

//! One task on the timeline: queued from `scheduledUs` to `startedUs` (0: never started), running
//! until `endUs` (for a live task: now).
struct TimelineBar
{
    quint64 id = 0;
    qint64 scheduledUs = 0;
    qint64 startedUs = 0;
    qint64 endUs = 0;
    bool live = false;
    Phase phase = Phase::Unknown;
    quint64 requestId = 0;
    QString group;
    //! The latest progress its work reported, if any (a finished task's: its last value).
    std::optional<client::ProgressEvent> progress;

    //! How much of the running bar to shade as done: the progress' fraction while the task is
    //! live, has started and knows its total; -1 otherwise (nothing to shade: an ended bar shows
    //! its outcome, and an unknown total has no fraction).
    double shadedFraction() const;
};

//! A row of the timeline: a group's header, or one lane of bars that do not overlap.
struct TimelineRow
{
    bool header = false;
    QString label;         //!< the group's name (on its header row)
    QList<int> bars;       //!< indexes into TimelineLayout::bars, by start time
};

//! Bars packed into lanes, group by group: each bar goes into the first lane of its group that is
//! free at its start (greedy interval packing), so that thousands of short tasks take a few rows.
//! A plain value, built from the store in one pass and tested without a widget.
struct TimelineLayout
{
    QList<TimelineBar> bars;
    QList<TimelineRow> rows;
    qint64 firstUs = 0; //!< the earliest scheduling time; 0 when empty
    qint64 lastUs = 0;  //!< the latest end

    //! \a bars' `group` decides the groups (in \a groupOrder's order first, then by name).
    static TimelineLayout pack(QList<TimelineBar> bars, const QStringList &groupOrder = {}, int maxLanesPerGroup = 400);
    //! Every task of \a store, live ones ending at \a nowUs.
    static TimelineLayout fromStore(const client::TaskStore &store, TimelineGrouping grouping, qint64 nowUs);

    //! The bar at time \a us in \a row, or -1 (the latest-starting one if several touch it).
    int barAt(int row, qint64 us, qint64 slackUs = 0) const;
    //! The row holding bar \a index, or -1.
    int rowOfBar(int index) const;
};

} // namespace afterwork::monitor
