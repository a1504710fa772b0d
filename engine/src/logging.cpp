// SPDX-License-Identifier: MIT
#include "logging.h"

namespace afterwork {
Q_LOGGING_CATEGORY(lcTask, "afterwork.task")
Q_LOGGING_CATEGORY(lcEngine, "afterwork.engine")
} // namespace afterwork
