// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <deque>

namespace afterwork::monitor {

//! A `request` line (the HTTP layer's), kept for the timeline's markers.
struct RequestMarker
{
    qint64 tsUs = 0;
    client::RequestEvent request;
};

//! The latest request lines, oldest first, at most `limit` of them.
class RequestMarkers
{
public:
    explicit RequestMarkers(qsizetype limit = 5000) : m_limit(limit) {}

    void add(qint64 tsUs, const client::RequestEvent &request)
    {
        m_markers.push_back(RequestMarker{tsUs, request});
        while (qsizetype(m_markers.size()) > m_limit)
            m_markers.pop_front();
        ++m_total;
    }
    void clear()
    {
        m_markers.clear();
        m_total = 0;
    }
    const std::deque<RequestMarker> &markers() const noexcept { return m_markers; }
    qint64 total() const noexcept { return m_total; }

private:
    std::deque<RequestMarker> m_markers;
    qsizetype m_limit;
    qint64 m_total = 0;
};

} // namespace afterwork::monitor
