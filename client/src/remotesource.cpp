// SPDX-License-Identifier: MIT
#include <afterwork/client/remotesource.h>
#include <afterwork/protocol/auth.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QPointer>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QSslSocket>

namespace afterwork::client {

using namespace Qt::StringLiterals;

namespace {
//! The first line is the hello (or a refusal): short. Beyond this without a newline, whatever
//! answers is not an Afterwork publisher.
constexpr qsizetype maxFirstLineBytes = 1024 * 1024;
} // namespace

RemoteSource::RemoteSource(RemoteSourceOptions options, QObject *parent)
    : EventSource(parent), m_options(std::move(options)), m_socket(new QSslSocket(this))
{
    if (m_options.tls) {
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        if (!m_options.caCertificates.isEmpty())
            configuration.setCaCertificates(m_options.caCertificates); // instead of the system's
        configuration.setProtocol(QSsl::TlsV1_2OrLater);
        configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
        m_socket->setSslConfiguration(configuration);
        connect(m_socket, &QSslSocket::encrypted, this, &RemoteSource::onTransportReady);
        connect(m_socket, &QSslSocket::sslErrors, this, &RemoteSource::onSslErrors);
    } else {
        connect(m_socket, &QSslSocket::connected, this, &RemoteSource::onTransportReady);
    }
    connect(m_socket, &QSslSocket::readyRead, this, &RemoteSource::onReadyRead);
    connect(m_socket, &QSslSocket::disconnected, this, &RemoteSource::onDisconnected);
    connect(m_socket, &QSslSocket::errorOccurred, this, &RemoteSource::onSocketError);
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        if (state() == State::Connecting && !m_failed)
            fail(Error::Other, u"%1 did not answer within %2 s (%3): is it an Afterwork publisher?"_s
                                   .arg(description())
                                   .arg(double(m_options.connectTimeout.count()) / 1000.0)
                                   .arg(m_authenticating ? u"no answer to the token"_s
                                        : m_options.tls  ? u"no TLS handshake"_s
                                                         : u"no connection"_s));
    });
}

RemoteSource::~RemoteSource()
{
    // The socket is a child: without this, its disconnected() would reach a half-destroyed object.
    m_socket->disconnect(this);
    m_socket->abort();
}

QString RemoteSource::description() const
{
    return u"%1://%2:%3"_s.arg(m_options.tls ? u"tls"_s : u"tcp"_s, m_options.host).arg(m_options.port);
}

bool RemoteSource::canSendCommands() const
{
    return m_connectionOpen && m_socket->state() == QAbstractSocket::ConnectedState;
}

bool RemoteSource::sendCommand(const protocol::Command &command)
{
    if (!canSendCommands())
        return false;
    const QByteArray line = protocol::encodeCommand(command);
    return m_socket->write(line) == line.size();
}

void RemoteSource::start()
{
    resetRetries();
    connectNow();
}

void RemoteSource::stop()
{
    cancelRetry();
    m_deadline.stop();
    m_connectionOpen = false;
    m_authenticating = false;
    setState(State::Idle);
    m_socket->abort();
}

void RemoteSource::connectNow()
{
    m_connectionOpen = false;
    m_authenticating = false;
    m_failed = false;
    m_firstBytes.clear();
    m_tlsProblem.clear();
    setState(State::Connecting);
    m_socket->abort();
    m_deadline.start(m_options.connectTimeout);
    if (m_options.tls) {
        // The name checked against the certificate is the host as given.
        m_socket->connectToHostEncrypted(m_options.host, m_options.port, QIODevice::ReadWrite);
    } else {
        m_socket->connectToHost(m_options.host, m_options.port, QIODevice::ReadWrite);
    }
}

void RemoteSource::onSslErrors(const QList<QSslError> &errors)
{
    const bool pinned = !m_options.pinnedSha256.isEmpty();
    const bool pinMatches =
        pinned && m_socket->peerCertificate().digest(QCryptographicHash::Sha256) == m_options.pinnedSha256;
    QStringList problems;
    for (const QSslError &error : errors) {
        const bool expiry = error.error() == QSslError::CertificateExpired
            || error.error() == QSslError::CertificateNotYetValid;
        if (pinMatches && !expiry)
            continue; // the pinned certificate is trusted as such: its issuer and names do not matter
        if (!m_options.verifyHostname && error.error() == QSslError::HostNameMismatch)
            continue;
        problems << error.errorString();
    }
    if (pinned && !pinMatches)
        problems.prepend(u"its certificate is not the pinned one (SHA-256 %1)"_s
                             .arg(QString::fromLatin1(m_socket->peerCertificate().digest(QCryptographicHash::Sha256).toHex())));
    if (problems.isEmpty()) {
        m_socket->ignoreSslErrors(errors);
        return;
    }
    problems.removeDuplicates();
    m_tlsProblem = problems.join(u"; "_s); // the handshake fails next, and reports it
}

