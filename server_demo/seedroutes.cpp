// SPDX-License-Identifier: MIT
// The endpoints of fastapi-tasks' task-configuration guide, one for one, with its task names and
// configuration. Scalars are query parameters and bodies JSON, as FastAPI would take them.
#include "demoroutes.h"
#include "seedtasks.h"

#include <afterwork/qcoro.h>

#include <QtCore/QTimer>

using namespace afterwork;
using namespace afterwork::http;

namespace demo {

namespace {

//! "myErrorHandler" as the guide spells it: "my_error_handler".
QString guideName(QStringView function)
{
    QString name;
    for (const QChar c : function) {
        if (c.isUpper())
            name += QLatin1Char('_') + c.toLower();
        else
            name += c;
    }
    return name;
}

//! The error handler \a function, called as function(task, error, extra...) and counted in GET
//! /tasks' `handler_calls` under its guide name each time the engine calls it.
template<typename Function, typename... Extra>
ErrorHandler counted(DemoState &state, QStringView functionName, Function function, Extra... extra)
{
    return [&state, name = guideName(functionName), function, extra...](const Task &task, const TaskError &error) {
        state.handlerCalls.count(name);
        return function(task, error, extra...);
    };
}

// The name counted is the function's own: a route cannot count one handler and run another.
#define COUNTED(state, function, ...) counted(state, u"" #function, function __VA_OPT__(, ) __VA_ARGS__)

} // namespace

QString oneOf(const Request &req, const QString &name, const QStringList &allowed, const QString &fallback)
{
    const QString value = req.query<QString>(name, fallback);
    if (allowed.contains(value))
        return value;
    // "'a', 'b' or 'c'", as FastAPI lists an enum's values.
    QStringList quoted;
    for (const QString &each : allowed)
        quoted.append(QStringLiteral("'%1'").arg(each));
    const QString expected = quoted.size() == 1
        ? quoted.first()
        : quoted.mid(0, quoted.size() - 1).join(QStringLiteral(", ")) + QStringLiteral(" or ") + quoted.last();
    throw HttpError::validation({"query", name}, "enum", QStringLiteral("Input should be %1").arg(expected), value,
                                {{"expected", expected}});
}

void addSeedRoutes(TaskRouter &router, DemoState &state)
{
    // Naming Tasks
    router.post("/notify", [](const Request &req, Tasks &tasks) {
        const QString email = req.query<QString>("email");
        tasks.task({.name = "send_welcome_email"}).schedule(AFTERWORK_FN(sendEmail), email, QStringLiteral("Welcome!"));
        return Json{{"status", "ok"}};
    });

    // Dynamic Task Names
    router.post("/process/{user_id}", [](const Request &req, Tasks &tasks) {
        const int userId = req.path<int>("user_id");
        tasks.task({.name = QStringLiteral("process_user_%1").arg(userId)}).schedule(AFTERWORK_FN(processData), userId);
        return Json{{"status", "processing"}};
    });

    // Task Shielding: shielded and unnamed, so the engine names it "criticalOperation#<id>".
    router.post("/critical", [](Tasks &tasks) {
        tasks.task({.shield = true}).schedule(AFTERWORK_FN(criticalOperation));
        return Json{{"status", "ok"}};
    });

    // Payment Processing (flow=finalize, the default) and Combining Configuration Options
    // (flow=process: name, shield and the payment error handler; decline=1 makes it fail).
    router.post("/payments", [&state](const Request &req, Tasks &tasks) {
        const qint64 paymentId = req.query<qint64>("payment_id");
        const double amount = req.query<double>("amount");
        const QString flow = oneOf(req, "flow", {"finalize", "process"}, "finalize");
        if (flow == QLatin1String("process")) {
            const bool decline = req.query<bool>("decline", false);
            tasks.task({.name = QStringLiteral("process_payment_%1").arg(paymentId),
                        .shield = true,
                        .onError = COUNTED(state, paymentErrorHandler)})
                .schedule(AFTERWORK_FN(processPaymentAsync), paymentId, amount, decline);
            return Json{{"status", "processing"}};
        }
        tasks.task({.name = QStringLiteral("finalize_payment_%1").arg(paymentId), .shield = true})
            .schedule(AFTERWORK_FN(finalizePayment), paymentId, amount);
        return Json{{"status", "processing"}, {"payment_id", paymentId}};
    });

    // Shielding with Different Timing Modes
    router.post("/order", [](const Request &req, Tasks &tasks) {
        const int orderId = saveOrder(req.jsonObject());
        tasks.afterRoute().task({.name = "finalize_order", .shield = true}).schedule(AFTERWORK_FN(finalizeOrder), orderId);
        tasks.afterResponse()
            .task({.name = "send_confirmation", .shield = true})
            .schedule(AFTERWORK_FN(sendCriticalNotification), orderId);
        return Json{{"order_id", orderId}};
    });

    // Basic Error Handler
    router.post("/risky", [&state](Tasks &tasks) {
        tasks.task({.name = "risky_task", .onError = COUNTED(state, myErrorHandler)})
            .schedule(AFTERWORK_FN(riskyOperation));
        return Json{{"status", "ok"}};
    });

    // Real-World Example: Error Tracking
    router.post("/process", [&state](const Request &req, Tasks &tasks) {
        const QJsonObject data = req.jsonObject();
        tasks.task({.name = "process_user_data", .onError = COUNTED(state, sendToErrorTracking, &state.errorTracker)})
            .schedule(AFTERWORK_FN(processUserData), data);
        return Json{{"status", "processing"}};
    });

    // Error Handler with Retry Logic. retry=handler (the default) is the guide's retry_handler,
    // which re-runs the work outside the task's lifecycle (no events; GET /tasks' `retries` counts
    // what it did). retry=policy gives the same retries to the engine's RetryPolicy instead: each
    // attempt is in the events (`retrying`, then `started` with the next attempt number), and the
    // global handler runs after the last. fail_times=N makes flaky_operation fail its first N runs
    // instead of 70% at random; backoff_ms stands for the guide's first second of backoff.
    router.post("/flaky", [&state](const Request &req, Tasks &tasks) {
        const QString retry = oneOf(req, "retry", {"handler", "policy"}, "handler");
        Flakiness flakiness;
        if (req.queryText("fail_times"))
            flakiness.failTimes = req.query<int>("fail_times", {.ge = 0, .le = 1000});
        const std::chrono::milliseconds backoff{req.query<int>("backoff_ms", 1000, {.ge = 0, .le = 60000})};
        TaskConfig config{.name = "flaky_task"};
        if (retry == QLatin1String("policy")) {
            config.retry =
                RetryPolicy{.maxAttempts = 4, .initialBackoff = backoff, .maxBackoff = 4 * backoff, .jitter = 0};
        } else {
            config.onError = COUNTED(state, retryHandler, backoff, &state.retries);
        }
        tasks.task(config).schedule(AFTERWORK_FN(flakyOperation), flakiness);
        return Json{{"status", "ok"}};
    });

    // Configuration with Different Timing Modes
    router.post("/comprehensive", [&state](Tasks &tasks) {
        tasks.task({.name = "immediate_task", .onError = COUNTED(state, logError)})
            .schedule(AFTERWORK_FN(immediateOperation));
        tasks.afterRoute().task({.name = "cleanup_task", .shield = true}).schedule(AFTERWORK_FN(cleanupResources));
        tasks.afterResponse()
            .task({.name = "notification_task", .onError = COUNTED(state, notificationErrorHandler)})
            .schedule(AFTERWORK_FN(sendNotification));
        return Json{{"status", "ok"}};
    });

    // Global Configuration: the task inherits the global config (--global-shield for the guide's);
    // fail=1 makes it fail, so that the global handler runs.
    router.post("/task", [](const Request &req, Tasks &tasks) {
        tasks.schedule(named("my_function", overridingTask), req.query<bool>("fail", false));
        return Json{{"status", "scheduled"}};
    });

    // Overriding Global Configuration, for a demo run with --global-shield (the guide's global
    // config: shielded, the global handler). fail=task1,task4 makes those of the four fail, so
    // that their handlers run.
    router.post("/tasks", [&state](const Request &req, Tasks &tasks) {
        const QStringList failing = req.query<QString>("fail", QString()).split(u',', Qt::SkipEmptyParts);
        const auto fails = [&failing](const char *function) { return failing.contains(QLatin1String(function)); };
        tasks.schedule(named("task1", overridingTask), fails("task1"));
        tasks.task({.onError = COUNTED(state, customErrorHandler)}).schedule(named("task2", overridingTask), fails("task2"));
        tasks.task({.shield = false}).schedule(named("task3", overridingTask), fails("task3"));
        tasks.task({.name = "my_task", .shield = false, .onError = COUNTED(state, customErrorHandler)})
            .schedule(named("task4", overridingTask), fails("task4"));
        return Json{{"status", "ok"}};
    });

    // The deferred form: the route answers later (after `ms`), from a timer. Its immediate task
    // starts at once, while the route is still suspended; its after-response task starts once
    // that late answer is written.
    router.post("/deferred", [](const Request &req, Tasks &tasks, Responder responder) {
        const int ms = req.query<int>("ms", 200, {.ge = 0, .le = 60000});
        tasks.task({.name = "deferred_immediate"}).schedule(AFTERWORK_FN(immediateOperation));
        tasks.afterResponse().task({.name = "deferred_followup"}).schedule(AFTERWORK_FN(immediateOperation));
        QTimer::singleShot(ms, [responder, ms] { responder.send(Json{{"status", "done"}, {"waited_ms", ms}}); });
    });
}

} // namespace demo
