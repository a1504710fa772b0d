// SPDX-License-Identifier: MIT
#pragma once

// The real window for the tests that drive it: shown, active, with a settings file of its own.

#include "app/controlactions.h"
#include "app/mainwindow.h"
#include "core/monitorsession.h"

#include <QtCore/QTemporaryDir>
#include <QtWidgets/QDialog>
#include <QtWidgets/QPushButton>

namespace afterwork::monitortest {

using namespace std::chrono_literals;

//! A shown, active window with its own settings file, watching nothing yet.
struct Window
{
    explicit Window(monitor::SessionOptions options = {.flushInterval = 50ms})
        : session(options),
          window(&session, monitor::MainWindowOptions{.settingsPath = dir.filePath(QStringLiteral("monitor.ini")),
                                                      .restoreState = false,
                                                      .discoveryDirectory = dir.path()})
    {
        window.resize(1200, 760);
        window.show();
        window.activateWindow();
    }
    monitor::ControlActions &control() { return *window.control(); }

    QTemporaryDir dir;
    monitor::MonitorSession session;
    monitor::MainWindow window;
};

//! The button named \a objectName in \a dialog (a confirmation), or nullptr.
inline QPushButton *button(QDialog *dialog, const char *objectName)
{
    return dialog ? dialog->findChild<QPushButton *>(QLatin1StringView(objectName)) : nullptr;
}

} // namespace afterwork::monitortest
