// SPDX-License-Identifier: MIT
// Schedules a named task through the installed package, with nothing but QtCore and
// Afterwork::Engine, and exits 0 only if it succeeded and did its work.

#include <afterwork/taskengine.h>

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

    QObject::connect(&engine, &afterwork::TaskEngine::taskEvent, &app, [&](const afterwork::TaskEvent &event) {
        if (!afterwork::isTerminal(event.phase))
            return;
        if (event.phase != afterwork::Phase::Succeeded || event.name != QLatin1String("add")) {
            std::fprintf(stderr, "consumer: task %s ended %s\n", qPrintable(event.name),
                         qPrintable(QString(afterwork::wireName(event.phase))));
            app.exit(1);
        } else {
            app.quit();
        }
    });
    engine.task({.name = QStringLiteral("add")}).schedule([&sum](int a, int b) { sum = a + b; }, 2, 3);

    QTimer::singleShot(30s, &app, [&app] {
        std::fprintf(stderr, "consumer: the task did not finish within 30 s\n");
        app.exit(2);
    });
    const int exitCode = app.exec();
    engine.shutdown(5s);
    if (exitCode != 0)
        return exitCode;
    if (sum != 5) {
        std::fprintf(stderr, "consumer: the work did not run (sum=%d)\n", sum.load());
        return 3;
    }
    std::printf("consumer (Engine only): the task succeeded\n");
    return 0;
}
