// SPDX-License-Identifier: MIT
#pragma once

// Stand-ins for real work (a database write, an SMTP call): they take a realistic time and stop
// as soon as their task is cancelled, sync and async alike.

#include <afterwork/cancellationtoken.h>

#include <QCoro/QCoroTask>

#include <chrono>

namespace demo {

//! Sync work: sleeps in 5 ms steps, polling \a token; throws TaskCancelled once it is cancelled.
void simulateWork(const afterwork::CancellationToken &token, std::chrono::milliseconds duration);

//! Async work: one cancellable suspension on the engine thread (afterwork::delay).
QCoro::Task<> simulateWorkAsync(afterwork::CancellationToken token, std::chrono::milliseconds duration);

} // namespace demo
