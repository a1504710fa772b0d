// SPDX-License-Identifier: MIT
#pragma once

// What the demo's error handlers did, for GET /tasks and GET /errors: which handler ran how often,
// what retry_handler's re-runs gave, and the errors the stand-in error tracker captured. Written
// from handlers on any thread, read by the status routes on the server's thread.

#include <afterwork/task.h>
#include <afterwork/taskerror.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QMap>
#include <QtCore/QMutex>

#include <atomic>
#include <deque>

namespace demo {

//! Calls of the routes' own error handlers, by their names in the guide.
class HandlerCalls
{
public:
    void count(const QString &handler);
    QJsonObject toJson() const; //!< `{"my_error_handler": 1, ...}`: the handlers called so far

private:
    mutable QMutex m_mutex;
    QMap<QString, quint64> m_calls;
};

//! What retry_handler did, over every task it handled.
struct RetryStats
{
    std::atomic<quint64> reruns{0};    //!< runs of the work it made (the first run is the task's own)
    std::atomic<quint64> recovered{0}; //!< tasks whose work succeeded on one of them
    std::atomic<quint64> gaveUp{0};    //!< tasks whose every re-run failed

    QJsonObject toJson() const; //!< `{"reruns": 2, "recovered": 1, "gave_up": 0}`
};

//! A stand-in for an error tracking service (the guide sends to Sentry): keeps the last
//! `capacity` errors with their task's context.
class ErrorTracker
{
public:
    static constexpr int capacity = 100;

    void capture(const afterwork::Task &task, const afterwork::TaskError &error);
    //! Oldest first: `{"ts_us", "task": {"id", "name", "function", "args", "request"}, "error": {"type", "message"}}`.
    QJsonArray toJson() const;

private:
    mutable QMutex m_mutex;
    std::deque<QJsonObject> m_errors;
};

struct DemoState
{
    std::atomic<quint64> globalHandlerCalls{0};
    HandlerCalls handlerCalls;
    RetryStats retries;
    ErrorTracker errorTracker;
};

} // namespace demo
