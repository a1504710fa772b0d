// SPDX-License-Identifier: MIT
#include "demooptions.h"

#include "shutdowncoordinator.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>

#include <cmath>
#include <cstdio>

namespace demo {

namespace {

std::optional<DemoOptions> usageError(const QString &message, int *exitCode)
{
    std::fprintf(stderr, "afterwork-demo: %s\nTry 'afterwork-demo --help'.\n", message.toUtf8().constData());
    *exitCode = ExitUsage;
    return std::nullopt;
}

} // namespace

std::optional<DemoOptions> parseDemoOptions(const QStringList &arguments, int *exitCode)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "The examples of fastapi-tasks' Task Configuration guide as a real HTTP server on Afterwork,\n"
        "publishing its task events for `afterwork tail` and the dashboard.\n\n"
        "Exit codes: 0 clean shutdown; 1 could not start; 2 bad command line;\n"
        "3 shut down with tasks abandoned at the deadline."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption host(QStringLiteral("host"), QStringLiteral("Address to listen on (default 127.0.0.1)."),
                                  QStringLiteral("address"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Port (default 8000; 0 picks a free one)."),
                                  QStringLiteral("port"), QStringLiteral("8000"));
    const QCommandLineOption events(QStringLiteral("events"),
                                    QStringLiteral("Event stream socket name (default afterwork-demo)."),
                                    QStringLiteral("name"), QStringLiteral("afterwork-demo"));
    const QCommandLineOption threads(QStringLiteral("threads"),
                                     QStringLiteral("Engine pool threads (default: one per core)."),
                                     QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption deadline(QStringLiteral("shutdown-deadline"),
                                      QStringLiteral("Seconds shielded tasks get at shutdown (default 30)."),
                                      QStringLiteral("seconds"), QStringLiteral("30"));
    const QCommandLineOption globalShield(QStringLiteral("global-shield"),
                                          QStringLiteral("Shield every task by default (the guide's global config)."));
    const QCommandLineOption noGlobalHandler(QStringLiteral("no-global-handler"),
                                             QStringLiteral("No global error handler (it logs and counts)."));
    const QCommandLineOption allowControl(QStringLiteral("allow-control"),
                                          QStringLiteral("Let event stream subscribers cancel tasks and drain the server "
                                                         "(afterwork cancel/drain). Off: read-only."));
    const QCommandLineOption eventsListen(QStringLiteral("events-listen"),
                                          QStringLiteral("Also publish the event stream on TCP, with TLS and a token "
                                                         "(HOST:PORT, [V6]:PORT; port 0 picks a free one)."),
                                          QStringLiteral("host:port"));
    const QCommandLineOption tlsCert(QStringLiteral("tls-cert"),
                                     QStringLiteral("With --events-listen: the server certificate (PEM, chain after it)."),
                                     QStringLiteral("file"));
    const QCommandLineOption tlsKey(QStringLiteral("tls-key"),
                                    QStringLiteral("With --events-listen: the certificate's private key (PEM, unencrypted)."),
                                    QStringLiteral("file"));
    const QCommandLineOption tokenFile(QStringLiteral("token-file"),
                                       QStringLiteral("With --events-listen: the file holding the token subscribers must "
                                                      "send (mode 0600)."),
                                       QStringLiteral("file"));
    const QCommandLineOption insecure(QStringLiteral("insecure"),
                                      QStringLiteral("With --events-listen: plain TCP without TLS, on a loopback address "
                                                     "only (the token is still required)."));
    parser.addOptions({host, port, events, threads, deadline, globalShield, noGlobalHandler, allowControl, eventsListen,
                       tlsCert, tlsKey, tokenFile, insecure});

    if (!parser.parse(arguments))
        return usageError(parser.errorText(), exitCode);
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(parser.helpText().toUtf8().constData(), stdout);
        *exitCode = ExitClean;
        return std::nullopt;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("afterwork-demo %s\n", qPrintable(QCoreApplication::applicationVersion()));
        *exitCode = ExitClean;
        return std::nullopt;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()),
                          exitCode);

    DemoOptions options;
    options.hostText = parser.value(host);
    if (options.hostText == QLatin1String("localhost"))
        options.host = QHostAddress::LocalHost;
    else if (!options.host.setAddress(options.hostText))
        return usageError(QStringLiteral("--host: '%1' is not an IP address").arg(options.hostText), exitCode);

