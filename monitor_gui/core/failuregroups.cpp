// SPDX-License-Identifier: MIT
#include "core/failuregroups.h"

#include "core/formatting.h"

#include <algorithm>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

namespace {

QString key(const QString &name, const QString &type)
{
    return name + QLatin1Char('\n') + type;
}

} // namespace

QString FailureGroups::groupName(const QString &taskName)
{
    // The engine names unnamed tasks "label#id": one group per label, not per task.
    const qsizetype hash = taskName.lastIndexOf(u'#');
    if (hash <= 0 || hash + 1 >= taskName.size())
        return taskName;
    for (qsizetype i = hash + 1; i < taskName.size(); ++i) {
        if (!taskName.at(i).isDigit())
            return taskName;
    }
    return taskName.left(hash + 1) + u"…"_s;
}

QString FailureGroups::filterExpression(const FailureGroup &group)
{
    QString expression = u"phase:failed "_s;
    if (group.name.endsWith(u"#…"_s))
        expression += u"name~"_s + filterValue(group.name.chopped(1));
    else
        expression += u"name:"_s + filterValue(group.name);
    if (!group.errorType.isEmpty())
        expression += u" error~"_s + filterValue(group.errorType);
    return expression;
}

qsizetype FailureGroups::indexOf(const QString &name, const QString &errorType) const
{
    return m_index.value(key(name, errorType), -1);
}

void FailureGroups::addFailure(const client::TaskRecord &task, qint64 tsUs)
{
    ++m_total;
    const QString name = groupName(task.name);
    const QString type = task.error ? task.error->type : QString();
    const QString message = task.error ? task.error->message : QString();
    const QString groupKey = key(name, type);
    auto it = m_index.constFind(groupKey);
    if (it == m_index.cend()) {
        if (m_groups.size() >= m_maxGroups) {
            ++m_overflow;
            return;
        }
        it = m_index.insert(groupKey, m_groups.size());
        m_groups.append(FailureGroup{name, type, 0, tsUs, tsUs, {}, 0});
    }
    const qsizetype row = it.value();
    FailureGroup &group = m_groups[row];
    ++group.count;
    if (tsUs < group.firstSeenUs)
        group.firstSeenUs = tsUs;
    if (tsUs >= group.lastSeenUs) {
        group.lastSeenUs = tsUs;
        group.latestMessage = message;
        group.latestTaskId = task.id;
    }
    if (row < m_rowsAtLastTake && (m_touched.isEmpty() || m_touched.constLast() != row))
        m_touched.append(row);
}

void FailureGroups::clear()
{
    m_groups.clear();
    m_index.clear();
    m_total = 0;
    m_overflow = 0;
    m_rowsAtLastTake = 0;
    m_touched.clear();
    m_cleared = true;
}

FailureGroups::Changes FailureGroups::takeChanges()
{
    Changes changes;
    changes.cleared = std::exchange(m_cleared, false);
    if (m_groups.size() > m_rowsAtLastTake)
        changes.firstNewRow = m_rowsAtLastTake;
    std::sort(m_touched.begin(), m_touched.end());
    m_touched.erase(std::unique(m_touched.begin(), m_touched.end()), m_touched.end());
    changes.touched = std::exchange(m_touched, {});
    m_rowsAtLastTake = m_groups.size();
    return changes;
}

} // namespace afterwork::monitor
