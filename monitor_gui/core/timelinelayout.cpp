// SPDX-License-Identifier: MIT
#include "core/timelinelayout.h"

#include "core/failuregroups.h"

#include <QtCore/QHash>

#include <algorithm>
#include <limits>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

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
    for (const quint64 id : std::as_const(ids)) {
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
        bars.append(std::move(bar));
    }
    const QStringList modeOrder = {wireName(Mode::Immediate), wireName(Mode::AfterRoute), wireName(Mode::AfterResponse)};
    return pack(std::move(bars), grouping == TimelineGrouping::Mode ? modeOrder : QStringList{});
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
