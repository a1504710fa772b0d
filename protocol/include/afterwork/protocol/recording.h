// SPDX-License-Identifier: MIT
#pragma once

// Recordings of several sources in one file (docs/protocol.md, "Recordings"), defined once for
// the tools that write them and the readers that keep their sources apart: the source marker
// line and the rule for a source's name.

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QLatin1StringView>
#include <QtCore/QString>
#include <QtCore/QStringView>

#include <optional>

namespace afterwork::protocol {

//! The `kind` of a source marker, `{"v":1,"kind":"source","name":"A"}`: a recording-only line
//! saying that the lines after it, up to the next marker, come from the source named `name`.
//! Never sent on a live stream (EventPublisher::publish() refuses the kind). It has no `seq` and
//! no `ts_us`, so a reader that does not know it sees a malformed line, never a stream event.
inline constexpr QLatin1StringView sourceMarkerKind("source", 6);
//! The member of a source marker that names its source.
inline constexpr QLatin1StringView sourceMarkerNameMember("name", 4);
//! The longest source name, in characters.
inline constexpr qsizetype maxSourceNameLength = 256;

//! Whether \a name may name a source: 1 to maxSourceNameLength UTF-16 code units, none of them
//! whitespace, a control or format character (such as U+202E), a lone surrogate or a code point
//! unassigned in the Unicode version of the Qt in use. The same rule holds for `afterwork
//! --connect LABEL=...`.
bool isValidSourceName(QStringView name) noexcept;

//! The rule of isValidSourceName(), worded for messages: "1 to 256 characters without ...".
QString sourceNameRule();

//! The marker line for \a name (a valid name), without its newline: `{"v":1,"kind":"source","name":"A"}`.
QByteArray sourceMarkerLine(QStringView name);

//! The name a source marker line carries (without its newline; a trailing carriage return is
//! tolerated), or std::nullopt for any other line. A marker has exactly the members `v` (1),
//! `kind` ("source") and `name` (a valid name), in any order. A line whose `kind` is "source" but
//! that is not such a marker sets \a error (when given) to what is wrong with it: it is a
//! malformed line, like any other that breaks the rules.
std::optional<QString> parseSourceMarker(QByteArrayView line, QString *error = nullptr);

} // namespace afterwork::protocol
