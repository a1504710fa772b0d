// SPDX-License-Identifier: MIT
#include "core/monitorsession.h"

#include "core/formatting.h"

#include <afterwork/client/filesource.h>
#include <afterwork/client/localsocketsource.h>

#include <QtCore/QDateTime>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;
using client::EventSource;
using client::StreamEvent;
using Level = SessionLog::Level;

namespace {

//! Malformed lines logged one by one; past this only their count grows.
constexpr qint64 MalformedLinesLogged = 50;

//! The command's name in the log.
QString describeCommand(protocol::CommandKind command)
{
    switch (command) {
    case protocol::CommandKind::Cancel:
        return u"Cancel"_s;
    case protocol::CommandKind::CancelMatching:
        return u"Cancel matching the filter"_s;
    case protocol::CommandKind::Drain:
        return u"Drain"_s;
    }
    return {};
}

} // namespace

QString RecordingSummary::describe() const
{
    if (error) {
        QString text = *error;
        if (!text.isEmpty())
            text[0] = text.at(0).toUpper();
        return text + u"."_s;
    }
    QString text = u"Read %1 lines in %2 ms"_s.arg(formatCount(lines)).arg(elapsedMs);
    if (malformed > 0) {
        text += u"; %1 malformed (first at line %2: %3) — showing what could be read"_s
                    .arg(formatCount(malformed))
                    .arg(firstMalformedLine)
                    .arg(firstMalformedMessage);
    }
    if (sequenceGaps > 0)
        text += u"; %1 sequence gaps (lines missing or spliced)"_s.arg(sequenceGaps);
    if (!byeSeen)
        text += u"; the recording ends without bye (truncated, or recorded before the source stopped): tasks still live at its end are shown as lost"_s;
    return text + u"."_s;
}

MonitorSession::MonitorSession(SessionOptions options, QObject *parent)
    : QObject(parent),
      m_options(options),
      m_store(client::TaskStoreOptions{.finishedLimit = options.finishedLimit}),
      m_throttler(options.flushInterval),
      m_history(options.historyPerTask),
      m_throughput(options.throughputWindowSeconds),
      m_log(options.logLimit),
      m_recording(options.recordingLimitBytes),
      m_control(options.commandReplyTimeout)
{
    qRegisterMetaType<afterwork::monitor::RecordingSummary>();
    connect(&m_throttler, &BatchThrottler::triggered, this, &MonitorSession::flush);
    // Connected before any view: the history forgets evicted tasks before views look at it.
    connect(&m_store, &client::TaskStore::changed, this, &MonitorSession::onStoreChanged);
    connect(&m_control, &ControlChannel::answered, this, [this](const CommandOutcome &outcome) {
        m_log.append(outcome.isSuccess() ? Level::Info : Level::Warning,
                     u"%1: %2."_s.arg(describeCommand(outcome.command), outcome.describe()));
        Q_EMIT commandAnswered(outcome);
    });
    connect(&m_control, &ControlChannel::lateReply, this, [this](const CommandOutcome &outcome) {
        m_log.append(Level::Warning, u"%1: a late reply, after the dashboard stopped waiting: %2."_s.arg(describeCommand(outcome.command), outcome.describe()));
    });
    m_rateTimer.setInterval(std::chrono::seconds(1));
    connect(&m_rateTimer, &QTimer::timeout, this, [this] {
        m_lineRate = double(m_linesReceived - m_linesAtRateMark);
        m_linesAtRateMark = m_linesReceived;
    });
    m_rateTimer.start();
}

MonitorSession::~MonitorSession()
{
    if (m_source)
        m_source->disconnect(this);
}

bool MonitorSession::watchSocket(const QString &socketName, const client::LiveSourceOptions &remote)
{
    QString error;
    std::unique_ptr<client::EventSource> source = client::createLiveSource(socketName, remote, &error);
    if (!source) {
        m_log.append(Level::Error, u"Cannot watch '%1': %2"_s.arg(socketName, error));
        m_lastError = error;
        Q_EMIT connectionChanged();
        return false;
    }
    setSource(std::move(source), SourceKind::Live, socketName);
    return true;
}

void MonitorSession::openRecording(const QString &path, double speed, std::optional<QString> sourceName)
{
    auto source = std::make_unique<client::FileSource>(path, client::FileSourceOptions{.speed = speed, .sourceName = std::move(sourceName)});
    setSource(std::move(source), SourceKind::Recording, path);
}

void MonitorSession::closeSource()
{
    if (!m_source)
        return;
    flushNow();
    m_source->disconnect(this);
    m_source->stop();
    m_source.reset();
    m_control.connectionEnded();
    m_sourceAcceptsCommands.reset();
    m_log.append(Level::Info, u"Stopped watching %1."_s.arg(m_sourceName));
    Q_EMIT connectionChanged();
}

