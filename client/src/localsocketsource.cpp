// SPDX-License-Identifier: MIT
#include <afterwork/client/localsocketsource.h>

#include <QtNetwork/QLocalSocket>

namespace afterwork::client {

LocalSocketSource::LocalSocketSource(QString socketName, LocalSocketSourceOptions options, QObject *parent)
    : EventSource(parent), m_socketName(std::move(socketName)), m_options(options), m_socket(new QLocalSocket(this))
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &LocalSocketSource::connectNow);
    connect(m_socket, &QLocalSocket::connected, this, &LocalSocketSource::onConnected);
    connect(m_socket, &QLocalSocket::readyRead, this, &LocalSocketSource::onReadyRead);
    connect(m_socket, &QLocalSocket::disconnected, this, &LocalSocketSource::onDisconnected);
    connect(m_socket, &QLocalSocket::errorOccurred, this, &LocalSocketSource::onSocketError);
    // The hello resets the backoff: a server that accepts and drops at once is still retried slowly.
    connect(this, &EventSource::linesReceived, this, [this](const QList<StreamLine> &lines) {
        for (const StreamLine &line : lines) {
            if (const StreamEvent *event = line.event(); event && event->kind() == EventKind::Hello)
                m_failuresInARow = 0;
        }
    });
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
    m_failuresInARow = 0;
    connectNow();
}

void LocalSocketSource::stop()
{
    m_retryTimer.stop();
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
        retryOrFinish();
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
        retryOrFinish();
}

void LocalSocketSource::retryOrFinish()
{
    if (!m_options.reconnect) {
        setState(State::Finished);
        Q_EMIT finished();
        return;
    }
    // 100 ms, 200 ms, 400 ms, ... capped.
    const int shift = std::min(m_failuresInARow, 20);
    const qint64 delay = std::min<qint64>(m_options.initialBackoff.count() << shift, m_options.maxBackoff.count());
    ++m_failuresInARow;
    setState(State::Reconnecting);
    Q_EMIT reconnecting(m_failuresInARow, int(delay));
    if (state() == State::Reconnecting)
        m_retryTimer.start(std::chrono::milliseconds(delay));
}

} // namespace afterwork::client
