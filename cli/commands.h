// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QStringList>

namespace afterwork::cli {

// Each subcommand: its arguments (after the subcommand's name) in, an exit status out (ExitCode).
// They run the application's event loop as they need it.
int runTail(const QStringList &arguments);
int runRecord(const QStringList &arguments);
int runReplay(const QStringList &arguments);
int runExport(const QStringList &arguments);
int runCheck(const QStringList &arguments);
int runCancel(const QStringList &arguments);
int runDrain(const QStringList &arguments);

//! The socket name `tail` and `record` connect to by default (server_demo's default).
inline constexpr const char *DefaultSocketName = "afterwork-demo";

} // namespace afterwork::cli
