// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/cancellationtoken.h>

#include <chrono>
#include <coroutine>
#include <memory>

QT_BEGIN_NAMESPACE
class QObject;
QT_END_NAMESPACE

namespace afterwork {

namespace detail {
class Suspension;
}

//! A cancellable pause for coroutines: `co_await afterwork::delay(token, 50ms);` resumes on the
//! awaiting thread after \a duration, or as soon as \a token is cancelled, in which case it throws
//! TaskCancelled (so the engine ends the task Cancelled, or failed with TimeoutError on a timeout).
//! A cancellation on the awaiting thread (a shutdown, the TaskEngine's destructor included)
//! resumes it before cancel() returns. Needs an event loop. To make any other awaitable a
//! cancellation point, see afterwork::cancellable() in <afterwork/qcoro.h>.
class DelayAwaiter
{
public:
    //! Made by delay(); a zero or negative \a duration does not suspend.
    DelayAwaiter(CancellationToken token, std::chrono::milliseconds duration);
    ~DelayAwaiter();
    //! Moved only before it is awaited (delay() returns it).
    DelayAwaiter(DelayAwaiter &&) noexcept;
    DelayAwaiter(const DelayAwaiter &) = delete;
    DelayAwaiter &operator=(const DelayAwaiter &) = delete;
    DelayAwaiter &operator=(DelayAwaiter &&) = delete;

    //! The coroutine protocol, called by `co_await`: no suspension when the token is already
    //! cancelled or the duration is not positive; otherwise a single-shot timer on the awaiting
    //! thread, raced by the token's cancellation (detail::Suspension);
    //! await_resume() throws TaskCancelled when the token is cancelled.
    //! @{
    bool await_ready() const noexcept;
    bool await_suspend(std::coroutine_handle<> awaiting);
    void await_resume();
    //! @}

private:
    CancellationToken m_token;
    std::chrono::milliseconds m_duration;
    std::shared_ptr<detail::Suspension> m_suspension;
    QObject *m_timer = nullptr; //!< lives on the awaiting thread until the pause ends
};

//! Pauses a coroutine for \a duration, or until \a token is cancelled; see DelayAwaiter.
inline DelayAwaiter delay(CancellationToken token, std::chrono::milliseconds duration)
{
    return DelayAwaiter(std::move(token), duration);
}

} // namespace afterwork
