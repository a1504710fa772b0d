// SPDX-License-Identifier: MIT
#pragma once

// The task functions and error handlers of fastapi-tasks' task-configuration guide, with the
// same names, as sync work (on the engine's pool) or async work (QCoro, on the engine thread).

#include "demostate.h"

#include <afterwork/cancellationtoken.h>
#include <afterwork/task.h>
#include <afterwork/taskerror.h>

#include <QCoro/QCoroTask>
#include <QtCore/QDebug>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QString>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

namespace demo {

Q_DECLARE_LOGGING_CATEGORY(lcDemo) // "afterwork.demo"

using afterwork::CancellationToken;
using afterwork::Task;
using afterwork::TaskError;

// "Naming tasks": send_email(to, subject). Async, about 80 ms.
QCoro::Task<> sendEmail(CancellationToken token, QString to, QString subject);
// "Dynamic task names": process_data(user_id). Sync, about 300 ms.
void processData(const CancellationToken &token, int userId);
// "Task shielding": critical_operation(). Sync, about 500 ms.
void criticalOperation(const CancellationToken &token);
// "Payment processing": finalize_payment(payment_id, amount). Sync, three steps of about 250 ms.
void finalizePayment(const CancellationToken &token, qint64 paymentId, double amount);
// "Combining configuration": process_payment_async(payment_id, amount); declines when \a decline.
QCoro::Task<> processPaymentAsync(CancellationToken token, qint64 paymentId, double amount, bool decline);
void paymentErrorHandler(const Task &task, const TaskError &error);
// "Shielding with different timing modes": save_order, finalize_order, send_critical_notification.
int saveOrder(const QJsonObject &orderData);
void finalizeOrder(const CancellationToken &token, int orderId);
QCoro::Task<> sendCriticalNotification(CancellationToken token, int orderId);
// "Basic error handler": risky_operation raises, my_error_handler reports it.
void riskyOperation(const CancellationToken &token);
void myErrorHandler(const Task &task, const TaskError &error);
// "Real-world example: error tracking": process_user_data(data) fails when the data has no numeric
// user_id; send_to_error_tracking captures the error in \a tracker with the task's name, function
// and arguments.
void processUserData(const CancellationToken &token, const QJsonObject &data);
void sendToErrorTracking(const Task &task, const TaskError &error, ErrorTracker *tracker);
// "Error handler with retry logic": flaky_operation fails as \a flakiness says; retry_handler re-runs
// it up to 3 times after \a backoff, 2 and 4 times \a backoff (the guide's 1, 2 and 4 s;
// cancellable), then gives up by raising. It counts its re-runs and outcomes in \a stats.
struct Flakiness
{
    //! Unset: fails 70% of the time at random (the guide's). Set: fails its first failTimes runs,
    //! counted over the task's runs (its re-runs and retries share this object's counter).
    std::optional<int> failTimes{};
    std::shared_ptr<std::atomic<int>> runs = std::make_shared<std::atomic<int>>(0);
};
QDebug operator<<(QDebug debug, const Flakiness &flakiness); // its argument text: "random 70%", "fails 2 times"
void flakyOperation(const CancellationToken &token, const Flakiness &flakiness);
QCoro::Task<> retryHandler(Task task, TaskError error, std::chrono::milliseconds backoff, RetryStats *stats);
// "Configuration with different timing modes".
void immediateOperation(const CancellationToken &token);
void logError(const Task &task, const TaskError &error);
void cleanupResources(const CancellationToken &token);
QCoro::Task<> sendNotification(CancellationToken token);
void notificationErrorHandler(const Task &task, const TaskError &error);
// "Global configuration" and "Overriding global configuration": my_function and task1 .. task4
// are this one stand-in (about 50 ms), which fails when \a fail is set; custom_error_handler says
// "Custom handler".
void overridingTask(const CancellationToken &token, bool fail);
void customErrorHandler(const Task &task, const TaskError &error);

} // namespace demo
