// SPDX-License-Identifier: MIT
#pragma once

// Which engine's task is running its code on this thread: code inside a task may schedule while
// its engine drains (docs/architecture.md, "Shutdown"). Internal.

#include <memory>

namespace afterwork::detail {

class EngineCore;

//! The engine of the task whose code runs on this thread now; empty outside any task.
std::weak_ptr<EngineCore> currentTaskEngine();

//! Marks this thread as running code of a task of \a engine while it lives (nests; restores the
//! previous mark). \a engine must outlive the guard.
class TaskContextGuard
{
public:
    explicit TaskContextGuard(const std::weak_ptr<EngineCore> *engine) noexcept;
    ~TaskContextGuard();
    TaskContextGuard(const TaskContextGuard &) = delete;
    TaskContextGuard &operator=(const TaskContextGuard &) = delete;

private:
    const std::weak_ptr<EngineCore> *m_previous;
};

} // namespace afterwork::detail
