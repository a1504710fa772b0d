// SPDX-License-Identifier: MIT
#include <afterwork/taskerror.h>

#include "work_p.h"

#include <typeinfo>

namespace afterwork {

TaskError TaskError::fromException(std::exception_ptr error)
{
    TaskError result;
    result.exception = error;
    try {
        std::rethrow_exception(error);
    } catch (const std::exception &e) {
        result.type = detail::demangle(typeid(e).name());
        result.message = QString::fromUtf8(e.what());
    } catch (...) {
        // Not a std::exception: its type is still known to the C++ runtime.
        const std::type_info *type = detail::currentExceptionType();
        result.type = type ? detail::demangle(type->name()) : QStringLiteral("unknown");
        result.message = QStringLiteral("a non-standard exception of type %1 was thrown").arg(result.type);
    }
    return result;
}

bool TaskError::isTimeout() const
{
    if (!exception)
        return false;
    try {
        std::rethrow_exception(exception);
    } catch (const TimeoutError &) {
        return true;
    } catch (...) {
        return false;
    }
}

void TaskError::rethrow() const
{
    if (exception)
        std::rethrow_exception(exception);
    throw std::runtime_error(message.toStdString());
}

TimeoutError::TimeoutError(std::chrono::milliseconds timeout)
    : std::runtime_error("the task's timeout of " + std::to_string(timeout.count()) + " ms elapsed")
    , m_timeout(timeout)
{
}

const char *TaskCancelled::what() const noexcept
{
    return "the task was cancelled";
}

} // namespace afterwork
