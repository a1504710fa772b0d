// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

namespace afterwork::monitor {

class MonitorSession;

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
