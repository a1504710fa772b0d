// SPDX-License-Identifier: MIT
#include "syncqueue_impl.h"

#include "taskstate.h"

namespace afterwork::detail {

void SpinLock::yieldThread() noexcept
{
    QThread::yieldCurrentThread();
}

void runSyncAttempt(std::shared_ptr<TaskState> task, int attempt)
{
    TaskState::runAttempt(std::move(task), attempt);
}

template class BasicSyncQueue<SpinLock>;

} // namespace afterwork::detail
