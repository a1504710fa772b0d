// SPDX-License-Identifier: MIT
#include <afterwork/http/json.h>

#include <afterwork/protocol/json.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace afterwork::http {

namespace json = protocol::json;

void Json::Value::writeTo(QByteArray &out) const
{
    switch (m_kind) {
    case Kind::Null:
        out.append("null");
        return;
    case Kind::JsonType:
        json::appendValue(out, QJsonValue(QJsonValue::Type(m_integer)));
        return;
    case Kind::Bool:
        out.append(m_bool ? "true" : "false");
        return;
    case Kind::Integer:
        json::appendInteger(out, m_integer);
        return;
    case Kind::Unsigned:
        json::appendUnsigned(out, m_unsigned);
        return;
    case Kind::Double:
        json::appendDouble(out, m_double);
        return;
    case Kind::Float:
        json::appendFloat(out, float(m_double));
        return;
    case Kind::Utf8:
        if (m_pointer)
            json::appendString(out, QUtf8StringView(static_cast<const char *>(m_pointer)));
        else
            out.append("null");
        return;
    case Kind::Utf16:
        json::appendString(out, QStringView(*static_cast<const QString *>(m_pointer)));
        return;
    case Kind::View:
        json::appendString(out, QStringView(static_cast<const QChar *>(m_pointer), m_size));
        return;
    case Kind::Latin1:
        json::appendString(out, QLatin1StringView(static_cast<const char *>(m_pointer), m_size));
        return;
    case Kind::Nested:
        out.append(static_cast<const Json *>(m_pointer)->bytes());
        return;
    case Kind::JsonValue:
        json::appendValue(out, *static_cast<const QJsonValue *>(m_pointer));
        return;
    case Kind::JsonArray:
        json::appendArray(out, *static_cast<const QJsonArray *>(m_pointer));
        return;
    case Kind::JsonObject:
        json::appendObject(out, *static_cast<const QJsonObject *>(m_pointer));
        return;
    case Kind::List:
        m_writeList(out, m_pointer);
        return;
    }
}

Json::Json(std::initializer_list<Member> members)
    : m_bytes() // not the default's "{}"
{
    // A guess that holds a typical answer without growing; append() grows it otherwise.
    m_bytes.reserve(2 + qsizetype(members.size()) * 24);
    m_bytes.append('{');
    bool first = true;
    for (const Member &member : members) {
        if (!first)
            m_bytes.append(',');
        first = false;
        member.name.visit([this](auto name) { json::appendString(m_bytes, name); });
        m_bytes.append(':');
        member.value.writeTo(m_bytes);
    }
    m_bytes.append('}');
}

const QByteArray &Json::bytes() const
{
    static const QByteArray empty = QByteArrayLiteral("{}");
    return m_bytes.isEmpty() ? empty : m_bytes; // moved from: m_bytes lost even its braces
}

QJsonObject Json::toObject() const
{
    return QJsonDocument::fromJson(bytes()).object();
}

} // namespace afterwork::http
