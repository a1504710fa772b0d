// SPDX-License-Identifier: MIT
#include "core/timelinelayout.h"

#include "core/failuregroups.h"

#include <QtCore/QHash>

#include <algorithm>
#include <limits>
#include <queue>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

namespace {

//! The groups' order: the modes in the order they run in a request; names alphabetically.
QStringList groupOrder(TimelineGrouping grouping)
{
    if (grouping != TimelineGrouping::Mode)
        return {};
    return {wireName(Mode::Immediate), wireName(Mode::AfterRoute), wireName(Mode::AfterResponse)};
}

//! Appends the bars of tasks \a ids of \a store, live ones ending at \a nowUs.
void appendBars(QList<TimelineBar> &bars, const client::TaskStore &store, const QList<quint64> &ids, TimelineGrouping grouping,
                qint64 nowUs, int source)
{
    for (const quint64 id : ids) {
        const client::TaskState *state = store.task(id);
        if (!state)
            continue;
        const client::TaskRecord &task = state->task;
        TimelineBar bar;
        bar.id = id;
        bar.scheduledUs = task.scheduledUs > 0 ? task.scheduledUs : state->firstSeenUs;
        bar.startedUs = task.startedUs;
        bar.live = state->isLive();
        bar.endUs = bar.live ? std::max(nowUs, bar.scheduledUs) : std::max(state->finishedUs, bar.scheduledUs);
        bar.phase = task.phase;
        bar.requestId = task.requestId;
        bar.progress = state->progress;
        bar.group = grouping == TimelineGrouping::Mode ? QString(afterwork::wireName(task.mode)) : FailureGroups::groupName(task.name);
        bar.source = source;
        bars.append(std::move(bar));
    }
}

//! How many of each source's finished tasks (its latest) make the \a budget latest to finish
//! across them all. A history is in finishing order, so the histories are walked back from their
//! ends together, always taking the latest of their next ones: the cost is the budget's, not
//! the sum of the histories'.
QList<qsizetype> latestFinishes(const QList<TimelineSourceInput> &sources, const QList<QList<quint64>> &finished, qsizetype budget)
{
    QList<qsizetype> kept(sources.size(), 0);
    const auto finishedUs = [&](int s) {
        const QList<quint64> &ids = finished.at(s);
        const client::TaskState *state = sources.at(s).store->task(ids.at(ids.size() - 1 - kept.at(s)));
        return state ? state->finishedUs : 0;
    };
    std::priority_queue<std::pair<qint64, int>> next; // (finish time of the source's next, source)
    for (int s = 0; s < sources.size(); ++s) {
        if (!finished.at(s).isEmpty())
            next.emplace(finishedUs(s), s);
    }
    for (qsizetype taken = 0; taken < budget && !next.empty(); ++taken) {
        const int s = next.top().second;
        next.pop();
        if (++kept[s] < finished.at(s).size())
            next.emplace(finishedUs(s), s);
    }
    return kept;
}

} // namespace

double TimelineBar::shadedFraction() const
{
    if (!live || startedUs <= 0 || !progress)
        return -1;
    return progress->fraction();
}

TimelineLayout TimelineLayout::pack(QList<TimelineBar> bars, const QStringList &groupOrder, int maxLanesPerGroup)
{
    TimelineLayout layout;
    layout.bars = std::move(bars);
    if (layout.bars.isEmpty())
        return layout;

    // Bars by group, each group's bars by start.
    QHash<QString, QList<int>> byGroup;
    for (int i = 0; i < layout.bars.size(); ++i)
        byGroup[layout.bars.at(i).group].append(i);
    QStringList groups;
    for (const QString &name : groupOrder) {
        if (byGroup.contains(name))
            groups.append(name);
    }
    QStringList rest;
    for (auto it = byGroup.cbegin(); it != byGroup.cend(); ++it) {
        if (!groupOrder.contains(it.key()))
            rest.append(it.key());
    }
    std::sort(rest.begin(), rest.end(), [](const QString &a, const QString &b) { return a.compare(b, Qt::CaseInsensitive) < 0; });
    groups.append(rest);

    layout.firstUs = std::numeric_limits<qint64>::max();
    layout.lastUs = 0;
    for (const QString &group : std::as_const(groups)) {
        QList<int> members = byGroup.value(group);
        std::sort(members.begin(), members.end(), [&](int a, int b) {
            const TimelineBar &l = layout.bars.at(a);
            const TimelineBar &r = layout.bars.at(b);
            return l.scheduledUs != r.scheduledUs ? l.scheduledUs < r.scheduledUs : l.id < r.id;
        });
        layout.rows.append(TimelineRow{true, group, {}});
        const int firstLane = int(layout.rows.size());
        QList<qint64> laneEnds;
        for (const int index : std::as_const(members)) {
            const TimelineBar &bar = layout.bars.at(index);
            layout.firstUs = std::min(layout.firstUs, bar.scheduledUs);
            layout.lastUs = std::max(layout.lastUs, bar.endUs);
            int lane = -1;
            for (int l = 0; l < laneEnds.size(); ++l) {
                if (laneEnds.at(l) < bar.scheduledUs) {
                    lane = l;
                    break;
                }
            }
            if (lane < 0 && laneEnds.size() < maxLanesPerGroup) {
                lane = int(laneEnds.size());
                laneEnds.append(0);
                layout.rows.append(TimelineRow{false, {}, {}});
            } else if (lane < 0) {
                // Too many overlapping tasks: share the lane that frees up first.
                lane = int(std::min_element(laneEnds.cbegin(), laneEnds.cend()) - laneEnds.cbegin());
            }
            laneEnds[lane] = std::max(laneEnds.at(lane), bar.endUs);
            layout.rows[firstLane + lane].bars.append(index);
        }
    }
    if (layout.firstUs == std::numeric_limits<qint64>::max())
        layout.firstUs = 0;
    return layout;
}

