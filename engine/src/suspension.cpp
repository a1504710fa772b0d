// SPDX-License-Identifier: MIT
#include <afterwork/detail/suspension.h>

#include "taskcontext.h"

#include <afterwork/detail/handoff.h>

#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QCoreApplication>
#include <QtCore/QThread>

namespace afterwork::detail {

namespace {
std::atomic<int> liveSuspensions{0};
}

Suspension::Suspension()
{
    liveSuspensions.fetch_add(1, std::memory_order_relaxed);
}

int Suspension::live() noexcept
{
    return liveSuspensions.load(std::memory_order_relaxed);
}

std::shared_ptr<Suspension> Suspension::create(std::coroutine_handle<> awaiting)
{
    std::shared_ptr<Suspension> suspension(new Suspension);
    suspension->m_awaiting = awaiting;
    suspension->m_taskEngine = currentTaskEngine();
    suspension->m_thread = QThread::currentThread();
    suspension->m_dispatcher = QAbstractEventDispatcher::instance();
    return suspension;
}

Suspension::~Suspension()
{
    end();
    liveSuspensions.fetch_sub(1, std::memory_order_relaxed);
}

bool Suspension::arm(const CancellationToken &token)
{
    m_token = token;
    m_arming = true;
    std::weak_ptr<Suspension> weak = weak_from_this();
    m_callback = m_token.onCancel([weak] {
        if (auto self = weak.lock())
            self->onCancelled();
    });
    m_arming = false;
    return !m_cancelledWhileArming;
}

void Suspension::onCancelled()
{
    if (!claim())
        return; // what it awaited resumed it first
    m_cancelled.store(true, std::memory_order_release);
    if (QThread::currentThread() == m_thread) {
        if (m_arming) { // already cancelled when it suspended: arm() tells the caller
            m_cancelledWhileArming = true;
            return;
        }
        resume();
        return;
    }
    // The coroutine must resume on its own thread. If that thread's event loop is gone, nothing
    // would ever resume it anyway.
    if (QObject *dispatcher = m_dispatcher.data()) {
        QMetaObject::invokeMethod(
            dispatcher,
            handedOff([self = shared_from_this()] {
                if (!self->m_frameGone) // destroyed while the resumption was on its way
                    self->resume();
            }),
            Qt::QueuedConnection);
    }
}

void Suspension::complete()
{
    if (!claim())
        return; // cancellation resumed it (or will): what it awaited is ignored
    end();
    resume();
}

void Suspension::resume()
{
    // The coroutine runs until its next suspension (or its end) inside this call.
    const std::weak_ptr<EngineCore> taskEngine = m_taskEngine; // this may be freed by then
    TaskContextGuard context(taskEngine.expired() ? nullptr : &taskEngine);
    m_awaiting.resume();
}

void Suspension::abandon()
{
    m_frameGone = true;
    m_resumed.store(true, std::memory_order_release); // what it awaited, or a cancellation, comes too late
    end();
}

void Suspension::resumePostedHere()
{
    if (QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance())
        QCoreApplication::sendPostedEvents(dispatcher, QEvent::MetaCall);
}

void Suspension::end()
{
    if (m_callback != 0) {
        m_token.removeCallback(m_callback);
        m_callback = 0;
    }
}

} // namespace afterwork::detail
