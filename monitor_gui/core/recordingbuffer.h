// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>

#include <optional>

namespace afterwork::monitor {

//! The lines received from a live source, verbatim, so that File > Save recording writes a file
//! `afterwork replay` and the dashboard read like the live stream. Bounded: once the next batch
//! would pass the limit, recording stops (a recording must be a prefix of the stream to replay
//! cleanly, so the oldest lines are never dropped instead).
class RecordingBuffer
{
public:
    explicit RecordingBuffer(qsizetype limitBytes = 64 * 1024 * 1024) : m_limit(limitBytes) {}

    void append(const QList<client::StreamLine> &lines);
    void clear();

    const QByteArray &bytes() const noexcept { return m_bytes; }
    qint64 lineCount() const noexcept { return m_lines; }
    //! Lines received but not kept because the limit was reached.
    qint64 droppedLineCount() const noexcept { return m_dropped; }
    bool isTruncated() const noexcept { return m_dropped > 0; }
    qsizetype limitBytes() const noexcept { return m_limit; }

    //! Writes the recording to \a path; the error message on failure.
    std::optional<QString> saveTo(const QString &path) const;

private:
    QByteArray m_bytes;
    qsizetype m_limit;
    qint64 m_lines = 0;
    qint64 m_dropped = 0;
};

} // namespace afterwork::monitor
