// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/streamevent.h>

#include <QtCore/QList>
#include <QtCore/QString>

#include <functional>
#include <optional>

namespace afterwork::cli {

//! Reads a whole recording through client::FileSource (the path a live socket takes too), running
//! the event loop until the end. \a onLines sees every batch; returns the error message if the
//! file cannot be read.
std::optional<QString> readRecording(const QString &path, const std::function<void(const QList<client::StreamLine> &)> &onLines);

} // namespace afterwork::cli
