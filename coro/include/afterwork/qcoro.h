// SPDX-License-Identifier: MIT
#pragma once

//! \file
//! QCoro::Task<T> as async work and as error handlers. Link Afterwork::Coro (it brings QCoro6::Core).
//!
//! \code
//! engine.schedule([](const afterwork::CancellationToken &token) -> QCoro::Task<> {
//!     co_await afterwork::delay(token, 100ms);   // a cancellable suspension point
//! });
//! \endcode
//!
//! The coroutine starts on the engine thread and runs there up to its first suspension; the engine
//! never blocks on it. Pitfall: a lambda coroutine's captures live in the lambda, which the engine
//! keeps alive until the task's coroutine has finished, so capturing by value is safe.

#include <afterwork/asyncwork.h>

#include <QCoro/QCoroTask>

namespace afterwork {

namespace detail {
template<typename T>
QCoro::Task<void> driveCoroutine(QCoro::Task<T> task, AsyncDone done)
{
    std::exception_ptr error;
    try {
        co_await task;
    } catch (...) {
        error = std::current_exception();
    }
    done(error);
}
} // namespace detail

//! QCoro::Task<T>: finished when the coroutine returns or throws. The token is not watched here:
//! the coroutine cooperates through the one it was given (afterwork::delay() and the like).
template<typename T>
struct AsyncAdapter<QCoro::Task<T>>
{
    static constexpr bool isAsync = true; //!< QCoro::Task<T> is an AsyncResult

    //! Awaits \a task in a detached driver coroutine, started at once on the calling (engine)
    //! thread; calls \a done with the exception it threw, or nullptr, when it finishes.
    static void start(QCoro::Task<T> &&task, const CancellationToken &, AsyncDone done)
    {
        // The driver starts eagerly and is detached: QCoro frees a finished, unreferenced frame.
        (void)detail::driveCoroutine<T>(std::move(task), std::move(done));
    }
};

} // namespace afterwork
