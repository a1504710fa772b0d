// SPDX-License-Identifier: MIT
// Schedules a task (and, with Afterwork::Coro, a coroutine task) through the installed package and
// exits 0 only if each one succeeded and did its work.

#include <afterwork/taskengine.h>
#ifdef AFTERWORK_CONSUMER_WITH_CORO
#include <afterwork/delay.h>
#include <afterwork/qcoro.h>
#endif

#include <QtCore/QCoreApplication>
#include <QtCore/QTimer>

#include <atomic>
#include <chrono>
#include <cstdio>

using namespace std::chrono_literals;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    afterwork::TaskEngine engine;

    std::atomic<int> sum{0};
    std::atomic<bool> coroutineRan{false};
    int expectedSuccesses = 1;
#ifdef AFTERWORK_CONSUMER_WITH_CORO
    ++expectedSuccesses;
#endif

    int successes = 0;
    QObject::connect(&engine, &afterwork::TaskEngine::taskEvent, &app,
                     [&](const afterwork::TaskEvent &event) {
                         if (!afterwork::isTerminal(event.phase))
                             return;
                         if (event.phase != afterwork::Phase::Succeeded) {
                             std::fprintf(stderr, "consumer: task %s ended %s\n", qPrintable(event.name),
                                          qPrintable(QString(afterwork::wireName(event.phase))));
                             app.exit(1);
                         } else if (++successes == expectedSuccesses) {
                             app.quit();
                         }
                     });

    engine.task({.name = QStringLiteral("add")}).schedule([&sum](int a, int b) { sum = a + b; }, 2, 3);
#ifdef AFTERWORK_CONSUMER_WITH_CORO
    engine.schedule([&coroutineRan](const afterwork::CancellationToken &token) -> QCoro::Task<> {
        co_await afterwork::delay(token, 1ms);
        coroutineRan = true;
    });
#else
    coroutineRan = true;
#endif

    QTimer::singleShot(30s, &app, [&app] {
        std::fprintf(stderr, "consumer: tasks did not finish within 30 s\n");
        app.exit(2);
    });
    const int exitCode = app.exec();
    const afterwork::ShutdownReport report = engine.shutdown(5s);

    if (exitCode != 0)
        return exitCode;
    if (sum != 5 || !coroutineRan) {
        std::fprintf(stderr, "consumer: the work did not run (sum=%d, coroutine=%d)\n", sum.load(),
                     int(coroutineRan.load()));
        return 3;
    }
    std::printf("consumer: %d task(s) succeeded; shutdown finished=%d cancelled=%d abandoned=%d\n", successes,
                report.finished, report.cancelled, report.abandoned);
    return 0;
}
