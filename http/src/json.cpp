// SPDX-License-Identifier: MIT
#include <afterwork/http/json.h>

#include <afterwork/protocol/json.h>
#include <afterwork/protocol/rawwriter.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QVarLengthArray>

namespace afterwork::http {

namespace json = protocol::json;
namespace raw = protocol::detail;

qsizetype Json::Value::maxBytes() const
{
    switch (m_kind) {
    case Kind::Null:
        return 4;
    case Kind::Bool:
        return 5;
    case Kind::Integer:
    case Kind::Unsigned:
        return raw::maxIntegerBytes;
    case Kind::Double:
    case Kind::Float:
        return raw::maxNumberBytes;
    case Kind::Utf8:
        return m_pointer ? raw::maxStringBytes(m_size) : 4;
    case Kind::Utf16:
        return raw::maxStringBytes(static_cast<const QString *>(m_pointer)->size());
    case Kind::View:
    case Kind::Latin1:
        return raw::maxStringBytes(m_size);
    case Kind::Nested:
        return static_cast<const Json *>(m_pointer)->bytes().size();
    case Kind::List:
        return m_list->maxBytes(m_pointer);
    case Kind::JsonType:
    case Kind::JsonValue:
    case Kind::JsonArray:
    case Kind::JsonObject:
        return unknownBytes;
    }
    return unknownBytes;
}

void Json::Value::write(RawWriter &w) const
{
    switch (m_kind) {
    case Kind::Null:
        w.literal("null");
        return;
    case Kind::Bool:
        if (m_bool)
            w.literal("true");
        else
            w.literal("false");
        return;
    case Kind::Integer:
        w.integer(m_integer);
        return;
    case Kind::Unsigned:
        w.unsignedInteger(m_unsigned);
        return;
    case Kind::Double:
        w.number(m_double);
        return;
    case Kind::Float:
        w.number(float(m_double));
        return;
    case Kind::Utf8:
        if (m_pointer)
            w.string(QUtf8StringView(static_cast<const char *>(m_pointer), m_size));
        else
            w.literal("null");
        return;
    case Kind::Utf16:
        w.string(QStringView(*static_cast<const QString *>(m_pointer)));
        return;
    case Kind::View:
        w.string(QStringView(static_cast<const QChar *>(m_pointer), m_size));
        return;
    case Kind::Latin1:
        w.string(QLatin1StringView(static_cast<const char *>(m_pointer), m_size));
        return;
    case Kind::Nested:
    {
        const QByteArray &bytes = static_cast<const Json *>(m_pointer)->bytes();
        w.bytes(bytes.constData(), bytes.size());
        return;
    }
    case Kind::List:
        m_list->write(w, m_pointer);
        return;
    case Kind::JsonType:
    case Kind::JsonValue:
    case Kind::JsonArray:
    case Kind::JsonObject:
        break; // their size is unknown: appendTo() writes them
    }
    Q_UNREACHABLE();
}

void Json::Value::appendTo(QByteArray &out) const
{
    if (const qsizetype bytes = maxBytes(); bytes != unknownBytes) {
        RawWriter w(out, bytes);
        write(w);
        return;
    }
    switch (m_kind) {
    case Kind::JsonType:
        json::appendValue(out, QJsonValue(QJsonValue::Type(m_integer)));
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
        m_list->appendTo(out, m_pointer); // a list of QJson values
        return;
    default:
        Q_UNREACHABLE();
    }
}

void Json::Value::put(RawWriter &w, char c)
{
    w.character(c);
}

Json::Json(std::initializer_list<Member> members)
    : m_bytes() // not the default's "{}"
{
    // The whole object is written in one pass through a RawWriter, in room reserved once. The few
    // values whose size is only known once written (the QJson kinds) are written first, on their
    // own, and copied in.
    struct Room
    {
        qsizetype bytes;
        qsizetype written = -1; // index in `written`, for a value written first
    };
    QVarLengthArray<Room, 16> rooms;
    QVarLengthArray<QByteArray, 2> written;
    qsizetype total = 2; // { and }
    for (const Member &member : members) {
        Room room{member.value.maxBytes()};
        if (room.bytes == Value::unknownBytes) {
            room.written = written.size();
            member.value.appendTo(written.emplace_back());
            room.bytes = written.back().size();
        }
        total += raw::maxStringBytes(member.name.size()) + 2 + room.bytes; // and : and ,
        rooms.append(room);
    }
    {
        raw::RawWriter w(m_bytes, total);
        w.character('{');
        const Room *room = rooms.constData();
        for (const Member &member : members) {
            if (room != rooms.constData())
                w.character(',');
            member.name.visit([&w](auto name) { w.string(name); });
            w.character(':');
            if (room->written >= 0)
                w.bytes(written[room->written].constData(), room->bytes);
            else
                member.value.write(w);
            ++room;
        }
        w.character('}');
    } // the writer trims m_bytes to what it wrote
    // The room was the most each value could take (six bytes for a character of text): a long
    // answer gives back what it did not use, rather than keep it as long as the Json lives.
    if (m_bytes.capacity() - m_bytes.size() > 4096)
        m_bytes.squeeze();
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
