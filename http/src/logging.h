// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QLoggingCategory>

namespace afterwork::http {
Q_DECLARE_LOGGING_CATEGORY(lcHttp) // "afterwork.http": refused requests, failed routes, misuse
} // namespace afterwork::http
