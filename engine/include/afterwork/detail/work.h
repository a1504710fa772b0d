// SPDX-License-Identifier: MIT
#pragma once

// Turns a user's callable and arguments into type-erased Work. Internal: use Scheduler.

#include <afterwork/asyncwork.h>
#include <afterwork/named.h>
#include <afterwork/taskenums.h>

#include <QtCore/QDebug>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace afterwork {

namespace detail {

//! Type-erased work: one shared closure (callable + argument copies) and plain function pointers
//! that know its type. No std::function: its capture would be a second heap block per task.
struct Work
{
    WorkKind kind = WorkKind::Sync;
    std::shared_ptr<void> closure; //!< shared so that Task::rerun() can call the same closure again
    //! Calls the closure: runSyncFn for sync work, startAsyncFn for async work (`kind` says
    //! which). One slot for both keeps a task's state in a smaller allocation size class.
    union {
        void (*runSyncFn)(void *closure, const CancellationToken &, std::unique_ptr<QVariant> *result) = nullptr;
        void (*startAsyncFn)(void *closure, const CancellationToken &, AsyncDone);
    };
    QString label;
    QStringList arguments; //!< printable form, one per argument
    //! The stored argument \a index and its type (through \a type), or nullptr when \a index is out
    //! of range. Null for work without arguments.
    const void *(*argumentFn)(const void *closure, int index, const std::type_info **type) = nullptr;

    //! The stored argument \a index if it is there and its type is \a type; nullptr otherwise.
    const void *argument(int index, const std::type_info &type) const
    {
        const std::type_info *stored = nullptr;
        const void *value = argumentFn ? argumentFn(closure.get(), index, &stored) : nullptr;
        return value && *stored == type ? value : nullptr;
    }

    //! Runs sync work; stores what it returned, if anything, in \a result when given (nullptr:
    //! ignore it).
    void runSync(const CancellationToken &token, std::unique_ptr<QVariant> *result = nullptr) const
    {
        Q_ASSERT(kind == WorkKind::Sync && runSyncFn);
        runSyncFn(closure.get(), token, result);
    }
    void startAsync(const CancellationToken &token, AsyncDone done) const
    {
        Q_ASSERT(kind == WorkKind::Async && startAsyncFn);
        startAsyncFn(closure.get(), token, std::move(done));
    }
};

QString typeLabel(const std::type_info &type);  //!< demangled and shortened ("lambda" for lambdas)
QString functionPointerLabel(const void *address, const std::type_info &type);

template<typename T>
QString printable(const T &value)
{
    // The commonest arguments without a QDebug stream (a tenth of an HTTP task route's cost);
    // the text is the same as QDebug's.
    if constexpr (std::is_same_v<T, bool>) {
        return value ? QStringLiteral("true") : QStringLiteral("false");
    } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, char> && !std::is_same_v<T, char16_t>
                         && !std::is_same_v<T, char32_t> && !std::is_same_v<T, char8_t> && !std::is_same_v<T, wchar_t>) {
        return QString::number(value);
    } else if constexpr (requires(QDebug debug, const T &v) { debug << v; }) {
        QString text;
        QDebug(&text).nospace() << value;
        return text;
    } else {
        return QLatin1Char('<') + typeLabel(typeid(T)) + QLatin1Char('>');
    }
}

template<typename F>
QString callableLabel(const F &fn)
{
    if constexpr (std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>) {
        return functionPointerLabel(reinterpret_cast<const void *>(fn), typeid(F));
    } else {
        // Demangling costs more than the rest of schedule(): once per callable type.
        static const QString label = typeLabel(typeid(F));
        return label;
    }
}

// The work sees its arguments as const lvalues: they stay as scheduled, so that Task::rerun() calls
// the work with the same values and error handlers may read them (Task::argument()) from any thread.
template<typename F, typename... Args>
constexpr bool takesToken = std::is_invocable_v<F &, const CancellationToken &, const Args &...>;

template<typename F, typename... Args>
auto invokeWork(F &fn, const CancellationToken &token, const std::tuple<Args...> &args)
{
    return std::apply(
        [&](const Args &...unpacked) {
            if constexpr (takesToken<F, Args...>)
                return std::invoke(fn, token, unpacked...);
            else
                return std::invoke(fn, unpacked...);
        },
        args);
}

