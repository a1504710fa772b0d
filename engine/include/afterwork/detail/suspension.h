// SPDX-License-Identifier: MIT
#pragma once

// One suspension of a coroutine at a cancellable point (afterwork::delay, afterwork::cancellable):
// whichever comes first, what it awaits or its token's cancellation, resumes it, exactly once, on
// the thread that suspended it, as code of the task it suspended in (if any: a coroutine of a task
// may then schedule during the drain, as sync work may). Internal.

#include <afterwork/cancellationtoken.h>

#include <QtCore/QPointer>

#include <atomic>
#include <coroutine>
#include <memory>

QT_BEGIN_NAMESPACE
class QObject;
class QThread;
QT_END_NAMESPACE

namespace afterwork::detail {

class EngineCore;

class Suspension : public std::enable_shared_from_this<Suspension>
{
public:
    //! On the thread of \a awaiting, inside its await_suspend.
    static std::shared_ptr<Suspension> create(std::coroutine_handle<> awaiting);
    ~Suspension();
    Suspension(const Suspension &) = delete;
    Suspension &operator=(const Suspension &) = delete;

    //! Registers with \a token. False if it is already cancelled: then the caller must not suspend
    //! (or must resume at once) and start nothing. A cancellation from the awaiting thread resumes
    //! the coroutine at once, inside cancel(), so that a shutdown (a TaskEngine's destructor
    //! included) unwinds it before it returns; one from another thread is posted to the awaiting
    //! thread's event loop.
    bool arm(const CancellationToken &token);
    //! What it awaited is done: resumes the coroutine unless cancellation got there first.
    //! Awaiting thread.
    void complete();
    //! Takes the right to resume for the caller, which then resumes (or does not suspend) itself.
    //! False if cancellation has it. Any thread.
    bool claim() noexcept { return !m_resumed.exchange(true, std::memory_order_acq_rel); }
    //! Cancellation resumed (or is resuming) the coroutine: its await_resume must throw TaskCancelled.
    bool cancelled() const noexcept { return m_cancelled.load(std::memory_order_acquire); }
    //! From await_resume: forgets the token's callback. Awaiting thread.
    void end();
    //! From the awaiter's destructor: the awaiting frame is going away (normally after it resumed;
    //! possibly destroyed while suspended): nothing may resume it any more. Awaiting thread.
    void abandon();
    //! Runs, now, the resumptions that cancellations from other threads posted to this thread:
    //! what TaskEngine's destructor does so that no coroutine of its resumes after it.
    static void resumePostedHere();
    //! How many exist now, in this process: what tests use to prove none is left behind.
    static int live() noexcept;

private:
    Suspension();
    void onCancelled();
    void resume(); //!< resumes the awaiting coroutine as code of its task

    std::coroutine_handle<> m_awaiting;
    std::weak_ptr<EngineCore> m_taskEngine; //!< the engine of the task it suspended in; empty outside tasks
    QThread *m_thread = nullptr;
    QPointer<QObject> m_dispatcher; //!< the awaiting thread's event dispatcher: where to post to
    CancellationToken m_token;
    quint64 m_callback = 0;
    bool m_arming = false;          //!< arm() runs (awaiting thread only)
    bool m_cancelledWhileArming = false;
    std::atomic<bool> m_resumed{false};
    bool m_frameGone = false; //!< abandon() ran (awaiting thread only)
    std::atomic<bool> m_cancelled{false};
};

} // namespace afterwork::detail
