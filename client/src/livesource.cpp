// SPDX-License-Identifier: MIT
#include <afterwork/client/livesource.h>
#include <afterwork/client/localsocketsource.h>
#include <afterwork/client/remotesource.h>
#include <afterwork/protocol/auth.h>
#include <afterwork/protocol/recording.h>

#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslSocket>

#include <algorithm>

namespace afterwork::client {

using namespace Qt::StringLiterals;

namespace {

struct HostPort
{
    QString host;
    quint16 port = 0;
};

//! `HOST:PORT` or `[V6]:PORT`.
std::optional<HostPort> parseHostPort(QStringView text)
{
    HostPort result;
    qsizetype colon = -1;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0 || close + 1 >= text.size() || text.at(close + 1) != u':')
            return std::nullopt;
        result.host = text.mid(1, close - 1).toString();
        colon = close + 1;
    } else {
        colon = text.lastIndexOf(u':');
        if (colon <= 0)
            return std::nullopt;
        result.host = text.first(colon).toString();
        if (result.host.contains(u':'))
            return std::nullopt; // an IPv6 address needs its brackets
    }
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port == 0 || port > 65535 || result.host.isEmpty())
        return std::nullopt;
    result.port = quint16(port);
    return result;
}

bool isLoopbackHost(const QString &host)
{
    if (host.compare("localhost"_L1, Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

} // namespace

bool isRemoteConnectArgument(const QString &connect)
{
    return connect.startsWith("tls://"_L1) || connect.startsWith("tcp://"_L1);
}

std::optional<ConnectSpec> parseConnectSpec(const QString &argument, QString *error)
{
    const qsizetype equals = argument.indexOf(u'=');
    ConnectSpec spec;
    if (equals >= 0 && !QStringView(argument).first(equals).contains(u'/')) {
        spec.label = argument.left(equals);
        spec.address = argument.mid(equals + 1);
        if (!protocol::isValidSourceName(spec.label)) {
            *error = u"'%1': a source's label is %2"_s.arg(argument, protocol::sourceNameRule());
            return std::nullopt;
        }
    } else {
        spec.address = argument;
        spec.label = argument;
    }
    if (spec.address.isEmpty()) {
        *error = u"'%1': no address to connect to"_s.arg(argument);
        return std::nullopt;
    }
    return spec;
}

std::optional<QList<ConnectSpec>> parseConnectSpecs(const QStringList &arguments, QString *error)
{
    QList<ConnectSpec> specs;
    for (const QString &argument : arguments) {
        QString why;
        std::optional<ConnectSpec> spec = parseConnectSpec(argument, &why);
        if (!spec) {
            *error = u"--connect %1"_s.arg(why);
            return std::nullopt;
        }
        // Several sources go by their labels: an address standing for one must be a name too.
        if (arguments.size() > 1 && !protocol::isValidSourceName(spec->label)) {
            *error = u"--connect '%1': a source's label is %2; name it with LABEL=ADDRESS"_s.arg(argument, protocol::sourceNameRule());
            return std::nullopt;
        }
        if (std::any_of(specs.cbegin(), specs.cend(), [&](const ConnectSpec &other) { return other.label == spec->label; })) {
            *error = u"two sources are labelled '%1'; give each its own with --connect LABEL=ADDRESS"_s.arg(spec->label);
            return std::nullopt;
        }
        specs.append(std::move(*spec));
    }
    return specs;
}

QByteArray parsePin(const QString &pin)
{
    // `sha256:HEX`, or the line `openssl x509 -noout -fingerprint -sha256` prints, as it is.
    QString hex;
    if (pin.startsWith("sha256:"_L1, Qt::CaseInsensitive))
        hex = pin.mid(7);
    else if (pin.startsWith("sha256 fingerprint="_L1, Qt::CaseInsensitive))
        hex = pin.mid(19);
    else
        return {};
    hex.remove(u':');
    if (hex.size() != 64)
        return {};
    for (const QChar c : std::as_const(hex)) {
        if (!c.isDigit() && !(c.toLower() >= u'a' && c.toLower() <= u'f'))
            return {};
    }
    return QByteArray::fromHex(hex.toLatin1());
}

std::unique_ptr<EventSource> createLiveSource(const QString &connect, const LiveSourceOptions &options, QString *error)
{
    if (!isRemoteConnectArgument(connect)) {
        if (connect.contains("://"_L1)) {
            *error = u"'%1': a remote publisher is tls://HOST:PORT (or tcp://HOST:PORT with the insecure option)"_s.arg(connect);
            return nullptr;
        }
        if (!options.tokenFile.isEmpty() || !options.caFile.isEmpty() || !options.pin.isEmpty()) {
            *error = u"a token file, a CA file and a pin are for remote publishers (tls://HOST:PORT); '%1' is a local socket"_s.arg(connect);
            return nullptr;
        }
        if (connect.isEmpty()) {
            *error = u"no source: give a socket name, or tls://HOST:PORT"_s;
            return nullptr;
        }
        return std::make_unique<LocalSocketSource>(connect, LocalSocketSourceOptions{.reconnect = options.reconnect});
    }

    const bool tls = connect.startsWith("tls://"_L1);
    const std::optional<HostPort> target = parseHostPort(QStringView(connect).mid(6));
    if (!target) {
        *error = u"'%1' is not %2://HOST:PORT"_s.arg(connect, tls ? u"tls"_s : u"tcp"_s);
        return nullptr;
    }
    RemoteSourceOptions remote;
    remote.host = target->host;
    remote.port = target->port;
    remote.tls = tls;
    remote.reconnect = options.reconnect;
    if (!tls) {
        if (!options.insecure) {
            *error = u"'%1' is plain TCP, unencrypted: use tls://, or allow it explicitly with the insecure option"_s.arg(connect);
            return nullptr;
        }
        if (!isLoopbackHost(target->host)) {
            *error = u"plain TCP (tcp://) is allowed to a loopback address only, not '%1': use tls://"_s.arg(target->host);
            return nullptr;
        }
        if (!options.caFile.isEmpty() || !options.pin.isEmpty()) {
            *error = u"a CA file or a pin needs TLS (tls://), not tcp://"_s;
            return nullptr;
        }
    } else {
        if (!QSslSocket::supportsSsl()) {
            *error = u"TLS is not available: no working TLS backend (available: %1)"_s.arg(QSslSocket::availableBackends().join(u", "_s));
            return nullptr;
        }
        if (!options.caFile.isEmpty()) {
            remote.caCertificates = QSslCertificate::fromPath(options.caFile, QSsl::Pem);
            if (remote.caCertificates.isEmpty()) {
                *error = u"no PEM certificate in the CA file '%1'"_s.arg(options.caFile);
                return nullptr;
            }
        }
        if (!options.pin.isEmpty()) {
            remote.pinnedSha256 = parsePin(options.pin);
            if (remote.pinnedSha256.isEmpty()) {
                *error = u"'%1' is not a pin: sha256: and the certificate's 64 hex digits"_s.arg(options.pin);
                return nullptr;
            }
        }
    }
    if (options.tokenFile.isEmpty()) {
        *error = u"'%1' needs the publisher's token: a token file"_s.arg(connect);
        return nullptr;
    }
    protocol::TokenFile token = protocol::readTokenFile(options.tokenFile);
    if (!token.error.isEmpty()) {
        *error = token.error;
        return nullptr;
    }
    remote.token = std::move(token.token);
    return std::make_unique<RemoteSource>(std::move(remote));
}

} // namespace afterwork::client
