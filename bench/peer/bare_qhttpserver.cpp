// SPDX-License-Identifier: MIT
// The limit for figures 4e and 4f of bench_http: QHttpServer with one JSON route and nothing of
// Afterwork, the least a Qt application serving HTTP can do. It answers GET /healthz with the same
// body as afterwork-demo's, from a plain (not a responder) handler, and prints its port.
//
//   bench_bare_http [PORT]     (0 or none: a free port)
#include <QtCore/QCoreApplication>
#include <QtHttpServer/QHttpServer>
#include <QtHttpServer/QHttpServerResponse>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpServer>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QHttpServer server;
    server.route("/healthz", [] {
        return QHttpServerResponse(QByteArrayLiteral("application/json"), QByteArrayLiteral("{\"status\":\"ok\"}"));
    });
    // bind() rather than listen(): the same call on Qt 6.4 and 6.8 (6.8 removed listen()).
    auto *tcp = new QTcpServer(&server);
    const quint16 wanted = argc > 1 ? quint16(QString::fromLocal8Bit(argv[1]).toUInt()) : 0;
    if (!tcp->listen(QHostAddress::LocalHost, wanted)) {
        std::fprintf(stderr, "bench_bare_http: cannot listen: %s\n", qPrintable(tcp->errorString()));
        return 1;
    }
    server.bind(tcp);
    std::printf("listening on http://127.0.0.1:%u\n", unsigned(tcp->serverPort()));
    std::fflush(stdout);
    return app.exec();
}
