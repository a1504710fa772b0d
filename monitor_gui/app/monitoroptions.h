// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/livesource.h>

#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <variant>

namespace afterwork::monitor {

//! The socket watched when neither the command line nor the settings name a source.
inline constexpr QStringView defaultSocketName = u"afterwork-demo";

//! afterwork-monitor's command line.
struct MonitorOptions
{
    //! Every --connect [LABEL=]ADDRESS, in order, labels unique; empty when none was given (the
    //! saved sources are watched then, else defaultSocketName).
    QList<client::ConnectSpec> connects;
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
