// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>

#include <array>
#include <deque>
#include <optional>

namespace afterwork::client {

class EventSource;

//! One phase change as seen in the stream.
struct PhaseStep
{
    Phase phase = Phase::Unknown; //!< the phase the task entered
    qint64 tsUs = 0;              //!< when: the line's (or snapshot entry's) `ts_us`
    friend bool operator==(const PhaseStep &, const PhaseStep &) = default; //!< member-wise
};

//! What the store knows about one task.
struct TaskState
{
    //! The latest step. Its phase is Phase::Lost once the task is lost; lastReportedPhase then
    //! keeps what the source last said.
    TaskRecord task;
    Phase lastReportedPhase = Phase::Unknown; //!< the source's last word on it; never Lost
    qint64 firstSeenUs = 0;  //!< the true scheduling time when known, else when first reported
    qint64 finishedUs = 0;   //!< when it ended or was found lost; 0 while live
    QList<PhaseStep> steps;  //!< phase changes seen, oldest first (bounded; the first is kept)
    //! Its latest progress while it was live, from a `progress` line or a snapshot entry (kept
    //! once it ends: its last value). TaskRecord::progress of `task` stays empty.
    std::optional<ProgressEvent> progress;

    bool isLive() const noexcept { return finishedUs == 0; } //!< neither ended nor lost
};

//! What one applied batch changed, for views that update incrementally.
struct TaskStoreChange
{
    QList<quint64> updated;  //!< added or changed (live or finished), ascending
    QList<quint64> removed;  //!< evicted from the bounded history, ascending
    bool sourceChanged = false; //!< hello, heartbeat, shutdown, bye, gap or connection state
};

//! How much history a TaskStore keeps; the first argument of its constructor.
struct TaskStoreOptions
{
    //! Finished (and lost) tasks kept for history; the oldest are evicted beyond it. The counters
    //! stay exact whatever is evicted.
    qsizetype finishedLimit = 10'000;
    //! Phase changes kept per task (a task retrying forever must not grow without bound).
    qsizetype maxStepsPerTask = 32;
};

//! The state of one source's tasks, built from its stream: live tasks, recently finished ones
//! (bounded), exact counters by phase, and the source's own status. A plain store, not an item
//! model: the dashboard wraps it. Lives on one thread (its owner's).
//!
//! - `snapshot` replaces the live set (keeping the true scheduling and start times it carries, and
//!   the latest progress of the tasks that reported any); live tasks missing from it ended unseen
//!   and become Lost.
//! - `task` lines update a task idempotently; a terminal step moves it to the finished history.
//! - `progress` lines set a live task's TaskState::progress (lines for unknown or ended tasks are
//!   ignored).
//! - the source vanishing without `bye` (markSourceLost(), or an attached source's
//!   disconnected(false)) makes every live task Lost. A reconnect to the same instance revives
//!   those the next snapshot still lists.
//! - a hello from a new `instance` is a new run: everything is cleared first (reset()).
//!
//! Changes are announced once per applied batch (changed()), never per event.
class TaskStore final : public QObject
{
    Q_OBJECT
public:
    //! What the store knows of its source's connection.
    enum class SourceStatus : quint8 {
        NotConnected, //!< nothing heard yet (or since clear())
        Connected,    //!< connected, or a hello came
        Ended,        //!< the source said bye
        Vanished,     //!< the connection ended without bye: its live tasks are Lost
    };
    Q_ENUM(SourceStatus)

    //! An empty store; feed it with attach() or apply().
    explicit TaskStore(TaskStoreOptions options = {}, QObject *parent = nullptr);
    ~TaskStore() override;

    //! Feeds this store from \a source (lines, disconnections) until detached or destroyed.
    void attach(EventSource *source);
    //! Stops feeding from the attached source; what the store holds stays.
    void detach();

    //! Applies one batch of lines (malformed ones are skipped) and emits changed() once.
    void apply(const QList<StreamLine> &lines);
    //! The same, for events already parsed.
    void apply(const QList<StreamEvent> &events);
    //! The source went away without bye: every live task becomes Lost.
    void markSourceLost(qint64 tsUs = 0);
    //! Forgets everything (emits reset()).
    void clear();

