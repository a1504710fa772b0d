// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <QtCore/QByteArrayView>

namespace afterwork::client::detail {

//! Byte-level look-ups for the parser: unknown spellings map to the Unknown/Other value.
TaskPhase phaseFromBytes(QByteArrayView name) noexcept;
TaskMode modeFromBytes(QByteArrayView name) noexcept;
TaskWork workFromBytes(QByteArrayView name) noexcept;
EventKind kindFromBytes(QByteArrayView name) noexcept;

} // namespace afterwork::client::detail
