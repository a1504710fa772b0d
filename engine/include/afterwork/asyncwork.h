// SPDX-License-Identifier: MIT
#pragma once

// How the engine recognises and drives async work. Core knows QFuture<T>; QCoro::Task<T> support
// lives in <afterwork/qcoro.h> so that the engine itself never needs QCoro (see STYLE.md #14).

#include <afterwork/cancellationtoken.h>
#include <afterwork/taskerror.h>

#include <QtCore/QFuture>
#include <QtCore/QFutureWatcher>
#include <QtCore/QVariant>

#include <exception>
#include <functional>
#include <type_traits>

namespace afterwork {

//! How async work reports its end, exactly once, on the engine thread: `done(error)`, where
//! \a error is nullptr on success and the exception otherwise (TaskCancelled for cancellation);
//! work that produced a value (TaskOutcome::value) passes it too: `done(nullptr, &value)`.
class AsyncDone
{
public:
    //! What it calls: the error, and the value or nullptr (a pointer, so that work without a value
    //! never builds a QVariant).
    using Fn = std::function<void(std::exception_ptr, QVariant *)>;
    AsyncDone() = default; //!< an empty one, which must not be called
    explicit AsyncDone(Fn fn) : m_fn(std::move(fn)) {} //!< calls \a fn
    //! Reports the end: \a error (nullptr on success) and, on success, the work's \a value if it
    //! has one (the receiver may move from it).
    void operator()(std::exception_ptr error, QVariant *value = nullptr) const { m_fn(std::move(error), value); }
    explicit operator bool() const { return bool(m_fn); } //!< false for an empty one

private:
    Fn m_fn;
};

//! Specialise for a result type R to make callables returning R async work:
//! `static void start(R &&result, const CancellationToken &, AsyncDone done)`, called on the engine
//! thread; it must not block and must call done once, on the engine thread.
template<typename R>
struct AsyncAdapter;

namespace detail {
//! While the engine starts async work: the TaskEngine, on this (the engine) thread; else nullptr.
//! An adapter parents what it leaves waiting on the work to it, so that an engine destroyed while
//! the work never finishes frees it (and what it holds) instead of leaking it.
QObject *asyncContext() noexcept;

//! Whether a value of type T is kept as TaskOutcome::value: a type a QVariant can copy. Not void,
//! not a pointer (QMetaType needs its pointee complete), and copyable for real: std::vector is
//! copy-constructible by its signature even when its elements are not, so containers are judged
//! by their elements.
template<typename T>
struct KeepsValue : std::bool_constant<!std::is_void_v<T> && !std::is_pointer_v<T> && !std::is_array_v<T>
                                       && std::is_copy_constructible_v<T>>
{
};
template<typename T>
    requires requires { typename T::value_type; } && (!std::is_same_v<typename T::value_type, T>)
struct KeepsValue<T>
    : std::bool_constant<std::is_copy_constructible_v<T> && KeepsValue<std::remove_cv_t<typename T::value_type>>::value>
{
};
template<typename T>
    requires requires { typename T::first_type; typename T::second_type; }
struct KeepsValue<T> : std::bool_constant<std::is_copy_constructible_v<T> && KeepsValue<std::remove_cv_t<typename T::first_type>>::value
                                          && KeepsValue<std::remove_cv_t<typename T::second_type>>::value>
{
};
template<typename T>
inline constexpr bool keepsValue = KeepsValue<T>::value;

class AsyncContextGuard
{
public:
    explicit AsyncContextGuard(QObject *context) noexcept;
    ~AsyncContextGuard();
    AsyncContextGuard(const AsyncContextGuard &) = delete;
    AsyncContextGuard &operator=(const AsyncContextGuard &) = delete;

private:
    QObject *m_previous;
};
} // namespace detail

//! A result type that an AsyncAdapter makes async work of: QFuture<T>, and QCoro::Task<T> with
//! <afterwork/qcoro.h>. A callable returning anything else is sync work.
template<typename R>
concept AsyncResult = requires { AsyncAdapter<std::remove_cvref_t<R>>::isAsync; };

//! A coroutine return type (it has a promise_type) for which no adapter is visible.
template<typename R>
concept UnadaptedCoroutine = !AsyncResult<R> && requires { typename std::remove_cvref_t<R>::promise_type; };

//! QFuture<T>: finished when the future finishes; cancelling the token cancels the future; its
//! progress (value, range, text) is the task's progress (TaskEngine::taskProgress()).
//! A future already finished when the work returns ends the work at once; otherwise a
//! QFutureWatcher connected before setFuture() watches it, never QFuture::then() (it crashes
//! on Qt 6.4.2, see docs/http.md).
template<typename T>
struct AsyncAdapter<QFuture<T>>
{
    static constexpr bool isAsync = true; //!< QFuture<T> is an AsyncResult

