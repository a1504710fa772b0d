// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/taskenums.h>
#include <afterwork/taskerror.h>

#include <QtCore/QMetaType>
#include <QtCore/QVariant>

#include <optional>

namespace afterwork {

//! How one task ended, as a value: what Task::outcome() and Task::whenEnded() deliver.
struct TaskOutcome
{
    quint64 taskId = 0;                      //!< Task::id()
    Phase phase = Phase::Scheduled;          //!< the terminal phase: Succeeded, Failed, Cancelled, Abandoned or Dropped
    std::optional<TaskError> error{};        //!< on Failed, the last attempt's error; on Dropped, the reason
    std::optional<TaskError> handlerError{}; //!< on Failed, when the error handler itself threw
    //! On Succeeded, what the work returned: the result of a QFuture<T>, the `co_return` value of a
    //! QCoro::Task<T>, the return value of sync work (a copy). Invalid for work returning void or
    //! a pointer, for a type that cannot be copied, for a QFuture<T> that reported no result, and
    //! for every other phase.
    QVariant value{};

    bool succeeded() const { return phase == Phase::Succeeded; } //!< the work returned normally

    //! The value if its type is exactly \a T, as Task::argument() does for arguments (no
    //! conversion: work returning `QFuture<int>` holds an `int`); std::nullopt otherwise.
    template<typename T>
    std::optional<T> valueAs() const
    {
        if (value.metaType() != QMetaType::fromType<T>())
            return std::nullopt;
        return *static_cast<const T *>(value.constData());
    }
};

} // namespace afterwork

Q_DECLARE_METATYPE(afterwork::TaskOutcome)
