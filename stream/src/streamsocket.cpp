// SPDX-License-Identifier: MIT
#include "streamsocket.h"

#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>

namespace afterwork::detail {

// QSslSocket first everywhere: it is a QAbstractSocket whose own flush() and state must be used
// (QAbstractSocket::flush() on it would skip the encryption layer's buffers).

qint64 socketBacklog(const QIODevice *socket)
{
    if (const auto *ssl = qobject_cast<const QSslSocket *>(socket))
        return ssl->bytesToWrite() + ssl->encryptedBytesToWrite();
    return socket->bytesToWrite();
}

void flushSocket(QIODevice *socket)
{
    if (auto *ssl = qobject_cast<QSslSocket *>(socket))
        ssl->flush();
    else if (auto *tcp = qobject_cast<QAbstractSocket *>(socket))
        tcp->flush();
    else if (auto *local = qobject_cast<QLocalSocket *>(socket))
        local->flush();
}

void setSocketReadBufferSize(QIODevice *socket, qint64 bytes)
{
    if (auto *ssl = qobject_cast<QSslSocket *>(socket))
        ssl->setReadBufferSize(bytes);
    else if (auto *tcp = qobject_cast<QAbstractSocket *>(socket))
        tcp->setReadBufferSize(bytes);
    else if (auto *local = qobject_cast<QLocalSocket *>(socket))
        local->setReadBufferSize(bytes);
}

void abortSocket(QIODevice *socket)
{
    if (auto *tcp = qobject_cast<QAbstractSocket *>(socket))
        tcp->abort(); // virtual in QSslSocket's base: also drops the TLS state
    else if (auto *local = qobject_cast<QLocalSocket *>(socket))
        local->abort();
}

void closeSocket(QIODevice *socket)
{
    if (auto *tcp = qobject_cast<QAbstractSocket *>(socket))
        tcp->disconnectFromHost(); // QSslSocket: sends close_notify after what is queued
    else if (auto *local = qobject_cast<QLocalSocket *>(socket))
        local->disconnectFromServer();
}

bool isSocketConnected(const QIODevice *socket)
{
    if (const auto *tcp = qobject_cast<const QAbstractSocket *>(socket))
        return tcp->state() == QAbstractSocket::ConnectedState;
    if (const auto *local = qobject_cast<const QLocalSocket *>(socket))
        return local->state() == QLocalSocket::ConnectedState;
    return false;
}

bool isSocketClosed(const QIODevice *socket)
{
    if (const auto *tcp = qobject_cast<const QAbstractSocket *>(socket))
        return tcp->state() == QAbstractSocket::UnconnectedState;
    if (const auto *local = qobject_cast<const QLocalSocket *>(socket))
        return local->state() == QLocalSocket::UnconnectedState;
    return true;
}

QMetaObject::Connection onSocketDisconnected(QIODevice *socket, QObject *context, std::function<void()> onEnd,
                                             Qt::ConnectionType type)
{
    if (auto *tcp = qobject_cast<QAbstractSocket *>(socket))
        return QObject::connect(tcp, &QAbstractSocket::disconnected, context, std::move(onEnd), type);
    if (auto *local = qobject_cast<QLocalSocket *>(socket))
        return QObject::connect(local, &QLocalSocket::disconnected, context, std::move(onEnd), type);
    return {};
}

void onSocketBytesWritten(QIODevice *socket, QObject *context, std::function<void()> onWritten)
{
    if (auto *ssl = qobject_cast<QSslSocket *>(socket))
        QObject::connect(ssl, &QSslSocket::encryptedBytesWritten, context, onWritten);
    QObject::connect(socket, &QIODevice::bytesWritten, context, std::move(onWritten));
}

} // namespace afterwork::detail
