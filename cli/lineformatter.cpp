// SPDX-License-Identifier: MIT
#include "lineformatter.h"

#include <afterwork/client/durationformat.h>

#include <QtCore/QDateTime>
#include <QtCore/QStringList>

namespace afterwork::cli {

using namespace client;
using namespace Qt::StringLiterals;

namespace {

// SGR codes by phase: green for success, red for failure, yellow for what was stopped.
const char *phaseColour(Phase phase)
{
    switch (phase) {
    case Phase::Scheduled: return "2";
    case Phase::Started: return "36";
    case Phase::Retrying: return "33";
    case Phase::ShutdownPending: return "35";
    case Phase::Succeeded: return "32";
    case Phase::Failed: return "1;31";
    case Phase::Cancelled: return "33";
    case Phase::Abandoned: return "1;35";
    case Phase::Dropped: return "33";
    case Phase::Lost: return "1;31";
    case Phase::Unknown: return "2";
    }
    return "0";
}

QString errorText(const ErrorInfo &error)
{
    if (error.type.isEmpty())
        return error.message;
    if (error.message.isEmpty())
        return error.type;
    return u"%1: %2"_s.arg(error.type, error.message);
}

//! "42% (21/50)  rows", or "7 done" when the work does not know its total: what a `progress` line
//! says, and a live task from a snapshot.
QString progressText(const ProgressEvent &p)
{
    const int percent = p.percent();
    QString text = percent < 0 ? u"%1 done"_s.arg(p.done) : u"%1% (%2/%3)"_s.arg(percent).arg(p.done).arg(p.total);
    if (!p.message.isEmpty())
        text += u"  "_s + p.message;
    return text;
}

} // namespace

QString LineFormatter::time(qint64 tsUs)
{
    if (tsUs <= 0)
        return u"--:--:--.---"_s;
    return QDateTime::fromMSecsSinceEpoch(tsUs / 1000).toString(u"HH:mm:ss.zzz"_s);
}

QString LineFormatter::task(const TaskRecord &task, const QString &marker) const
{
    QStringList parts;
    parts << m_style("2", time(task.tsUs));
    const QString phase = QString(wireName(task.phase)).leftJustified(16);
    parts << m_style(phaseColour(task.phase), phase);
    QString who = u"#%1 %2"_s.arg(task.id).arg(task.name);
    parts << m_style("1", who);
    QStringList traits;
    traits << QString(wireName(task.mode)) << QString(wireName(task.work));
    if (task.shielded)
        traits << u"shielded"_s;
    if (task.requestId != 0)
        traits << u"req %1"_s.arg(task.requestId);
    if (task.attempt > 1)
        traits << u"attempt %1"_s.arg(task.attempt);
    if (!marker.isEmpty())
        traits.prepend(marker);
    parts << m_style("2", traits.join(u' '));
    if (task.waitUs >= 0)
        parts << u"wait %1"_s.arg(formatDuration(task.waitUs));
    if (task.runUs >= 0)
        parts << u"run %1"_s.arg(formatDuration(task.runUs));
    if (task.error)
        parts << m_style("31", errorText(*task.error));
    if (task.handlerError)
        parts << m_style("31", u"(error handler: %1)"_s.arg(errorText(*task.handlerError)));
    if (task.progress)
        parts << progressText(*task.progress);
    return parts.join(u"  "_s);
}

QString LineFormatter::status(qint64 tsUs, const QString &kind, const QString &text) const
{
    return u"%1  %2 %3"_s.arg(m_style("2", time(tsUs)), m_style("1;34", u"── "_s + kind), text);
}

QString LineFormatter::note(qint64 tsUs, const QString &text) const
{
    return u"%1  %2"_s.arg(m_style("2", time(tsUs)), m_style("33", u"!! "_s + text));
}

QString LineFormatter::event(const StreamEvent &event) const
{
    switch (event.kind()) {
    case EventKind::Task:
        return task(*event.as<TaskRecord>());
    case EventKind::Hello: {
        const SourceInfo &s = event.as<HelloEvent>()->source;
        return status(event.tsUs, u"hello"_s,
                      u"%1 (pid %2 on %3), instance %4"_s.arg(s.app).arg(s.pid).arg(s.host, s.instance));
    }
    case EventKind::Snapshot: {
        const qsizetype live = event.as<SnapshotEvent>()->tasks.size();
        return status(event.tsUs, u"snapshot"_s, live == 1 ? u"1 live task"_s : u"%1 live tasks"_s.arg(live));
    }
    case EventKind::Heartbeat: {
        const HeartbeatEvent &h = *event.as<HeartbeatEvent>();
        QStringList counters;
        for (const auto &[name, value] : h.counters)
            counters << u"%1 %2"_s.arg(name).arg(value);
        return status(event.tsUs, u"heartbeat"_s,
                      u"%1 live, pool %2/%3, %4 events dropped; %5"_s.arg(h.live)
                          .arg(h.poolBusy)
                          .arg(h.poolMax)
                          .arg(std::max<qint64>(h.eventsDropped, 0))
                          .arg(counters.join(u", "_s)));
    }
    case EventKind::Gap:
        return status(event.tsUs, m_style("1;31", u"gap"_s),
                      u"missed %1 events (too slow to keep up); a fresh snapshot follows"_s.arg(event.as<GapEvent>()->missed));
    case EventKind::Shutdown: {
        const ShutdownEvent &s = *event.as<ShutdownEvent>();
        QString text = u"%1: %2 pending, %3 cancelled, %4 finished, %5 abandoned"_s.arg(s.stage)
                           .arg(s.pending)
                           .arg(s.cancelled)
                           .arg(s.finished)
                           .arg(s.abandoned);
        if (s.stage == wireName(ShutdownStage::Started) && s.deadlineUs > 0)
            text += u", deadline in %1"_s.arg(formatDuration(std::max<qint64>(s.deadlineUs - event.tsUs, 0)));
        if (s.deadlineReached)
            text += u", deadline reached"_s;
        return status(event.tsUs, u"shutdown"_s, text);
    }
    case EventKind::Bye:
        return status(event.tsUs, u"bye"_s, u"the source closed the stream"_s);
    case EventKind::Request: {
        const RequestEvent &r = *event.as<RequestEvent>();
        QString text = u"#%1 %2 %3 %4"_s.arg(r.requestId).arg(r.method, r.path, r.stage);
        if (r.status > 0)
            text += u" %1"_s.arg(r.status);
        if (r.error)
            text += u"  "_s + m_style("31", errorText(*r.error));
        return status(event.tsUs, u"request"_s, text);
    }
    case EventKind::Progress: {
        const ProgressEvent &p = *event.as<ProgressEvent>();
        return status(event.tsUs, u"progress"_s, u"#%1 %2"_s.arg(p.taskId).arg(progressText(p)));
    }
    case EventKind::Reply: {
        const ReplyEvent &r = *event.as<ReplyEvent>();
        return status(event.tsUs, u"reply"_s,
                      u"%1 %2 %3"_s.arg(r.command, r.result, r.reason.isEmpty() ? QString::number(r.affected) : r.reason));
    }
    case EventKind::Other:
        return status(event.tsUs, event.as<OtherEvent>()->kind, QString());
    }
    return {};
}

} // namespace afterwork::cli