//! Argument \a index of \a args and its type; nullptr when out of range (Work::argumentFn).
template<typename Tuple>
const void *tupleArgument(const Tuple &args, int index, const std::type_info **type)
{
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        const void *found = nullptr;
        (void)((int(I) == index && (found = &std::get<I>(args), *type = &typeid(std::tuple_element_t<I, Tuple>), true))
               || ...);
        return found;
    }(std::make_index_sequence<std::tuple_size_v<Tuple>>{});
}

template<typename F, typename... Args>
Work makeWork(QString label, F &&fn, Args &&...args)
{
    using Fn = std::decay_t<F>;
    static_assert(takesToken<Fn, std::decay_t<Args>...> || std::is_invocable_v<Fn &, const std::decay_t<Args> &...>,
                  "Afterwork cannot call this work with these arguments. Work is called as "
                  "f(args...) or f(const afterwork::CancellationToken &, args...), with const "
                  "references to copies of the arguments (take them by value or const reference).");
    using R = decltype(invokeWork(std::declval<Fn &>(), std::declval<const CancellationToken &>(),
                                  std::declval<const std::tuple<std::decay_t<Args>...> &>()));
    static_assert(!UnadaptedCoroutine<R>,
                  "This work returns a coroutine type: #include <afterwork/qcoro.h> to run "
                  "QCoro::Task work on the engine thread.");

    // One allocation holds the callable and the argument copies; shared so that move-only
    // callables work and Task::rerun() can call the same closure again.
    using ArgTuple = std::tuple<std::decay_t<Args>...>;
    struct Closure
    {
        Fn fn;
        ArgTuple args;
    };
    auto closure = std::make_shared<Closure>(Closure{Fn(std::forward<F>(fn)), {std::forward<Args>(args)...}});

    Work work;
    work.label = std::move(label);
    if constexpr (sizeof...(Args) > 0) {
        work.arguments = std::apply([](const auto &...each) { return QStringList{printable(each)...}; }, closure->args);
        work.argumentFn = [](const void *erased, int index, const std::type_info **type) {
            return tupleArgument(static_cast<const Closure *>(erased)->args, index, type);
        };
    }
    if (work.label.isEmpty())
        work.label = callableLabel(closure->fn);
    if constexpr (AsyncResult<R>) {
        work.kind = WorkKind::Async;
        work.startAsyncFn = [](void *erased, const CancellationToken &token, AsyncDone done) {
            auto *c = static_cast<Closure *>(erased);
            // A coroutine that takes `const CancellationToken &` keeps a reference: give it a token
            // that lives until the work is done (the completion owns it), not a temporary.
            auto stableToken = std::make_shared<const CancellationToken>(token);
            AsyncDone keepAlive([stableToken, done = std::move(done)](std::exception_ptr error, QVariant *value) {
                done(std::move(error), value);
            });
            AsyncAdapter<std::remove_cvref_t<R>>::start(invokeWork(c->fn, *stableToken, c->args), *stableToken,
                                                        std::move(keepAlive));
        };
    } else {
        work.kind = WorkKind::Sync;
        work.runSyncFn = [](void *erased, const CancellationToken &token, std::unique_ptr<QVariant> *result) {
            auto *c = static_cast<Closure *>(erased);
            if constexpr (keepsValue<std::remove_cvref_t<R>>) {
                // The work's value, for Task::outcome(), when the caller wants it.
                auto &&value = invokeWork(c->fn, token, c->args);
                if (result)
                    *result = std::make_unique<QVariant>(QVariant::fromValue(std::as_const(value)));
            } else {
                (void)invokeWork(c->fn, token, c->args);
            }
        };
    }
    work.closure = std::move(closure);
    return work;
}

template<typename F, typename... Args>
Work makeWork(Named<F> named, Args &&...args)
{
    return makeWork(std::move(named.label), std::move(named.fn), std::forward<Args>(args)...);
}

template<typename F, typename... Args>
Work makeWorkFrom(F &&fn, Args &&...args)
{
    if constexpr (requires { std::remove_cvref_t<F>::isAfterworkNamed; })
        return makeWork(std::forward<F>(fn), std::forward<Args>(args)...);
    else
        return makeWork(QString(), std::forward<F>(fn), std::forward<Args>(args)...);
}

} // namespace detail
} // namespace afterwork
