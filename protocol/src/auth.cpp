// SPDX-License-Identifier: MIT
// The remote transport's authentication exchange (docs/protocol.md, "Remote transport").
#include <afterwork/protocol/auth.h>
#include <afterwork/protocol/json.h>
#include <afterwork/protocol/wire.h>

#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QScopeGuard>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace afterwork::protocol {

using namespace Qt::StringLiterals;

QLatin1StringView deniedReasonText(DeniedReason reason) noexcept
{
    switch (reason) {
    case DeniedReason::BadToken:
        return "authentication failed"_L1;
    case DeniedReason::Timeout:
        return "no authentication line in time"_L1;
    case DeniedReason::Malformed:
        return "the first line must be {\"v\":1,\"auth\":TOKEN}"_L1;
    case DeniedReason::TooMany:
        return "too many connections are authenticating"_L1;
    }
    return "refused"_L1;
}

bool isValidToken(QByteArrayView token) noexcept
{
    if (token.isEmpty() || token.size() > maxTokenBytes)
        return false;
    for (const char c : token) {
        if (c < 0x21 || c > 0x7e)
            return false;
    }
    return true;
}

QByteArray encodeAuthLine(QByteArrayView token)
{
    QByteArray line;
    line.reserve(token.size() + 24);
    line.append("{\"v\":");
    json::appendInteger(line, version);
    line.append(",\"");
    line.append(authMember.data(), authMember.size());
    line.append("\":");
    json::appendString(line, QLatin1StringView(token.data(), token.size()));
    line.append("}\n");
    return line;
}

std::optional<QByteArray> parseAuthLine(QByteArrayView line) noexcept
{
    try {
        if (line.size() >= maxInputLineBytes)
            return std::nullopt;
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line.toByteArray(), &error);
        if (error.error != QJsonParseError::NoError || !document.isObject())
            return std::nullopt;
        const QJsonObject object = document.object();
        const QJsonValue v = object.value("v"_L1);
        if (!v.isUndefined() && (!v.isDouble() || v.toDouble() != version))
            return std::nullopt;
        if (object.size() != (v.isUndefined() ? 1 : 2))
            return std::nullopt; // exactly {"v":1,"auth":TOKEN}: a command riding along is refused, not ignored
        const QJsonValue auth = object.value(authMember);
        if (!auth.isString())
            return std::nullopt;
        QByteArray token = auth.toString().toUtf8();
        if (!isValidToken(token))
            return std::nullopt;
        return token;
    } catch (...) {
        return std::nullopt;
    }
}

QByteArray encodeDeniedLine(qint64 tsUs, DeniedReason reason)
{
    QByteArray line;
    line.append("{\"v\":");
    json::appendInteger(line, version);
    line.append(",\"seq\":0,\"ts_us\":");
    json::appendInteger(line, tsUs);
    FieldWriter(line, true).string("kind"_L1, deniedKind).string(deniedReasonMember, deniedReasonText(reason));
    line.append("}\n");
    return line;
}

std::optional<QString> parseDeniedLine(QByteArrayView line) noexcept
{
    try {
        // Cheap test first: every other line of a stream is far more common.
        if (!line.contains(QByteArrayView("\"denied\"")))
            return std::nullopt;
        const QJsonDocument document = QJsonDocument::fromJson(line.toByteArray());
        if (!document.isObject())
            return std::nullopt;
        const QJsonObject object = document.object();
        if (object.value("kind"_L1).toString() != deniedKind)
            return std::nullopt;
        return object.value(deniedReasonMember).toString();
    } catch (...) {
        return std::nullopt;
    }
}

TokenFile readTokenFile(const QString &path)
{
    TokenFile result;
    if (path.isEmpty()) {
        result.error = u"no token file given"_s;
        return result;
    }
    // Opened once, then checked through the descriptor: a file swapped between a check by path
    // and the open (for a FIFO, which would block the caller's thread, or a link to another
    // user's file) cannot get through. Not following a symbolic link; never blocking.
    const QByteArray encoded = QFile::encodeName(path);
    const int descriptor = ::open(encoded.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (descriptor < 0) {
        const int error = errno;
        result.error = error == ELOOP ? u"the token file '%1' is a symbolic link: name the file itself"_s.arg(path)
                                      : u"cannot read the token file '%1': %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(error)));
        return result;
    }
    const auto closeDescriptor = qScopeGuard([descriptor] { ::close(descriptor); });
    struct stat info {};
    if (::fstat(descriptor, &info) != 0 || !S_ISREG(info.st_mode)) {
        result.error = u"the token file '%1' is not a regular file"_s.arg(path);
        return result;
    }
    if (info.st_uid != ::geteuid()) {
        result.error = u"the token file '%1' belongs to another user: it must belong to the user running "
                       "this program"_s.arg(path);
        return result;
    }
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        result.error = u"the token file '%1' is accessible by group or others (mode %2): it must be "
                       "readable by its owner only (chmod 600 '%1')"_s
                           .arg(path)
                           .arg(QString::number(info.st_mode & 07777, 8).rightJustified(4, u'0'));
        return result;
    }
    // Whitespace around the token is allowed (a final newline), but not without bound: a file
    // longer than this is not a token file.
    constexpr qsizetype maxFileBytes = maxTokenBytes + 64;
    QByteArray contents(maxFileBytes + 1, Qt::Uninitialized);
    qsizetype filled = 0;
    while (filled < contents.size()) {
        const ssize_t got = ::read(descriptor, contents.data() + filled, size_t(contents.size() - filled));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            result.error = u"cannot read the token file '%1': %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(errno)));
            return result;
        }
        if (got == 0)
            break;
        filled += got;
    }
    contents.truncate(filled);
    if (filled > maxFileBytes) {
        result.error = u"the token file '%1' is too long for a token (at most %2 characters)"_s.arg(path).arg(maxTokenBytes);
        return result;
    }
    contents = contents.trimmed();
    if (contents.isEmpty()) {
        result.error = u"the token file '%1' is empty"_s.arg(path);
        return result;
    }
    if (!isValidToken(contents)) {
        result.error = u"the token file '%1' does not hold a valid token (1 to %2 printable ASCII "
                       "characters, no spaces)"_s
                           .arg(path)
                           .arg(maxTokenBytes);
        return result;
    }
    result.token = contents;
    return result;
}

} // namespace afterwork::protocol
