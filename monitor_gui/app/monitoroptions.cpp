// SPDX-License-Identifier: MIT
#include "app/monitoroptions.h"

#include "app/viewid.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QRegularExpression>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

std::variant<MonitorOptions, OptionsExit> parseMonitorOptions(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"The Afterwork dashboard: what an application's background tasks are doing, live or from a recording."_s);
    const QCommandLineOption help({u"h"_s, u"help"_s}, u"Show this help."_s);
    const QCommandLineOption version(u"version"_s, u"Show the version."_s);
    const QCommandLineOption connect(u"connect"_s, u"Watch the event socket NAME (default: the sources watched last, else afterwork-demo), or a remote publisher: tls://HOST:PORT. Repeat it to watch several sources; LABEL=NAME names one."_s, u"[LABEL=]NAME"_s);
    const QCommandLineOption tokenFile(u"token-file"_s, u"With tls:// (or tcp://): the file holding the publisher's token (mode 0600)."_s, u"FILE"_s);
    const QCommandLineOption caFile(u"ca-file"_s, u"With tls://: trust the CA certificates in FILE (PEM) instead of the system's."_s, u"FILE"_s);
    const QCommandLineOption pin(u"pin"_s, u"With tls://: trust only the server certificate with this SHA-256 fingerprint."_s, u"sha256:HEX"_s);
    const QCommandLineOption insecure(u"insecure"_s, u"Allow tcp://HOST:PORT: plain TCP, unencrypted, to a loopback address only."_s);
    const QCommandLineOption replay(u"replay"_s, u"Show the recording FILE (from `afterwork record` or File > Save recording)."_s, u"FILE"_s);
    const QCommandLineOption speed(u"speed"_s, u"Replay at X times real time (0, the default: as fast as possible)."_s, u"X"_s);
    const QCommandLineOption screenshot(u"screenshot"_s, u"Render the window to the PNG FILE after --after milliseconds, then exit."_s, u"FILE"_s);
    const QCommandLineOption after(u"after"_s, u"When to take the screenshot (default 2000 ms; a recording is read to its end first)."_s, u"MS"_s);
    const QCommandLineOption view(u"view"_s, u"Start on view NAME: %1."_s.arg(viewNames().join(u", "_s)), u"NAME"_s);
    const QCommandLineOption filter(u"filter"_s, u"Put EXPR in the tasks filter (docs/filter.md)."_s, u"EXPR"_s);
    const QCommandLineOption select(u"select"_s, u"Select task ID in the tasks view once it is seen."_s, u"ID"_s);
    const QCommandLineOption keep(u"keep"_s, u"Keep up to N finished tasks for the table and timeline (default 10000; counters stay exact)."_s, u"N"_s);
    const QCommandLineOption theme(u"theme"_s, u"Colours: system (follow the desktop), light or dark."_s, u"THEME"_s);
    const QCommandLineOption settings(u"settings"_s, u"Keep window state in the INI FILE rather than the user's settings."_s, u"FILE"_s);
    const QCommandLineOption size(u"size"_s, u"Initial window size WxH (default 1280x800)."_s, u"WxH"_s);
    const QCommandLineOption readOnly(u"read-only"_s, u"Never act on the source: no cancel, no drain, whatever it allows."_s);
    parser.addOptions({help, version, connect, tokenFile, caFile, pin, insecure, replay, speed, screenshot, after, view, filter, select, keep, theme, settings, size, readOnly});

    if (!parser.parse(arguments))
        return OptionsExit{2, u"afterwork-monitor: %1\nTry 'afterwork-monitor --help'.\n"_s.arg(parser.errorText())};
    if (parser.isSet(help))
        return OptionsExit{0, parser.helpText()};
    if (parser.isSet(version))
        return OptionsExit{0, u"afterwork-monitor %1\n"_s.arg(QStringLiteral(AFTERWORK_MONITOR_VERSION))};
    if (!parser.positionalArguments().isEmpty())
        return OptionsExit{2, u"afterwork-monitor: unexpected argument '%1'\n"_s.arg(parser.positionalArguments().constFirst())};

    auto fail = [](const QString &message) { return OptionsExit{2, u"afterwork-monitor: %1\n"_s.arg(message)}; };
    MonitorOptions options;
    const QStringList connects = parser.values(connect);
    if (connects.contains(QString()))
        return fail(u"--connect needs a socket name, or tls://HOST:PORT"_s);
    QString error;
    std::optional<QList<client::ConnectSpec>> specs = client::parseConnectSpecs(connects, &error);
    if (!specs)
        return fail(error);
    options.connects = std::move(*specs);
    options.tokenFile = parser.value(tokenFile);
    options.caFile = parser.value(caFile);
    options.pin = parser.value(pin);
    options.insecure = parser.isSet(insecure);
    options.replayPath = parser.value(replay);
    if (parser.isSet(speed)) {
        bool ok = false;
        options.replaySpeed = parser.value(speed).toDouble(&ok);
        if (!ok || options.replaySpeed < 0)
            return fail(u"--speed must be a number >= 0, not '%1'"_s.arg(parser.value(speed)));
    }
    options.screenshotPath = parser.value(screenshot);
    if (parser.isSet(after)) {
        bool ok = false;
        options.screenshotAfterMs = parser.value(after).toInt(&ok);
        if (!ok || options.screenshotAfterMs < 0)
            return fail(u"--after must be a number of milliseconds, not '%1'"_s.arg(parser.value(after)));
    }
    if (parser.isSet(view)) {
        options.view = parser.value(view).toLower();
        if (!viewFromName(options.view))
            return fail(u"unknown view '%1' (views: %2)"_s.arg(parser.value(view), viewNames().join(u", "_s)));
    }
    options.filter = parser.value(filter);
    if (parser.isSet(select)) {
        bool ok = false;
        options.selectTask = parser.value(select).toULongLong(&ok);
        if (!ok || options.selectTask == 0)
            return fail(u"--select needs a task id, not '%1'"_s.arg(parser.value(select)));
    }
    if (parser.isSet(keep)) {
        bool ok = false;
        options.finishedLimit = parser.value(keep).toLongLong(&ok);
        if (!ok || options.finishedLimit < 0)
            return fail(u"--keep must be a number of tasks, not '%1'"_s.arg(parser.value(keep)));
    }
    if (parser.isSet(theme)) {
        options.theme = parser.value(theme).toLower();
        if (options.theme != u"system"_s && options.theme != u"light"_s && options.theme != u"dark"_s)
            return fail(u"--theme is system, light or dark, not '%1'"_s.arg(parser.value(theme)));
    }
    options.settingsPath = parser.value(settings);
    options.readOnly = parser.isSet(readOnly);
    if (parser.isSet(size)) {
        static const QRegularExpression pattern(u"^(\\d{2,5})x(\\d{2,5})$"_s);
        const QRegularExpressionMatch match = pattern.match(parser.value(size));
        if (!match.hasMatch())
            return fail(u"--size is WIDTHxHEIGHT, e.g. 1280x800, not '%1'"_s.arg(parser.value(size)));
        options.width = match.captured(1).toInt();
        options.height = match.captured(2).toInt();
    }
    return options;
}

} // namespace afterwork::monitor
