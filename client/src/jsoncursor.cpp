// SPDX-License-Identifier: MIT
#include "jsoncursor.h"

#include <cstring>
#include <limits>

namespace afterwork::client::detail {

namespace {

bool isDigit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

int hexValue(char c) noexcept
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void appendUtf8(QByteArray &out, char32_t cp)
{
    if (cp < 0x80) {
        out.append(char(cp));
    } else if (cp < 0x800) {
        out.append(char(0xC0 | (cp >> 6)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.append(char(0xE0 | (cp >> 12)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else {
        out.append(char(0xF0 | (cp >> 18)));
        out.append(char(0x80 | ((cp >> 12) & 0x3F)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    }
}

} // namespace

bool JsonCursor::fail(const QString &message)
{
    if (m_error.isEmpty()) {
        m_error = message;
        m_errorOffset = m_pos - m_begin;
    }
    return false;
}

void JsonCursor::addErrorContext(const QString &context)
{
    if (!m_error.isEmpty())
        m_error.prepend(context);
}

bool JsonCursor::failExpecting(const char *what)
{
    if (m_pos >= m_end)
        return fail(QStringLiteral("unexpected end of line, expected %1").arg(QLatin1StringView(what)));
    return fail(QStringLiteral("expected %1").arg(QLatin1StringView(what)));
}

bool JsonCursor::readString(QByteArrayView &out, QByteArray &scratch)
{
    if (!expect('"', "a string"))
        return false;
    const char *start = m_pos;
    // Fast path: no escapes, so the bytes are the value.
    while (m_pos < m_end) {
        const auto c = static_cast<unsigned char>(*m_pos);
        if (c == '"') {
            out = QByteArrayView(start, m_pos - start);
            ++m_pos;
            return true;
        }
        if (c == '\\')
            break;
        if (c < 0x20)
            return fail(QStringLiteral("control character in a string"));
        ++m_pos;
    }
    if (m_pos >= m_end)
        return fail(QStringLiteral("unterminated string"));
    scratch.clear();
    scratch.append(start, m_pos - start);
    if (!decodeEscapedString(scratch))
        return false;
    out = QByteArrayView(scratch);
    return true;
}

bool JsonCursor::decodeEscapedString(QByteArray &scratch)
{
    // m_pos is at a backslash or a plain byte inside the string; the opening quote is consumed.
    auto readHex4 = [this](char32_t &value) {
        if (m_end - m_pos < 4)
            return fail(QStringLiteral("truncated \\u escape"));
        value = 0;
        for (int i = 0; i < 4; ++i) {
            const int digit = hexValue(m_pos[i]);
            if (digit < 0)
                return fail(QStringLiteral("bad \\u escape"));
            value = value * 16 + char32_t(digit);
        }
        m_pos += 4;
        return true;
    };
    while (m_pos < m_end) {
        const auto c = static_cast<unsigned char>(*m_pos);
        if (c == '"') {
            ++m_pos;
            return true;
        }
        if (c < 0x20)
            return fail(QStringLiteral("control character in a string"));
        if (c != '\\') {
            scratch.append(char(c));
            ++m_pos;
            continue;
        }
        ++m_pos;
        if (m_pos >= m_end)
            break;
        const char escape = *m_pos++;
        switch (escape) {
        case '"': scratch.append('"'); break;
        case '\\': scratch.append('\\'); break;
        case '/': scratch.append('/'); break;
        case 'b': scratch.append('\b'); break;
        case 'f': scratch.append('\f'); break;
        case 'n': scratch.append('\n'); break;
        case 'r': scratch.append('\r'); break;
        case 't': scratch.append('\t'); break;
        case 'u': {
            char32_t cp = 0;
            if (!readHex4(cp))
                return false;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                // A high surrogate counts only with a low one right after it.
                char32_t low = 0;
                if (m_end - m_pos >= 6 && m_pos[0] == '\\' && m_pos[1] == 'u') {
                    const char *save = m_pos;
                    m_pos += 2;
                    if (!readHex4(low))
                        return false;
                    if (low >= 0xDC00 && low <= 0xDFFF)
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    else {
                        cp = 0xFFFD;
                        m_pos = save; // the next escape is decoded on its own
                    }
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            appendUtf8(scratch, cp);
            break;
        }
        default:
            --m_pos;
            return fail(QStringLiteral("bad escape '\\%1'").arg(QLatin1Char(escape)));
        }
    }
    return fail(QStringLiteral("unterminated string"));
}

bool JsonCursor::readString(QString &out)
{
    QByteArrayView bytes;
    QByteArray scratch;
    if (!readString(bytes, scratch))
        return false;
    out = QString::fromUtf8(bytes);
    return true;
}

bool JsonCursor::readInteger(qint64 &out)
{
    skipWhitespace();
    const char *start = m_pos;
    bool negative = false;
    if (m_pos < m_end && *m_pos == '-') {
        negative = true;
        ++m_pos;
    }
    if (m_pos >= m_end || !isDigit(*m_pos)) {
        m_pos = start;
        return fail(QStringLiteral("expected an integer"));
    }
    if (*m_pos == '0' && m_pos + 1 < m_end && isDigit(m_pos[1]))
        return fail(QStringLiteral("leading zero in a number"));
    // Nineteen digits always fit in a quint64 (and leading zeros are refused), so the loop needs no
    // overflow check of its own: the limit is checked once, after it.
    const char *digits = m_pos;
    quint64 magnitude = 0;
    while (m_pos < m_end && isDigit(*m_pos) && m_pos - digits < 20) {
        magnitude = magnitude * 10 + quint64(*m_pos - '0');
        ++m_pos;
    }
    constexpr quint64 maxMagnitude = quint64(std::numeric_limits<qint64>::max());
    if ((m_pos < m_end && isDigit(*m_pos)) || m_pos - digits > 19 || magnitude > maxMagnitude + (negative ? 1 : 0)) {
        m_pos = start;
        return fail(QStringLiteral("integer out of range"));
    }
    if (m_pos < m_end && (*m_pos == '.' || *m_pos == 'e' || *m_pos == 'E')) {
        m_pos = start;
        return fail(QStringLiteral("expected an integer, not a fraction"));
    }
    // Negated as unsigned: the minimum of qint64 has no positive counterpart.
    const qint64 value = negative ? qint64(0 - magnitude) : qint64(magnitude);
    out = value;
    return true;
}

bool JsonCursor::readLiteral(const char *word, qsizetype length)
{
    if (m_end - m_pos < length || std::memcmp(m_pos, word, size_t(length)) != 0)
        return fail(QStringLiteral("unexpected character"));
    m_pos += length;
    return true;
}

bool JsonCursor::readBool(bool &out)
{
    const char c = peek();
    if (c == 't' && readLiteral("true", 4)) {
        out = true;
        return true;
    }
    if (c == 'f' && readLiteral("false", 5)) {
        out = false;
        return true;
    }
    return fail(QStringLiteral("expected true or false"));
}

bool JsonCursor::tryNull() noexcept
{
    skipWhitespace();
    if (m_end - m_pos >= 4 && std::memcmp(m_pos, "null", 4) == 0) {
        m_pos += 4;
        return true;
    }
    return false;
}

bool JsonCursor::skipNumber()
{
    const char *start = m_pos;
    if (m_pos < m_end && *m_pos == '-')
        ++m_pos;
    if (m_pos >= m_end || !isDigit(*m_pos)) {
        m_pos = start;
        return fail(QStringLiteral("bad number"));
    }
    if (*m_pos == '0')
        ++m_pos;
    else
        while (m_pos < m_end && isDigit(*m_pos))
            ++m_pos;
    if (m_pos < m_end && *m_pos == '.') {
        ++m_pos;
        if (m_pos >= m_end || !isDigit(*m_pos))
            return fail(QStringLiteral("bad number"));
        while (m_pos < m_end && isDigit(*m_pos))
            ++m_pos;
    }
    if (m_pos < m_end && (*m_pos == 'e' || *m_pos == 'E')) {
        ++m_pos;
        if (m_pos < m_end && (*m_pos == '+' || *m_pos == '-'))
            ++m_pos;
        if (m_pos >= m_end || !isDigit(*m_pos))
            return fail(QStringLiteral("bad number"));
        while (m_pos < m_end && isDigit(*m_pos))
            ++m_pos;
    }
    return true;
}

bool JsonCursor::skipValue(int depth)
{
    switch (peek()) {
    case '{':
        return readObject([this, depth](QByteArrayView) { return skipValue(depth + 1); }, depth);
    case '[':
        return readArray([this, depth] { return skipValue(depth + 1); }, depth);
    case '"': {
        QByteArrayView ignored;
        QByteArray scratch;
        return readString(ignored, scratch);
    }
    case 't':
        return readLiteral("true", 4);
    case 'f':
        return readLiteral("false", 5);
    case 'n':
        return readLiteral("null", 4);
    case '\0':
        if (m_pos >= m_end)
            return fail(QStringLiteral("unexpected end of line, expected a value"));
        return fail(QStringLiteral("unexpected character"));
    default:
        return skipNumber();
    }
}

} // namespace afterwork::client::detail
