// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QString>

namespace afterwork::client::detail {

//! A forward-only reader over the bytes of one JSON text, just enough for the stream's lines:
//! no DOM, no allocation for plain strings and keys. Every reader returns false after recording the
//! first error (offset + message); once failed, the cursor stays failed.
class JsonCursor
{
public:
    static constexpr int MaxDepth = 32;

    explicit JsonCursor(QByteArrayView text) noexcept
        : m_begin(text.data()), m_pos(text.data()), m_end(text.data() + text.size())
    {
    }

    bool failed() const noexcept { return !m_error.isEmpty(); }
    const QString &error() const noexcept { return m_error; }
    qsizetype errorOffset() const noexcept { return m_errorOffset; }
    qsizetype offset() const noexcept { return m_pos - m_begin; }

    bool fail(const QString &message);
    //! Prepends \a context (e.g. "'seq': ") to the recorded error, so errors read as a path.
    void addErrorContext(const QString &context);
    // The hot path of every reader: inline.
    void skipWhitespace() noexcept
    {
        while (m_pos < m_end && (*m_pos == ' ' || *m_pos == '\t' || *m_pos == '\n' || *m_pos == '\r'))
            ++m_pos;
    }
    //! The next significant byte, or 0 at the end.
    char peek() noexcept
    {
        skipWhitespace();
        return m_pos < m_end ? *m_pos : '\0';
    }
    bool atEnd() noexcept
    {
        skipWhitespace();
        return m_pos >= m_end;
    }
    bool expect(char c, const char *what)
    {
        skipWhitespace();
        if (m_pos < m_end && *m_pos == c) {
            ++m_pos;
            return true;
        }
        return failExpecting(what);
    }

    //! A string's UTF-8 bytes: a view into the text when it has no escapes, else into \a scratch.
    bool readString(QByteArrayView &out, QByteArray &scratch);
    bool readString(QString &out);
    bool readInteger(qint64 &out);
    bool readBool(bool &out);
    //! Consumes `null` if it is next; false (and no error) otherwise.
    bool tryNull() noexcept;
    //! Skips any JSON value, validating it.
    bool skipValue(int depth = 0);

    //! Reads an object, calling onMember(key) for each member with the cursor at its value;
    //! onMember must consume the value (or return false after failing). \a depth is the nesting
    //! level of this object; onMember passes depth + 1 to nested readers.
    template<typename OnMember>
    bool readObject(OnMember &&onMember, int depth = 0)
    {
        if (depth > MaxDepth)
            return fail(QStringLiteral("nesting deeper than %1 levels").arg(MaxDepth));
        if (!expect('{', "'{'"))
            return false;
        if (peek() == '}') {
            ++m_pos;
            return true;
        }
        QByteArray scratch;
        for (;;) {
            if (peek() != '"')
                return fail(QStringLiteral("expected a member name"));
            QByteArrayView key;
            if (!readString(key, scratch) || !expect(':', "':'"))
                return false;
            skipWhitespace();
            if (!onMember(key))
                return false;
            const char next = peek();
            if (next == '}') {
                ++m_pos;
                return true;
            }
            if (next != ',')
                return fail(QStringLiteral("expected ',' or '}'"));
            ++m_pos;
            skipWhitespace();
        }
    }

    //! Reads an array, calling onElement() with the cursor at each element, which it must consume.
    template<typename OnElement>
    bool readArray(OnElement &&onElement, int depth = 0)
    {
        if (depth > MaxDepth)
            return fail(QStringLiteral("nesting deeper than %1 levels").arg(MaxDepth));
        if (!expect('[', "'['"))
            return false;
        if (peek() == ']') {
            ++m_pos;
            return true;
        }
        for (;;) {
            skipWhitespace();
            if (!onElement())
                return false;
            const char next = peek();
            if (next == ']') {
                ++m_pos;
                return true;
            }
            if (next != ',')
                return fail(QStringLiteral("expected ',' or ']'"));
            ++m_pos;
        }
    }

private:
    bool failExpecting(const char *what);
    bool skipNumber();
    bool readLiteral(const char *word, qsizetype length);
    bool decodeEscapedString(QByteArray &scratch);

    const char *m_begin;
    const char *m_pos;
    const char *m_end;
    QString m_error;
    qsizetype m_errorOffset = 0;
};

} // namespace afterwork::client::detail
