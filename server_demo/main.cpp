// SPDX-License-Identifier: MIT
// afterwork-demo: fastapi-tasks' guide examples as a real HTTP server on Afterwork (docs/http.md).
#include "demooptions.h"
#include "demoroutes.h"
#include "seedtasks.h"
#include "shutdowncoordinator.h"
#include "signalwatcher.h" // apps/common

#include <afterwork/eventpublisher.h>
#include <afterwork/http/taskmetrics.h>
#include <afterwork/http/taskrouter.h>
#include <afterwork/taskengine.h>

#include <QtCore/QCoreApplication>
#include <QtHttpServer/QHttpServer>

#include <cstdio>
#include <memory>
#include <unistd.h>

using namespace afterwork;

namespace {

//! The guide's global handler, "logs and counts".
ErrorHandler globalHandler(demo::DemoState &state)
{
    return [&state](const Task &task, const TaskError &error) {
        state.globalHandlerCalls.fetch_add(1);
        qCWarning(demo::lcDemo).noquote() << "[global handler] Task" << task.name() << "failed:" << error.type
                                          << error.message;
    };
}

void say(const QString &line)
{
    std::printf("afterwork-demo: %s\n", line.toUtf8().constData());
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("afterwork-demo"));
    QCoreApplication::setApplicationVersion(QStringLiteral(AFTERWORK_VERSION));

    int exitCode = demo::ExitClean;
    const std::optional<demo::DemoOptions> options = demo::parseDemoOptions(app.arguments(), &exitCode);
    if (!options)
        return exitCode;

    demo::DemoState state;
    TaskConfig globalConfig;
    if (options->globalShield)
        globalConfig.shield = true;
    if (options->globalHandler)
        globalConfig.onError = globalHandler(state);
    TaskEngine engine(globalConfig, EngineOptions{.maxThreads = options->threads});
    http::TaskMetrics metrics(&engine); // before any task, so that its counts are the engine's

    demo::ShutdownCoordinator *shutdownPath = nullptr; // set below, before the event loop runs
    auto *publisher = new EventPublisher(&engine, {.app = QStringLiteral("afterwork-demo"),
                                                   .allowControl = options->allowControl,
                                                   .onDrain = [&shutdownPath](std::chrono::milliseconds deadline) {
                                                       if (shutdownPath)
                                                           shutdownPath->onDrainCommand(deadline);
                                                   }}); // child of engine
    if (!publisher->listen(options->events)) {
        std::fprintf(stderr, "afterwork-demo: cannot publish events on '%s': %s\n", qPrintable(options->events),
                     qPrintable(publisher->errorString()));
        return demo::ExitFailure;
    }

    if (!options->eventsListenHost.isEmpty()) {
        RemoteListenOptions remote;
        remote.address = options->eventsListenHost;
        remote.port = options->eventsListenPort;
        remote.certificateFile = options->tlsCertificate;
        remote.privateKeyFile = options->tlsKey;
        remote.tokenFile = options->tokenFile;
        remote.insecure = options->insecure;
        if (!publisher->listenRemote(remote)) {
            std::fprintf(stderr, "afterwork-demo: cannot publish events on %s: %s\n",
                         qPrintable(options->eventsListenHost), qPrintable(publisher->errorString()));
            return demo::ExitFailure;
        }
    }

    QHttpServer server;
    http::TaskRouter router(&server, &engine);
    http::publishRequestEvents(&router, publisher);
    demo::addSeedRoutes(router, state);
    demo::addSpawnRoute(router);
    demo::addReportsRoute(router);
    demo::addStatusRoutes(router, engine, state);
    http::serveMetrics(&router, &metrics); // GET /metrics, for Prometheus

    const quint16 port = router.listen(options->host, options->port);
    if (port == 0) {
        std::fprintf(stderr, "afterwork-demo: cannot listen on %s:%u\n", qPrintable(options->hostText),
                     unsigned(options->port));
        return demo::ExitFailure;
    }
    const QString hostForUrl = options->host.protocol() == QAbstractSocket::IPv6Protocol
        ? QStringLiteral("[%1]").arg(options->host.toString())
        : options->host.toString();
    say(QStringLiteral("listening on http://%1:%2").arg(hostForUrl).arg(port));
    say(QStringLiteral("publishing events on %1 (watch: afterwork tail --connect %2)")
            .arg(publisher->fullServerName(), options->events));
    if (publisher->isListeningRemote()) {
        const QString eventsHost = options->eventsListenHost.contains(u':')
            ? QStringLiteral("[%1]").arg(options->eventsListenHost)
            : options->eventsListenHost;
        const QString url = QStringLiteral("%1://%2:%3")
                                .arg(publisher->isRemoteEncrypted() ? QStringLiteral("tls") : QStringLiteral("tcp"), eventsHost)
                                .arg(publisher->remotePort());
        say(QStringLiteral("publishing events remotely on %1 (watch: afterwork tail --connect %1 --token-file %2%3)")
                .arg(url, options->tokenFile,
                     publisher->isRemoteEncrypted() ? QStringLiteral(" --ca-file CA.pem") : QStringLiteral(" --insecure")));
    }
    say(options->allowControl ? QStringLiteral("control: on (afterwork cancel / drain --connect %1)").arg(options->events)
                              : QStringLiteral("control: off (read-only; --allow-control turns it on)"));
    say(QStringLiteral("engine: %1 pool threads; global config: shield=%2, handler=%3; shutdown deadline %4 ms")
            .arg(engine.counters().poolMax)
            .arg(options->globalShield ? "on" : "off", options->globalHandler ? "log-and-count" : "none")
            .arg(options->shutdownDeadline.count()));

    afterwork::apps::SignalWatcher signalWatcher;
    demo::ShutdownCoordinator shutdown(&router, &engine, options->shutdownDeadline, stdout);
    shutdownPath = &shutdown;
    QObject::connect(&signalWatcher, &afterwork::apps::SignalWatcher::received, &shutdown, [&shutdown](int signalNumber) {
        shutdown.onSignal(afterwork::apps::SignalWatcher::signalName(signalNumber));
    });
    QObject::connect(&shutdown, &demo::ShutdownCoordinator::finished, &app, &QCoreApplication::exit);

    exitCode = app.exec();

    delete publisher; // says `bye` to every subscriber and waits briefly for it to be read
    say(QStringLiteral("bye (exit %1)").arg(exitCode));
    if (exitCode == demo::ExitAbandoned) {
        // Abandoned sync work still runs on pool threads the engine cannot stop; tearing down
        // statics under it would race, and there is nothing left to report.
        std::fflush(nullptr);
        ::_exit(exitCode);
    }
    return exitCode;
}
