// SPDX-License-Identifier: MIT
// The remote transport (docs/protocol.md, "Remote transport"): TCP with TLS (or plain TCP on
// loopback), then the token in the connection's first line. A connection that authenticates
// becomes a subscriber like a local one (EventPublisherPrivate::addSubscriber); any other gets one
// `denied` line and is closed. Part of EventPublisherPrivate (eventpublisher_p.h). Engine thread.
#include "eventpublisher_p.h"
#include "streamsocket.h"
#include "tlskeycheck.h"

#include <afterwork/protocol/auth.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QFile>
#include <QtCore/QLoggingCategory>
#include <QtCore/QTimer>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QSslKey>
#include <QtNetwork/QSslServer>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#include <unistd.h>

#include <functional>

namespace afterwork::detail {

Q_DECLARE_LOGGING_CATEGORY(lcStream)

namespace {

using namespace Qt::StringLiterals;

//! What an authenticating connection may have buffered: its first line, and a little more.
constexpr qint64 authReadBufferBytes = 2 * protocol::maxInputLineBytes;

//! A QSslServer that turns connections away before their TLS handshake when \a admit says no,
//! so that a flood of connections that never finish (or never start) a handshake cannot pile up,
//! and reports each connection it takes to \a accepted at once. QSslServer's own signal for that,
//! startedEncryptionHandshake, comes only once the client has said something on Qt 6.5 and later
//! (it reads the ClientHello first), so a client that sends nothing would go uncounted.
class BoundedSslServer final : public QSslServer
{
public:
    BoundedSslServer(std::function<bool()> admit, std::function<void(QSslSocket *)> accepted, RefusalLog *refusals,
                     QObject *parent)
        : QSslServer(parent), m_admit(std::move(admit)), m_accepted(std::move(accepted)), m_refusals(refusals)
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        if (!m_admit()) {
            m_refusals->note(u"refusing a remote connection: too many are authenticating"_s);
            ::close(int(descriptor));
            return;
        }
        QSslServer::incomingConnection(descriptor);
        // The socket it made for the descriptor is its newest child (Qt 6.4 to 6.8).
        const QObjectList &kids = children();
        for (auto it = kids.crbegin(); it != kids.crend(); ++it) {
            if (auto *socket = qobject_cast<QSslSocket *>(*it)) {
                if (socket->socketDescriptor() == descriptor)
                    m_accepted(socket);
                break;
            }
        }
    }

private:
    std::function<bool()> m_admit;
    std::function<void(QSslSocket *)> m_accepted;
    RefusalLog *m_refusals; // the publisher's
};

QByteArray digestOf(QByteArrayView token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256);
}

//! Compares two digests in time independent of their contents. Digests, not tokens, so that
//! neither the length nor a prefix of the token shows in the time taken.
bool sameDigest(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

std::optional<QHostAddress> parseAddress(const QString &address)
{
    if (address.compare("localhost"_L1, Qt::CaseInsensitive) == 0)
        return QHostAddress(QHostAddress::LocalHost);
    QHostAddress parsed;
    if (!parsed.setAddress(address))
        return std::nullopt;
    return parsed;
}

QSslKey loadPrivateKey(const QByteArray &pem)
{
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec}) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    return {};
}

QString peerOf(const QTcpSocket *socket)
{
    return u"%1:%2"_s.arg(socket->peerAddress().toString()).arg(socket->peerPort());
}

} // namespace

