// SPDX-License-Identifier: MIT
#include "core/sessionlog.h"

#include <QtCore/QDateTime>

namespace afterwork::monitor {

void SessionLog::append(Level level, QString text)
{
    m_entries.push_back(Entry{QDateTime::currentMSecsSinceEpoch(), level, std::move(text)});
    while (qsizetype(m_entries.size()) > m_limit) {
        m_entries.pop_front();
        ++m_firstIndex;
    }
}

void SessionLog::clear()
{
    m_entries.clear();
    m_firstIndex = 0;
    ++m_generation;
}

} // namespace afterwork::monitor
