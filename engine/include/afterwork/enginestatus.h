// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QMetaType>
#include <QtCore/QtGlobal>

namespace afterwork {

//! Exact counters since the engine started, as TaskEngine::counters() reads them (from any
//! thread; each counter is exact, the set is not one atomic snapshot). Phase counters count tasks
//! that reached the phase.
struct EngineCounters
{
    quint64 scheduled = 0; //!< tasks accepted by schedule()
    quint64 started = 0;   //!< first starts only; retries are counted in `retried`
    quint64 retried = 0;   //!< Retrying steps: failed attempts that the retry policy runs again
    quint64 succeeded = 0; //!< tasks that ended Succeeded
    quint64 failed = 0;    //!< tasks that ended Failed
    quint64 cancelled = 0; //!< tasks that ended Cancelled
    quint64 abandoned = 0; //!< tasks that ended Abandoned
    quint64 dropped = 0;   //!< tasks that ended Dropped
    quint64 handlerErrors = 0; //!< error handlers that threw
    int live = 0;        //!< tasks not yet in a terminal phase
    int poolActive = 0;  //!< pool threads busy now
    int poolMax = 0;     //!< the pool's maxThreadCount() now
};

//! Drain progress, emitted while TaskEngine shuts down.
struct ShutdownProgress
{
    qint64 deadlineUs = 0;  //!< wall clock, microseconds since the Unix epoch
    int pending = 0;        //!< live tasks the shutdown still waits for
    int cancelled = 0;      //!< ended Cancelled since the shutdown started
    int finished = 0;       //!< succeeded or failed since the shutdown started
    int abandoned = 0;      //!< ended Abandoned so far (only the deadline abandons)
};

//! What shutdown() did. Every task live at the start (or scheduled during the drain) is counted
//! in exactly one of finished, cancelled, abandoned, dropped.
struct ShutdownReport
{
    int finished = 0;   //!< ran to Succeeded or Failed while shutdown waited
    int cancelled = 0;  //!< ended Cancelled while shutting down (the unshielded tasks, mostly)
    int abandoned = 0;  //!< still running at the deadline
    int dropped = 0;    //!< ended Dropped: their after-route/after-response batch was discarded
    bool deadlineReached = false; //!< the deadline passed with tasks still live (abandoned)
    qint64 elapsedMs = 0;         //!< from the start of the shutdown to its end, steady clock
};

//! Where the engine is in its life; TaskEngine::state() reads it from any thread.
enum class EngineState : quint8 {
    Running,  //!< accepts work
    Draining, //!< shutting down: accepts work only from code running inside one of its tasks
    Stopped,  //!< shut down: accepts nothing; schedule() throws EngineShutDownError
};


} // namespace afterwork

Q_DECLARE_METATYPE(afterwork::EngineCounters)
Q_DECLARE_METATYPE(afterwork::ShutdownProgress)
Q_DECLARE_METATYPE(afterwork::ShutdownReport)
