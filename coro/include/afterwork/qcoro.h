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
#include <afterwork/detail/suspension.h>
#include <afterwork/taskerror.h>

#include <QCoro/QCoroTask>

#include <coroutine>
#include <exception>
#include <memory>
#include <type_traits>
#include <utility>

namespace afterwork {

namespace detail {
template<typename T>
QCoro::Task<void> driveCoroutine(QCoro::Task<T> task, AsyncDone done)
{
    if constexpr (keepsValue<T>) {
        std::exception_ptr error;
        QVariant value;
        try {
            value = QVariant::fromValue(co_await task);
        } catch (...) {
            error = std::current_exception();
        }
        done(std::move(error), error ? nullptr : &value);
    } else {
        std::exception_ptr error;
        try {
            co_await task;
        } catch (...) {
            error = std::current_exception();
        }
        done(std::move(error));
    }
}
} // namespace detail

namespace detail {

//! The awaiter behind \a awaitable, as `co_await` inside a QCoro::Task would get it: QCoro's own
//! for the Qt types it knows (QNetworkReply *, QTimer *, QFuture, ...; QCoro::detail::awaiter_type
//! is how QCoro itself finds them, in 0.8 and 0.12 alike), else operator co_await, else the
//! awaitable itself.
template<typename A>
auto awaiterOf(A &&awaitable)
{
    using Plain = std::remove_cvref_t<A>;
    if constexpr (requires { typename QCoro::detail::awaiter_type<Plain>::type; })
        return typename QCoro::detail::awaiter_type<Plain>::type{awaitable};
    else if constexpr (requires { std::forward<A>(awaitable).operator co_await(); })
        return std::forward<A>(awaitable).operator co_await();
    else if constexpr (requires { operator co_await(std::forward<A>(awaitable)); })
        return operator co_await(std::forward<A>(awaitable));
    else
        return Plain(std::forward<A>(awaitable));
}

//! A coroutine that the awaited operation resumes in place of the task's own coroutine, so that a
//! cancellation can resume (and unwind) the task while the operation still runs. It keeps the
//! operation's awaiter alive until the operation is done with it, then frees itself.
struct Relay
{
    struct promise_type
    {
        Relay get_return_object() { return Relay{std::coroutine_handle<promise_type>::from_promise(*this)}; }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_never final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { std::terminate(); } // complete() does not throw
    };
    std::coroutine_handle<promise_type> handle;
};

inline Relay relay([[maybe_unused]] std::shared_ptr<void> awaiter, std::shared_ptr<Suspension> suspension)
{
    suspension->complete();
    co_return; // `awaiter` (the operation's) and `suspension` are released here
}

//! The operation's awaiter, made in place (some of QCoro's cannot be moved), on the heap: the
//! relay may outlive the coroutine that awaited it.
template<typename Inner>
struct InnerAwaiter
{
    template<typename Make>
    explicit InnerAwaiter(Make &&make) : awaiter(make())
    {
    }
    Inner awaiter;
};

template<typename Inner>
class CancellableAwaiter
{
public:
    template<typename A>
    CancellableAwaiter(CancellationToken token, A &&awaitable)
        : m_token(std::move(token))
        , m_holder(std::make_shared<InnerAwaiter<Inner>>([&]() -> Inner { return awaiterOf(std::forward<A>(awaitable)); }))
        , m_inner(&m_holder->awaiter)
    {
    }

    ~CancellableAwaiter()
    {
        if (m_suspension)
            m_suspension->abandon();
    }
    // Moved, not copied: QCoro's await_transform may move an awaitable before awaiting it, and
    // only one awaiter may own the suspension.
    CancellableAwaiter(CancellableAwaiter &&other) noexcept
        : m_token(std::move(other.m_token))
        , m_holder(std::move(other.m_holder))
        , m_inner(other.m_inner)
        , m_suspension(std::move(other.m_suspension))
        , m_cancelledBefore(other.m_cancelledBefore)
    {
    }
    CancellableAwaiter(const CancellableAwaiter &) = delete;
    CancellableAwaiter &operator=(const CancellableAwaiter &) = delete;

