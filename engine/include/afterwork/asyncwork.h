// SPDX-License-Identifier: MIT
#pragma once

// How the engine recognises and drives async work. Core knows QFuture<T>; QCoro::Task<T> support
// lives in <afterwork/qcoro.h> so that the engine itself never needs QCoro (see STYLE.md #14).

#include <afterwork/cancellationtoken.h>
#include <afterwork/taskerror.h>

#include <QtCore/QFuture>
#include <QtCore/QFutureWatcher>
#include <QtCore/QMutex>

#include <exception>
#include <functional>
#include <type_traits>

namespace afterwork {

//! Called exactly once, on the engine thread, when async work ends: nullptr on success, the
//! exception otherwise (TaskCancelled for cancellation).
using AsyncDone = std::function<void(std::exception_ptr)>;

//! Specialise for a result type R to make callables returning R async work:
//! `static void start(R &&result, const CancellationToken &, AsyncDone done)`, called on the engine
//! thread; it must not block and must call done once, on the engine thread.
template<typename R>
struct AsyncAdapter;

//! A result type that an AsyncAdapter makes async work of: QFuture<T>, and QCoro::Task<T> with
//! <afterwork/qcoro.h>. A callable returning anything else is sync work.
template<typename R>
concept AsyncResult = requires { AsyncAdapter<std::remove_cvref_t<R>>::isAsync; };

//! A coroutine return type (it has a promise_type) for which no adapter is visible.
template<typename R>
concept UnadaptedCoroutine = !AsyncResult<R> && requires { typename std::remove_cvref_t<R>::promise_type; };

//! QFuture<T>: finished when the future finishes; cancelling the token cancels the future.
//! A QFutureWatcher connected before setFuture() is used, never QFuture::then() (it crashes
//! on Qt 6.4.2, see docs/http.md).
template<typename T>
struct AsyncAdapter<QFuture<T>>
{
    static constexpr bool isAsync = true; //!< QFuture<T> is an AsyncResult

    //! Watches \a future from the engine thread; when it finishes, calls \a done with the exception
    //! it stored, TaskCancelled if it was cancelled, or nullptr. Cancelling \a token cancels the
    //! future and deletes the watcher, releasing \a done uncalled: the engine ends the attempt
    //! itself (cancelled, or timed out), so a future that never finishes holds nothing.
    static void start(QFuture<T> future, const CancellationToken &token, AsyncDone done)
    {
        // Cancelling detaches the work: the future is cancelled and the watcher deleted, which
        // releases `done` (and what it keeps alive) even if the future never finishes.
        struct Link
        {
            QMutex mutex;
            QFutureWatcher<T> *watcher = nullptr; // guarded by mutex; null once destroyed
        };
        auto link = std::make_shared<Link>();
        auto *watcher = new QFutureWatcher<T>();
        link->watcher = watcher;
        QObject::connect(watcher, &QFutureWatcherBase::finished, watcher,
                         [watcher, done = std::move(done)]() {
                             watcher->deleteLater();
                             QFuture<T> finished = watcher->future();
                             std::exception_ptr error;
                             try {
                                 finished.waitForFinished(); // rethrows a stored exception
                                 if (finished.isCanceled())
                                     error = std::make_exception_ptr(TaskCancelled());
                             } catch (...) {
                                 error = std::current_exception();
                             }
                             done(error);
                         });
        QObject::connect(watcher, &QObject::destroyed, [link] {
            QMutexLocker lock(&link->mutex);
            link->watcher = nullptr;
        });
        watcher->setFuture(future);
        const quint64 callback = token.onCancel([future, link]() mutable {
            future.cancel();
            QMutexLocker lock(&link->mutex);
            if (link->watcher)
                QMetaObject::invokeMethod(link->watcher, &QObject::deleteLater, Qt::QueuedConnection);
        });
        QObject::connect(watcher, &QObject::destroyed, [token, callback] { token.removeCallback(callback); });
    }
};

} // namespace afterwork
