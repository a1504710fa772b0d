// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/eventsource.h>
#include <afterwork/protocol/auth.h>

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QTimer>
#include <QtNetwork/QSslCertificate>

#include <chrono>

QT_BEGIN_NAMESPACE
class QSslSocket;
QT_END_NAMESPACE

namespace afterwork::client {

//! How a RemoteSource connects; the second argument of its constructor. createLiveSource()
//! (livesource.h) fills it in from a `--connect` argument and the files it names.
struct RemoteSourceOptions
{
    QString host{};    //!< the publisher's host name or IP address
    quint16 port = 0;  //!< its TCP port
    //! TLS (the default). Off: plain TCP, which createLiveSource() allows on loopback only.
    bool tls = true;
    //! The token to send first (docs/protocol.md, "Remote transport"); see protocol::readTokenFile().
    QByteArray token{};
    //! The certificates to trust (a CA bundle). Empty: the system's CA certificates.
    QList<QSslCertificate> caCertificates{};
    //! The SHA-256 digest (32 bytes) of the server's certificate. Set: that certificate is trusted
    //! whoever signed it and whatever its host name, and any other is refused, even a trusted one.
    QByteArray pinnedSha256{};
    //! The server's certificate must name `host` (on by default; a pin does not need it).
    bool verifyHostname = true;
    //! As LocalSocketSourceOptions::reconnect: keep trying after a failure or a lost connection.
    //! After a refusal (a wrong token) or a certificate that is not trusted it waits maxBackoff.
    bool reconnect = true;
    //! Delay before the first retry; doubled on each failure in a row up to maxBackoff, and reset
    //! once a connection delivers its hello.
    std::chrono::milliseconds initialBackoff{100};
    std::chrono::milliseconds maxBackoff{2000}; //!< the longest delay between two attempts
    //! How long an attempt may take from the TCP connect to the publisher's first line (the TLS
    //! handshake and the token's answer included): a peer that accepts the connection but never
    //! answers fails the attempt with Error::Other then, retried like a refused connection.
    //! The publisher's own authentication deadline by default (protocol::authTimeout).
    std::chrono::milliseconds connectTimeout{protocol::authTimeout};
};

//! A live source over the network: an EventPublisher's remote listener (EventPublisher::listenRemote()),
//! with TLS (QSslSocket) unless told otherwise. It sends the token as its first line; the
//! publisher's refusal of the token (a `denied` line) is reported as Error::AccessDenied, a
//! certificate that is not trusted as Error::TlsFailed, and neither is retried sooner than
//! maxBackoff; a publisher too busy to authenticate it, or a line that came too late, is
//! Error::Other and retried with the ordinary backoff, as is a peer that does not answer within
//! RemoteSourceOptions::connectTimeout. Otherwise it
//! behaves like LocalSocketSource: the same signals, reconnects and commands. Lives on the thread
//! that created it.
class RemoteSource final : public EventSource
{
    Q_OBJECT
public:
    //! A source that will connect as \a options say once start() is called.
    explicit RemoteSource(RemoteSourceOptions options, QObject *parent = nullptr);
    //! Closes the connection without reporting it (see stop()).
    ~RemoteSource() override;

    void start() override;
    void stop() override;
    //! "tls://HOST:PORT" or "tcp://HOST:PORT".
    QString description() const override;
    bool canSendCommands() const override;
    bool sendCommand(const protocol::Command &command) override;

    const RemoteSourceOptions &options() const noexcept { return m_options; } //!< as given

private:
    void connectNow();
    void retryNow() override { connectNow(); }
    void onTransportReady();
    void onReadyRead();
    void onDisconnected();
    void onSocketError();
    void onSslErrors(const QList<QSslError> &errors);
    void fail(Error error, const QString &message);
    RetryPolicy retryPolicy() const; //!< from the options

    RemoteSourceOptions m_options;
    QSslSocket *m_socket = nullptr; // Owning (child).
    QTimer m_deadline;              // connectTimeout, running while an attempt has no first line
    QByteArray m_firstBytes;   // received before the first line was complete
    QString m_tlsProblem;      // why the certificate was refused, for the error that follows
    bool m_authenticating = false; // the token is sent; the first line has not come yet
    bool m_connectionOpen = false; // the first line was not a refusal: lines flow
    bool m_failed = false;         // this attempt has been reported
};

} // namespace afterwork::client
