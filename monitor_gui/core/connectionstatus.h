// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

namespace afterwork::monitor {

class MonitorSession;

//! Where a live source's connection stands, in the few words of the sources table.
enum class SourceState : quint8 {
    NotWatching,  //!< no source, a recording, or stopped
    Connecting,   //!< the first connection is being made
    Connected,    //!< connected
    Reconnecting, //!< waiting for a source that is not there (yet)
    Lost,         //!< it vanished without bye (its live tasks are lost); reconnecting
    Ended,        //!< it said bye; waiting for it to start again
    GaveUp,       //!< no more attempts
};

//! \a session's state (NotWatching for a recording).
SourceState sourceState(const MonitorSession &session);
//! "connecting", "connected", "reconnecting", "lost", "ended", "gave up", "" (not watching).
QString sourceStateName(SourceState state);

//! What the connection bar says about the source, in words and a colour level.
struct ConnectionStatus
{
    enum class Level : quint8 { Idle, Good, Waiting, Bad };
    Level level = Level::Idle;
    QString state;   //!< "connected", "reconnecting (attempt 3)", "source gone", ...
    QString details; //!< "server_demo · pid 4242 on host · up 3 m 12 s · run #2"

    static ConnectionStatus describe(const MonitorSession &session);
};

} // namespace afterwork::monitor
