// SPDX-License-Identifier: MIT
// Compact JSON text appended to a QByteArray by hand: the event stream encodes every lifecycle
// event on the engine thread, so this avoids QJsonDocument's allocations (about 1.5 µs per event).

#include <afterwork/protocol/json.h>
#include <afterwork/protocol/rawwriter.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

namespace afterwork::protocol::json {

namespace {

constexpr char hexDigits[] = "0123456789abcdef";

char *writeReplacementCharacter(char *p)
{
    *p++ = char(0xEF);
    *p++ = char(0xBF);
    *p++ = char(0xBD);
    return p;
}

char *writeEscapedAscii(char *p, char16_t c)
{
    switch (c) {
    case u'"': *p++ = '\\'; *p++ = '"'; return p;
    case u'\\': *p++ = '\\'; *p++ = '\\'; return p;
    case u'\n': *p++ = '\\'; *p++ = 'n'; return p;
    case u'\r': *p++ = '\\'; *p++ = 'r'; return p;
    case u'\t': *p++ = '\\'; *p++ = 't'; return p;
    case u'\b': *p++ = '\\'; *p++ = 'b'; return p;
    case u'\f': *p++ = '\\'; *p++ = 'f'; return p;
    default:
        *p++ = '\\'; *p++ = 'u'; *p++ = '0'; *p++ = '0';
        *p++ = hexDigits[(c >> 4) & 0xF];
        *p++ = hexDigits[c & 0xF];
        return p;
    }
}

constexpr bool needsEscape(char16_t c)
{
    return c < 0x20 || c == u'"' || c == u'\\';
}

// ASCII that a JSON string holds as it is, as a table: the common character costs one look-up.
constexpr auto plainAscii = [] {
    std::array<bool, 0x80> plain{};
    for (char16_t c = 0; c < 0x80; ++c)
        plain[c] = !needsEscape(c);
    return plain;
}();

bool isPlainAscii(char16_t c)
{
    return c < 0x80 && plainAscii[c];
}

} // namespace

} // namespace afterwork::protocol::json

namespace afterwork::protocol::detail {

using json::writeEscapedAscii;
using json::writeReplacementCharacter;
using json::needsEscape;
using json::isPlainAscii;

char *writeString(char *p, QStringView text)
{
    *p++ = '"';
    const char16_t *s = text.utf16();
    const char16_t *const end = s + text.size();
    while (s < end) {
        const char16_t c = *s++;
        if (isPlainAscii(c)) {
            *p++ = char(c);
        } else if (c < 0x80) {
            p = writeEscapedAscii(p, c); // a control character, '"' or '\\'
        } else if (c < 0x800) {
            *p++ = char(0xC0 | (c >> 6));
            *p++ = char(0x80 | (c & 0x3F));
        } else if (QChar::isHighSurrogate(c)) {
            if (s < end && QChar::isLowSurrogate(*s)) {
                const char32_t u = QChar::surrogateToUcs4(c, *s++);
                *p++ = char(0xF0 | (u >> 18));
                *p++ = char(0x80 | ((u >> 12) & 0x3F));
                *p++ = char(0x80 | ((u >> 6) & 0x3F));
                *p++ = char(0x80 | (u & 0x3F));
            } else {
                p = writeReplacementCharacter(p);
            }
        } else if (QChar::isLowSurrogate(c)) {
            p = writeReplacementCharacter(p); // a low surrogate without its high half
        } else {
            *p++ = char(0xE0 | (c >> 12));
            *p++ = char(0x80 | ((c >> 6) & 0x3F));
            *p++ = char(0x80 | (c & 0x3F));
        }
    }
    *p++ = '"';
    return p;
}

char *writeString(char *p, QLatin1StringView text)
{
    *p++ = '"';
    for (const char byte : text) {
        const auto c = char16_t(uchar(byte));
        if (isPlainAscii(c)) {
            *p++ = char(c);
        } else if (c < 0x80) {
            p = writeEscapedAscii(p, c); // a control character, '"' or '\\'
        } else {
            *p++ = char(0xC0 | (c >> 6));
            *p++ = char(0x80 | (c & 0x3F));
        }
    }
    *p++ = '"';
    return p;
}

char *writeString(char *p, QUtf8StringView text)
{
    // ASCII is the same bytes in Latin-1: the common case needs no decoding. Anything else goes
    // through UTF-16, which replaces malformed sequences, so that the output is valid UTF-8. A
    // UTF-8 text has no more UTF-16 units than bytes, so the caller's room still holds.
    const bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return uchar(c) < 0x80; });
    if (ascii)
        return writeString(p, QLatin1StringView(text.data(), text.size()));
    return writeString(p, QStringView(QString::fromUtf8(text.data(), text.size())));
}

namespace {
// Both widths follow one rule: non-finite as null, an integral value below 2^53 without a
// fraction, anything else as the shortest text that reads back to the same value of its type.
template<typename Number>
char *writeNumberOf(char *p, Number value)
{
    if (!std::isfinite(value)) {
        std::memcpy(p, "null", 4);
        return p + 4;
    }
    constexpr Number exactIntegerLimit = Number(9007199254740992.0); // 2^53
    if (value == std::trunc(value) && std::fabs(value) < exactIntegerLimit)
        return std::to_chars(p, p + maxIntegerBytes, qint64(value)).ptr;
    return std::to_chars(p, p + maxNumberBytes, value).ptr; // the shortest text that round-trips
}
} // namespace

