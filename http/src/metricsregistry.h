// SPDX-License-Identifier: MIT
#pragma once

// What TaskMetrics counts and how it is written in the Prometheus text format, apart from the
// engine: terminal task events in, exposition text out. The tests feed it events of their own
// (exact durations, awkward names) through this header; TaskMetrics feeds it the engine's.
//
// One writer, many readers. record() runs on one thread only (the engine thread, inside
// TaskEngine::taskEvent); render() on any. So every counter is an atomic that its one writer
// bumps with a relaxed load and store (no read-modify-write instruction: nobody else writes it)
// and readers load without a lock. The list of name slots only grows; its mutex is taken to add a
// slot (at most maxNames times) and by render() to copy the slots' addresses, never while
// anything else runs.

#include <afterwork/enginestatus.h>
#include <afterwork/taskevent.h>

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QString>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace afterwork {
class TaskEngine;
}

namespace afterwork::http::detail {

//! The histograms' upper bounds (`le`) in microseconds, ascending, from 1 ms to 60 s; +Inf is
//! implicit. Fixed, so that every process and every scrape has the same buckets to aggregate.
inline constexpr std::array<qint64, 15> durationBoundsUs{
    1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000,
    1'000'000, 2'500'000, 5'000'000, 10'000'000, 30'000'000, 60'000'000};

//! The bucket a duration of \a us falls in: the first bound at or above it (`le` is inclusive),
//! durationBoundsUs.size() when it is above every bound.
int durationBucket(qint64 us);

//! What a scrape reads from the engine itself, beside the counts of the task events.
struct EngineReadings
{
    EngineCounters counters;  //!< scheduled, retried, handler errors, the pool
    int queued = 0;           //!< live, latest step Scheduled (in the queue, a batch or a start gate)
    int running = 0;          //!< live, latest step Started
    int retrying = 0;         //!< live, waiting out a retry's backoff
    int shutdownPending = 0;  //!< live, waited for by a shutdown
};

//! Reads \a engine now (counters() and liveTasks()); any thread.
EngineReadings readEngine(const TaskEngine &engine);

//! Appends \a value as the text format writes a label value: UTF-8, with backslash, double quote
//! and line feed escaped as `\\`, `\"` and `\n`.
void appendLabelValue(QByteArray &out, QStringView value);

//! The `name` label of \a event's task: its configured name; for a generated name ("label#id"),
//! the function's label, so that unnamed tasks of one function share a series; "unnamed" when
//! that is empty.
QString nameLabelOf(const TaskEvent &event);

//! The counters of every task name (capped) and their exposition.
class MetricsRegistry
{
public:
    //! \a maxNames names get a slot of their own; later ones share "other".
    explicit MetricsRegistry(int maxNames);
    ~MetricsRegistry();
    MetricsRegistry(const MetricsRegistry &) = delete;
    MetricsRegistry &operator=(const MetricsRegistry &) = delete;

    //! Counts \a event if it is terminal; ignores every other step. The single writer's thread only.
    void record(const TaskEvent &event);

    //! The whole exposition: the counts recorded so far and \a engine's readings. Any thread.
    QByteArray render(const EngineReadings &engine) const;

    //! Names with a slot of their own so far. Any thread.
    int nameCount() const;

private:
    struct Slot;
    Slot &slotFor(const QString &name);

    const int m_maxNames;
    std::unique_ptr<Slot> m_other;          // "other": names past the cap, and tasks named "other"
    QHash<QString, Slot *> m_byName;        // the writer's only: name -> its slot (or m_other)
    int m_named = 0;                        // the writer's only: slots in m_slots
    // Guards m_slots' structure (not the counters). A std::mutex, not a QMutex: ThreadSanitizer
    // sees into it, and QMutex's contended path runs inside uninstrumented Qt.
    mutable std::mutex m_slotsMutex;
    std::vector<std::unique_ptr<Slot>> m_slots; // one per name, in the order first seen; only grows
};

} // namespace afterwork::http::detail
