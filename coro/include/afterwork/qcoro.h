// SPDX-License-Identifier: MIT
#pragma once

// QCoro::Task<T> as async work and as error handlers. Link Afterwork::Coro (it brings QCoro6::Core).
//
//   engine.schedule([](const afterwork::CancellationToken &token) -> QCoro::Task<> {
//       co_await afterwork::delay(token, 100ms);   // a cancellable suspension point
//   });
//
// The coroutine starts on the engine thread and runs there up to its first suspension; the engine
// never blocks on it. Pitfall: a lambda coroutine's captures live in the lambda, which the engine
// keeps alive until the task's coroutine has finished, so capturing by value is safe.

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

template<typename T>
struct AsyncAdapter<QCoro::Task<T>>
{
    static constexpr bool isAsync = true;

    static void start(QCoro::Task<T> &&task, const CancellationToken &, AsyncDone done)
    {
        // The driver starts eagerly and is detached: QCoro frees a finished, unreferenced frame.
        (void)detail::driveCoroutine<T>(std::move(task), std::move(done));
    }
};

} // namespace afterwork