void RemoteSource::onTransportReady()
{
    if (state() != State::Connecting)
        return;
    // The token and commands are single short lines: send each at once (no Nagle delay).
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (!m_options.pinnedSha256.isEmpty()
        && m_socket->peerCertificate().digest(QCryptographicHash::Sha256) != m_options.pinnedSha256) {
        // Trusted through a CA, but not the certificate asked for.
        fail(Error::TlsFailed, u"refusing %1: its certificate is not the pinned one (SHA-256 %2)"_s.arg(
                                   description(), QString::fromLatin1(m_socket->peerCertificate()
                                                                          .digest(QCryptographicHash::Sha256)
                                                                          .toHex())));
        return;
    }
    m_authenticating = true;
    m_socket->write(protocol::encodeAuthLine(m_options.token));
}

void RemoteSource::onReadyRead()
{
    if (m_connectionOpen) {
        ingest(m_socket->readAll());
        return;
    }
    if (!m_authenticating)
        return;
    m_firstBytes += m_socket->readAll();
    const qsizetype newline = m_firstBytes.indexOf('\n');
    if (newline < 0) {
        if (m_firstBytes.size() > maxFirstLineBytes)
            fail(Error::Other, u"%1 is not an Afterwork event stream (no line in its first %2 bytes)"_s
                                   .arg(description())
                                   .arg(maxFirstLineBytes));
        return;
    }
    if (const std::optional<QString> reason = protocol::parseDeniedLine(QByteArrayView(m_firstBytes).first(newline))) {
        // Busy or slow is no verdict on the token: those are retried like a refused connection,
        // while a bad token (or a malformed line) is an access error that waiting will not fix.
        const bool passing = *reason == protocol::deniedReasonText(protocol::DeniedReason::TooMany)
                          || *reason == protocol::deniedReasonText(protocol::DeniedReason::Timeout);
        fail(passing ? Error::Other : Error::AccessDenied, u"%1 refused the connection: %2"_s.arg(description(), *reason));
        return;
    }
    m_authenticating = false;
    m_connectionOpen = true;
    m_deadline.stop();
    beginConnection();
    setState(State::Connected);
    const QPointer<RemoteSource> self(this);
    Q_EMIT connected();
    if (!self || !m_connectionOpen)
        return; // stopped or deleted by a receiver
    ingest(std::exchange(m_firstBytes, {}));
}

void RemoteSource::onDisconnected()
{
    if (m_authenticating && !m_failed) {
        if (m_socket->bytesAvailable() > 0)
            onReadyRead(); // a refusal that came with the close
        if (m_authenticating && !m_failed)
            fail(Error::Other, u"%1 closed the connection before answering (too many connections?)"_s.arg(description()));
        return;
    }
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

void RemoteSource::onSocketError()
{
    if (m_connectionOpen || m_failed || state() != State::Connecting)
        return; // an open connection ends through onDisconnected()
    if (m_authenticating && m_socket->error() == QAbstractSocket::RemoteHostClosedError)
        return; // onDisconnected() reads what came with the close first
    switch (m_socket->error()) {
    case QAbstractSocket::HostNotFoundError:
        fail(Error::NotFound, u"cannot find the host '%1'"_s.arg(m_options.host));
        break;
    case QAbstractSocket::ConnectionRefusedError:
        fail(Error::ConnectionRefused, u"nothing listens on %1"_s.arg(description()));
        break;
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        fail(Error::TlsFailed, m_tlsProblem.isEmpty()
                                   ? u"the TLS handshake with %1 failed: %2"_s.arg(description(), m_socket->errorString())
                                   : u"refusing %1: %2"_s.arg(description(), m_tlsProblem));
        break;
    default:
        fail(Error::Other, u"cannot connect to %1: %2"_s.arg(description(), m_socket->errorString()));
        break;
    }
}

void RemoteSource::fail(Error error, const QString &message)
{
    m_failed = true;
    m_authenticating = false;
    m_deadline.stop();
    const bool slowly = error == Error::AccessDenied || error == Error::TlsFailed;
    const QPointer<RemoteSource> self(this);
    Q_EMIT errorOccurred(error, message);
    if (!self || state() != State::Connecting)
        return; // stopped (or deleted) by a receiver
    m_socket->abort();
    retryOrFinish(retryPolicy(), slowly);
}

EventSource::RetryPolicy RemoteSource::retryPolicy() const
{
    // A refusal or an untrusted certificate will not change by itself: fail() asks for the longest
    // delay at once, never a tight loop.
    return {.reconnect = m_options.reconnect, .initialBackoff = m_options.initialBackoff, .maxBackoff = m_options.maxBackoff};
}

} // namespace afterwork::client