    //! The task \a id, live or in the history; nullptr if unknown or evicted. Valid until the next
    //! change of the store.
    const TaskState *task(quint64 id) const;
    //! Live task ids, ascending.
    QList<quint64> liveTaskIds() const;
    //! Finished (and lost) task ids still in the history, oldest finish first.
    QList<quint64> finishedTaskIds() const;
    qsizetype liveCount() const noexcept { return m_liveCount; }         //!< live tasks now
    qsizetype finishedCount() const noexcept { return m_finishedCount; } //!< finished tasks kept now
    //! For a live phase: tasks in it now. For a terminal phase or Lost: tasks that ended so since
    //! the run began (as seen by this store; exact even after the history evicted them).
    qint64 count(Phase phase) const noexcept { return m_counts[size_t(phase)]; }

    const std::optional<SourceInfo> &source() const noexcept { return m_source; } //!< the latest hello's
    SourceStatus sourceStatus() const noexcept { return m_status; } //!< see SourceStatus
    //! The latest `heartbeat`, if one came.
    const std::optional<HeartbeatEvent> &lastHeartbeat() const noexcept { return m_heartbeat; }
    //! The latest `shutdown` line, if the source began shutting down.
    const std::optional<ShutdownEvent> &lastShutdown() const noexcept { return m_shutdown; }
    qint64 gapCount() const noexcept { return m_gapCount; } //!< `gap` lines received
    //! Events the source told us we missed (sum of `gap` lines' `missed`).
    qint64 missedEvents() const noexcept { return m_missedEvents; }
    //! The latest `ts_us` seen: "now" for a recording.
    qint64 latestTsUs() const noexcept { return m_latestTsUs; }
    const TaskStoreOptions &options() const noexcept { return m_options; } //!< as given

Q_SIGNALS:
    //! What an applied batch changed; not emitted for a batch that changed nothing.
    void changed(const afterwork::client::TaskStoreChange &change);
    //! Everything was cleared (a new source instance, or clear()); views rebuild from scratch.
    void reset();

private:
    struct Entry
    {
        TaskState state;
        quint64 finishOrder = 0; //!< matches its history entry while finished
    };
    struct Batch;

    void applyEvent(const StreamEvent &event, Batch &batch);
    void applyHello(const HelloEvent &hello, Batch &batch);
    void applySnapshot(const SnapshotEvent &snapshot, qint64 tsUs, Batch &batch);
    void applyTask(const TaskRecord &record, Batch &batch);
    void applyProgress(const ProgressEvent &progress, Batch &batch);
    void setPhase(Entry &entry, Phase phase, qint64 tsUs);
    void finish(quint64 id, Entry &entry, qint64 tsUs, Batch &batch);
    void lose(quint64 id, Entry &entry, qint64 tsUs, Batch &batch);
    void loseLiveTasks(qint64 tsUs, Batch &batch);
    void evictBeyondLimit(Batch &batch);
    void publish(Batch &batch);
    void clearState();

    TaskStoreOptions m_options;
    QHash<quint64, Entry> m_tasks;
    std::deque<std::pair<quint64, quint64>> m_history; //!< (id, finishOrder), oldest first
    quint64 m_nextFinishOrder = 1;
    qsizetype m_liveCount = 0;
    qsizetype m_finishedCount = 0;
    std::array<qint64, size_t(Phase::Unknown) + 1> m_counts{};
    std::optional<SourceInfo> m_source;
    SourceStatus m_status = SourceStatus::NotConnected;
    std::optional<HeartbeatEvent> m_heartbeat;
    std::optional<ShutdownEvent> m_shutdown;
    qint64 m_gapCount = 0;
    qint64 m_missedEvents = 0;
    qint64 m_latestTsUs = 0;
    QPointer<EventSource> m_attached;
    QList<QMetaObject::Connection> m_connections;
};

} // namespace afterwork::client

Q_DECLARE_METATYPE(afterwork::client::TaskStoreChange)
