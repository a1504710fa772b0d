// SPDX-License-Identifier: MIT
#include "socketfile.h"

#include <QtCore/QDir>
#include <QtCore/QFile>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#endif

namespace afterwork::detail {

QString localSocketPath(const QString &name)
{
    if (name.startsWith(QLatin1Char('/')))
        return name;
    return QDir::cleanPath(QDir::tempPath()) + QLatin1Char('/') + name;
}

#ifdef Q_OS_UNIX

SocketFileState probeSocketFile(const QString &path)
{
    const QByteArray encoded = QFile::encodeName(path);
    struct stat info {};
    if (::lstat(encoded.constData(), &info) != 0)
        return errno == ENOENT ? SocketFileState::Missing : SocketFileState::NotASocket;
    if (!S_ISSOCK(info.st_mode))
        return SocketFileState::NotASocket;

    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (size_t(encoded.size()) >= sizeof address.sun_path)
        return SocketFileState::NotASocket; // QLocalServer could not use it either
    std::memcpy(address.sun_path, encoded.constData(), size_t(encoded.size()));

    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return SocketFileState::Live; // cannot tell: do not risk stealing it
    int result;
    do {
        result = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address);
    } while (result != 0 && errno == EINTR);
    const int error = result == 0 ? 0 : errno;
    ::close(fd);
    // Only "connection refused" proves that nobody listens; a full backlog (EAGAIN) is a live
    // server, and a permission error means it belongs to someone else.
    if (error == ECONNREFUSED)
        return SocketFileState::Stale;
    if (error == ENOENT)
        return SocketFileState::Missing;
    return SocketFileState::Live;
}

#else

SocketFileState probeSocketFile(const QString &)
{
    // Elsewhere QLocalServer uses named pipes, which vanish with their process: nothing is stale,
    // and listen() itself refuses a name in use.
    return SocketFileState::Missing;
}

#endif

} // namespace afterwork::detail
