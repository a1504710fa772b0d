// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/taskstore.h>

#include <QtCore/QList>
#include <QtCore/QString>

#include <optional>

namespace afterwork::monitor {

enum class TimelineGrouping : quint8 { Mode, Name };

//! A task on the timeline: its source (an index into the sources laid out; 0 when there is one)
//! and its id there. Ids are each source's own, so the pair is what tells two tasks apart.
struct TimelineTask
{
    int source = 0; //!< an index into TimelineLayout::sources (0 for one source's layout)
    quint64 id = 0; //!< the task's id in its source

    friend bool operator==(const TimelineTask &, const TimelineTask &) = default; //!< member-wise
};

//! One source's part of a timeline of several: its tasks, and what its lane's header says.
struct TimelineSourceInput
{
    const client::TaskStore *store = nullptr; //!< not owned; read while the layout is built
    QString label;                            //!< the source's label
    QString state;                            //!< its connection's state when worth saying ("lost"), else ""
    qint64 nowUs = 0;                         //!< where its live tasks end: its own clock
};

//! A source's lane in a timeline of several, as its header shows it.
struct TimelineSourceLane
{
    QString label; //!< the source's label
    QString state; //!< "lost", "ended", ... or "" (see TimelineSourceInput::state)
};

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
    //! Whose task: an index into TimelineLayout::sources (0 for one source's layout). Here, in the
    //! padding after the phase, so that a bar is no bigger for it.
    int source = 0;
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
    //! On the header of a source's lane (a layout of several sources): that source's index into
    //! TimelineLayout::sources, its label in `label`. -1 on a group's header and on a lane.
    int source = -1;
};

//! Bars packed into lanes, group by group (source by source, with several): each bar goes into the first lane of its group that is
//! free at its start (greedy interval packing), so that thousands of short tasks take a few rows.
//! A plain value, built from the store in one pass and tested without a widget.
struct TimelineLayout
{
    QList<TimelineBar> bars;
    QList<TimelineRow> rows;
    //! The sources' lanes in order, for a layout of several sources (fromSources()); empty for one
    //! source's layout, which has no source headers.
    QList<TimelineSourceLane> sources;
    qint64 firstUs = 0; //!< the earliest scheduling time; 0 when empty
    qint64 lastUs = 0;  //!< the latest end

    //! \a bars' `group` decides the groups (in \a groupOrder's order first, then by name).
    static TimelineLayout pack(QList<TimelineBar> bars, const QStringList &groupOrder = {}, int maxLanesPerGroup = 400);
    //! Every task of \a store, live ones ending at \a nowUs.
    static TimelineLayout fromStore(const client::TaskStore &store, TimelineGrouping grouping, qint64 nowUs);
    //! Every source of \a sources, one lane each in their order: the source's header row (even
    //! with no task yet), then its tasks grouped and packed as fromStore() does. Every live task is
    //! kept, as one source's timeline keeps them; of the finished ones, at most \a finishedBudget in
    //! all, the latest to finish across the sources: the same bound as one source's store, so that
    //! eight sources do not draw eight times as much (and when it cuts, every lane reaches back to
    //! the same moment).
    static TimelineLayout fromSources(const QList<TimelineSourceInput> &sources, TimelineGrouping grouping, qsizetype finishedBudget);

    //! The bar at time \a us in \a row, or -1 (the latest-starting one if several touch it).
    int barAt(int row, qint64 us, qint64 slackUs = 0) const;
    //! The row holding bar \a index, or -1.
    int rowOfBar(int index) const;
};

} // namespace afterwork::monitor
