// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

namespace afterwork::detail {

//! The path QLocalServer uses for \a name: an absolute path as is, any other name in the
//! temporary directory.
QString localSocketPath(const QString &name);

enum class SocketFileState : quint8 {
    Missing,    //!< nothing at the path
    Stale,      //!< a socket file nobody listens on (its process died): safe to remove
    Live,       //!< a process accepts connections on it: never take it over
    NotASocket, //!< some other file: never remove it
};

//! Looks at the file at \a path and, if it is a socket, tries to connect to it.
SocketFileState probeSocketFile(const QString &path);

} // namespace afterwork::detail
