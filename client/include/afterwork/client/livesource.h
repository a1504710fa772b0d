// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/eventsource.h>

#include <QtCore/QString>

#include <memory>
#include <optional>

namespace afterwork::client {

//! What createLiveSource() needs besides the `--connect` argument: the command-line options of
//! `afterwork` and `afterwork-monitor` (docs/cli.md, "Remote sources").
struct LiveSourceOptions
{
    //! The file holding the publisher's token (protocol::readTokenFile()). Required for
    //! `tls://` and `tcp://`; an error for a local socket.
    QString tokenFile{};
    //! A PEM bundle of the CA certificates to trust instead of the system's (`tls://` only).
    QString caFile{};
    //! The server certificate's SHA-256 fingerprint, `sha256:HEX` (64 hex digits, colons allowed):
    //! that certificate is trusted, and no other (`tls://` only).
    QString pin{};
    //! Allows `tcp://` (plain TCP), and only to a loopback address.
    bool insecure = false;
    //! As LocalSocketSourceOptions::reconnect.
    bool reconnect = true;
};

//! The source a `--connect` argument names, or nullptr with \a error set (a message for a person:
//! a usage error, never a connection attempt):
//! - `tls://HOST:PORT`: a RemoteSource over TLS (`HOST` a name or an IP address, `[::1]` for IPv6);
//! - `tcp://HOST:PORT`: a RemoteSource over plain TCP, only with `insecure` and a loopback `HOST`;
//! - anything else: a LocalSocketSource on that socket name or path.
//! Reads the token file and the CA file now, so that a bad one is reported before connecting.
std::unique_ptr<EventSource> createLiveSource(const QString &connect, const LiveSourceOptions &options, QString *error);

//! Whether \a connect names a remote publisher (`tls://` or `tcp://`), not a local socket.
bool isRemoteConnectArgument(const QString &connect);

//! A `--connect` argument of a program that watches several sources: the label its source goes
//! by (in tables, `source:` filter terms, and messages) and the address createLiveSource() takes.
struct ConnectSpec
{
    QString label;   //!< the name before `=`, or the address when none was given
    QString address; //!< a socket name or path, or `tls://HOST:PORT` / `tcp://HOST:PORT`
};

//! Splits `LABEL=ADDRESS`, or takes `ADDRESS` alone (labelled by itself). The text before the
//! first `=` is a label only if it holds no `/` (so a path with `=` in it stays an address), the
//! rule of `afterwork --connect`. A label given must be a valid source name
//! (protocol::isValidSourceName()). Empty with \a error set
//! (a message for a person) for a bad label or an empty address.
std::optional<ConnectSpec> parseConnectSpec(const QString &argument, QString *error);

//! Every `--connect` argument of a program that watches several sources, as parseConnectSpec()
//! takes each: labels must be unique and, when there are several sources, an address that labels
//! itself must be a valid source name too. Empty with \a error set (a message for a person,
//! starting with `--connect` or naming the labels) at the first argument that breaks a rule.
std::optional<QList<ConnectSpec>> parseConnectSpecs(const QStringList &arguments, QString *error);

//! Parses a `--pin` value into the 32-byte digest: `sha256:HEX` (64 hex digits, colons between
//! bytes allowed), or the line `openssl x509 -noout -fingerprint -sha256` prints
//! (`SHA256 Fingerprint=AB:CD:...`). Empty when it is not one.
QByteArray parsePin(const QString &pin);

} // namespace afterwork::client
