// SPDX-License-Identifier: MIT
#pragma once

#include "core/batchthrottler.h"
#include "core/controlchannel.h"
#include "core/drainstate.h"
#include "core/failuregroups.h"
#include "core/recordingbuffer.h"
#include "core/requestmarkers.h"
#include "core/runtimehistogram.h"
#include "core/sessionlog.h"
#include "core/taskhistory.h"
#include "core/throughputseries.h"

#include <afterwork/client/eventsource.h>
#include <afterwork/client/livesource.h>
#include <afterwork/client/taskstore.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

#include <chrono>
#include <memory>
#include <optional>

namespace afterwork::monitor {

struct SessionOptions
{
    //! Finished tasks kept for the table and the timeline (counters stay exact beyond it).
    qsizetype finishedLimit = 10'000;
    //! How often received lines reach the store and the views.
    std::chrono::milliseconds flushInterval{75};
    //! What File > Save recording can hold of a live stream.
    qsizetype recordingLimitBytes = 64 * 1024 * 1024;
    qsizetype historyPerTask = 64;
    int throughputWindowSeconds = 900;
    qsizetype logLimit = 2000;
    //! Never send commands, whatever the source allows (afterwork-monitor --read-only).
    bool readOnly = false;
    //! How long a command's reply may take before its outcome is "no reply".
    std::chrono::milliseconds commandReplyTimeout = protocol::replyTimeout;
};

//! Which run of which source a command is meant for: what the user saw when confirming it. A
//! command is sent only if the session still watches that run (a reconnect to the same run is
//! fine; a restart or another source is not).
struct ControlTarget
{
    const void *source = nullptr; //!< identity of the session's source object; never dereferenced
    QString instance;             //!< the run's `instance` (its hello)
    friend bool operator==(const ControlTarget &, const ControlTarget &) = default; //!< member-wise
};

//! How reading a recording went, for the message shown when it ends.
struct RecordingSummary
{
    QString path;
    qint64 lines = 0;
    qint64 malformed = 0;
    qint64 firstMalformedLine = 0; //!< 1-based; 0: none
    QString firstMalformedMessage;
    qint64 sequenceGaps = 0;
    bool byeSeen = false;
    std::optional<QString> error; //!< the file could not be opened or read
    qint64 elapsedMs = 0;

    bool isClean() const { return !error && malformed == 0 && sequenceGaps == 0 && byeSeen; }
    //! One or two sentences saying what was read and what is wrong with it.
    QString describe() const;
};

//! One watched source (a live socket or a recording) and everything derived from its stream: the
//! TaskStore, each task's steps, throughput, run times, failure groups, the shutdown's progress,
//! request markers, a log, and (live) a copy of what was received.
//!
//! Lines are not applied as they arrive: they are queued and applied in one batch per
//! flushInterval (BatchThrottler; one shared by every source of a SourceSet), so the store
//! announces one change per batch and the views update a few times a second whatever the event
//! rate. The order per flush: the derived data
//! first, then TaskStore::apply() (whose changed() drives the task models), then flushed() for
//! everything else.
class MonitorSession final : public QObject
{
    Q_OBJECT
public:
    enum class SourceKind : quint8 { None, Live, Recording };
    Q_ENUM(SourceKind)

    explicit MonitorSession(SessionOptions options = {}, QObject *parent = nullptr);
    ~MonitorSession() override;

    //! Watches \a socketName (reconnecting by itself), forgetting the current source: a local
    //! socket name, or a remote publisher (`tls://HOST:PORT`, `tcp://HOST:PORT`) reached as \a remote
    //! says (client::createLiveSource()). False, with the reason in the log and in lastError(),
    //! when that is not possible (a missing token file, ...); the current source is kept then.
    bool watchSocket(const QString &socketName, const client::LiveSourceOptions &remote = {});
    //! Reads the recording at \a path (\a speed as FileSourceOptions::speed: 0 as fast as
    //! possible), forgetting the current source. \a sourceName: only that source of a recording
    //! that holds several (FileSourceOptions::sourceName).
    void openRecording(const QString &path, double speed = 0, std::optional<QString> sourceName = {});
    //! Stops watching; what was received stays shown.
    void closeSource();

    SourceKind sourceKind() const noexcept { return m_kind; }
    //! The current source, or nullptr.
    const client::EventSource *source() const noexcept { return m_source.get(); }
    //! The socket name or the recording's path.
    const QString &sourceName() const noexcept { return m_sourceName; }

    const client::TaskStore &store() const noexcept { return m_store; }
    const TaskHistory &history() const noexcept { return m_history; }
    const ThroughputSeries &throughput() const noexcept { return m_throughput; }
    const RunTimeHistogram &runTimes() const noexcept { return m_runTimes; }
    FailureGroups &failures() noexcept { return m_failures; }
    const FailureGroups &failures() const noexcept { return m_failures; }
    const DrainState &drain() const noexcept { return m_drain; }
    const RequestMarkers &requests() const noexcept { return m_requests; }
    SessionLog &log() noexcept { return m_log; }
    const SessionLog &log() const noexcept { return m_log; }
    const RecordingBuffer &recording() const noexcept { return m_recording; }
    const SessionOptions &options() const noexcept { return m_options; }