char *writeNumber(char *p, double value)
{
    return writeNumberOf(p, value);
}

char *writeNumber(char *p, float value)
{
    return writeNumberOf(p, value);
}

} // namespace afterwork::protocol::detail

namespace afterwork::protocol::json {

void appendString(QByteArray &out, QStringView text)
{
    detail::RawWriter(out, detail::maxStringBytes(text.size())).string(text);
}

void appendString(QByteArray &out, QLatin1StringView text)
{
    detail::RawWriter(out, detail::maxStringBytes(text.size())).string(text);
}

void appendString(QByteArray &out, QUtf8StringView text)
{
    detail::RawWriter(out, detail::maxStringBytes(text.size())).string(text);
}

void appendInteger(QByteArray &out, qint64 value)
{
    detail::RawWriter(out, detail::maxIntegerBytes).integer(value);
}

void appendUnsigned(QByteArray &out, quint64 value)
{
    detail::RawWriter(out, detail::maxIntegerBytes).unsignedInteger(value);
}

void appendDouble(QByteArray &out, double value)
{
    detail::RawWriter(out, detail::maxNumberBytes).number(value);
}

void appendObject(QByteArray &out, const QJsonObject &object)
{
    out.append('{');
    bool first = true;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (!first)
            out.append(',');
        first = false;
        appendString(out, it.key());
        out.append(':');
        appendValue(out, it.value());
    }
    out.append('}');
}

void appendArray(QByteArray &out, const QJsonArray &array)
{
    out.append('[');
    bool first = true;
    for (const QJsonValue &element : array) {
        if (!first)
            out.append(',');
        first = false;
        appendValue(out, element);
    }
    out.append(']');
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        out.append(value.toBool() ? "true" : "false");
        return;
    case QJsonValue::Double:
    {
        // An integer stored as qint64 prints exactly, even above 2^53 (where its double rounds).
        // toInteger() is only trusted when it agrees with the double: for NaN it gives garbage.
        const double number = value.toDouble();
        const qint64 integer = value.toInteger(0);
        if (std::isfinite(number) && double(integer) == number)
            appendInteger(out, integer);
        else
            appendDouble(out, number);
        return;
    }
    case QJsonValue::String:
        appendString(out, value.toString());
        return;
    case QJsonValue::Array:
        appendArray(out, value.toArray());
        return;
    case QJsonValue::Object:
        appendObject(out, value.toObject());
        return;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out.append("null");
        return;
    }
    out.append("null");
}

} // namespace afterwork::protocol::json

namespace afterwork::protocol {

template<typename WriteValue>
void FieldWriter::member(QLatin1StringView name, qsizetype valueBytes, WriteValue &&writeValue)
{
    detail::RawWriter w(m_out, 2 + detail::maxStringBytes(name.size()) + valueBytes);
    if (!m_first)
        w.character(',');
    m_first = false;
    w.string(name);
    w.character(':');
    writeValue(w);
}

void FieldWriter::key(QLatin1StringView name)
{
    member(name, 0, [](detail::RawWriter &) {});
}

FieldWriter &FieldWriter::integer(QLatin1StringView name, qint64 value)
{
    member(name, detail::maxIntegerBytes, [value](detail::RawWriter &w) { w.integer(value); });
    return *this;
}

FieldWriter &FieldWriter::unsignedInteger(QLatin1StringView name, quint64 value)
{
    member(name, detail::maxIntegerBytes, [value](detail::RawWriter &w) { w.unsignedInteger(value); });
    return *this;
}

FieldWriter &FieldWriter::boolean(QLatin1StringView name, bool value)
{
    member(name, 5, [value](detail::RawWriter &w) { w.ascii(QLatin1StringView(value ? "true" : "false")); });
    return *this;
}

FieldWriter &FieldWriter::string(QLatin1StringView name, QStringView value)
{
    member(name, detail::maxStringBytes(value.size()), [value](detail::RawWriter &w) { w.string(value); });
    return *this;
}

FieldWriter &FieldWriter::string(QLatin1StringView name, QLatin1StringView value)
{
    member(name, detail::maxStringBytes(value.size()), [value](detail::RawWriter &w) { w.string(value); });
    return *this;
}

FieldWriter &FieldWriter::value(QLatin1StringView name, const QJsonValue &value)
{
    key(name);
    json::appendValue(m_out, value);
    return *this;
}

FieldWriter &FieldWriter::raw(QLatin1StringView name, QByteArrayView json)
{
    member(name, json.size(), [json](detail::RawWriter &w) { w.bytes(json.data(), json.size()); });
    return *this;
}

FieldWriter &FieldWriter::beginObject(QLatin1StringView name)
{
    member(name, 1, [](detail::RawWriter &w) { w.character('{'); });
    m_first = true;
    return *this;
}

FieldWriter &FieldWriter::endObject()
{
    m_out.append('}');
    m_first = false;
    return *this;
}

} // namespace afterwork::protocol
