// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QList>

namespace afterwork::client::detail {

//! Whether \a line (without its newline) is blank: empty, or the carriage return of a "\r\n".
//! A blank line carries nothing, but counts for line numbers.
inline bool isBlankLine(QByteArrayView line) noexcept
{
    return line.isEmpty() || line == "\r";
}

//! Cuts a byte stream into '\n'-terminated lines, holding back a partial line until the rest
//! arrives. A line longer than the limit is not buffered: it is reported as oversized (its first
//! bytes kept for the message) and the rest of it is skipped up to the next newline.
class LineSplitter
{
public:
    struct Line
    {
        QByteArray bytes;        //!< without the newline
        bool oversized = false;  //!< bytes holds only the start of the line
        qsizetype fullSize = 0;  //!< the line's length so far (for oversized ones, at least this)
    };

    explicit LineSplitter(qsizetype maxLineBytes) : m_maxLineBytes(maxLineBytes) {}

    void setMaxLineBytes(qsizetype bytes) { m_maxLineBytes = bytes; }
    void reset();
    //! Appends the complete lines in \a bytes (with what was held back) to \a out.
    void feed(QByteArrayView bytes, QList<Line> &out);
    //! The held-back partial line, if any (the input ended without a newline).
    bool takeRemainder(Line &out);

private:
    static constexpr qsizetype OversizedPrefix = 200;

    qsizetype m_maxLineBytes;
    QByteArray m_partial;
    bool m_skipping = false;     //!< inside an oversized line, dropping bytes until '\n'
    qsizetype m_skippedSize = 0;
};

} // namespace afterwork::client::detail
