// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <functional>
#include <optional>

namespace afterwork::cli {

//! What readRecordingBySource() hands on: a batch of lines, in file order, of the source named
//! \a source ("" for the unnamed one), which is the source \a index (0, 1, ...) in the order the
//! sources first appear. A source's first batch has the next index: a command keeps its state
//! per source in a list, and adds to it then.
using SourceLinesHandler = std::function<void(const QString &source, qsizetype index, const QList<client::StreamLine> &lines)>;

//! Reads a recording through client::FileSource (the path a live socket takes too) in one pass,
//! running the event loop until its end, and hands each line on with its source
//! (client::SourceMarkers: the markers themselves are not handed on, a malformed one is a
//! malformed line of the source before it). Each source is its own stream to \a onLines; the
//! batches of different sources interleave as their lines do in the file.
//!
//! Once only, and without keeping the file: a recording may be large, and a pipe (`/dev/stdin`,
//! a FIFO) can be read only once. Each batch is handed on and dropped, so what stays in memory is
//! what a command builds per source as the lines go by (a checker's state, a trace, a playlist).
//!
//! Returns the error message if the file cannot be read. Otherwise \a sources (when given) has the
//! sources in the order they first appear, as client::recordingSources() lists them: {""} for a
//! recording without markers, and for one without any line, whose one source got no batch.
std::optional<QString> readRecordingBySource(const QString &path, const SourceLinesHandler &onLines, QStringList *sources = nullptr);

} // namespace afterwork::cli
