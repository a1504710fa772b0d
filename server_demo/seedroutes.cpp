// SPDX-License-Identifier: MIT
// The seed guide's endpoints, one for one (seed/task-configuration.txt), with its task names and
// configuration. Scalars are query parameters and bodies JSON, as FastAPI would take them.
#include "demoroutes.h"
#include "seedtasks.h"

#include <afterwork/qcoro.h>

#include <QtCore/QTimer>

using namespace afterwork;
using namespace afterwork::http;

namespace demo {

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

void addSeedRoutes(TaskRouter &router)
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

    // Task Shielding
    router.post("/critical", [](Tasks &tasks) {
        tasks.task({.name = "critical_operation", .shield = true}).schedule(AFTERWORK_FN(criticalOperation));
        return Json{{"status", "ok"}};
    });

    // Payment Processing (flow=finalize, the default) and Combining Configuration Options
    // (flow=process: name, shield and the payment error handler; decline=1 makes it fail).
    router.post("/payments", [](const Request &req, Tasks &tasks) {
        const qint64 paymentId = req.query<qint64>("payment_id");
        const double amount = req.query<double>("amount");
        const QString flow = oneOf(req, "flow", {"finalize", "process"}, "finalize");
        if (flow == QLatin1String("process")) {
            const bool decline = req.query<bool>("decline", false);
            tasks.task({.name = QStringLiteral("process_payment_%1").arg(paymentId),
                        .shield = true,
                        .onError = paymentErrorHandler})
                .schedule(AFTERWORK_FN(processPaymentAsync), paymentId, amount, decline);
        } else {
            tasks.task({.name = QStringLiteral("finalize_payment_%1").arg(paymentId), .shield = true})
                .schedule(AFTERWORK_FN(finalizePayment), paymentId, amount);
        }
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
    router.post("/risky", [](Tasks &tasks) {
        tasks.task({.name = "risky_task", .onError = myErrorHandler}).schedule(AFTERWORK_FN(riskyOperation));
        return Json{{"status", "ok"}};
    });

    // Error Handler with Retry Logic
    router.post("/flaky", [](Tasks &tasks) {
        tasks.task({.name = "flaky_task", .onError = retryHandler}).schedule(AFTERWORK_FN(flakyOperation));
        return Json{{"status", "ok"}};
    });

    // Configuration with Different Timing Modes
    router.post("/comprehensive", [](Tasks &tasks) {
        tasks.task({.name = "immediate_task", .onError = logError}).schedule(AFTERWORK_FN(immediateOperation));
        tasks.afterRoute().task({.name = "cleanup_task", .shield = true}).schedule(AFTERWORK_FN(cleanupResources));
        tasks.afterResponse()
            .task({.name = "notification_task", .onError = notificationErrorHandler})
            .schedule(AFTERWORK_FN(sendNotification));
        return Json{{"status", "ok"}};
    });

    // The deferred form: the route answers later (after `ms`), from a timer; its after-response
    // task starts once that late answer is written.
    router.post("/deferred", [](const Request &req, Tasks &tasks, Responder responder) {
        const int ms = req.query<int>("ms", 200, {.ge = 0, .le = 60000});
        tasks.afterResponse().task({.name = "deferred_followup"}).schedule(AFTERWORK_FN(immediateOperation));
        QTimer::singleShot(ms, [responder, ms] { responder.send(Json{{"status", "done"}, {"waited_ms", ms}}); });
    });
}

} // namespace demo
