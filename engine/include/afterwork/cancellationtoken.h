// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtCore/QtGlobal>

#include <functional>
#include <memory>

namespace afterwork {

namespace detail {
class CancelState;
struct TaskState;
struct ProgressBinding;
}

//! Why a token was cancelled.
enum class CancelReason : quint8 {
    None,     //!< not cancelled
    Request,  //!< TaskEngine::cancel(), or the task's scope was cancelled
    Shutdown, //!< the engine is shutting down and the task is not shielded
    Timeout,  //!< the attempt's TaskConfig::timeout elapsed (the task then fails with TimeoutError)
};

//! A read-only view of a task's cancellation, handed to work that wants to cooperate.
//!
//! Work receives the token when its callable accepts a `const CancellationToken&` as its first
//! parameter. Tokens are cheap to copy and safe to use from any thread. A default-constructed
//! token is never cancelled.
class CancellationToken
{
public:
    CancellationToken() = default;

    //! True once its source (or that source's parent) is cancelled; never for a default token.
    bool isCancelled() const noexcept;
    //! Why it was cancelled; CancelReason::None while it is not.
    CancelReason reason() const noexcept;
    //! Throws TaskCancelled if the token is cancelled; the engine reports that as cancellation.
    void throwIfCancelled() const;

    //! Calls \a callback once when the token is cancelled (at once, on this thread, if it already
    //! is; otherwise on the thread that cancels). Returns an id for removeCallback(). The callback
    //! must be short and must not throw.
    quint64 onCancel(std::function<void()> callback) const;
    //! Unregisters the callback that onCancel() returned \a id for. Harmless for a callback that
    //! already ran and for id 0 (what onCancel() returns when it called the callback at once).
    void removeCallback(quint64 id) const;

    //! Reports how far the task's work has come: \a done of \a total units (\a total 0 when unknown),
    //! with an optional short \a message. Any thread, any number of times: a report costs a lock and
    //! a store (under 100 ns); the engine emits TaskEngine::taskProgress() at most once per 100 ms per
    //! task, always with the latest value. Progress travels with the token because the token is what
    //! every kind of work already receives (sync work, coroutines, handlers) and what crosses the
    //! threads the work uses; a separate context object would be one more parameter to thread
    //! through. A default-constructed token, or one of a CancellationSource the engine did not
    //! make, ignores reports, as does any token once its task has ended.
    void reportProgress(qint64 done, qint64 total, const QString &message = {}) const;

private:
    friend class CancellationSource;
    explicit CancellationToken(std::shared_ptr<detail::CancelState> state);
    std::shared_ptr<detail::CancelState> m_state;
};

//! The writable side: the engine cancels through it. A source may have a parent: the child is
//! cancelled whenever the parent is (the engine gives each attempt of a task with a timeout a
//! child of the task's source, so that the timeout cancels the attempt only).
class CancellationSource
{
public:
    CancellationSource();
    //! A new source that is also cancelled whenever \a parent is.
    static CancellationSource childOf(const CancellationSource &parent);

    //! The read-only view to hand to work; it sees this source's cancellation (and its parent's).
    CancellationToken token() const;
    //! Cancels with \a reason and runs the callbacks registered on its tokens (and its children's)
    //! on the calling thread. Returns false if it was already cancelled, itself or through its
    //! parent (the first reason wins).
    bool cancel(CancelReason reason) const;
    //! True once this source or its parent is cancelled.
    bool isCancelled() const noexcept;

private:
    friend struct detail::ProgressBinding;
    std::shared_ptr<detail::CancelState> m_state;
};

} // namespace afterwork
