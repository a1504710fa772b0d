// SPDX-License-Identifier: MIT
// Uses every component of the installed package once, end to end: an HTTP route (Http) schedules
// a sync task and a coroutine task (Engine, Coro) after its response; the engine's events are
// published on a local socket (Stream) and read back by a client (Client), whose parsed phases
// use the protocol's vocabulary (Protocol); TaskMetrics (Http) counts them for Prometheus. Exits 0
// only when the client saw both tasks succeed and the metrics counted them.

#include <afterwork/client/localsocketsource.h>
#include <afterwork/delay.h>
#include <afterwork/eventpublisher.h>
#include <afterwork/http/taskmetrics.h>
#include <afterwork/http/taskrouter.h>
#include <afterwork/protocol/wire.h>
#include <afterwork/qcoro.h>
#include <afterwork/taskengine.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QSet>
#include <QtCore/QTimer>
#include <QtCore/QUuid>
#include <QtHttpServer/QHttpServer>
#include <QtNetwork/QTcpSocket>

#include <chrono>
#include <cstdio>

using namespace std::chrono_literals;
using namespace afterwork;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    TaskEngine engine;
    http::TaskMetrics metrics(&engine);
    EventPublisher publisher(&engine, {.app = QStringLiteral("consumer")});
    const QString socketName = QStringLiteral("afterwork-consumer-") + QUuid::createUuid().toString(QUuid::Id128);
    if (!publisher.listen(socketName)) {
        std::fprintf(stderr, "consumer: cannot publish: %s\n", qPrintable(publisher.errorString()));
        return 4;
    }

    QHttpServer server;
    http::TaskRouter router(&server, &engine);
    router.get("/hello", [](const http::Request &, http::Tasks &tasks) {
        tasks.afterResponse().task({.name = QStringLiteral("sync_after")}).schedule([] {});
        tasks.afterResponse().task({.name = QStringLiteral("coro_after")}).schedule(
            [](const CancellationToken &token) -> QCoro::Task<> { co_await delay(token, 1ms); });
        return http::Json{{"hello", "consumer"}};
    });
    http::serveMetrics(&router, &metrics);
    const quint16 port = router.listen();
    if (port == 0) {
        std::fprintf(stderr, "consumer: the HTTP server did not listen\n");
        return 4;
    }

    QSet<QString> succeeded;
    client::LocalSocketSource source(socketName);
    QObject::connect(&source, &client::EventSource::linesReceived, &app, [&](const QList<client::StreamLine> &lines) {
        for (const client::StreamLine &line : lines) {
            const client::StreamEvent *event = line.event();
            const client::TaskRecord *task = event ? event->as<client::TaskRecord>() : nullptr;
            if (!task || !isTerminal(task->phase))
                continue;
            if (task->phase != Phase::Succeeded) {
                std::fprintf(stderr, "consumer: %s ended %s\n", qPrintable(task->name),
                             qPrintable(QString(wireName(task->phase))));
                app.exit(1);
            }
            succeeded.insert(task->name);
            if (succeeded.size() == 2)
                app.quit();
        }
    });

    QTcpSocket http;
    QObject::connect(&source, &client::EventSource::connected, &app, [&] {
        http.connectToHost(QHostAddress::LocalHost, port);
        http.write("GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    });
    source.start();

    QTimer::singleShot(30s, &app, [&app] {
        std::fprintf(stderr, "consumer: the tasks were not seen to finish within 30 s\n");
        app.exit(2);
    });
    const int exitCode = app.exec();
    engine.shutdown(5s);
    if (exitCode != 0)
        return exitCode;
    const QByteArray text = metrics.render();
    for (const char *name : {"sync_after", "coro_after"}) {
        const QByteArray line = QByteArray("afterwork_tasks_total{name=\"") + name + "\",outcome=\"succeeded\"} 1\n";
        if (!text.contains(line)) {
            std::fprintf(stderr, "consumer: /metrics lacks %s", line.constData());
            return 3;
        }
    }
    std::printf("consumer (every component): %lld tasks succeeded, seen through the event stream\n",
                qlonglong(succeeded.size()));
    return 0;
}
