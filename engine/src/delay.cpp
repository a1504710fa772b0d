// SPDX-License-Identifier: MIT
#include <afterwork/delay.h>
#include <afterwork/taskerror.h>

#include <QtCore/QPointer>
#include <QtCore/QThread>
#include <QtCore/QTimer>

#include <atomic>

namespace afterwork {

namespace detail {
// Lives as long as either the timer or a cancellation callback may still resume the coroutine;
// `resumed` makes sure exactly one of them does.
struct DelayState
{
    std::atomic<bool> resumed{false};
    std::coroutine_handle<> awaiting;
    QPointer<QTimer> timer; // lives on the awaiting thread
    quint64 callbackId = 0;

    void resumeOnce()
    {
        if (resumed.exchange(true))
            return;
        if (timer)
            timer->deleteLater();
        awaiting.resume();
    }
};
} // namespace detail

DelayAwaiter::DelayAwaiter(CancellationToken token, std::chrono::milliseconds duration)
    : m_token(std::move(token))
    , m_duration(duration)
{
}

bool DelayAwaiter::await_ready() const noexcept
{
    return m_token.isCancelled() || m_duration.count() <= 0;
}

void DelayAwaiter::await_suspend(std::coroutine_handle<> awaiting)
{
    m_state = std::make_shared<detail::DelayState>();
    m_state->awaiting = awaiting;
    auto *timer = new QTimer();
    timer->setSingleShot(true);
    m_state->timer = timer;
    std::weak_ptr<detail::DelayState> weak = m_state;
    QObject::connect(timer, &QTimer::timeout, timer, [weak] {
        if (auto state = weak.lock())
            state->resumeOnce();
    });
    // Cancellation may come from any thread: hop to the timer's (the coroutine's) thread to resume.
    QPointer<QTimer> guard = timer;
    m_state->callbackId = m_token.onCancel([weak, guard] {
        if (guard) {
            QMetaObject::invokeMethod(guard.data(), [weak] {
                if (auto state = weak.lock())
                    state->resumeOnce();
            }, Qt::QueuedConnection);
        }
    });
    timer->start(m_duration);
}

void DelayAwaiter::await_resume() const
{
    if (m_state) {
        m_token.removeCallback(m_state->callbackId);
        if (m_state->timer)
            m_state->timer->deleteLater();
    }
    m_token.throwIfCancelled();
}

} // namespace afterwork
