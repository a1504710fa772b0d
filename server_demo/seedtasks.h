// SPDX-License-Identifier: MIT
#pragma once

// The task functions and error handlers of the seed guide (seed/task-configuration.txt), with the
// same names, as sync work (on the engine's pool) or async work (QCoro, on the engine thread).

#include <afterwork/cancellationtoken.h>
#include <afterwork/task.h>
#include <afterwork/taskerror.h>

#include <QCoro/QCoroTask>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QString>

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
// "Error handler with retry logic": flaky_operation fails 70% of the time; retry_handler re-runs it
// up to 3 times after 1, 2 and 4 s (cancellable), then gives up by raising.
void flakyOperation(const CancellationToken &token);
QCoro::Task<> retryHandler(Task task, TaskError error);
// "Configuration with different timing modes".
void immediateOperation(const CancellationToken &token);
void logError(const Task &task, const TaskError &error);
void cleanupResources(const CancellationToken &token);
QCoro::Task<> sendNotification(CancellationToken token);
void notificationErrorHandler(const Task &task, const TaskError &error);

} // namespace demo
