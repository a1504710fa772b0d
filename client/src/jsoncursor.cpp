// SPDX-License-Identifier: MIT
#include "jsoncursor.h"

#include <array>
#include <bit>
#include <cstring>
#include <limits>

namespace afterwork::client::detail {

namespace {

bool isDigit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

//! Where a string's plain bytes end: at the first '"', '\\' or control byte from \a pos, or at
//! \a end. Eight bytes are tested at a time: a line's strings are mostly keys and names of a few
//! to a few dozen bytes, and a byte-by-byte loop was the parser's largest cost.
const char *plainStringEnd(const char *pos, const char *end) noexcept
{
    constexpr quint64 ones = 0x0101010101010101u;
    constexpr quint64 highBits = 0x8080808080808080u;
    // (x - ones) & ~x & highBits marks the lowest zero byte of x exactly (bytes above it may be
    // marked falsely, through the borrow); the same with 0x20 marks the lowest byte below 0x20.
    while (end - pos >= 8) {
        quint64 chunk;
        std::memcpy(&chunk, pos, 8);
        const quint64 quote = chunk ^ (ones * '"');
        const quint64 backslash = chunk ^ (ones * '\\');
        const quint64 marks = (((quote - ones) & ~quote) | ((backslash - ones) & ~backslash)
                               | ((chunk - ones * 0x20) & ~chunk))
            & highBits;
        if (marks == 0) {
            pos += 8;
            continue;
        }
        if constexpr (std::endian::native == std::endian::little)
            return pos + std::countr_zero(marks) / 8;
        break; // elsewhere the byte loop below finds it within these eight
    }
    while (pos < end) {
        const auto c = static_cast<unsigned char>(*pos);
        if (c == '"' || c == '\\' || c < 0x20)
            return pos;
        ++pos;
    }
    return end;
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

//! The strings of a stream repeat: a task's name and function on each of its lines, a request's
//! method, path and stage on each of its. The last few seen by a thread are kept, so that reading
//! one again shares the QString decoded before instead of decoding and allocating a new one.
//! Per thread, so parsing needs no lock; short strings only, so the table stays a few kilobytes.
class RecentStrings
{
public:
    static RecentStrings &forThisThread()
    {
        thread_local RecentStrings strings;
        return strings;
    }

    QString toString(QByteArrayView utf8)
    {
        // An empty string is not kept: an unused slot's bytes are empty too, and its text is null.
        if (utf8.isEmpty() || utf8.size() > MaxBytes)
            return QString::fromUtf8(utf8);
        Entry &entry = m_entries[slotOf(utf8)];
        if (QByteArrayView(entry.utf8) != utf8) {
            // The slot's bytes are never shared, so after the first use they are overwritten in
            // place: a miss costs the decoding it always did, and one copy of a few bytes.
            if (entry.utf8.capacity() < MaxBytes)
                entry.utf8.reserve(MaxBytes);
            entry.utf8.resize(utf8.size());
            std::memcpy(entry.utf8.data(), utf8.data(), size_t(utf8.size()));
            entry.text = QString::fromUtf8(utf8);
        }
        return entry.text;
    }

private:
    static constexpr qsizetype MaxBytes = 64;
    static constexpr size_t Slots = 64;

    static size_t slotOf(QByteArrayView utf8) noexcept
    {
        // FNV-1a: the strings are short, and this is cheaper than decoding one.
        quint32 hash = 2166136261u;
        for (const char c : utf8)
            hash = (hash ^ quint8(c)) * 16777619u;
        return hash % Slots;
    }

    struct Entry
    {
        QByteArray utf8;
        QString text;
    };
    std::array<Entry, Slots> m_entries;
};

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
    m_pos = plainStringEnd(m_pos, m_end);
    if (m_pos >= m_end)
        return fail(QStringLiteral("unterminated string"));
    if (*m_pos == '"') {
        out = QByteArrayView(start, m_pos - start);
        ++m_pos;
        return true;
    }
    if (*m_pos != '\\')
        return fail(QStringLiteral("control character in a string"));
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
    out = RecentStrings::forThisThread().toString(bytes);
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
    const char *stop = m_end - m_pos > 20 ? m_pos + 20 : m_end;
    quint64 magnitude = 0;
    for (; m_pos < stop; ++m_pos) {
        const unsigned digit = unsigned(static_cast<unsigned char>(*m_pos)) - unsigned('0');
        if (digit > 9)
            break;
        magnitude = magnitude * 10 + digit;
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