    //! Watches \a future from the engine thread; when it finishes, calls \a done with the exception
    //! it stored, TaskCancelled if it was cancelled, or nullptr and its first result. Cancelling \a token cancels the
    //! future; the task ends when the future finishes (the engine reports it cancelled or timed
    //! out then). The watcher is a child of the engine, so a future that never finishes holds its
    //! task only until the engine is destroyed.
    static void start(QFuture<T> future, const CancellationToken &token, AsyncDone done)
    {
        if (future.isFinished()) {
            // Ready already (QtFuture::makeReadyFuture(), a cache hit): no watcher, no posted
            // events, as cheap as a coroutine that returns at once (docs/performance.md, 2b).
            reportProgressOf(future, token);
            deliver(future, done);
            return;
        }
        // Cancelling asks the future to cancel; the work ends when the future finishes, which
        // is at once for a QPromise that checks isCanceled(), and only when the function returns
        // for QtConcurrent::run (it ignores cancel()). The engine reports the cancellation then.
        auto *watcher = new QFutureWatcher<T>(detail::asyncContext());
        QObject::connect(watcher, &QFutureWatcherBase::finished, watcher, [watcher, done = std::move(done)]() {
            watcher->deleteLater();
            deliver(watcher->future(), done);
        });
        // The future's progress is the task's: value and text relative to its range (a QPromise's
        // setProgressRange()/setProgressValue()/setProgressValueAndText()). The watcher's signals
        // arrive on the engine thread; the token throttles them like any report.
        const auto reportProgress = [watcher, token] { reportProgressOf(watcher->future(), token); };
        QObject::connect(watcher, &QFutureWatcherBase::progressValueChanged, watcher, reportProgress);
        QObject::connect(watcher, &QFutureWatcherBase::progressRangeChanged, watcher, reportProgress);
        QObject::connect(watcher, &QFutureWatcherBase::progressTextChanged, watcher, reportProgress);
        watcher->setFuture(future);
        const quint64 callback = token.onCancel([future]() mutable { future.cancel(); });
        QObject::connect(watcher, &QObject::destroyed, [token, callback] { token.removeCallback(callback); });
    }

private:
    //! Calls \a done with what the finished \a future holds: the exception it stored,
    //! TaskCancelled if it was cancelled, or nullptr and its first result.
    static void deliver(QFuture<T> future, const AsyncDone &done)
    {
        std::exception_ptr error;
        QVariant value;
        try {
            future.waitForFinished(); // rethrows a stored exception
            if (future.isCanceled())
                error = std::make_exception_ptr(TaskCancelled());
            else if constexpr (detail::keepsValue<T>)
                value = future.resultCount() > 0 ? QVariant::fromValue(future.result()) : QVariant();
        } catch (...) {
            error = std::current_exception();
        }
        done(error, value.isValid() ? &value : nullptr);
    }
    //! Reports \a future's progress through \a token, if it has any: a future whose range, value
    //! and text are all unset (0..0, 0, empty) reports none, whether it is watched or ready.
    static void reportProgressOf(const QFuture<T> &future, const CancellationToken &token)
    {
        const int minimum = future.progressMinimum();
        const int maximum = future.progressMaximum();
        const QString text = future.progressText();
        if (minimum == 0 && maximum == 0 && future.progressValue() == 0 && text.isEmpty())
            return; // a future that never set its progress: nothing to report
        token.reportProgress(future.progressValue() - minimum, maximum - minimum, text);
    }
};

} // namespace afterwork
