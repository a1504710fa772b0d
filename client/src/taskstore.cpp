// SPDX-License-Identifier: MIT
#include <afterwork/client/taskstore.h>

#include <afterwork/client/eventsource.h>

#include <QtCore/QSet>

#include <algorithm>

namespace afterwork::client {

//! What one apply() call changed so far.
struct TaskStore::Batch
{
    QSet<quint64> updated;
    QSet<quint64> removed;
    bool sourceChanged = false;
    bool wasReset = false;
};

TaskStore::TaskStore(TaskStoreOptions options, QObject *parent) : QObject(parent), m_options(options)
{
    m_options.finishedLimit = std::max<qsizetype>(m_options.finishedLimit, 0);
    m_options.maxStepsPerTask = std::max<qsizetype>(m_options.maxStepsPerTask, 2);
    qRegisterMetaType<afterwork::client::TaskStoreChange>();
}

TaskStore::~TaskStore()
{
    detach();
}

void TaskStore::attach(EventSource *source)
{
    detach();
    if (!source)
        return;
    m_attached = source;
    m_connections.append(connect(source, &EventSource::linesReceived, this,
                                 qOverload<const QList<StreamLine> &>(&TaskStore::apply)));
    m_connections.append(connect(source, &EventSource::connected, this, [this] {
        Batch batch;
        m_status = SourceStatus::Connected;
        batch.sourceChanged = true;
        publish(batch);
    }));
    m_connections.append(connect(source, &EventSource::disconnected, this, [this](bool byeSeen) {
        if (byeSeen) {
            Batch batch;
            m_status = SourceStatus::Ended;
            batch.sourceChanged = true;
            publish(batch);
        } else {
            markSourceLost();
        }
    }));
}

void TaskStore::detach()
{
    for (const QMetaObject::Connection &connection : std::as_const(m_connections))
        disconnect(connection);
    m_connections.clear();
    m_attached.clear();
}

const TaskState *TaskStore::task(quint64 id) const
{
    const auto it = m_tasks.constFind(id);
    return it == m_tasks.cend() ? nullptr : &it->state;
}

QList<quint64> TaskStore::liveTaskIds() const
{
    QList<quint64> ids;
    ids.reserve(m_liveCount);
    for (auto it = m_tasks.cbegin(); it != m_tasks.cend(); ++it) {
        if (it->state.isLive())
            ids.append(it.key());
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

QList<quint64> TaskStore::finishedTaskIds() const
{
    QList<quint64> ids;
    ids.reserve(m_finishedCount);
    for (const auto &[id, order] : m_history) {
        const auto it = m_tasks.constFind(id);
        if (it != m_tasks.cend() && !it->state.isLive() && it->finishOrder == order)
            ids.append(id);
    }
    return ids;
}

void TaskStore::apply(const QList<StreamLine> &lines)
{
    Batch batch;
    for (const StreamLine &line : lines) {
        if (const StreamEvent *event = line.event())
            applyEvent(*event, batch);
    }
    publish(batch);
}

void TaskStore::apply(const QList<StreamEvent> &events)
{
    Batch batch;
    for (const StreamEvent &event : events)
        applyEvent(event, batch);
    publish(batch);
}

void TaskStore::markSourceLost(qint64 tsUs)
{
    Batch batch;
    loseLiveTasks(tsUs > 0 ? tsUs : m_latestTsUs, batch);
    m_status = SourceStatus::Vanished;
    batch.sourceChanged = true;
    publish(batch);
}

void TaskStore::clear()
{
    clearState();
    Q_EMIT reset();
}

void TaskStore::clearState()
{
    m_tasks.clear();
    m_history.clear();
    m_liveCount = 0;
    m_finishedCount = 0;
    m_counts.fill(0);
    m_source.reset();
    m_status = SourceStatus::NotConnected;
    m_heartbeat.reset();
    m_shutdown.reset();
    m_gapCount = 0;
    m_missedEvents = 0;
    m_latestTsUs = 0;
}

void TaskStore::applyEvent(const StreamEvent &event, Batch &batch)
{
    m_latestTsUs = std::max(m_latestTsUs, event.tsUs);
    switch (event.kind()) {
    case EventKind::Hello:
        applyHello(*event.as<HelloEvent>(), batch);
        break;
    case EventKind::Snapshot:
        applySnapshot(*event.as<SnapshotEvent>(), event.tsUs, batch);
        break;
    case EventKind::Task:
        applyTask(*event.as<TaskRecord>(), batch);
        break;
    case EventKind::Heartbeat:
        m_heartbeat = *event.as<HeartbeatEvent>();
        batch.sourceChanged = true;
        break;
    case EventKind::Gap:
        ++m_gapCount;
        m_missedEvents += event.as<GapEvent>()->missed;
        batch.sourceChanged = true;
        break;
    case EventKind::Shutdown:
        m_shutdown = *event.as<ShutdownEvent>();
        batch.sourceChanged = true;
        break;
    case EventKind::Bye:
        m_status = SourceStatus::Ended;
        batch.sourceChanged = true;
        break;
    case EventKind::Progress:
        applyProgress(*event.as<ProgressEvent>(), batch);
        break;
    case EventKind::Request:
    case EventKind::Reply:
    case EventKind::Other:
        break;
    }
}

void TaskStore::applyProgress(const ProgressEvent &progress, Batch &batch)
{
    // Only for a live task it knows: a task's progress never follows its end, and one it has not
    // seen (its snapshot or task line was missed) gets its next progress line anyway.
    const auto it = m_tasks.find(progress.taskId);
    if (it == m_tasks.end() || !it->state.isLive() || it->state.progress == progress)
        return;
    it->state.progress = progress;
    batch.updated.insert(progress.taskId);
}

void TaskStore::applyHello(const HelloEvent &hello, Batch &batch)
{
    if (m_source && m_source->instance != hello.source.instance) {
        // A restarted source is a new run: nothing of the old one carries over. Views are told
        // right away, so that the rest of this batch lands in an empty store.
        clearState();
        batch = Batch{};
        batch.wasReset = true;
        Q_EMIT reset();
    }
    m_source = hello.source;
    m_status = SourceStatus::Connected;
    batch.sourceChanged = true;
}

void TaskStore::setPhase(Entry &entry, Phase phase, qint64 tsUs)
{
    TaskState &state = entry.state;
    if (!state.steps.isEmpty() && state.steps.constLast().phase == phase)
        return;
    if (state.steps.size() >= m_options.maxStepsPerTask)
        state.steps.removeAt(1); // keep the first step, drop the oldest after it
    state.steps.append(PhaseStep{phase, tsUs});
}

void TaskStore::applySnapshot(const SnapshotEvent &snapshot, qint64 tsUs, Batch &batch)
{
    QSet<quint64> listed;
    listed.reserve(snapshot.tasks.size());
    for (const TaskRecord &record : snapshot.tasks) {
        listed.insert(record.id);
        applyTask(record, batch);
        // A subscriber that joined mid-task (or lost lines to a gap) sees how far it has come now,
        // not only at its next report.
        if (record.progress)
            applyProgress(*record.progress, batch);
    }
    // Live tasks the snapshot does not list ended while we were not looking: outcome unknown.
    for (const quint64 id : liveTaskIds()) {
        if (!listed.contains(id))
            lose(id, m_tasks[id], tsUs, batch);
    }
    evictBeyondLimit(batch);
}

void TaskStore::applyTask(const TaskRecord &record, Batch &batch)
{
    auto it = m_tasks.find(record.id);
    if (it == m_tasks.end()) {
        Entry entry;
        entry.state.firstSeenUs = record.scheduledUs > 0 ? record.scheduledUs : record.tsUs;
        it = m_tasks.insert(record.id, std::move(entry));
        ++m_liveCount;
        ++m_counts[size_t(Phase::Unknown)]; // balanced right below, as any live task's phase is
        it->state.task.phase = Phase::Unknown;
    } else if (!it->state.isLive()) {
        if (it->state.task.phase != Phase::Lost)
            return; // it already ended: a late or repeated step changes nothing
        // A lost task reported again (a reconnect to the same run): it lives on.
        --m_counts[size_t(Phase::Lost)];
        --m_finishedCount;
        ++m_liveCount;
        it->state.finishedUs = 0;
        it->finishOrder = 0;
        it->state.task.phase = Phase::Unknown;
        ++m_counts[size_t(Phase::Unknown)];
    }
    Entry &entry = it.value();
    TaskState &state = entry.state;
    --m_counts[size_t(state.task.phase)];
    state.task = record;
    state.task.progress.reset(); // kept in state.progress alone, which progress lines keep current
    state.lastReportedPhase = record.phase;
    ++m_counts[size_t(record.phase)];
    if (record.scheduledUs > 0)
        state.firstSeenUs = record.scheduledUs;
    setPhase(entry, record.phase, record.tsUs);
    batch.updated.insert(record.id);
    if (isTerminal(record.phase)) {
        finish(record.id, entry, record.tsUs, batch);
        evictBeyondLimit(batch);
    }
}

void TaskStore::finish(quint64 id, Entry &entry, qint64 tsUs, Batch &batch)
{
    entry.state.finishedUs = tsUs > 0 ? tsUs : std::max<qint64>(m_latestTsUs, 1);
    entry.finishOrder = m_nextFinishOrder++;
    m_history.emplace_back(id, entry.finishOrder);
    --m_liveCount;
    ++m_finishedCount;
    batch.updated.insert(id);
}

void TaskStore::lose(quint64 id, Entry &entry, qint64 tsUs, Batch &batch)
{
    --m_counts[size_t(entry.state.task.phase)];
    entry.state.task.phase = Phase::Lost;
    ++m_counts[size_t(Phase::Lost)];
    setPhase(entry, Phase::Lost, tsUs);
    finish(id, entry, tsUs, batch);
}

void TaskStore::loseLiveTasks(qint64 tsUs, Batch &batch)
{
    for (const quint64 id : liveTaskIds()) // in id order, so the history is deterministic
        lose(id, m_tasks[id], tsUs, batch);
    evictBeyondLimit(batch);
}

void TaskStore::evictBeyondLimit(Batch &batch)
{
    while (m_finishedCount > m_options.finishedLimit && !m_history.empty()) {
        const auto [id, order] = m_history.front();
        m_history.pop_front();
        const auto it = m_tasks.find(id);
        if (it == m_tasks.end() || it->state.isLive() || it->finishOrder != order)
            continue; // a stale entry: the task was revived (and maybe finished again since)
        m_tasks.erase(it);
        --m_finishedCount;
        batch.updated.remove(id);
        batch.removed.insert(id);
    }
    // Stale entries of revived tasks could pile up at the front; they are dropped as they surface.
    while (!m_history.empty()) {
        const auto it = m_tasks.constFind(m_history.front().first);
        if (it != m_tasks.cend() && !it->state.isLive() && it->finishOrder == m_history.front().second)
            break;
        m_history.pop_front();
    }
}

void TaskStore::publish(Batch &batch)
{
    if (batch.updated.isEmpty() && batch.removed.isEmpty() && !batch.sourceChanged && !batch.wasReset)
        return;
    TaskStoreChange change;
    change.updated = QList<quint64>(batch.updated.cbegin(), batch.updated.cend());
    change.removed = QList<quint64>(batch.removed.cbegin(), batch.removed.cend());
    std::sort(change.updated.begin(), change.updated.end());
    std::sort(change.removed.begin(), change.removed.end());
    change.sourceChanged = batch.sourceChanged || batch.wasReset;
    Q_EMIT changed(change);
}

} // namespace afterwork::client
