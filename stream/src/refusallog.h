// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QElapsedTimer>
#include <QtCore/QString>

#include <chrono>

namespace afterwork::detail {

//! The log lines about remote connections turned away (refused, timed out, a failed handshake), at
//! most one per interval: a port scanner or a flood of bad clients must not flood the
//! application's log. What is left out is counted, and the next line written says how many.
//! Engine thread only, like the rest of the remote transport.
class RefusalLog
{
public:
    explicit RefusalLog(std::chrono::milliseconds interval = std::chrono::seconds(10)) : m_interval(interval) {}

    //! Logs \a message (info, afterwork.stream) unless a line was logged less than an interval ago.
    void note(const QString &message);

private:
    std::chrono::milliseconds m_interval;
    QElapsedTimer m_sinceLogged; // invalid until the first line
    qint64 m_leftOut = 0;
};

} // namespace afterwork::detail
