// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QMetaType>
#include <QtCore/QtGlobal>

namespace afterwork {

//! Exact counters since the engine started. Phase counters count tasks that reached the phase.
struct EngineCounters
{
    quint64 scheduled = 0;
    quint64 started = 0;   //!< first starts only; retries are counted in `retried`
    quint64 retried = 0;
    quint64 succeeded = 0;
    quint64 failed = 0;
    quint64 cancelled = 0;
    quint64 abandoned = 0;
    quint64 dropped = 0;
    quint64 handlerErrors = 0; //!< error handlers that threw
    int live = 0;        //!< tasks not yet in a terminal phase
    int poolActive = 0;  //!< pool threads busy now
    int poolMax = 0;
};

//! Drain progress, emitted while TaskEngine shuts down.
struct ShutdownProgress
{
    qint64 deadlineUs = 0;  //!< wall clock, microseconds since the Unix epoch
    int pending = 0;        //!< live tasks the shutdown still waits for
    int cancelled = 0;
    int finished = 0;       //!< succeeded or failed since the shutdown started
    int abandoned = 0;
};

//! What shutdown() did. Every task live at the start (or scheduled during the drain) is counted
//! in exactly one of finished, cancelled, abandoned, dropped.
struct ShutdownReport
{
    int finished = 0;   //!< ran to Succeeded or Failed while shutdown waited
    int cancelled = 0;
    int abandoned = 0;  //!< still running at the deadline
    int dropped = 0;
    bool deadlineReached = false;
    qint64 elapsedMs = 0;
};

enum class EngineState : quint8 { Running, Draining, Stopped };

} // namespace afterwork

Q_DECLARE_METATYPE(afterwork::EngineCounters)
Q_DECLARE_METATYPE(afterwork::ShutdownProgress)
Q_DECLARE_METATYPE(afterwork::ShutdownReport)