    //! 0 before the first hello; 1 for the first run of the source, +1 for every restart.
    int runNumber() const noexcept { return m_run; }
    //! "Now" on the source's clock: the wall clock for a live source, the latest `ts_us` read
    //! for a recording.
    qint64 nowUs() const;
    qint64 linesReceived() const noexcept { return m_linesReceived; }
    qint64 malformedLines() const noexcept { return m_malformed; }
    qint64 sequenceGaps() const noexcept { return m_sequenceGaps; }
    //! Lines per second over the last second or so.
    double lineRate() const noexcept { return m_lineRate; }
    //! Milliseconds since the latest line arrived; -1 before the first.
    qint64 msSinceLastLine() const { return m_lastLineClock.isValid() ? m_lastLineClock.elapsed() : -1; }
    //! The latest reconnect attempt and its delay, while reconnecting.
    int reconnectAttempt() const noexcept { return m_reconnectAttempt; }
    int reconnectDelayMs() const noexcept { return m_reconnectDelayMs; }
    //! The latest error the source reported (cleared on connecting).
    const QString &lastError() const noexcept { return m_lastError; }
    //! Set once a recording has been read to its end (or failed).
    const std::optional<RecordingSummary> &recordingSummary() const noexcept { return m_summary; }

    //! Writes what was received: a live stream's copy, or the recording's file itself.
    std::optional<QString> saveRecording(const QString &path) const;

    //! Whether the dashboard may act on its source now (docs/monitor.md, "Acting on the source"):
    //! a live, connected source whose hello offers control, and a dashboard not run read-only.
    bool canControl() const { return controlUnavailableReason().isEmpty(); }
    //! Why it may not, as a sentence for a tooltip ("" when it may).
    QString controlUnavailableReason() const;
    //! The run commands would go to now (see ControlTarget).
    ControlTarget controlTarget() const;
    //! Sends \a command to the source if it is still \a target; commandAnswered() follows with
    //! its outcome. Otherwise nothing is sent and the reason is returned: control is off
    //! (controlUnavailableReason()), the source changed since \a target was taken, or the write
    //! failed.
    std::optional<QString> sendCommand(const protocol::Command &command, const ControlTarget &target);

    //! Applies what is queued now instead of at the next flush.
    void flushNow();
    bool hasPendingLines() const noexcept { return !m_pending.isEmpty(); }
    //! From now on, lines wait for \a shared (poked as they arrive) instead of the session's own
    //! throttler: whoever owns \a shared calls flushNow() on every session using it when it
    //! fires (SourceSet, so that its sources flush together). nullptr: the session's own again.
    void setSharedThrottler(BatchThrottler *shared);

Q_SIGNALS:
    //! A different source was chosen; everything derived was cleared (the store emitted reset()).
    void sourceReplaced();
    //! The source's state, identity or reconnect schedule changed.
    void connectionChanged();
    //! A batch reached the store and the derived data.
    void flushed();
    //! A hello from a new instance: the source (re)started. \a run is runNumber().
    void runStarted(int run, const afterwork::client::SourceInfo &source);
    //! The source began shutting down (a `shutdown` line, usually stage started).
    void shutdownStarted();
    //! A recording was read to its end (or could not be read).
    void recordingEnded(const afterwork::monitor::RecordingSummary &summary);
    //! A command sent with sendCommand() was answered (or will never be); once per command.
    void commandAnswered(const afterwork::monitor::CommandOutcome &outcome);

private:
    void setSource(std::unique_ptr<client::EventSource> source, SourceKind kind, QString name);
    void resetDerived();
    void clearRunDerived(); //!< what is derived from one run of the source (a restart clears it)
    void onLines(const QList<client::StreamLine> &lines);
    void flush();
    void consume(const client::StreamEvent &event);
    void onDisconnected(bool byeSeen);
    void onFinished();
    void onStoreChanged(const client::TaskStoreChange &change);
    void noteError(const QString &message);

    SessionOptions m_options;
    client::TaskStore m_store;
    std::unique_ptr<client::EventSource> m_source; // Owning.
    SourceKind m_kind = SourceKind::None;
    QString m_sourceName;

    BatchThrottler m_throttler;
    QPointer<BatchThrottler> m_sharedThrottler; // Not owning: see setSharedThrottler().
    QList<client::StreamLine> m_pending;

    TaskHistory m_history;
    ThroughputSeries m_throughput;
    RunTimeHistogram m_runTimes;
    FailureGroups m_failures;
    DrainState m_drain;
    RequestMarkers m_requests;
    SessionLog m_log;
    RecordingBuffer m_recording;
    ControlChannel m_control;
    // Whether the current connection's hello offered control; unset until that hello is read.
    std::optional<bool> m_sourceAcceptsCommands;

    QString m_instance;
    int m_run = 0;
    bool m_runStartedInBatch = false;
    bool m_shutdownStartedInBatch = false;
    qint64 m_linesReceived = 0;
    qint64 m_malformed = 0;
    qint64 m_sequenceGaps = 0;
    int m_reconnectAttempt = 0;
    int m_reconnectDelayMs = 0;
    QString m_lastError;
    std::optional<RecordingSummary> m_summary;
    qint64 m_firstMalformedLine = 0;
    QString m_firstMalformedMessage;
    QElapsedTimer m_readClock;
    QElapsedTimer m_lastLineClock;

    // The line rate: lines counted since the last second's mark.
    QTimer m_rateTimer;
    qint64 m_linesAtRateMark = 0;
    double m_lineRate = 0;
};

} // namespace afterwork::monitor

Q_DECLARE_METATYPE(afterwork::monitor::RecordingSummary)
