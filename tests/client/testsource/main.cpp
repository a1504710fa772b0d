// SPDX-License-Identifier: MIT
// afterwork_test_source: a real TaskEngine + EventPublisher in a process of its own, driven by
// commands on standard input, so tests can watch, record and kill a real source.
//
//   afterwork_test_source NAME        publishes on NAME, prints "ready <instance>", then reads:
//     block N          N sync tasks "blocker-i" that run until cancelled
//     quick N          N sync tasks "quick-i"; odd ones throw std::runtime_error("boom i")
//     shielded N MS    N shielded sync tasks "shielded-i" that run MS milliseconds
//     request ID       one simulated HTTP request: request lines around an after-route and an
//                      after-response task, in the order the HTTP layer uses
//     shutdown MS      engine.shutdown(MS), then the publisher says bye; prints "bye", exits 0
//     quit             exits without shutdown or bye (like a crash, without the signal)
// Standard input closing ends the process too (the test that drove it is gone).
#include <afterwork/eventpublisher.h>
#include <afterwork/taskengine.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QJsonObject>
#include <QtCore/QSocketNotifier>
#include <QtCore/QThread>

#include <cstdio>
#include <stdexcept>
#include <unistd.h>

using namespace afterwork;
using namespace std::chrono_literals;

namespace {

void say(const QByteArray &text)
{
    std::fputs(text.constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

//! Simulated work: runs for \a ms (0: until cancelled), in small steps so cancellation is prompt.
void work(const CancellationToken &token, int ms)
{
    for (int elapsed = 0; (ms == 0 || elapsed < ms) && !token.isCancelled(); elapsed += 2)
        QThread::msleep(2);
    token.throwIfCancelled(); // reported as cancelled, not as a success
}

class Driver : public QObject
{
public:
    Driver(TaskEngine &engine, EventPublisher *publisher) : m_engine(engine), m_publisher(publisher) {}

    void command(const QByteArray &line)
    {
        const QList<QByteArray> words = line.simplified().split(' ');
        const QByteArray &verb = words.value(0);
        const int n = words.value(1).toInt();
        if (verb == "block") {
            for (int i = 0; i < n; ++i)
                m_engine.task({.name = QStringLiteral("blocker-%1").arg(i)}).schedule([](const CancellationToken &token) {
                    work(token, 0);
                });
        } else if (verb == "quick") {
            for (int i = 0; i < n; ++i)
                m_engine.task({.name = QStringLiteral("quick-%1").arg(i)}).schedule([i] {
                    if (i % 2)
                        throw std::runtime_error("boom " + std::to_string(i));
                });
        } else if (verb == "shielded") {
            const int ms = words.value(2).toInt();
            for (int i = 0; i < n; ++i)
                m_engine.task({.name = QStringLiteral("shielded-%1").arg(i), .shield = true})
                    .schedule([ms](const CancellationToken &token) { work(token, ms); });
        } else if (verb == "request") {
            const quint64 id = words.value(1).toULongLong();
            const auto stage = [&](const char *name) {
                m_publisher->publish(QLatin1StringView("request"),
                                     QJsonObject{{"request", qint64(id)}, {"method", "POST"}, {"path", "/order"},
                                                 {"stage", QLatin1StringView(name)}, {"status", 200}});
            };
            stage("received");
            const TaskScope scope = m_engine.openScope(id);
            scope.afterRoute().task({.name = QStringLiteral("finalize_order")}).schedule([] {});
            scope.afterResponse().task({.name = QStringLiteral("send_confirmation")}).schedule([] {});
            stage("route_returned");
            scope.flush(Mode::AfterRoute);
            stage("response_written");
            scope.flush(Mode::AfterResponse);
        } else if (verb == "shutdown") {
            m_engine.shutdown(std::chrono::milliseconds(n));
            delete m_publisher; // says bye to every subscriber, waiting briefly for it to go out
            say("bye");
            QCoreApplication::exit(0);
        } else if (verb == "quit") {
            std::_Exit(3);
        }
    }

private:
    TaskEngine &m_engine;
    EventPublisher *m_publisher;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fputs("usage: afterwork_test_source NAME\n", stderr);
        return 2;
    }
    TaskEngine engine({}, EngineOptions{.maxThreads = 8});
    PublisherOptions options;
    options.app = QStringLiteral("test-source");
    options.heartbeatInterval = 200ms;
    auto *publisher = new EventPublisher(&engine, options);
    if (!publisher->listen(QString::fromLocal8Bit(argv[1]))) {
        std::fprintf(stderr, "afterwork_test_source: %s\n", qPrintable(publisher->errorString()));
        return 2;
    }
    Driver driver(engine, publisher);
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QByteArray pending;
    QObject::connect(&input, &QSocketNotifier::activated, &driver, [&] {
        char buffer[4096];
        const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (got <= 0) {
            input.setEnabled(false);
            std::_Exit(4); // the driving test is gone
        }
        pending.append(buffer, got);
        qsizetype newline;
        while ((newline = pending.indexOf('\n')) >= 0) {
            const QByteArray line = pending.left(newline);
            pending.remove(0, newline + 1);
            driver.command(line);
        }
    });
    say("ready " + publisher->instanceId().toString(QUuid::WithoutBraces).toUtf8());
    return QCoreApplication::exec();
}
