// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>

namespace afterwork::detail::seams {

//! Called on the pool thread after an attempt's sync work has returned and its end has been timed,
//! before that end is reported to the engine thread. Lets a test hold a report back the way a
//! preempted pool thread would (tst_taskengine). Null outside tests: one load per attempt.
inline std::atomic<void (*)()> afterSyncWorkEnded{nullptr};

} // namespace afterwork::detail::seams
