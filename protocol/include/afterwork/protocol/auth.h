// SPDX-License-Identifier: MIT
#pragma once

// The remote transport's authentication exchange (docs/protocol.md, "Remote transport"), defined
// once for the publisher, the client library and the tools: the client's first line, the
// publisher's refusal line, their limits, and the token file both sides read.

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QLatin1StringView>
#include <QtCore/QString>

#include <chrono>
#include <optional>

namespace afterwork::protocol {

//! The member of the client's first line that carries the token: `{"v":1,"auth":"TOKEN"}`.
inline constexpr QLatin1StringView authMember("auth", 4);
//! The `kind` of the publisher's refusal line: `{"v":1,"seq":0,"ts_us":T,"kind":"denied","reason":"..."}`,
//! the only line a connection that did not authenticate ever receives, before it is closed.
inline constexpr QLatin1StringView deniedKind("denied", 6);
//! The member of the refusal line that says why, in words for a person (never the token).
inline constexpr QLatin1StringView deniedReasonMember("reason", 6);
//! How long a remote connection has, from the moment it is accepted (the TLS handshake included),
//! to send its authentication line; then it is refused.
inline constexpr std::chrono::milliseconds authTimeout{10000};
//! The longest token, in bytes. A token is 1 to this many printable ASCII characters (0x21 to
//! 0x7e: no spaces, nothing that JSON must escape beyond `"` and `\`).
inline constexpr qsizetype maxTokenBytes = 1024;

//! Why a connection was refused: the `reason` of its `denied` line.
enum class DeniedReason : quint8 {
    BadToken,      //!< the token does not match (the line does not say which part)
    Timeout,       //!< no authentication line within authTimeout
    Malformed,     //!< the first line is not `{"v":1,"auth":"TOKEN"}`
    TooMany,       //!< too many connections are authenticating already
};

//! The refusal's text, for the `reason` member: fixed words that never hold the token.
QLatin1StringView deniedReasonText(DeniedReason reason) noexcept;

//! The client's first line, newline included: `{"v":1,"auth":"TOKEN"}\n`.
QByteArray encodeAuthLine(QByteArrayView token);

//! The token a first line carries (without its newline), or std::nullopt for a line that is not
//! exactly a JSON object with `v` 1 (optional) and a string `auth` of a valid token. Never throws.
std::optional<QByteArray> parseAuthLine(QByteArrayView line) noexcept;

//! The refusal line, newline included, as the publisher sends it (seq 0: it is the connection's
//! only line).
QByteArray encodeDeniedLine(qint64 tsUs, DeniedReason reason);

//! When \a line (without its newline) is a refusal line, its `reason` (possibly empty);
//! std::nullopt for any other line. Never throws.
std::optional<QString> parseDeniedLine(QByteArrayView line) noexcept;

//! Whether \a token is a valid token: 1 to maxTokenBytes printable ASCII characters.
bool isValidToken(QByteArrayView token) noexcept;

//! A token read from a token file, or why it could not be.
struct TokenFile
{
    QByteArray token; //!< the token (surrounding whitespace, such as a final newline, removed)
    QString error;    //!< empty on success; otherwise why, naming the file but never its contents
};

//! Reads the token in \a path. It fails when the file is missing, a symbolic link or not a regular
//! file, when it belongs to another user than the one running the program, when its group or
//! others have any permission on it (it must be like `chmod 600`), or when what it holds (trimmed)
//! is not a valid token (isValidToken). It never blocks (a FIFO is refused, not waited on). The
//! publisher and the client both use it.
TokenFile readTokenFile(const QString &path);

} // namespace afterwork::protocol
