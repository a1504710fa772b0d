// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QMetaType>
#include <QtCore/QString>

#include <chrono>
#include <exception>
#include <stdexcept>

namespace afterwork {

//! What went wrong in a task: the exception's type and message, and the exception itself.
//! A value type; copying it is cheap.
struct TaskError
{
    QString type{};               //!< demangled exception type, such as "std::runtime_error"
    QString message{};            //!< what(), or a description for non-std exceptions
    std::exception_ptr exception{}; //!< the original exception, to rethrow or inspect

    //! Describes the exception \a error (which must not be null).
    static TaskError fromException(std::exception_ptr error);

    //! True when the task failed because its timeout elapsed (the exception is a TimeoutError).
    bool isTimeout() const;
    //! Rethrows the original exception; for use in a handler's try/catch.
    [[noreturn]] void rethrow() const;
};

//! Thrown synchronously by schedule() once the engine no longer accepts work (it is shutting
//! down or has shut down), except for tasks scheduled from inside a running task during the
//! drain, which follow the shutdown rules instead (see TaskEngine::shutdown()).
class EngineShutDownError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

//! The error a task fails with when its TaskConfig::timeout elapses.
class TimeoutError : public std::runtime_error
{
public:
    //! what() says that the timeout of \a timeout elapsed.
    explicit TimeoutError(std::chrono::milliseconds timeout);
    std::chrono::milliseconds timeout() const { return m_timeout; } //!< the TaskConfig::timeout that elapsed

private:
    std::chrono::milliseconds m_timeout;
};

//! Thrown by CancellationToken::throwIfCancelled() and by cancellable awaitables. The engine
//! treats it as cancellation, never as an error: the task ends Cancelled and no handler runs.
class TaskCancelled : public std::exception
{
public:
    const char *what() const noexcept override; //!< "the task was cancelled"
};

} // namespace afterwork

Q_DECLARE_METATYPE(afterwork::TaskError)
