// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QString>

namespace afterwork::monitor {

//! Failed tasks of one name with one error type.
struct FailureGroup
{
    QString name;      //!< the task name, with a generated "#id" suffix folded into "#…"
    QString errorType; //!< empty when the failure carried no error object
    qint64 count = 0;
    qint64 firstSeenUs = 0;
    qint64 lastSeenUs = 0;
    QString latestMessage;
    quint64 latestTaskId = 0;
};

//! Groups failures by (name, error type), in order of first appearance. Bounded: past maxGroups,
//! new kinds of failure are only counted (overflowCount()); existing groups keep counting.
//! Remembers which rows it appended or touched since takeChanges(), for an incremental model.
class FailureGroups
{
public:
    explicit FailureGroups(qsizetype maxGroups = 2000) : m_maxGroups(maxGroups) {}

    //! A task ended Failed (\a tsUs: when).
    void addFailure(const client::TaskRecord &task, qint64 tsUs);
    void clear();

    const QList<FailureGroup> &groups() const noexcept { return m_groups; }
    qint64 totalFailures() const noexcept { return m_total; }
    qint64 overflowCount() const noexcept { return m_overflow; }
    //! -1 if there is no such group.
    qsizetype indexOf(const QString &name, const QString &errorType) const;

    struct Changes
    {
        qsizetype firstNewRow = -1; //!< groups from here on are new; -1: none
        QList<qsizetype> touched;   //!< existing rows whose counts changed, ascending
        bool cleared = false;       //!< everything was cleared (a new run) before these changes
    };
    Changes takeChanges();

    //! The name shown for a task name: generated names "label#17" all become "label#…".
    static QString groupName(const QString &taskName);
    //! A filter expression (docs/filter.md) for the tasks of \a group.
    static QString filterExpression(const FailureGroup &group);

private:
    QList<FailureGroup> m_groups;
    QHash<QString, qsizetype> m_index; //!< name + '\n' + type → row
    qsizetype m_maxGroups;
    qint64 m_total = 0;
    qint64 m_overflow = 0;
    qsizetype m_rowsAtLastTake = 0;
    QList<qsizetype> m_touched;
    bool m_cleared = false;
};

} // namespace afterwork::monitor
