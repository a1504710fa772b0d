// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

#include <typeinfo>

namespace afterwork::detail {
QString demangle(const char *mangled);
//! The type of the exception being handled in the current catch block, or nullptr.
const std::type_info *currentExceptionType();
} // namespace afterwork::detail