void MonitorSession::setSource(std::unique_ptr<client::EventSource> source, SourceKind kind, QString name)
{
    if (m_source) {
        m_source->disconnect(this);
        m_source->stop();
        m_source.reset();
    }
    m_pending.clear();
    m_throttler.flushNow(); // nothing pending any more: just stops the timer
    m_control.connectionEnded();
    m_sourceAcceptsCommands.reset();
    resetDerived();
    m_store.clear();
    m_kind = kind;
    m_sourceName = std::move(name);
    m_source = std::move(source);

    EventSource *src = m_source.get();
    connect(src, &EventSource::linesReceived, this, &MonitorSession::onLines);
    connect(src, &EventSource::stateChanged, this, [this] { Q_EMIT connectionChanged(); });
    connect(src, &EventSource::connected, this, [this] {
        m_reconnectAttempt = 0;
        m_lastError.clear();
        m_readClock.start();
        if (m_kind == SourceKind::Live)
            m_log.append(Level::Info, u"Connected to %1."_s.arg(m_source->description()));
        Q_EMIT connectionChanged();
    });
    connect(src, &EventSource::disconnected, this, &MonitorSession::onDisconnected);
    connect(src, &EventSource::reconnecting, this, [this](int attempt, int delayMs) {
        m_reconnectAttempt = attempt;
        m_reconnectDelayMs = delayMs;
        Q_EMIT connectionChanged();
    });
    connect(src, &EventSource::errorOccurred, this, [this](EventSource::Error, const QString &message) {
        noteError(message);
    });
    connect(src, &EventSource::sequenceGap, this, [this](quint64 expected, quint64 received, qint64 lineNumber) {
        ++m_sequenceGaps;
        m_log.append(Level::Warning,
                     u"Line %1: seq %2 where %3 was expected — lines are missing or the stream was spliced."_s
                         .arg(lineNumber)
                         .arg(received)
                         .arg(expected));
    });
    connect(src, &EventSource::finished, this, &MonitorSession::onFinished);

    m_log.append(Level::Info, kind == SourceKind::Live ? u"Watching %1."_s.arg(m_source->description())
                                                       : u"Reading recording '%1'."_s.arg(m_sourceName));
    Q_EMIT sourceReplaced();
    Q_EMIT connectionChanged();
    m_source->start();
}

void MonitorSession::clearRunDerived()
{
    m_history.clear();
    m_throughput.clear();
    m_runTimes.clear();
    m_failures.clear();
    m_drain.clear();
    m_requests.clear();
}

void MonitorSession::resetDerived()
{
    clearRunDerived();
    m_recording.clear();
    m_instance.clear();
    m_run = 0;
    m_linesReceived = 0;
    m_linesAtRateMark = 0;
    m_lineRate = 0;
    m_lastLineClock.invalidate();
    m_malformed = 0;
    m_sequenceGaps = 0;
    m_reconnectAttempt = 0;
    m_lastError.clear();
    m_summary.reset();
    m_firstMalformedLine = 0;
    m_firstMalformedMessage.clear();
}

qint64 MonitorSession::nowUs() const
{
    if (m_kind == SourceKind::Live)
        return std::max(QDateTime::currentMSecsSinceEpoch() * 1000, m_store.latestTsUs());
    return m_store.latestTsUs();
}

void MonitorSession::onLines(const QList<client::StreamLine> &lines)
{
    m_linesReceived += lines.size();
    m_lastLineClock.start();
    if (m_kind == SourceKind::Live)
        m_recording.append(lines);
    for (const client::StreamLine &line : lines) {
        const client::ParseError *error = line.error();
        if (!error)
            continue;
        ++m_malformed;
        if (m_firstMalformedLine == 0) {
            m_firstMalformedLine = line.lineNumber;
            m_firstMalformedMessage = error->toString();
        }
        if (m_malformed <= MalformedLinesLogged) {
            m_log.append(Level::Warning, u"Line %1 is malformed and was skipped: %2"_s.arg(line.lineNumber).arg(error->toString()));
        } else if (m_malformed == MalformedLinesLogged + 1) {
            m_log.append(Level::Warning, u"More malformed lines follow; only their count is kept (status bar)."_s);
        }
    }
    m_pending.append(lines);
    (m_sharedThrottler ? m_sharedThrottler.data() : &m_throttler)->poke();
}

void MonitorSession::setSharedThrottler(BatchThrottler *shared)
{
    m_sharedThrottler = shared;
    // What waits is not forgotten: it goes with whichever throttler fires next.
    if (!m_pending.isEmpty())
        (shared ? shared : &m_throttler)->poke();
}

