// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QtGlobal>

#include <functional>
#include <memory>

namespace afterwork {

namespace detail {
class CancelState;
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

    bool isCancelled() const noexcept;
    CancelReason reason() const noexcept;
    //! Throws TaskCancelled if the token is cancelled; the engine reports that as cancellation.
    void throwIfCancelled() const;

    //! Calls \a callback once when the token is cancelled (at once, on this thread, if it already
    //! is; otherwise on the thread that cancels). Returns an id for removeCallback(). The callback
    //! must be short and must not throw.
    quint64 onCancel(std::function<void()> callback) const;
    void removeCallback(quint64 id) const;

private:
    friend class CancellationSource;
    explicit CancellationToken(std::shared_ptr<detail::CancelState> state);
    std::shared_ptr<detail::CancelState> m_state;
};

//! The writable side: the engine cancels through it. A source may have a parent: the child is
//! cancelled whenever the parent is (the engine gives each attempt a child of its task's source).
class CancellationSource
{
public:
    CancellationSource();
    //! A new source that is also cancelled whenever \a parent is.
    static CancellationSource childOf(const CancellationSource &parent);

    CancellationToken token() const;
    //! Returns false if it was already cancelled (the first reason wins).
    bool cancel(CancelReason reason) const;
    bool isCancelled() const noexcept;

private:
    std::shared_ptr<detail::CancelState> m_state;
};

} // namespace afterwork
