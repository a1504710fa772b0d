// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <QtCore/QByteArrayView>

#include <optional>
#include <variant>

namespace afterwork::client {

//! Parses one line of the stream (without its newline; a trailing carriage return is tolerated)
//! into a typed event, or says precisely why it cannot. Never throws, never crashes, whatever the
//! bytes.
//!
//! Strict about what the protocol fixes: one JSON object; `v` (1), `seq`, `ts_us` and `kind`
//! present with the right types; known fields with the right JSON types; a task with an `id` and a
//! `phase`. Lenient about growth: unknown fields, unknown kinds (OtherEvent) and unknown enum
//! spellings (Phase::Unknown, ...) are accepted. Strings may hold invalid UTF-8, which becomes
//! U+FFFD. Nesting deeper than 32 levels is rejected.
std::variant<StreamEvent, ParseError> parseLine(QByteArrayView line) noexcept;

//! Where the value of a top-level member starts and how long it is, in bytes.
struct ValueSpan
{
    qsizetype offset = 0; //!< bytes from the start of the line
    qsizetype length = 0; //!< bytes of the value, as written (a string with its quotes)
};

//! The span of the value of the top-level member \a key in the JSON object \a line (the last one
//! if repeated), or std::nullopt if the line is not an object or has no such member.
std::optional<ValueSpan> findTopLevelValue(QByteArrayView line, QByteArrayView key) noexcept;

} // namespace afterwork::client
