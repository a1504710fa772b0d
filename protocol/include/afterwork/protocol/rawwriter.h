// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QtGlobal>
#include <QtCore/QLatin1StringView>
#include <QtCore/QStringView>
#include <QtCore/QUtf8StringView>

#include <array>
#include <bit>
#include <cstring>

namespace afterwork::protocol::detail {

//! Bytes one UTF-16 unit can take once escaped: a control character as \u00XX.
inline constexpr qsizetype maxBytesPerUnit = 6;
//! Bytes an integer can take: "-9223372036854775808" or "18446744073709551615".
inline constexpr qsizetype maxIntegerBytes = 20;
//! Bytes a double or float can take: the shortest round-trip text, "-2.2250738585072014e-308".
inline constexpr qsizetype maxNumberBytes = 24;
static_assert(maxNumberBytes >= maxIntegerBytes, "an integral double is written as an integer");

inline constexpr qsizetype maxStringBytes(qsizetype units)
{
    return units * maxBytesPerUnit + 2;
}

// Escaped, quoted JSON strings written at \a p; return the end. Room: maxStringBytes(size).
char *writeString(char *p, QStringView text);
char *writeString(char *p, QLatin1StringView text);
char *writeString(char *p, QUtf8StringView text); // invalid UTF-8 becomes U+FFFD
// A number as json::appendDouble() describes (a float as its own shortest text: 0.1f is 0.1, not
// 0.10000000149011612); room: maxNumberBytes.
char *writeNumber(char *p, double value);
char *writeNumber(char *p, float value);

//! \a value in decimal at \a p; returns the end (at most maxIntegerBytes later).
//! Every line carries microsecond timestamps of sixteen digits, several per task line, and
//! std::to_chars took about 180 instructions for one: the length is found with one comparison,
//! and the digits are written from the end, two at a time, eight-digit groups in 32-bit arithmetic.
inline char *writeDecimal(char *p, quint64 value) noexcept
{
    static constexpr char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                    "8081828384858687888990919293949596979899";
    static constexpr auto powersOfTen = [] {
        std::array<quint64, 20> powers{};
        quint64 power = 1;
        for (quint64 &entry : powers) {
            entry = power;
            power *= 10;
        }
        return powers;
    }();
    if (value < 10) {
        *p = char('0' + value);
        return p + 1;
    }
    // bit width × log10(2), which is at most one short of the digit count.
    const int estimate = int((std::bit_width(value) * 1233) >> 12);
    char *const end = p + estimate + (value >= powersOfTen[size_t(estimate)] ? 1 : 0);
    char *q = end;
    const auto twoDigits = [&q](quint32 below100) {
        q -= 2;
        std::memcpy(q, pairs + 2 * below100, 2);
    };
    while (value >= 100'000'000u) {
        auto group = quint32(value % 100'000'000u);
        value /= 100'000'000u;
        for (int i = 0; i < 4; ++i) {
            twoDigits(group % 100);
            group /= 100;
        }
    }
    auto rest = quint32(value);
    while (rest >= 100) {
        twoDigits(rest % 100);
        rest /= 100;
    }
    if (rest >= 10)
        twoDigits(rest);
    else
        *--q = char('0' + rest);
    return end;
}

//! Writes into a QByteArray through a raw pointer: the caller reserves an upper bound once, so
//! each piece is a plain store or a fixed-size memcpy instead of a checked QByteArray::append.
//! The destructor trims the array to what was written.
class RawWriter
{
public:
    RawWriter(QByteArray &out, qsizetype maxBytes)
        : m_out(out)
    {
        const qsizetype start = out.size();
        out.resize(start + maxBytes);
        m_p = out.data() + start;
    }
    ~RawWriter()
    {
        // Past the room, the writes went into the array's spare capacity or beyond: a bound too small.
        Q_ASSERT_X(m_p <= m_out.constData() + m_out.size(), "RawWriter", "wrote more than the room reserved");
        m_out.resize(m_p - m_out.constData());
    }
    RawWriter(const RawWriter &) = delete;
    RawWriter &operator=(const RawWriter &) = delete;

    template<qsizetype N>
    void literal(const char (&text)[N])
    {
        std::memcpy(m_p, text, N - 1);
        m_p += N - 1;
    }
    void character(char c) { *m_p++ = c; }
    //! ASCII that needs no escaping (wire names, kinds).
    void ascii(QLatin1StringView text)
    {
        std::memcpy(m_p, text.data(), size_t(text.size()));
        m_p += text.size();
    }
    void bytes(const char *data, qsizetype size)
    {
        std::memcpy(m_p, data, size_t(size));
        m_p += size;
    }
    void integer(qint64 value)
    {
        if (value < 0) {
            *m_p++ = '-';
            m_p = writeDecimal(m_p, 0 - quint64(value)); // negated as unsigned: the minimum too
        } else {
            m_p = writeDecimal(m_p, quint64(value));
        }
    }
    void unsignedInteger(quint64 value) { m_p = writeDecimal(m_p, value); }
    void string(QStringView text) { m_p = writeString(m_p, text); }
    void string(QLatin1StringView text) { m_p = writeString(m_p, text); }
    void string(QUtf8StringView text) { m_p = writeString(m_p, text); }
    void number(double value) { m_p = writeNumber(m_p, value); }
    void number(float value) { m_p = writeNumber(m_p, value); }

private:
    QByteArray &m_out;
    char *m_p;
};

} // namespace afterwork::protocol::detail
