// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtNetwork/QHostAddress>

#include <chrono>
#include <optional>

namespace demo {

struct DemoOptions
{
    QHostAddress host = QHostAddress::LocalHost;
    QString hostText = QStringLiteral("127.0.0.1");
    quint16 port = 8000;
    QString events = QStringLiteral("afterwork-demo");
    int threads = 0; //!< 0: QThread::idealThreadCount()
    std::chrono::milliseconds shutdownDeadline{30000};
    bool globalShield = false;
    bool globalHandler = true;
    //! Subscribers of the event stream may cancel tasks and drain the server (off: read-only).
    bool allowControl = false;
};

//! Parses afterwork-demo's command line. On --help/--version or an error it prints (usage to
//! stdout, errors to stderr) and returns nullopt with \a exitCode set.
std::optional<DemoOptions> parseDemoOptions(const QStringList &arguments, int *exitCode);

} // namespace demo
