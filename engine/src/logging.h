// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QLoggingCategory>

namespace afterwork {
Q_DECLARE_LOGGING_CATEGORY(lcTask)   // "afterwork.task": task failures, handler failures
Q_DECLARE_LOGGING_CATEGORY(lcEngine) // "afterwork.engine": engine lifecycle, shutdown
} // namespace afterwork
