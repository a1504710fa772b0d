// SPDX-License-Identifier: MIT
// afterwork-monitor: the Afterwork dashboard (docs/monitor.md).
#include "app/appidentity.h"
#include "app/mainwindow.h"
#include "app/monitoroptions.h"
#include "app/screenshot.h"
#include "core/monitorsession.h"
#include "core/sourceset.h"
#include "widgets/messagebanner.h"
#include "widgets/tasksview.h"

#include <QtWidgets/QApplication>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <initializer_list>

using namespace afterwork::monitor;

namespace {

bool hasArgument(int argc, char *argv[], std::initializer_list<const char *> names)
{
    for (int i = 1; i < argc; ++i) {
        for (const char *name : names) {
            if (std::strcmp(argv[i], name) == 0)
                return true;
        }
    }
    return false;
}

bool hasDisplay()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

//! Prints what the parse said instead of options (help, version, an error); returns its exit code.
int report(const OptionsExit &exit)
{
    std::fputs(qPrintable(exit.text), exit.exitCode == 0 ? stdout : stderr);
    return exit.exitCode;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setApplicationName(QStringLiteral("afterwork-monitor"));
    QCoreApplication::setOrganizationName(QStringLiteral("Afterwork"));
    QCoreApplication::setApplicationVersion(QStringLiteral(AFTERWORK_MONITOR_VERSION));

    // Help and version need no display, and the GUI platform aborts the process without one:
    // answer them from a plain QCoreApplication.
    if (hasArgument(argc, argv, {"-h", "--help", "-?", "--help-all", "-v", "--version"})) {
        QCoreApplication core(argc, argv);
        const auto parsed = parseMonitorOptions(QCoreApplication::arguments());
        if (const auto *exit = std::get_if<OptionsExit>(&parsed))
            return report(*exit);
    }
    // A screenshot needs no screen: without a display, render offscreen unless told otherwise.
    if (hasArgument(argc, argv, {"--screenshot"}) && !hasDisplay() && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");

    QApplication app(argc, argv);
    applyApplicationIdentity();
    const auto parsed = parseMonitorOptions(QApplication::arguments());
    if (const auto *exit = std::get_if<OptionsExit>(&parsed))
        return report(*exit);
    const MonitorOptions &options = std::get<MonitorOptions>(parsed);

    try {
        MonitorSession session(SessionOptions{.finishedLimit = options.finishedLimit, .readOnly = options.readOnly});
        const bool headless = !options.screenshotPath.isEmpty();
        // A screenshot shows what the command line asks for, never the user's remembered state.
        MainWindow window(&session, MainWindowOptions{.settingsPath = options.settingsPath, .restoreState = !headless});
        if (!options.theme.isEmpty())
            window.setTheme(themeFromName(options.theme));
        if (headless || options.width != 1280 || options.height != 800)
            window.resize(options.width, options.height);
        if (!options.filter.isEmpty())
            window.tasks()->setFilterText(options.filter);
        if (options.selectTask != 0) {
            // Selected as soon as it is in the table (a recording, or a live source, brings it).
            auto *selecting = new QObject(&window);
            QObject::connect(&session, &MonitorSession::flushed, selecting, [&window, selecting, id = options.selectTask] {
                if (window.tasks()->selectTask(id))
                    selecting->deleteLater();
            });
            // A recording's later tasks may have pushed it out of sight: show it again at the end.
            QObject::connect(&session, &MonitorSession::recordingEnded, &window, [&window, id = options.selectTask] {
                window.tasks()->selectTask(id);
            });
        }
        // The remote options on the command line replace the remembered ones (settings keep the
        // token file's path, never the token).
        const bool remoteOnCommandLine = !options.tokenFile.isEmpty() || !options.caFile.isEmpty()
            || !options.pin.isEmpty() || options.insecure;
        const afterwork::client::LiveSourceOptions commandLineRemote{.tokenFile = options.tokenFile,
                                                                     .caFile = options.caFile,
                                                                     .pin = options.pin,
                                                                     .insecure = options.insecure,
                                                                     .reconnect = true};
        if (remoteOnCommandLine)
            window.setRemoteOptions(commandLineRemote);
        if (!options.replayPath.isEmpty()) {
            window.openRecording(options.replayPath, options.replaySpeed);
        } else {
            using afterwork::client::isRemoteConnectArgument;
            // Remote options go with remote addresses; given for none, they are a mistake (a
            // token file for a local socket, ...) that createLiveSource() names.
            const bool anyRemote = std::any_of(options.connects.cbegin(), options.connects.cend(),
                                               [](const auto &spec) { return isRemoteConnectArgument(spec.address); });
            QList<afterwork::client::ConnectSpec> connects = options.connects;
            if (connects.isEmpty() && remoteOnCommandLine) // remote options for the default socket: checked below
                connects.append({defaultSocketName.toString(), defaultSocketName.toString()});
            QList<SourceSpec> sources;
            for (const afterwork::client::ConnectSpec &spec : std::as_const(connects)) {
                const bool remote = isRemoteConnectArgument(spec.address);
                if (remote || (remoteOnCommandLine && !anyRemote)) {
                    // What the command line names must be possible (a token file, tcp:// only
                    // with --insecure, ...): a usage error otherwise.
                    QString error;
                    if (!afterwork::client::createLiveSource(spec.address, remote ? window.remoteOptions() : commandLineRemote, &error))
                        return report(OptionsExit{2, QStringLiteral("afterwork-monitor: %1\n").arg(error)});
                }
                sources.append({.label = spec.label, .address = spec.address, .remote = remote ? window.remoteOptions() : afterwork::client::LiveSourceOptions{}});
            }
            // Without --connect: the sources watched last time (never for a screenshot), else the default.
            const bool restored = sources.isEmpty() && !headless && !(sources = window.savedSources()).isEmpty();
            if (sources.isEmpty())
                sources.append({.label = defaultSocketName.toString(), .address = defaultSocketName.toString()});
            if (restored && isRemoteConnectArgument(sources.constFirst().address) && !remoteOnCommandLine)
                window.setRemoteOptions(sources.constFirst().remote);
            window.watchSocket(sources.constFirst().address, sources.constFirst().label);
            for (const SourceSpec &source : sources.mid(1)) {
                if (const auto error = window.addSource(source)) {
                    if (!restored)
                        return report(OptionsExit{2, QStringLiteral("afterwork-monitor: %1: %2\n").arg(source.label, *error)});
                    window.banner()->showMessage(MessageBanner::Level::Warning,
                                                 QStringLiteral("Could not watch %1 again: %2").arg(source.label, *error));
                }
            }
        }
        // Once the sources are there: the Sources view exists only while there are several.
        if (const auto view = viewFromName(options.view))
            window.showView(*view);
        window.show();

        if (headless) {
            scheduleScreenshot(&window, options.screenshotPath, options.screenshotAfterMs, viewFromName(options.view),
                               [](int code) { QApplication::exit(code); });
        }
        return QApplication::exec();
    } catch (const std::exception &error) {
        std::fprintf(stderr, "afterwork-monitor: %s\n", error.what());
    } catch (...) {
        std::fprintf(stderr, "afterwork-monitor: unexpected error\n");
    }
    return 1;
}
