// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/cancellationtoken.h>
#include <afterwork/taskconfig.h>
#include <afterwork/taskenums.h>
#include <afterwork/taskerror.h>
#include <afterwork/taskoutcome.h>
#include <afterwork/taskprogress.h>

#include <QtCore/QFuture>
#include <QtCore/QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <typeinfo>

namespace afterwork {

namespace detail {
struct TaskState;
class EngineCore;
}

//! A handle to one scheduled task: cheap to copy, safe to read from any thread, valid after the
//! task ended and after the engine is gone. This is the `task` an error handler receives.
class Task
{
public:
    Task() = default; //!< an invalid handle

    //! False for a default-constructed handle; the other accessors then return defaults.
    bool isValid() const { return bool(d); }
    quint64 id() const;            //!< unique per engine, from 1
    QString name() const;          //!< the configured name, or a generated "label#id"
    const TaskConfig &config() const; //!< the merged config; a copy, never the global one
    QString functionLabel() const; //!< the work's function name (or named() label)
    QStringList arguments() const; //!< printable form of each argument, such as `"a@b.c"`
    QString argumentsText() const; //!< the same, joined: `("a@b.c", "Welcome!")`
    int argumentCount() const;     //!< how many arguments the work was scheduled with

    //! Argument \a index (from 0) as the work got it, if its type is exactly `std::decay_t<T>`, the
    //! type schedule() stored (so `argument<const QString &>(0)` is `argument<QString>(0)`);
    //! std::nullopt for another type or an index out of range. What fastapi-tasks' handlers do with
    //! `task.kwargs.get("payment_id")`: `task.argument<qint64>(0)`. No conversion is made: a task
    //! scheduled with the literal `42` holds an `int`, not a `qint64`.
    //! Not found is std::nullopt rather than an exception because a handler often serves tasks of
    //! different signatures (a global one) and asks; a throwing handler would turn the question
    //! into a handler error on the task.
    //! Any thread, at any time: the arguments never change once scheduled (the work and reruns get
    //! them as const references), and they live as long as the task's state, i.e. any Task handle.
    template<typename T>
    std::optional<std::decay_t<T>> argument(int index) const
    {
        static_assert(std::is_copy_constructible_v<std::decay_t<T>>,
                      "Task::argument<T>() returns a copy: use argumentIf<T>() for move-only arguments.");
        if (const auto *value = argumentIf<T>(index))
            return *value;
        return std::nullopt;
    }
    //! The same without a copy, like std::get_if: a pointer to the stored argument, or nullptr. It
    //! stays valid as long as a Task handle to this task exists (this one or a copy).
    template<typename T>
    const std::decay_t<T> *argumentIf(int index) const
    {
        return static_cast<const std::decay_t<T> *>(argumentAddress(index, typeid(std::decay_t<T>)));
    }

    Phase phase() const;           //!< the latest phase reported for it (terminal once it ended)
    Mode mode() const;             //!< when it was to start: at once or in a scope's batch
    WorkKind work() const;         //!< sync work on the pool, or async work on the engine thread
    bool isShielded() const;       //!< its merged config's TaskConfig::shield
    int attempt() const;           //!< 1 for the first run; retries count up
    quint64 requestId() const;     //!< the TaskScope's request id, 0 outside a scope
    std::optional<TaskError> error() const; //!< the last attempt's error, once it failed
    //! The latest progress its work reported (CancellationToken::reportProgress()), even one the
    //! engine has not emitted yet; std::nullopt if it never reported. Any thread; kept after the end.
    std::optional<TaskProgress> progress() const;
    //! The task's token, cancelled by TaskEngine::cancel() and by shutdown. The work of a task
    //! with a TaskConfig::timeout (other than noTimeout) receives a child of it, which the timeout
    //! cancels too.
    CancellationToken cancellationToken() const;

    //! A future that finishes when the task has ended, with how it ended and, where the work
    //! returned one, its value: `co_await task.outcome()` in a QCoro coroutine, or watch it with a
    //! QFutureWatcher. Any thread, any number of times; a task nobody follows costs nothing extra.
    //!  - Finished already once the task's terminal phase is stored, which is before its terminal
    //!    taskEvent() is emitted: a receiver of that event may read the result at once.
    //!  - Otherwise fulfilled on the engine thread right after that event, so a QFuture::then()
    //!    continuation without a context runs there. On Qt 6.4 do not call then() on it at all (it
    //!    can run its continuation twice): use whenEnded(), a QFutureWatcher or co_await.
    //!  - Every call before the end returns the same shared future: cancelling it cancels it for
    //!    every follower (the task itself is not affected; use TaskEngine::cancel()).
    //!  - Finished without a result for an invalid handle, and when the engine is destroyed before
    //!    the task could end (only a task scheduled from running work during the destruction).
    QFuture<TaskOutcome> outcome() const;
    //! Calls \a fn with the outcome on \a context's thread once the task has ended: always later,
    //! never inside this call, even if it has already ended. Any thread; \a context must stay alive
    //! during the call. Not called if \a context is destroyed first, nor if the task has no
    //! outcome (see outcome()); an invalid handle is logged and ignored. \a context's thread must
    //! run an event loop until then. An exception from \a fn is logged and dropped.
    void whenEnded(const QObject *context, std::function<void(const TaskOutcome &)> fn) const;

    //! Runs the task's work once more, outside its lifecycle (no events, no handler): fastapi-tasks'
    //! retry-in-handler pattern. Sync work runs on the engine's pool, async work starts on the
    //! engine thread. The future finishes when the work does and carries its exception.
    QFuture<void> rerun() const;
    //! Runs sync work once more on the calling thread and throws what it throws (for sync
    //! handlers, which already run on the pool). Throws std::logic_error for async work.
    void rerunHere() const;

    //! Two handles are equal when they refer to the same task (or both are invalid).
    friend bool operator==(const Task &a, const Task &b) { return a.d == b.d; }

private:
    friend class detail::EngineCore;
    friend class TaskEngine;
    explicit Task(std::shared_ptr<detail::TaskState> state) : d(std::move(state)) {}
    const void *argumentAddress(int index, const std::type_info &type) const;
    std::shared_ptr<detail::TaskState> d;
};

} // namespace afterwork

Q_DECLARE_METATYPE(afterwork::Task)