bool EventPublisherPrivate::listenRemote(const RemoteListenOptions &remote)
{
    if (remoteServer) {
        errorString = u"already listening remotely on port %1"_s.arg(remoteServer->serverPort());
        return false;
    }
    const std::optional<QHostAddress> address = parseAddress(remote.address);
    if (!address) {
        errorString = u"'%1' is not an IP address (or localhost)"_s.arg(remote.address);
        return false;
    }
    if (remote.insecure && !address->isLoopback()) {
        errorString = u"plain TCP (insecure) is allowed on a loopback address only, not on %1; use TLS "
                      "(a certificate and its key)"_s.arg(remote.address);
        return false;
    }
    if (remote.tokenFile.isEmpty()) {
        errorString = u"a remote listener needs a token file"_s;
        return false;
    }
    const protocol::TokenFile token = protocol::readTokenFile(remote.tokenFile);
    if (!token.error.isEmpty()) {
        errorString = token.error;
        return false;
    }

    authTimeout = remote.authTimeout; // read when connections arrive
    QTcpServer *server = nullptr;
    if (remote.insecure) {
        server = new QTcpServer(q);
    } else {
        if (remote.certificateFile.isEmpty() || remote.privateKeyFile.isEmpty()) {
            errorString = u"TLS needs a certificate file and a private key file (or plain TCP on loopback, insecure)"_s;
            return false;
        }
        if (!QSslSocket::supportsSsl()) {
            errorString = u"TLS is not available: no working TLS backend (available: %1)"_s
                              .arg(QSslSocket::availableBackends().join(u", "_s));
            return false;
        }
        const QList<QSslCertificate> chain = QSslCertificate::fromPath(remote.certificateFile, QSsl::Pem);
        if (chain.isEmpty()) {
            errorString = u"no PEM certificate in '%1'"_s.arg(remote.certificateFile);
            return false;
        }
        QFile keyFile(remote.privateKeyFile);
        if (!keyFile.open(QIODevice::ReadOnly)) {
            errorString = u"cannot read the private key file '%1': %2"_s.arg(remote.privateKeyFile, keyFile.errorString());
            return false;
        }
        const QSslKey key = loadPrivateKey(keyFile.readAll());
        if (key.isNull()) {
            errorString = u"no usable private key in '%1' (an unencrypted PEM RSA or EC key)"_s.arg(remote.privateKeyFile);
            return false;
        }
        // Qt would take any key, and every handshake would then fail.
        const std::optional<bool> keyMatches = isKeyOfCertificate(key, chain.constFirst());
        if (!keyMatches) {
            errorString = u"cannot tell whether the private key in '%1' belongs to the certificate in '%2'"_s.arg(
                remote.privateKeyFile, remote.certificateFile);
            return false;
        }
        if (!*keyMatches) {
            errorString = u"the private key in '%1' does not belong to the certificate in '%2' (the first one there): "
                          "it is the key of another certificate, and every TLS handshake would fail"_s.arg(
                              remote.privateKeyFile, remote.certificateFile);
            return false;
        }
        if (chain.constFirst().expiryDate() < QDateTime::currentDateTimeUtc())
            qCWarning(lcStream).noquote() << "the certificate in" << remote.certificateFile
                                          << "has expired: clients will refuse it";

        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificateChain(chain);
        configuration.setPrivateKey(key);
        configuration.setProtocol(QSsl::TlsV1_2OrLater);
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone); // clients prove themselves with the token

        const auto track = [this](QSslSocket *socket) {
            if (std::any_of(handshaking.cbegin(), handshaking.cend(), [socket](const auto &entry) { return entry.first == socket; }))
                return;
            QElapsedTimer age;
            age.start();
            handshaking.emplace_back(socket, age);
            // Our own deadline, from the accept: QSslServer restarts its handshake timer when the
            // first byte arrives, so a slow client could otherwise take nearly twice as long.
            QTimer::singleShot(authTimeout, socket, [this, socket] {
                const auto it = std::find_if(handshaking.begin(), handshaking.end(),
                                             [socket](const auto &entry) { return entry.first == socket; });
                if (it == handshaking.end())
                    return; // handed over: the authentication step has the same deadline
                handshaking.erase(it);
                refusals.note(u"a remote connection did not finish its TLS handshake in time"_s);
                socket->abort();
                resumeAcceptingRemote();
            });
        };
        auto *ssl = new BoundedSslServer([this] { return !tooManyUnauthenticated(); }, track, &refusals, q);
        ssl->setSslConfiguration(configuration);
        // The handshake counts against the time to authenticate.
        ssl->setHandshakeTimeout(int(remote.authTimeout.count()));
        QObject::connect(ssl, &QSslServer::startedEncryptionHandshake, q, track);
        // A failed handshake (a client that speaks plain text, or refuses the certificate) ends
        // that connection only; it never reaches the authentication step.
        QObject::connect(ssl, &QSslServer::errorOccurred, q, [this](QSslSocket *socket, QAbstractSocket::SocketError) {
            const auto it = std::find_if(handshaking.begin(), handshaking.end(),
                                         [socket](const auto &entry) { return entry.first == socket; });
            if (it == handshaking.end())
                return; // handed over already: its end is seen elsewhere
            handshaking.erase(it);
            refusals.note(u"a remote connection failed its TLS handshake: "_s + socket->errorString());
            socket->abort();
            socket->deleteLater();
            resumeAcceptingRemote();
        });
        server = ssl;
    }

    // Qt stops accepting once this many connections wait (for QSslServer: handshakes included,
    // and a handshake that fails does not make it start again); its default, 30, is below our own
    // bound (maxSubscribers authenticating, tooManyUnauthenticated()), which must be the one that
    // decides, or 30 silent connections would close the listener for good.
    server->setMaxPendingConnections(2 * options.maxSubscribers + 16);
    // An accept that fails (out of descriptors) pauses the server: try again a moment later.
    QObject::connect(server, &QTcpServer::acceptError, q, [this](QAbstractSocket::SocketError error) {
        qCWarning(lcStream) << "accepting a remote connection failed:" << error << "- trying again in 100 ms";
        QTimer::singleShot(std::chrono::milliseconds(100), q, [this] { resumeAcceptingRemote(); });
    });
    if (!server->listen(*address, remote.port)) {
        errorString = u"cannot listen on %1 port %2: %3"_s.arg(remote.address).arg(remote.port).arg(server->errorString());
        delete server;
        return false;
    }
    // Not newConnection: QSslServer queues a connection only once its handshake is done, and says
    // so with pendingConnectionAvailable (Qt 6.4 and later; QTcpServer emits it too).
    QObject::connect(server, &QTcpServer::pendingConnectionAvailable, q, [this] { acceptRemoteConnections(); });
    remoteServer = server;
    tokenDigest = digestOf(token.token);
    qCInfo(lcStream).noquote() << "publishing remotely on" << address->toString() << "port" << server->serverPort()
                               << (remote.insecure ? "(plain TCP, insecure)" : "(TLS)");
    return true;
}

