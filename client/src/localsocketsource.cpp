// SPDX-License-Identifier: MIT
#include <afterwork/client/localsocketsource.h>

#include <QtNetwork/QLocalSocket>

namespace afterwork::client {

LocalSocketSource::LocalSocketSource(QString socketName, LocalSocketSourceOptions options, QObject *parent)
    : EventSource(parent), m_socketName(std::move(socketName)), m_options(options), m_socket(new QLocalSocket(this))
{
    connect(m_socket, &QLocalSocket::connected, this, &LocalSocketSource::onConnected);
    connect(m_socket, &QLocalSocket::readyRead, this, &LocalSocketSource::onReadyRead);
    connect(m_socket, &QLocalSocket::disconnected, this, &LocalSocketSource::onDisconnected);
    connect(m_socket, &QLocalSocket::errorOccurred, this, &LocalSocketSource::onSocketError);
}

LocalSocketSource::~LocalSocketSource()
{
    // The socket is a child: without this, its disconnected() would reach a half-destroyed object.
    m_socket->disconnect(this);
    m_socket->abort();
}

QString LocalSocketSource::description() const
{
    return QStringLiteral("socket '%1'").arg(m_socketName);
}

bool LocalSocketSource::canSendCommands() const
{
    return m_connectionOpen && m_socket->state() == QLocalSocket::ConnectedState;
}

bool LocalSocketSource::sendCommand(const protocol::Command &command)
{
    if (!canSendCommands())
        return false;
    const QByteArray line = protocol::encodeCommand(command);
    return m_socket->write(line) == line.size();
}

void LocalSocketSource::start()
{
    resetRetries();
    connectNow();
}

void LocalSocketSource::stop()
{
    cancelRetry();
    m_connectionOpen = false;
    setState(State::Idle);
    m_socket->abort();
}

void LocalSocketSource::connectNow()
{
    m_connectionOpen = false;
    setState(State::Connecting);
    m_socket->abort();
    // Read-write so that commands can be sent; a subscriber that sends none reads the same.
    m_socket->connectToServer(m_socketName, QIODevice::ReadWrite);
}

void LocalSocketSource::onConnected()
{
    if (state() != State::Connecting)
        return;
    m_connectionOpen = true;
    beginConnection();
    setState(State::Connected);
    Q_EMIT connected();
}

void LocalSocketSource::onReadyRead()
{
    if (!m_connectionOpen)
        return;
    ingest(m_socket->readAll());
}

void LocalSocketSource::onDisconnected()
{
    if (!m_connectionOpen)
        return;
    // Lines that arrived with the close still count (the bye, typically).
    if (m_socket->bytesAvailable() > 0)
        ingest(m_socket->readAll());
    if (!m_connectionOpen)
        return; // stopped while delivering
    m_connectionOpen = false;
    endConnection();
    if (state() == State::Connected)
        retryOrFinish(retryPolicy());
}

void LocalSocketSource::onSocketError()
{
    if (m_connectionOpen || state() != State::Connecting)
        return; // an open connection ends through onDisconnected()
    Error error = Error::Other;
    QString message;
    switch (m_socket->error()) {
    case QLocalSocket::ServerNotFoundError:
        error = Error::NotFound;
        message = QStringLiteral("no Afterwork source is listening on '%1'").arg(m_socketName);
        break;
    case QLocalSocket::ConnectionRefusedError:
        error = Error::ConnectionRefused;
        message = QStringLiteral("no Afterwork source is listening on '%1' (the socket file is stale)")
                      .arg(m_socketName);
        break;
    case QLocalSocket::SocketAccessError:
        error = Error::AccessDenied;
        message = QStringLiteral("not allowed to connect to '%1' (%2)").arg(m_socketName, m_socket->errorString());
        break;
    default:
        message = QStringLiteral("cannot connect to '%1': %2").arg(m_socketName, m_socket->errorString());
        break;
    }
    Q_EMIT errorOccurred(error, message);
    if (state() == State::Connecting)
        retryOrFinish(retryPolicy());
}

EventSource::RetryPolicy LocalSocketSource::retryPolicy() const
{
    return {.reconnect = m_options.reconnect, .initialBackoff = m_options.initialBackoff, .maxBackoff = m_options.maxBackoff};
}

} // namespace afterwork::client