void MonitorSession::flushNow()
{
    m_throttler.flushNow();
    if (!m_pending.isEmpty())
        flush();
}

void MonitorSession::flush()
{
    if (m_pending.isEmpty())
        return;
    const QList<client::StreamLine> lines = std::exchange(m_pending, {});
    m_runStartedInBatch = false;
    m_shutdownStartedInBatch = false;
    // The derived data first: a new run clears it at the right line, and the store's change
    // handlers (the task models) then find the history and the drain state up to date.
    for (const client::StreamLine &line : lines) {
        if (const StreamEvent *event = line.event())
            consume(*event);
    }
    m_store.apply(lines);
    if (m_runStartedInBatch && m_store.source())
        Q_EMIT runStarted(m_run, *m_store.source());
    Q_EMIT flushed();
    if (m_shutdownStartedInBatch)
        Q_EMIT shutdownStarted();
}

void MonitorSession::consume(const StreamEvent &event)
{
    switch (event.kind()) {
    case EventKind::Task: {
        const client::TaskRecord &task = *event.as<client::TaskRecord>();
        m_history.add(task, false);
        switch (task.phase) {
        case Phase::Scheduled:
            if (task.attempt <= 1)
                m_throughput.addScheduled(task.tsUs);
            break;
        case Phase::Succeeded:
            m_throughput.addEnded(task.tsUs, ThroughputSeries::Outcome::Succeeded);
            m_runTimes.add(task.runUs);
            break;
        case Phase::Failed:
            m_throughput.addEnded(task.tsUs, ThroughputSeries::Outcome::Failed);
            m_runTimes.add(task.runUs);
            m_failures.addFailure(task, task.tsUs);
            break;
        case Phase::Cancelled:
        case Phase::Abandoned:
        case Phase::Dropped:
            m_throughput.addEnded(task.tsUs, ThroughputSeries::Outcome::OtherEnd);
            break;
        default:
            break;
        }
        break;
    }
    case EventKind::Snapshot:
        for (const client::TaskRecord &task : event.as<client::SnapshotEvent>()->tasks)
            m_history.add(task, true);
        break;
    case EventKind::Hello: {
        m_sourceAcceptsCommands = event.as<client::HelloEvent>()->control;
        const client::SourceInfo &source = event.as<client::HelloEvent>()->source;
        if (source.instance == m_instance) {
            m_log.append(Level::Info, u"Reconnected to the same run of %1 (pid %2)."_s.arg(source.app).arg(source.pid));
            break;
        }
        if (!m_instance.isEmpty()) {
            // A restarted source: the store clears itself at this line; so does what we derive.
            clearRunDerived();
        }
        m_instance = source.instance;
        ++m_run;
        m_runStartedInBatch = true;
        m_log.append(Level::Info, m_run == 1 ? u"Run #1: %1 (pid %2 on %3), started %4."_s.arg(source.app).arg(source.pid).arg(source.host, formatDateTime(source.startedUs))
                                             : u"The source restarted: run #%1, %2 (pid %3), started %4."_s.arg(m_run).arg(source.app).arg(source.pid).arg(formatDateTime(source.startedUs)));
        break;
    }
    case EventKind::Shutdown: {
        const bool wasActive = m_drain.isActive();
        m_drain.apply(*event.as<client::ShutdownEvent>(), event.tsUs);
        if (!wasActive) {
            m_shutdownStartedInBatch = true;
            m_log.append(Level::Info, u"The source is shutting down: deadline %1, %2 tasks pending."_s
                                          .arg(formatTime(m_drain.deadlineUs()))
                                          .arg(m_drain.latest().pending));
        }
        if (m_drain.stage() == DrainState::Stage::Finished) {
            const client::ShutdownEvent &end = m_drain.latest();
            m_log.append(end.abandoned > 0 ? Level::Warning : Level::Info,
                         u"Shutdown finished: %1 finished, %2 cancelled, %3 abandoned, %4 dropped%5."_s.arg(end.finished)
                             .arg(end.cancelled)
                             .arg(end.abandoned)
                             .arg(std::max<qint64>(end.dropped, 0))
                             .arg(end.deadlineReached ? u" — the deadline was reached"_s : QString()));
        }
        break;
    }
    case EventKind::Request:
        m_requests.add(event.tsUs, *event.as<client::RequestEvent>());
        break;
    case EventKind::Gap:
        m_log.append(Level::Warning, u"The source dropped %1 events for this dashboard (it read too slowly); a fresh snapshot follows."_s
                                         .arg(formatCount(event.as<client::GapEvent>()->missed)));
        break;
    case EventKind::Bye:
        m_log.append(Level::Info, u"The source said bye."_s);
        break;
    case EventKind::Reply:
        m_control.onReply(*event.as<client::ReplyEvent>());
        break;
    case EventKind::Heartbeat:
    case EventKind::Progress: // the store keeps it on the task
    case EventKind::Other:
        break;
    }
}