void EventPublisherPrivate::closeRemote()
{
    if (!remoteServer)
        return;
    QObject::disconnect(remoteServer, nullptr, q, nullptr);
    remoteServer->close();
    for (const auto &[socket, age] : handshaking) {
        if (socket)
            socket->abort(); // a child of the server: deleted with it
    }
    handshaking.clear();
    for (const Authenticating &entry : std::exchange(authenticating, {})) {
        if (!entry.socket)
            continue;
        QObject::disconnect(entry.socket, nullptr, q, nullptr);
        entry.socket->abort();
        entry.socket->deleteLater();
    }
    remoteServer->deleteLater();
    remoteServer = nullptr;
    tokenDigest.clear();
}

int EventPublisherPrivate::handshakingCount()
{
    // Never by age: an open connection counts until its handshake ends or our deadline aborts it.
    std::erase_if(handshaking, [](const auto &entry) {
        return !entry.first || entry.first->state() == QAbstractSocket::UnconnectedState;
    });
    return int(handshaking.size());
}

void EventPublisherPrivate::resumeAcceptingRemote()
{
    if (remoteServer)
        remoteServer->resumeAccepting();
}

bool EventPublisherPrivate::tooManyUnauthenticated()
{
    return int(authenticating.size()) + handshakingCount() >= options.maxSubscribers;
}

