// SPDX-License-Identifier: MIT
#pragma once

#include "app/viewid.h"

#include <QtCore/QString>

#include <functional>
#include <optional>

namespace afterwork::monitor {

class MainWindow;

//! Renders \a window to the PNG \a path after \a afterMs milliseconds, then calls \a done with
//! an exit code (0: written). A recording still being read then is read to its end first (for at
//! most 60 s more), so that the picture shows all of it. Works without a display
//! (QT_QPA_PLATFORM=offscreen): QWidget::grab() renders the widgets themselves. \a view, if set,
//! is shown just before (a shutdown in the stream brings the drain view to the front otherwise).
void scheduleScreenshot(MainWindow *window, const QString &path, int afterMs, std::optional<ViewId> view,
                        std::function<void(int exitCode)> done);

//! Renders \a window now (after bringing every view up to date) and writes the PNG; the error
//! message on failure, empty on success.
QString writeScreenshot(MainWindow *window, const QString &path);

} // namespace afterwork::monitor
