// SPDX-License-Identifier: MIT
#include "logging.h"

namespace afterwork::http {
Q_LOGGING_CATEGORY(lcHttp, "afterwork.http")
} // namespace afterwork::http