void EventPublisherPrivate::acceptRemoteConnections()
{
    while (remoteServer && remoteServer->hasPendingConnections()) {
        QTcpSocket *socket = remoteServer->nextPendingConnection();
        if (!socket)
            break;
        qint64 ageMs = 0;
        if (const auto it = std::find_if(handshaking.begin(), handshaking.end(),
                                         [socket](const auto &entry) { return entry.first == socket; });
            it != handshaking.end()) {
            ageMs = it->second.elapsed();
            handshaking.erase(it);
        }
        socket->setParent(q); // connections outlive the server when it closes first
        // Lines are small and written as they happen: without this, Nagle's algorithm holds each
        // one back until the previous segment is acknowledged, milliseconds of lag per event.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        if (int(authenticating.size()) >= options.maxSubscribers) {
            deny(socket, protocol::DeniedReason::TooMany);
            continue;
        }
        setSocketReadBufferSize(socket, authReadBufferBytes);
        authenticating.push_back({socket, {}});
        QObject::connect(socket, &QIODevice::readyRead, q, [this, socket] { readAuthentication(socket); });
        QObject::connect(
            socket, &QAbstractSocket::disconnected, q,
            [this, guard = QPointer<QTcpSocket>(socket)] {
                // Only while it authenticates: a call queued before it became a subscriber (or was
                // refused) must not delete what is now someone else's.
                if (!guard || std::none_of(authenticating.cbegin(), authenticating.cend(),
                                           [&guard](const Authenticating &entry) { return entry.socket == guard; }))
                    return;
                forgetAuthenticating(guard);
                guard->deleteLater();
            },
            Qt::QueuedConnection);
        const auto remaining = std::chrono::milliseconds(qMax<qint64>(0, authTimeout.count() - ageMs));
        QTimer::singleShot(remaining, socket, [this, socket] {
            if (std::any_of(authenticating.begin(), authenticating.end(),
                            [socket](const Authenticating &entry) { return entry.socket == socket; }))
                deny(socket, protocol::DeniedReason::Timeout);
        });
        if (socket->bytesAvailable() > 0) // sent together with the end of the handshake
            readAuthentication(socket);
    }
}

void EventPublisherPrivate::readAuthentication(QTcpSocket *socket)
{
    const auto it = std::find_if(authenticating.begin(), authenticating.end(),
                                 [socket](const Authenticating &entry) { return entry.socket == socket; });
    if (it == authenticating.end())
        return;
    it->input.append(socket->read(authReadBufferBytes - it->input.size()));
    const qsizetype newline = it->input.indexOf('\n');
    if (newline < 0) {
        if (it->input.size() >= protocol::maxInputLineBytes)
            deny(socket, protocol::DeniedReason::Malformed);
        return;
    }
    if (newline + 1 > protocol::maxInputLineBytes) {
        deny(socket, protocol::DeniedReason::Malformed);
        return;
    }
    const std::optional<QByteArray> token = protocol::parseAuthLine(QByteArrayView(it->input).first(newline));
    if (!token) {
        deny(socket, protocol::DeniedReason::Malformed);
        return;
    }
    if (!sameDigest(digestOf(*token), tokenDigest)) {
        deny(socket, protocol::DeniedReason::BadToken);
        return;
    }
    QByteArray rest = it->input.mid(newline + 1);
    forgetAuthenticating(socket);
    qCInfo(lcStream).noquote() << "a remote subscriber authenticated from" << peerOf(socket);
    addSubscriber(socket, std::move(rest));
}

void EventPublisherPrivate::forgetAuthenticating(QTcpSocket *socket)
{
    std::erase_if(authenticating, [socket](const Authenticating &entry) { return !entry.socket || entry.socket == socket; });
    QObject::disconnect(socket, nullptr, q, nullptr);
}

void EventPublisherPrivate::deny(QTcpSocket *socket, protocol::DeniedReason reason)
{
    forgetAuthenticating(socket);
    refusals.note(u"refusing a remote connection from %1 - %2"_s.arg(peerOf(socket), protocol::deniedReasonText(reason)));
    // Nothing it sends is read any more; what it sent is not kept.
    QObject::connect(socket, &QIODevice::readyRead, socket, [socket] {
        if (socket->isOpen())
            socket->skip(socket->bytesAvailable());
    });
    socket->write(protocol::encodeDeniedLine(protocol::nowUs(), reason));
    QObject::connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    closeSocket(socket); // the line first, then the close
    if (socket->state() == QAbstractSocket::UnconnectedState)
        socket->deleteLater();
    else // a peer that never reads must not keep it
        QTimer::singleShot(options.closeWait, socket, [socket] { socket->abort(); });
}

} // namespace afterwork::detail
