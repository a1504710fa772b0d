// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

#include <algorithm>
#include <deque>
#include <utility>

namespace afterwork::monitor {

//! What happened to the connection and the stream (connected, restarted, gaps, malformed lines,
//! errors), for the Log view. Bounded: the oldest entries go first. Entries have absolute indexes
//! (the first ever appended is 0), so a view can tell which of its rows are gone.
class SessionLog
{
public:
    enum class Level : quint8 { Info, Warning, Error };
    struct Entry
    {
        qint64 wallMs = 0; //!< when the dashboard noticed
        Level level = Level::Info;
        QString text;
    };

    explicit SessionLog(qsizetype limit = 2000) : m_limit(std::max<qsizetype>(limit, 1)) {}

    void append(Level level, QString text);
    //! Forgets everything; generation() changes.
    void clear();

    const std::deque<Entry> &entries() const noexcept { return m_entries; }
    //! The absolute index of entries().front().
    qint64 firstIndex() const noexcept { return m_firstIndex; }
    //! The entry with absolute index \a index, or nullptr if it was dropped (or not yet written).
    const Entry *at(qint64 index) const noexcept
    {
        const qint64 offset = index - m_firstIndex;
        return offset >= 0 && offset < qint64(m_entries.size()) ? &m_entries[size_t(offset)] : nullptr;
    }
    int generation() const noexcept { return m_generation; }
    qsizetype limit() const noexcept { return m_limit; }

private:
    std::deque<Entry> m_entries;
    qsizetype m_limit;
    qint64 m_firstIndex = 0;
    int m_generation = 0;
};

} // namespace afterwork::monitor
