// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/cancellationtoken.h>

#include <chrono>
#include <coroutine>
#include <memory>

namespace afterwork {

namespace detail {
struct DelayState;
}

//! A cancellable pause for coroutines: `co_await afterwork::delay(token, 50ms);` resumes on the
//! awaiting thread after \a duration, or as soon as \a token is cancelled, in which case it throws
//! TaskCancelled (so the engine ends the task Cancelled, or failed with TimeoutError on a timeout).
//! This is how async work is "cancelled at its next suspension point". Needs an event loop.
class DelayAwaiter
{
public:
    //! Made by delay(); a zero or negative \a duration does not suspend.
    DelayAwaiter(CancellationToken token, std::chrono::milliseconds duration);
    //! The coroutine protocol, called by `co_await`: no suspension when the token is already
    //! cancelled or the duration is not positive; otherwise a single-shot timer on the awaiting
    //! thread, and a cancel callback that resumes the coroutine early on that thread;
    //! await_resume() throws TaskCancelled when the token is cancelled.
    //! @{
    bool await_ready() const noexcept;
    void await_suspend(std::coroutine_handle<> awaiting);
    void await_resume() const;
    //! @}

private:
    CancellationToken m_token;
    std::chrono::milliseconds m_duration;
    std::shared_ptr<detail::DelayState> m_state;
};

//! Pauses a coroutine for \a duration, or until \a token is cancelled; see DelayAwaiter.
inline DelayAwaiter delay(CancellationToken token, std::chrono::milliseconds duration)
{
    return DelayAwaiter(std::move(token), duration);
}

} // namespace afterwork
