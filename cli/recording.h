// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <QtCore/QList>
#include <QtCore/QString>

#include <functional>
#include <optional>

namespace afterwork::cli {

//! Reads a whole recording through client::FileSource (the path a live socket takes too), running
//! the event loop until the end. \a onLines sees every batch; \a source: only that source's lines
//! (client::FileSourceOptions::sourceName), every line when unset. Returns the error message if
//! the file cannot be read.
std::optional<QString> readRecording(const QString &path, const std::function<void(const QList<client::StreamLine> &)> &onLines,
                                     const std::optional<QString> &source = std::nullopt);

//! Reads each source of a recording in turn, as its own stream, in the order the sources first
//! appear (client::recordingSources()): \a onSource gets its name ("" for the one source of a
//! recording without markers) and the number of sources before \a onLines gets its lines.
//! Returns the error message if the file cannot be read.
std::optional<QString> readRecordingBySource(const QString &path, const std::function<void(const QString &, qsizetype)> &onSource,
                                             const std::function<void(const QList<client::StreamLine> &)> &onLines);

} // namespace afterwork::cli
