// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/enginestatus.h>
#include <afterwork/taskevent.h>
#include <afterwork/protocol/command.h>
#include <afterwork/protocol/json.h>
#include <afterwork/protocol/wire.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QLatin1StringView>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringView>
#include <QtCore/QUuid>

//! \file
//! The encoder of the event stream protocol (docs/protocol.md), built by hand for speed.
//!
//! A line is a per-connection prefix followed by a body that every connection shares:
//!
//!     appendLinePrefix(seq)  ->  {"v":1,"seq":N
//!     append*Body(...)       ->  ,"ts_us":T,"kind":"...",...}\n
//!
//! so an event is encoded once and each subscriber only adds its own `seq`.
namespace afterwork::protocol {

//! Who publishes: the `source` object of `hello`.
struct SourceInfo
{
    QString app;          //!< the application's name (PublisherOptions::app)
    qint64 pid = 0;       //!< its process id
    QString host;         //!< the machine's host name
    QUuid instance;       //!< new for every publisher: tells a restarted source from the old one
    qint64 startedUs = 0; //!< when the publisher was made, wall-clock microseconds since the epoch
};

//! What a `heartbeat` says besides the engine's counters.
struct HeartbeatInfo
{
    EngineCounters counters;   //!< the engine's counters now
    quint64 eventsDropped = 0; //!< events dropped for slow subscribers so far, summed over them
    int subscribers = 0;       //!< connected subscribers now
};

//! `{"v":1,"seq":N` — opens a line.
void appendLinePrefix(QByteArray &out, quint64 seq);

//! Appends the body of a line of one kind to \a out: it starts with `,"ts_us":` (\a tsUs, wall-clock
//! microseconds) and ends the line with `}\n`; the other arguments are the kind's members
//! (docs/protocol.md).
//! @{
//! \a control: the publisher accepts commands (docs/protocol.md, "Commands").
void appendHelloBody(QByteArray &out, qint64 tsUs, const SourceInfo &source, bool control = false);
//! Each entry as a `task` line's fields, plus the task's latest progress (TaskEvent::progress, as
//! TaskEngine::liveTasks() fills it) under snapshotProgressMember when it has reported any.
void appendSnapshotBody(QByteArray &out, qint64 tsUs, const QList<TaskEvent> &liveTasks);
//! The step's own time (TaskEvent::timestampUs) is the line's `ts_us`.
void appendTaskBody(QByteArray &out, const TaskEvent &event);
void appendHeartbeatBody(QByteArray &out, qint64 tsUs, const HeartbeatInfo &info);
void appendGapBody(QByteArray &out, qint64 tsUs, quint64 missed);
void appendShutdownBody(QByteArray &out, qint64 tsUs, ShutdownStage stage, const ShutdownProgress &progress);
//! The `shutdown` line of stage `finished`: \a report, with the deadline the shutdown had.
void appendShutdownFinishedBody(QByteArray &out, qint64 tsUs, qint64 deadlineUs, const ShutdownReport &report);
void appendByeBody(QByteArray &out, qint64 tsUs);
//! The answer to one command, on the connection that sent it.
void appendReplyBody(QByteArray &out, qint64 tsUs, const Reply &reply);
//! The report's own time (TaskProgress::timestampUs) is the line's `ts_us`; `message` only when
//! not empty.
void appendProgressBody(QByteArray &out, const TaskProgress &progress);
//! @}
//! Any other kind: \a encodedFields are compact `"name":value` members (possibly empty), as
//! FieldWriter builds them.
void appendEventBody(QByteArray &out, qint64 tsUs, QLatin1StringView kind, QByteArrayView encodedFields);

//! The fields of one task (as in a `task` line, without `kind`), `ts_us` included; used for the
//! `task` line and for each element of a snapshot.
void appendTaskFields(QByteArray &out, const TaskEvent &event);

//! prefix + body: one complete line, for tools and tests.
QByteArray makeLine(quint64 seq, QByteArrayView body);

} // namespace afterwork::protocol
