// SPDX-License-Identifier: MIT
// `afterwork`: the command-line tool for Afterwork's event stream (docs/cli.md).
#include "clicommon.h"
#include "commands.h"

#include <QtCore/QCoreApplication>

#include <exception>

using namespace afterwork::cli;
using namespace Qt::StringLiterals;

namespace {

const auto Usage = uR"(Usage: afterwork <command> [options]

Watch and keep the task events of Afterwork applications.

Commands:
  tail     Follow a running application's tasks live (coloured, filtered, or --json).
  record   Record a running application's event stream to a file.
  replay   Serve a recording on a socket, as if it were live.
  export   Convert a recording to a Chrome/Perfetto trace (--chrome).
  check    Check a recording's invariants and name each violation.
  cancel   Cancel live tasks by id or by filter (the application must allow control).
  drain    Shut a running application down gracefully, within a deadline.

Run 'afterwork <command> --help' for a command's options. See docs/cli.md.
)"_s;

int dispatch(const QStringList &args)
{
    if (args.size() < 2) {
        Output::err().write(Usage);
        return ExitUsage;
    }
    const QString &command = args.at(1);
    const QStringList rest = args.mid(2);
    if (command == u"tail"_s)
        return runTail(rest);
    if (command == u"record"_s)
        return runRecord(rest);
    if (command == u"replay"_s)
        return runReplay(rest);
    if (command == u"export"_s)
        return runExport(rest);
    if (command == u"check"_s)
        return runCheck(rest);
    if (command == u"cancel"_s)
        return runCancel(rest);
    if (command == u"drain"_s)
        return runDrain(rest);
    if (command == u"help"_s || command == u"--help"_s || command == u"-h"_s) {
        if (args.size() > 2 && args.at(2) != u"help"_s)
            return dispatch({args.at(0), args.at(2), u"--help"_s});
        Output::out().write(Usage);
        return ExitOk;
    }
    if (command == u"--version"_s || command == u"version"_s) {
        Output::out().line(u"afterwork %1"_s.arg(QCoreApplication::applicationVersion()));
        return ExitOk;
    }
    printError(QString(), u"unknown command '%1'"_s.arg(command));
    Output::err().write(Usage);
    return ExitUsage;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"afterwork"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(AFTERWORK_VERSION));
    try {
        const int code = dispatch(QCoreApplication::arguments());
        Output::out().flush();
        return code;
    } catch (const std::exception &error) {
        printError(QString(), u"internal error: %1"_s.arg(QString::fromLocal8Bit(error.what())));
    } catch (...) {
        printError(QString(), u"internal error"_s);
    }
    return ExitUsage;
}
