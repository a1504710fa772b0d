// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/asyncwork.h>
#include <afterwork/taskerror.h>

#include <functional>
#include <type_traits>
#include <utility>

namespace afterwork {

class Task;

namespace detail {
//! Copies of an async handler's arguments that live until the handler's coroutine has finished
//! (a coroutine taking `const Task &` keeps only the reference). Templated so that Task need only
//! be complete where a handler is made.
template<typename Dependent, typename TaskType = Task>
struct RetainedHandlerArgs
{
    TaskType task;
    TaskError error;
};
} // namespace detail

//! Tag that switches an inherited error handler off for one task:
//! `engine.task({.onError = afterwork::noErrorHandler})`.
struct NoErrorHandler
{
    explicit constexpr NoErrorHandler() = default;
};
inline constexpr NoErrorHandler noErrorHandler{}; //!< the value to set TaskConfig::onError to

//! A task's error handler, sync or async. Accepted forms:
//!  - `void(const Task &, const TaskError &)`: runs on the engine's pool, like sync work;
//!  - `QFuture<T>(const Task &, const TaskError &)` or, with <afterwork/qcoro.h>,
//!    `QCoro::Task<T>(const Task &, const TaskError &)`: started on the engine thread.
//! A handler that throws is logged and reported in the task's Failed event; nothing else breaks.
class ErrorHandler
{
public:
    //! A sync handler, as given: the engine calls it on its pool.
    using SyncFn = std::function<void(const Task &, const TaskError &)>;
    //! An async handler, wrapped: the engine calls it on the engine thread, and it starts the
    //! handler's future or coroutine, which reports to AsyncDone when it ends.
    using AsyncFn = std::function<void(const Task &, const TaskError &, const CancellationToken &, AsyncDone)>;

    //! An empty handler: "switched off".
    ErrorHandler(NoErrorHandler) {}

    //! Wraps \a handler, a callable of one of the forms above (implicit, so that a lambda can be
    //! assigned to TaskConfig::onError). Another form fails to compile, with a message that lists
    //! the accepted ones.
    template<typename F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, ErrorHandler>
                 && !std::is_same_v<std::remove_cvref_t<F>, NoErrorHandler>)
    ErrorHandler(F &&handler)
    {
        static_assert(std::is_invocable_v<std::decay_t<F> &, const Task &, const TaskError &>,
                      "An Afterwork error handler must be callable as f(const afterwork::Task &, "
                      "const afterwork::TaskError &) and return void, QFuture<T> or QCoro::Task<T>.");
        using R = std::invoke_result_t<std::decay_t<F> &, const Task &, const TaskError &>;
        static_assert(!UnadaptedCoroutine<R>,
                      "This error handler returns a coroutine type: #include <afterwork/qcoro.h> "
                      "to run QCoro::Task handlers.");
        if constexpr (AsyncResult<R>) {
            m_async = [fn = std::decay_t<F>(std::forward<F>(handler))](
                          const Task &task, const TaskError &error, const CancellationToken &token,
                          AsyncDone done) mutable {
                using Args = detail::RetainedHandlerArgs<F>;
                auto args = std::make_shared<const Args>(Args{task, error});
                AsyncDone keepAlive([args, done = std::move(done)](std::exception_ptr e, QVariant *) { done(std::move(e)); });
                AsyncAdapter<std::remove_cvref_t<R>>::start(fn(args->task, args->error), token, std::move(keepAlive));
            };
        } else {
            static_assert(std::is_void_v<R>,
                          "A sync Afterwork error handler must return void (async ones return "
                          "QFuture<T> or QCoro::Task<T>).");
            m_sync = std::decay_t<F>(std::forward<F>(handler));
        }
    }

    //! True for noErrorHandler: no handler runs for the task, not even an inherited one.
    bool isSwitchedOff() const { return !m_sync && !m_async; }
    //! True when the handler returns a QFuture or a QCoro::Task.
    bool isAsync() const { return bool(m_async); }
    //! The handler, for the engine: syncFn() is empty for an async one, asyncFn() for a sync one.
    //! @{
    const SyncFn &syncFn() const { return m_sync; }
    const AsyncFn &asyncFn() const { return m_async; }
    //! @}

private:
    SyncFn m_sync;
    AsyncFn m_async;
};

} // namespace afterwork
