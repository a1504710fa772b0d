// SPDX-License-Identifier: MIT
#include <afterwork/delay.h>
#include <afterwork/taskerror.h>

#include <QtCore/QMutex>
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
    quint64 callbackId = 0;
    // The timer lives on the awaiting thread; the cancel callback may run on any thread, so it
    // reaches the timer only under this mutex, and the timer clears the pointer as it dies.
    QMutex mutex;
    QTimer *timer = nullptr; // guarded by mutex

    void resumeOnce()
    {
        if (resumed.exchange(true))
            return;
        {
            QMutexLocker lock(&mutex);
            if (timer)
                timer->deleteLater();
        }
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
    QObject::connect(timer, &QObject::destroyed, [weak] {
        if (auto state = weak.lock()) {
            QMutexLocker lock(&state->mutex);
            state->timer = nullptr;
        }
    });
    // Cancellation may come from any thread: hop to the timer's (the coroutine's) thread to resume.
    m_state->callbackId = m_token.onCancel([weak] {
        auto state = weak.lock();
        if (!state)
            return;
        QMutexLocker lock(&state->mutex);
        if (state->timer) {
            QMetaObject::invokeMethod(state->timer, [weak] {
                if (auto s = weak.lock())
                    s->resumeOnce();
            }, Qt::QueuedConnection);
        }
    });
    timer->start(m_duration);
}

void DelayAwaiter::await_resume() const
{
    if (m_state)
        m_token.removeCallback(m_state->callbackId);
    m_token.throwIfCancelled();
}

} // namespace afterwork
