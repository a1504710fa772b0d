// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>

#include <variant>

namespace afterwork::monitor {

//! afterwork-monitor's command line.
struct MonitorOptions
{
    QString socketName = QStringLiteral("afterwork-demo"); //!< --connect NAME, or tls://HOST:PORT
    QString tokenFile;         //!< --token-file FILE (remote sources; the file's path, never the token)
    QString caFile;            //!< --ca-file FILE (tls://)
    QString pin;               //!< --pin sha256:HEX (tls://)
    bool insecure = false;     //!< --insecure: allows tcp://HOST:PORT on loopback
    QString replayPath;        //!< --replay FILE (wins over --connect)
    double replaySpeed = 0;    //!< --speed X: 0 as fast as possible, 1 real time
    QString screenshotPath;    //!< --screenshot FILE
    int screenshotAfterMs = 2000; //!< --after MS
    QString view;              //!< --view NAME (overview, tasks, failures, shutdown, timeline, log)
    QString filter;            //!< --filter EXPR, put in the tasks view's search box
    quint64 selectTask = 0;    //!< --select ID: the task selected in the tasks view (0: none)
    qsizetype finishedLimit = 10'000; //!< --keep N finished tasks
    QString theme;             //!< --theme system|light|dark ("" = remembered, else system)
    QString settingsPath;      //!< --settings FILE: an INI file instead of the user's settings
    bool readOnly = false;     //!< --read-only: never act on the source (no cancel, no drain)
    int width = 1280;          //!< --size WxH (for screenshots)
    int height = 800;
};

//! --help, --version, or a mistake: what to print and the exit code.
struct OptionsExit
{
    int exitCode = 0;
    QString text; //!< for stdout when exitCode is 0, else stderr
};

//! \a arguments includes the program name first, as QCoreApplication::arguments() does.
std::variant<MonitorOptions, OptionsExit> parseMonitorOptions(const QStringList &arguments);

} // namespace afterwork::monitor