TimelineLayout TimelineLayout::fromStore(const client::TaskStore &store, TimelineGrouping grouping, qint64 nowUs)
{
    QList<TimelineBar> bars;
    QList<quint64> ids = store.liveTaskIds();
    ids.append(store.finishedTaskIds());
    bars.reserve(ids.size());
    appendBars(bars, store, ids, grouping, nowUs, 0);
    return pack(std::move(bars), groupOrder(grouping));
}

TimelineLayout TimelineLayout::fromSources(const QList<TimelineSourceInput> &sources, TimelineGrouping grouping, qsizetype finishedBudget)
{
    // Each source's finished tasks, oldest finish first, and how many of its latest are kept.
    QList<QList<quint64>> finished;
    QList<qsizetype> kept;
    finished.reserve(sources.size());
    kept.reserve(sources.size());
    qsizetype total = 0;
    for (const TimelineSourceInput &source : sources) {
        finished.append(source.store ? source.store->finishedTaskIds() : QList<quint64>());
        kept.append(finished.constLast().size());
        total += finished.constLast().size();
    }
    if (total > finishedBudget)
        kept = latestFinishes(sources, finished, std::max<qsizetype>(finishedBudget, 0));

    const QStringList order = groupOrder(grouping);
    TimelineLayout layout;
    layout.firstUs = std::numeric_limits<qint64>::max();
    layout.lastUs = 0;
    for (int s = 0; s < sources.size(); ++s) {
        const TimelineSourceInput &source = sources.at(s);
        layout.sources.append(TimelineSourceLane{source.label, source.state});
        layout.rows.append(TimelineRow{true, source.label, {}, s});
        if (!source.store)
            continue;
        QList<TimelineBar> bars;
        const QList<quint64> live = source.store->liveTaskIds();
        const QList<quint64> latest = finished.at(s).sliced(finished.at(s).size() - kept.at(s));
        bars.reserve(live.size() + latest.size());
        appendBars(bars, *source.store, live, grouping, source.nowUs, s);
        appendBars(bars, *source.store, latest, grouping, source.nowUs, s);
        if (bars.isEmpty())
            continue;
        // Packed on its own, then put under the source's header: a lane never mixes sources.
        TimelineLayout lane = pack(std::move(bars), order);
        const int offset = int(layout.bars.size());
        for (TimelineRow &row : lane.rows) {
            for (int &index : row.bars)
                index += offset;
            layout.rows.append(std::move(row));
        }
        layout.bars.append(std::move(lane.bars));
        layout.firstUs = std::min(layout.firstUs, lane.firstUs);
        layout.lastUs = std::max(layout.lastUs, lane.lastUs);
    }
    if (layout.firstUs == std::numeric_limits<qint64>::max())
        layout.firstUs = 0;
    return layout;
}

int TimelineLayout::barAt(int row, qint64 us, qint64 slackUs) const
{
    if (row < 0 || row >= rows.size())
        return -1;
    int found = -1;
    for (const int index : rows.at(row).bars) {
        const TimelineBar &bar = bars.at(index);
        if (bar.scheduledUs - slackUs <= us && us <= bar.endUs + slackUs)
            found = index;
        else if (bar.scheduledUs - slackUs > us)
            break; // sorted by start: the rest start later
    }
    return found;
}

int TimelineLayout::rowOfBar(int index) const
{
    for (int row = 0; row < rows.size(); ++row) {
        if (rows.at(row).bars.contains(index))
            return row;
    }
    return -1;
}

} // namespace afterwork::monitor
