// SPDX-License-Identifier: MIT
#include <afterwork/delay.h>
#include <afterwork/detail/suspension.h>
#include <afterwork/taskerror.h>

#include <QtCore/QTimer>

namespace afterwork {

DelayAwaiter::DelayAwaiter(CancellationToken token, std::chrono::milliseconds duration)
    : m_token(std::move(token))
    , m_duration(duration)
{
}

DelayAwaiter::DelayAwaiter(DelayAwaiter &&other) noexcept
    : m_token(std::move(other.m_token))
    , m_duration(other.m_duration)
    , m_suspension(std::move(other.m_suspension))
    , m_timer(std::exchange(other.m_timer, nullptr))
{
}

DelayAwaiter::~DelayAwaiter()
{
    if (m_suspension)
        m_suspension->abandon();
    // On the awaiting thread (a frame is unwound on the thread that runs it). A timer that fired
    // is still emitting timeout(): this coroutine was resumed from inside that signal.
    if (auto *timer = static_cast<QTimer *>(m_timer)) {
        if (timer->isActive())
            delete timer;
        else
            timer->deleteLater();
    }
}

bool DelayAwaiter::await_ready() const noexcept
{
    return m_token.isCancelled() || m_duration.count() <= 0;
}

bool DelayAwaiter::await_suspend(std::coroutine_handle<> awaiting)
{
    m_suspension = detail::Suspension::create(awaiting);
    if (!m_suspension->arm(m_token))
        return false; // cancelled meanwhile: resume at once (await_resume throws)
    auto *timer = new QTimer;
    timer->setSingleShot(true);
    std::weak_ptr<detail::Suspension> weak = m_suspension;
    QObject::connect(timer, &QTimer::timeout, timer, [weak] {
        if (auto suspension = weak.lock())
            suspension->complete();
    });
    m_timer = timer;
    timer->start(m_duration);
    return true;
}

void DelayAwaiter::await_resume()
{
    if (m_suspension) {
        m_suspension->end();
        if (m_suspension->cancelled())
            throw TaskCancelled();
    }
    m_token.throwIfCancelled();
}

} // namespace afterwork