    bool ok = false;
    const uint portValue = parser.value(port).toUInt(&ok);
    if (!ok || portValue > 65535)
        return usageError(QStringLiteral("--port: '%1' is not a port (0-65535)").arg(parser.value(port)), exitCode);
    options.port = quint16(portValue);

    options.events = parser.value(events);
    if (options.events.isEmpty())
        return usageError(QStringLiteral("--events: the name is empty"), exitCode);

    options.threads = parser.value(threads).toInt(&ok);
    if (!ok || options.threads < 0 || options.threads > 512)
        return usageError(QStringLiteral("--threads: '%1' is not a number of threads (1-512)").arg(parser.value(threads)),
                          exitCode);

    const double seconds = parser.value(deadline).toDouble(&ok);
    if (!ok || !std::isfinite(seconds) || seconds < 0 || seconds > 24 * 3600)
        return usageError(QStringLiteral("--shutdown-deadline: '%1' is not a number of seconds").arg(parser.value(deadline)),
                          exitCode);
    options.shutdownDeadline = std::chrono::milliseconds(qint64(std::llround(seconds * 1000)));
    options.globalShield = parser.isSet(globalShield);
    options.globalHandler = !parser.isSet(noGlobalHandler);
    options.allowControl = parser.isSet(allowControl);

    options.tlsCertificate = parser.value(tlsCert);
    options.tlsKey = parser.value(tlsKey);
    options.tokenFile = parser.value(tokenFile);
    options.insecure = parser.isSet(insecure);
    if (!parser.isSet(eventsListen)) {
        for (const QCommandLineOption *remoteOnly : {&tlsCert, &tlsKey, &tokenFile, &insecure}) {
            if (parser.isSet(*remoteOnly))
                return usageError(QStringLiteral("--%1 goes with --events-listen").arg(remoteOnly->names().constFirst()),
                                  exitCode);
        }
        return options;
    }
    const QString listen = parser.value(eventsListen);
    QString listenHost;
    QString listenPort;
    if (listen.startsWith(u'[')) { // [V6]:PORT
        const qsizetype close = listen.indexOf(u']');
        if (close > 0 && listen.mid(close + 1, 1) == QLatin1String(":")) {
            listenHost = listen.mid(1, close - 1);
            listenPort = listen.mid(close + 2);
        }
    } else if (const qsizetype colon = listen.lastIndexOf(u':'); colon > 0 && !listen.first(colon).contains(u':')) {
        listenHost = listen.first(colon);
        listenPort = listen.mid(colon + 1);
    }
    const uint eventsPort = listenPort.toUInt(&ok);
    if (listenHost.isEmpty() || !ok || eventsPort > 65535)
        return usageError(QStringLiteral("--events-listen: '%1' is not HOST:PORT (e.g. 127.0.0.1:7000, [::1]:7000)").arg(listen),
                          exitCode);
    QHostAddress eventsAddress;
    if (listenHost != QLatin1String("localhost") && !eventsAddress.setAddress(listenHost))
        return usageError(QStringLiteral("--events-listen: '%1' is not an IP address (or localhost)").arg(listenHost), exitCode);
    options.eventsListenHost = listenHost;
    options.eventsListenPort = quint16(eventsPort);
    if (options.tokenFile.isEmpty())
        return usageError(QStringLiteral("--events-listen needs --token-file FILE: every subscriber must send its token"),
                          exitCode);
    if (options.insecure) {
        if (!options.tlsCertificate.isEmpty() || !options.tlsKey.isEmpty())
            return usageError(QStringLiteral("--insecure is plain TCP: it takes no --tls-cert or --tls-key"), exitCode);
        if (listenHost != QLatin1String("localhost") && !eventsAddress.isLoopback())
            return usageError(QStringLiteral("--insecure (plain TCP) listens on a loopback address only, not '%1'")
                                  .arg(listenHost),
                              exitCode);
    } else if (options.tlsCertificate.isEmpty() || options.tlsKey.isEmpty()) {
        return usageError(QStringLiteral("--events-listen needs --tls-cert FILE and --tls-key FILE (or --insecure, on "
                                         "loopback only)"),
                          exitCode);
    }
    return options;
}

} // namespace demo
