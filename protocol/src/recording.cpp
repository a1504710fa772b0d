// SPDX-License-Identifier: MIT
// Source markers of multi-source recordings (docs/protocol.md, "Recordings").
#include <afterwork/protocol/recording.h>
#include <afterwork/protocol/json.h>
#include <afterwork/protocol/wire.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace afterwork::protocol {

using namespace Qt::StringLiterals;

bool isValidSourceName(QStringView name) noexcept
{
    if (name.isEmpty() || name.size() > maxSourceNameLength)
        return false;
    // By code point: a surrogate pair is one character, a lone surrogate is refused. Format
    // characters (U+202E turns the text after it around) and unassigned code points would make a
    // label that does not read as what it is.
    for (qsizetype i = 0; i < name.size(); ++i) {
        char32_t c = name[i].unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < name.size() && name[i + 1].isLowSurrogate()) {
            c = QChar::surrogateToUcs4(name[i], name[i + 1]);
            ++i;
        }
        if (QChar::isSpace(c))
            return false;
        switch (QChar::category(c)) {
        case QChar::Other_Control:
        case QChar::Other_Format:
        case QChar::Other_Surrogate:
        case QChar::Other_NotAssigned:
            return false;
        default:
            break;
        }
    }
    return true;
}

QString sourceNameRule()
{
    return u"1 to %1 characters without whitespace, control or format characters, or unassigned code points"_s.arg(maxSourceNameLength);
}

QByteArray sourceMarkerLine(QStringView name)
{
    QByteArray line = "{";
    FieldWriter(line).integer("v"_L1, version).string("kind"_L1, sourceMarkerKind).string(sourceMarkerNameMember, name);
    line.append('}');
    return line;
}

std::optional<QString> parseSourceMarker(QByteArrayView line, QString *error)
{
    // Cheap test first: nearly every line of a recording is a stream line.
    static const QByteArray quotedKind = '"' + QByteArray(sourceMarkerKind.data(), sourceMarkerKind.size()) + '"';
    if (!line.contains(quotedKind))
        return std::nullopt;
    if (line.endsWith('\r'))
        line.chop(1);
    const QJsonDocument document = QJsonDocument::fromJson(line.toByteArray());
    if (!document.isObject())
        return std::nullopt;
    const QJsonObject object = document.object();
    if (object.value("kind"_L1) != QJsonValue(QString(sourceMarkerKind)))
        return std::nullopt;
    const auto bad = [error](const QString &why) -> std::optional<QString> {
        if (error)
            *error = u"a source marker must be {\"v\":1,\"kind\":\"source\",\"name\":NAME}: %1"_s.arg(why);
        return std::nullopt;
    };
    if (object.value("v"_L1) != QJsonValue(version))
        return bad(u"'v' must be %1"_s.arg(version));
    const QJsonValue name = object.value(sourceMarkerNameMember);
    if (!name.isString() || !isValidSourceName(name.toString()))
        return bad(u"'name' must be a string of %1"_s.arg(sourceNameRule()));
    if (object.size() != 3)
        return bad(u"it has other members"_s);
    return name.toString();
}

} // namespace afterwork::protocol
