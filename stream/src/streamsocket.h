// SPDX-License-Identifier: MIT
#pragma once

// What the publisher needs from a subscriber's connection, whatever carries it: a QLocalSocket
// (the local transport), a QSslSocket (remote, TLS) or a plain QTcpSocket (remote, insecure, on
// loopback only). QIODevice has the reading and writing; these fill in what it lacks (flushing,
// closing, the end of the connection), so that one code path serves every transport.

#include <QtCore/QIODevice>
#include <QtCore/QObject>

#include <functional>

namespace afterwork::detail {

//! Bytes the connection holds that the peer has not been sent yet. For TLS, that is the plain
//! bytes not yet encrypted plus the encrypted bytes not yet written: a peer that stops reading
//! makes the second grow, and it counts against the subscriber's queue like any other backlog.
qint64 socketBacklog(const QIODevice *socket);
//! Writes what the kernel takes now, without waiting.
void flushSocket(QIODevice *socket);
//! Caps what the socket buffers for reading.
void setSocketReadBufferSize(QIODevice *socket, qint64 bytes);
//! Drops the connection at once (what is queued is lost).
void abortSocket(QIODevice *socket);
//! Closes in order: writes what is queued first, while the event loop runs.
void closeSocket(QIODevice *socket);
//! Whether the connection is still up.
bool isSocketConnected(const QIODevice *socket);
//! Whether the connection is fully closed (not even closing).
bool isSocketClosed(const QIODevice *socket);

//! Connects the connection's end to \a onEnd, on \a context, with \a type.
QMetaObject::Connection onSocketDisconnected(QIODevice *socket, QObject *context, std::function<void()> onEnd,
                                             Qt::ConnectionType type = Qt::AutoConnection);
//! Connects "bytes went out" (plain or, for TLS, encrypted) to \a onWritten, on \a context.
void onSocketBytesWritten(QIODevice *socket, QObject *context, std::function<void()> onWritten);

} // namespace afterwork::detail
