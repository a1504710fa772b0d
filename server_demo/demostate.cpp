// SPDX-License-Identifier: MIT
#include "demostate.h"

#include <afterwork/protocol/wire.h>

namespace demo {

void HandlerCalls::count(const QString &handler)
{
    QMutexLocker lock(&m_mutex);
    ++m_calls[handler];
}

QJsonObject HandlerCalls::toJson() const
{
    QMutexLocker lock(&m_mutex);
    QJsonObject calls;
    for (auto it = m_calls.cbegin(); it != m_calls.cend(); ++it)
        calls.insert(it.key(), qint64(it.value()));
    return calls;
}

QJsonObject RetryStats::toJson() const
{
    return {{"reruns", qint64(reruns.load())},
            {"recovered", qint64(recovered.load())},
            {"gave_up", qint64(gaveUp.load())}};
}

void ErrorTracker::capture(const afterwork::Task &task, const afterwork::TaskError &error)
{
    QJsonObject context{{"id", qint64(task.id())},
                        {"name", task.name()},
                        {"function", task.functionLabel()},
                        {"args", task.argumentsText()}};
    if (task.requestId() != 0)
        context.insert("request", qint64(task.requestId()));
    QJsonObject entry{{"ts_us", afterwork::protocol::nowUs()},
                      {"task", context},
                      {"error", QJsonObject{{"type", error.type}, {"message", error.message}}}};
    QMutexLocker lock(&m_mutex);
    m_errors.push_back(std::move(entry));
    if (m_errors.size() > capacity)
        m_errors.pop_front();
}

QJsonArray ErrorTracker::toJson() const
{
    QMutexLocker lock(&m_mutex);
    QJsonArray errors;
    for (const QJsonObject &entry : m_errors)
        errors.append(entry);
    return errors;
}

} // namespace demo
