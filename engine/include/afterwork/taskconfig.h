// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/errorhandler.h>

#include <QtCore/QString>

#include <chrono>
#include <functional>
#include <optional>

namespace afterwork {

//! A built-in retry policy: the convenient form of the retry-in-handler pattern (docs/http.md).
//! Attempt n (n >= 2) waits initialBackoff * multiplier^(n-2), capped at maxBackoff, then spread
//! by +-jitter (0.2 = +-20%). The error handler runs only after the last attempt fails.
//! Designated initialisers follow the declaration order, as for TaskConfig: `maxAttempts`,
//! `initialBackoff`, `multiplier`, `maxBackoff`, `jitter`, `retryIf`; for example
//! `TaskConfig{.retry = RetryPolicy{.maxAttempts = 5, .jitter = 0.0}}`.
struct RetryPolicy
{
    int maxAttempts = 3; //!< total attempts, the first included
    std::chrono::milliseconds initialBackoff{100}; //!< the wait before attempt 2
    double multiplier = 2.0; //!< each later wait is this many times the one before (below 1: as 1)
    std::chrono::milliseconds maxBackoff{std::chrono::seconds(30)}; //!< cap on a wait, before jitter
    double jitter = 0.2; //!< each wait is spread uniformly by this fraction either way (0 to 1)
    //! Which errors are worth retrying; unset retries every error. Timeouts count as errors.
    std::function<bool(const TaskError &)> retryIf{};

    //! The delay before attempt \a nextAttempt (2, 3, ...), given \a unitRandom in [0, 1).
    std::chrono::milliseconds backoffBefore(int nextAttempt, double unitRandom) const;
    //! Whether attempt \a failedAttempt (1, 2, ...), which failed with \a error, gets another:
    //! below maxAttempts and accepted by retryIf. The engine calls it on the engine thread.
    bool shouldRetry(int failedAttempt, const TaskError &error) const;
};

//! The timeout that switches an inherited timeout off for one task, as `noErrorHandler` does for
//! handlers: `engine.task({.timeout = afterwork::noTimeout})`. A timeout that never elapses
//! (the longest duration there is); the engine arms no timer for it.
inline constexpr std::chrono::milliseconds noTimeout = std::chrono::milliseconds::max();

//! How a task runs. Every field is optional: an unset field inherits, a set one overrides.
//! Build one with designated initialisers (every member has a default member initialiser, so
//! GCC's -Wmissing-field-initializers stays quiet about the fields you leave out):
//! \code
//! TaskConfig{.name = "send_welcome_email", .shield = true, .onError = reportToTracker}
//! \endcode
//! Designated initialisers must follow the order in which the fields are declared (C++20; any
//! subset, in that order): `name`, `shield`, `onError`, `timeout`, `retry`.
//! `{.shield = true, .name = "x"}` does not compile.
//!
//! A task runs with the global config given to TaskEngine, and merged over it the task-level
//! config that TaskEngine::task(), TaskScope::task() and Scheduler::task() build up (see merge());
//! the task keeps that merged config as its own copy (Task::config()).
struct TaskConfig
{
    std::optional<QString> name{};       //!< unset: a readable generated name, "label#id"
    std::optional<bool> shield{};        //!< unset: false. Shielded tasks survive shutdown's cancel
    std::optional<ErrorHandler> onError{}; //!< unset: inherit; `noErrorHandler`: switch off
    std::optional<std::chrono::milliseconds> timeout{}; //!< per attempt; unset: none; `noTimeout`: switch off
    std::optional<RetryPolicy> retry{};  //!< unset: no retry

    //! A copy of *this where every field that is set in \a overrides replaces ours.
    //! Neither input changes (the original mutated the global config; we do not).
    [[nodiscard]] TaskConfig merge(const TaskConfig &overrides) const;

    bool isShielded() const { return shield.value_or(false); } //!< `shield`, unset meaning false
    //! The handler that will run: nullptr when unset or switched off.
    const ErrorHandler *effectiveHandler() const;
    //! The timeout that applies: nullptr when unset or switched off (`noTimeout`).
    const std::chrono::milliseconds *effectiveTimeout() const
    {
        return timeout && *timeout != noTimeout ? &*timeout : nullptr;
    }
};

} // namespace afterwork
