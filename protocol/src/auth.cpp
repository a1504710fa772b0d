// SPDX-License-Identifier: MIT
// The remote transport's authentication exchange (docs/protocol.md, "Remote transport").
#include <afterwork/protocol/auth.h>
#include <afterwork/protocol/json.h>
#include <afterwork/protocol/wire.h>

#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include <sys/stat.h>

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
    const QByteArray encoded = QFile::encodeName(path);
    struct stat info {};
    if (path.isEmpty() || ::stat(encoded.constData(), &info) != 0) {
        result.error = u"cannot read the token file '%1': it does not exist"_s.arg(path);
        return result;
    }
    if (!S_ISREG(info.st_mode)) {
        result.error = u"the token file '%1' is not a regular file"_s.arg(path);
        return result;
    }
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        result.error = u"the token file '%1' is accessible by group or others (mode %2): it must be "
                       "readable by its owner only (chmod 600 '%1')"_s
                           .arg(path)
                           .arg(QString::number(info.st_mode & 07777, 8).rightJustified(4, u'0'));
        return result;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = u"cannot read the token file '%1': %2"_s.arg(path, file.errorString());
        return result;
    }
    // A little more than the limit, so that an oversized file is told from a valid one.
    const QByteArray contents = file.read(maxTokenBytes + 64).trimmed();
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