void MonitorSession::onStoreChanged(const client::TaskStoreChange &change)
{
    for (const quint64 id : change.removed)
        m_history.remove(id);
}

void MonitorSession::onDisconnected(bool byeSeen)
{
    // Everything received before the disconnection lands first, then its consequence.
    flushNow();
    m_control.connectionEnded();
    m_sourceAcceptsCommands.reset();
    if (!byeSeen) {
        const QList<quint64> live = m_store.liveTaskIds();
        const qint64 tsUs = m_store.latestTsUs();
        for (const quint64 id : live)
            m_history.addLost(id, tsUs);
        m_store.markSourceLost();
        if (m_kind == SourceKind::Live) {
            m_log.append(Level::Error, u"The source vanished without bye: %1 live tasks are lost. Reconnecting…"_s.arg(live.size()));
        } else if (!live.isEmpty()) {
            m_log.append(Level::Warning, u"The recording ends without bye: %1 live tasks are shown as lost."_s.arg(live.size()));
        }
        Q_EMIT flushed();
    } else if (m_kind == SourceKind::Live) {
        m_log.append(Level::Info, u"The source closed the connection. Waiting for it to start again…"_s);
    }
    Q_EMIT connectionChanged();
}

void MonitorSession::onFinished()
{
    flushNow();
    if (m_kind == SourceKind::Recording) {
        RecordingSummary summary;
        summary.path = m_sourceName;
        summary.lines = m_linesReceived;
        summary.malformed = m_malformed;
        summary.firstMalformedLine = m_firstMalformedLine;
        summary.firstMalformedMessage = m_firstMalformedMessage;
        summary.sequenceGaps = m_sequenceGaps;
        summary.byeSeen = m_source && m_source->byeSeen();
        summary.elapsedMs = m_readClock.isValid() ? m_readClock.elapsed() : 0;
        if (!m_lastError.isEmpty() && m_linesReceived == 0)
            summary.error = m_lastError;
        m_summary = summary;
        m_log.append(summary.isClean() ? Level::Info : Level::Warning, summary.describe());
        Q_EMIT recordingEnded(summary);
    }
    Q_EMIT connectionChanged();
}

void MonitorSession::noteError(const QString &message)
{
    // A source that keeps refusing would otherwise log the same sentence every retry.
    if (message != m_lastError)
        m_log.append(m_kind == SourceKind::Live ? Level::Warning : Level::Error, message);
    m_lastError = message;
    Q_EMIT connectionChanged();
}

QString MonitorSession::controlUnavailableReason() const
{
    if (m_options.readOnly)
        return u"The dashboard runs read-only (--read-only)."_s;
    switch (m_kind) {
    case SourceKind::None:
        return u"Not watching a source."_s;
    case SourceKind::Recording:
        return u"A recording is a record of the past: there is nothing to act on."_s;
    case SourceKind::Live:
        break;
    }
    if (!m_source || !m_source->canSendCommands())
        return u"Not connected to the source."_s;
    if (!m_sourceAcceptsCommands)
        return u"Waiting for the source to introduce itself."_s;
    if (!*m_sourceAcceptsCommands)
        return u"The source is read-only: its application does not accept commands (afterwork-demo: --allow-control)."_s;
    return {};
}

ControlTarget MonitorSession::controlTarget() const
{
    return {.source = m_source.get(), .instance = m_instance};
}

std::optional<QString> MonitorSession::sendCommand(const protocol::Command &command, const ControlTarget &target)
{
    // What arrived before the command is applied first: a restart among it is seen, and the
    // reply comes after it.
    flushNow();
    if (const QString reason = controlUnavailableReason(); !reason.isEmpty())
        return reason;
    if (controlTarget() != target)
        return u"The source changed since the command was confirmed (another source, or a new run); nothing was sent."_s;
    if (!m_control.send(*m_source, command))
        return u"The command could not be written to the connection."_s;
    return std::nullopt;
}

std::optional<QString> MonitorSession::saveRecording(const QString &path) const
{
    if (m_kind == SourceKind::Recording) {
        // What was received is the file itself.
        if (QFileInfo(path).canonicalFilePath() == QFileInfo(m_sourceName).canonicalFilePath())
            return u"'%1' is the recording being shown"_s.arg(path);
        QFile::remove(path);
        if (!QFile::copy(m_sourceName, path))
            return u"cannot copy '%1' to '%2'"_s.arg(m_sourceName, path);
        return std::nullopt;
    }
    return m_recording.saveTo(path);
}

} // namespace afterwork::monitor
