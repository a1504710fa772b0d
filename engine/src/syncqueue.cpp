// SPDX-License-Identifier: MIT
#include "syncqueue_impl.h"

#include "taskstate.h"

namespace afterwork::detail {

void runSyncAttempt(std::shared_ptr<TaskState> task, int attempt)
{
    TaskState::runAttempt(std::move(task), attempt);
}

template class BasicSyncQueue<std::mutex>;

} // namespace afterwork::detail
