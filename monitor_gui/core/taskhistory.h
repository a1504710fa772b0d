// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <QtCore/QHash>
#include <QtCore/QList>

#include <algorithm>
#include <optional>

namespace afterwork::monitor {

//! One step of one task as the stream reported it.
struct HistoryEntry
{
    quint64 serial = 0; //!< increasing over the whole session: views append what they lack
    qint64 tsUs = 0;
    Phase phase = Phase::Unknown;
    int attempt = 1;
    bool fromSnapshot = false; //!< learnt from a snapshot (joining late, or after a gap)
    std::optional<client::ErrorInfo> error;
    std::optional<client::ErrorInfo> handlerError;
};

//! Every task's steps, with error details the TaskStore does not keep (it keeps phases and times).
//! Bounded per task (the first step and the latest ones are kept); the session removes a task's
//! steps when the store evicts the task, so the whole is bounded like the store.
class TaskHistory
{
public:
    explicit TaskHistory(qsizetype maxPerTask = 64) : m_maxPerTask(std::max<qsizetype>(maxPerTask, 2)) {}

    void add(const client::TaskRecord &step, bool fromSnapshot);
    //! The observer concluded the task was lost (no step from the source says so).
    void addLost(quint64 id, qint64 tsUs);
    void remove(quint64 id) { m_steps.remove(id); }
    void clear() { m_steps.clear(); }

    //! nullptr for a task without steps.
    const QList<HistoryEntry> *steps(quint64 id) const;
    qsizetype taskCount() const noexcept { return m_steps.size(); }
    qsizetype maxPerTask() const noexcept { return m_maxPerTask; }

private:
    void append(quint64 id, HistoryEntry entry);

    QHash<quint64, QList<HistoryEntry>> m_steps;
    qsizetype m_maxPerTask;
    quint64 m_nextSerial = 1;
};

} // namespace afterwork::monitor