    bool await_ready()
    {
        m_cancelledBefore = m_token.isCancelled();
        return m_cancelledBefore || m_inner->await_ready();
    }

    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting)
    {
        m_suspension = Suspension::create(awaiting);
        if (!m_suspension->arm(m_token))
            return awaiting; // cancelled meanwhile: start nothing, resume at once and throw
        Relay stand = relay(m_holder, m_suspension);
        using Result = decltype(m_inner->await_suspend(stand.handle));
        if constexpr (std::is_void_v<Result>) {
            m_inner->await_suspend(stand.handle);
            return std::noop_coroutine();
        } else if constexpr (std::is_same_v<Result, bool>) {
            if (m_inner->await_suspend(stand.handle))
                return std::noop_coroutine();
            return finishedWithoutSuspending(stand, awaiting);
        } else {
            return m_inner->await_suspend(stand.handle); // symmetric transfer, as the awaiter asks
        }
    }

    decltype(auto) await_resume()
    {
        if (m_suspension) {
            m_suspension->end();
            if (m_suspension->cancelled())
                throw TaskCancelled();
        }
        if (m_cancelledBefore)
            throw TaskCancelled();
        return m_inner->await_resume();
    }

private:
    std::coroutine_handle<> finishedWithoutSuspending(Relay stand, std::coroutine_handle<> awaiting)
    {
        stand.handle.destroy(); // the operation will never resume it
        if (!m_suspension->claim())
            return std::noop_coroutine(); // a cancellation from another thread resumes it
        m_suspension->end();
        return awaiting;
    }

    CancellationToken m_token;
    std::shared_ptr<InnerAwaiter<Inner>> m_holder;
    Inner *m_inner; //!< in m_holder
    std::shared_ptr<Suspension> m_suspension;
    bool m_cancelledBefore = false;
};

} // namespace detail

//! Makes any awaitable a cancellation point of a coroutine:
//! \code
//! QNetworkReply *reply = nam.get(request);
//! co_await afterwork::cancellable(token, reply);                       // QCoro's awaitables
//! co_await afterwork::cancellable(token, qCoro(&timer, &QTimer::timeout));
//! const int n = co_await afterwork::cancellable(token, otherCoroutine()); // a QCoro::Task<int>
//! \endcode
//! It awaits \a awaitable as a plain `co_await` would, and returns its result. If \a token is
//! cancelled first (by Task::cancel(), a timeout or a shutdown), the coroutine resumes at once
//! and this throws TaskCancelled: the coroutine unwinds and the engine ends the task Cancelled
//! (or TimeoutError). The operation itself is not stopped: its awaiter is kept alive until the
//! operation is done with it, so a late reply or signal reaches nothing that was freed, and it
//! never resumes the coroutine. (An operation that never ends keeps that small awaiter for good.)
//! A cancellation on the coroutine's thread, as a shutdown and TaskEngine's destructor are,
//! resumes it before cancel() returns; one from another thread is posted to the coroutine's thread.
//! Already cancelled: throws at once without starting the operation.
template<typename A>
auto cancellable(CancellationToken token, A &&awaitable)
{
    using Inner = decltype(detail::awaiterOf(std::forward<A>(awaitable)));
    return detail::CancellableAwaiter<Inner>(std::move(token), std::forward<A>(awaitable));
}

//! QCoro::Task<T>: finished when the coroutine returns or throws. The token is not watched here:
//! the coroutine cooperates through the one it was given (afterwork::delay(),
//! afterwork::cancellable()); the task ends when the coroutine really ends.
template<typename T>
struct AsyncAdapter<QCoro::Task<T>>
{
    static constexpr bool isAsync = true; //!< QCoro::Task<T> is an AsyncResult

    //! Awaits \a task in a detached driver coroutine, started at once on the calling (engine)
    //! thread; calls \a done with the exception it threw, or nullptr and its `co_return` value,
    //! when it finishes.
    static void start(QCoro::Task<T> &&task, const CancellationToken &, AsyncDone done)
    {
        // The driver starts eagerly and is detached: QCoro frees a finished, unreferenced frame.
        (void)detail::driveCoroutine<T>(std::move(task), std::move(done));
    }
};

} // namespace afterwork
