// SPDX-License-Identifier: MIT
// Afterwork embedded in a Qt console program, no HTTP: a global config with an error handler,
// named tasks with arguments, a shielded task, a retry policy, a coroutine and its outcome, the
// lifecycle events, and a shutdown with a deadline. Run it and read its output next to this file.

#include <afterwork/taskengine.h>
#ifdef AFTERWORK_EXAMPLE_WITH_CORO
#include <afterwork/delay.h>
#include <afterwork/qcoro.h>
#endif

#include <QtCore/QCoreApplication>
#include <QtCore/QDebug>
#include <QtCore/QThread>
#include <QtCore/QTimer>

#include <atomic>
#include <stdexcept>

using namespace std::chrono_literals;
using afterwork::CancellationToken;

static void sendEmail(const QString &to, const QString &subject)
{
    qInfo().noquote() << "    mail to" << to << "about" << subject;
}

static void chargeCard(const QString &customer, int cents)
{
    throw std::runtime_error("card declined for " + customer.toStdString() + ", " + std::to_string(cents) + " cents");
}

static void uploadReport(const QString &file)
{
    static std::atomic<int> calls{0};
    if (++calls < 3) // the storage is busy twice, then accepts the file
        throw std::runtime_error("storage busy");
    qInfo().noquote() << "    uploaded" << file;
}

static void flushAuditLog() // shielded: shutdown waits for it instead of cancelling it
{
    QThread::msleep(300); // stands for a write that must not be cut short
}

static void watchInbox(const CancellationToken &token) // unshielded: shutdown cancels it
{
    while (!token.isCancelled())
        QThread::msleep(10); // stands for polling a mailbox
    token.throwIfCancelled(); // ends the task Cancelled, which is never an error
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);

    // One engine for the application. Every task inherits the global config; this error handler
    // gets the task (name, arguments, attempt, ...) and the error (exception type and message).
    afterwork::TaskEngine engine({.onError = [](const afterwork::Task &task, const afterwork::TaskError &error) {
                                     qWarning().noquote() << "    tracker:" << task.name() << task.argumentsText()
                                                          << "failed:" << error.type << error.message;
                                 }},
                                 {.maxThreads = 4});

    // Every lifecycle step is one value, emitted on this thread, in order for each task.
    QObject::connect(&engine, &afterwork::TaskEngine::taskEvent, &app, [](const afterwork::TaskEvent &event) {
        qInfo().noquote() << QStringLiteral("[task %1] %2").arg(event.taskId).arg(event.name, -16)
                          << afterwork::wireName(event.phase);
    });

    // Sync work with arguments runs on the engine's pool; a per-task config is merged over the global one.
    engine.schedule(AFTERWORK_FN(sendEmail), QStringLiteral("ada@example.com"), QStringLiteral("Welcome!"));
    engine.task({.name = "charge_card"}).schedule(AFTERWORK_FN(chargeCard), QStringLiteral("ada"), 1999);
    engine.task({.name = "upload_report", .retry = afterwork::RetryPolicy{.maxAttempts = 3, .initialBackoff = 20ms}})
        .schedule(AFTERWORK_FN(uploadReport), QStringLiteral("q3.pdf"));
    engine.task({.name = "flush_audit_log", .shield = true}).schedule(AFTERWORK_FN(flushAuditLog));
    engine.task({.name = "watch_inbox", .onError = afterwork::noErrorHandler}).schedule(AFTERWORK_FN(watchInbox));
#ifdef AFTERWORK_EXAMPLE_WITH_CORO
    // A coroutine starts on this thread and never blocks it; delay() is a cancellable pause.
    const afterwork::Task rates = engine.task({.name = "fetch_rates", .timeout = 2s})
        .schedule([](const CancellationToken &token) -> QCoro::Task<int> {
            co_await afterwork::delay(token, 50ms);
            qInfo() << "    rates fetched";
            co_return 42;
        });
    // Told of one task's end, on this thread, with what its work returned.
    rates.whenEnded(&app, [](const afterwork::TaskOutcome &outcome) {
        qInfo().noquote() << "    fetch_rates ended" << afterwork::wireName(outcome.phase) << "with"
                << outcome.valueAs<int>().value_or(-1);
    });
#endif

    QTimer::singleShot(150ms, &app, &QCoreApplication::quit); // stands for the application's own exit
    app.exec();

    // The one blocking point: unshielded tasks are cancelled, shielded ones are waited for until the deadline.
    const afterwork::ShutdownReport report = engine.shutdown(2s);
    qInfo("shutdown: finished=%d cancelled=%d abandoned=%d in %lld ms", report.finished, report.cancelled,
          report.abandoned, static_cast<long long>(report.elapsedMs));
    try {
        engine.schedule(AFTERWORK_FN(sendEmail), QStringLiteral("bob@example.com"), QStringLiteral("Too late"));
    } catch (const afterwork::EngineShutDownError &error) {
        qInfo() << "scheduling after shutdown fails:" << error.what();
    }
    return 0;
}
