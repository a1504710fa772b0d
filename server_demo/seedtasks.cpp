// SPDX-License-Identifier: MIT
#include "seedtasks.h"

#include "simulatedwork.h"

#include <afterwork/delay.h>
#include <afterwork/qcoro.h>

#include <QCoro/QCoroFuture>
#include <QtCore/QRandomGenerator>

#include <atomic>
#include <optional>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;

namespace demo {

Q_LOGGING_CATEGORY(lcDemo, "afterwork.demo")

QCoro::Task<> sendEmail(CancellationToken token, QString to, QString subject)
{
    qCInfo(lcDemo).noquote() << "Sending email to" << to << "-" << subject;
    co_await simulateWorkAsync(token, 80ms);
}

void processData(const CancellationToken &token, int userId)
{
    simulateWork(token, 300ms);
    qCInfo(lcDemo) << "Processed data of user" << userId;
}

void criticalOperation(const CancellationToken &token)
{
    qCInfo(lcDemo) << "Performing critical operation";
    simulateWork(token, 500ms);
}

void finalizePayment(const CancellationToken &token, qint64 paymentId, double amount)
{
    simulateWork(token, 250ms);
    qCInfo(lcDemo) << "payment" << paymentId << "status: completed";
    simulateWork(token, 250ms);
    qCInfo(lcDemo) << "payment" << paymentId << "charged" << amount;
    simulateWork(token, 250ms);
    qCInfo(lcDemo) << "payment" << paymentId << "receipt sent";
}

QCoro::Task<> processPaymentAsync(CancellationToken token, qint64 paymentId, double amount, bool decline)
{
    co_await simulateWorkAsync(token, 300ms);
    if (decline)
        throw std::runtime_error("card declined for payment " + std::to_string(paymentId));
    qCInfo(lcDemo) << "payment" << paymentId << "processed:" << amount;
}

void paymentErrorHandler(const Task &task, const TaskError &error)
{
    // fastapi-tasks' guide reads task.kwargs.get("payment_id"); here it is the work's first
    // argument, as processPaymentAsync was scheduled with it (nullopt for any other work).
    const std::optional<qint64> paymentId = task.argument<qint64>(0);
    qCWarning(lcDemo).noquote() << "[error tracking]" << error.type << error.message;
    qCWarning(lcDemo).noquote() << "[alert on-call] Payment task failed:" << error.message;
    if (paymentId)
        qCWarning(lcDemo).noquote() << "[refund] initiating refund of payment" << *paymentId;
}

int saveOrder(const QJsonObject &orderData)
{
    static std::atomic<int> nextOrderId{1000};
    Q_UNUSED(orderData);
    return nextOrderId.fetch_add(1);
}

void finalizeOrder(const CancellationToken &token, int orderId)
{
    simulateWork(token, 200ms);
    qCInfo(lcDemo) << "order" << orderId << "finalized";
}

QCoro::Task<> sendCriticalNotification(CancellationToken token, int orderId)
{
    co_await simulateWorkAsync(token, 150ms);
    qCInfo(lcDemo) << "confirmation of order" << orderId << "sent";
}

void riskyOperation(const CancellationToken &token)
{
    simulateWork(token, 30ms);
    throw std::invalid_argument("Something went wrong"); // the seed's ValueError
}

void myErrorHandler(const Task &task, const TaskError &error)
{
    qCWarning(lcDemo).noquote() << "Task" << task.name() << "failed:" << error.message;
}

void processUserData(const CancellationToken &token, const QJsonObject &data)
{
    simulateWork(token, 100ms);
    const QJsonValue userId = data.value(QLatin1String("user_id"));
    if (!userId.isDouble())
        throw std::invalid_argument("user data without a numeric user_id");
    qCInfo(lcDemo) << "Processed the data of user" << userId.toInteger();
}

void sendToErrorTracking(const Task &task, const TaskError &error, ErrorTracker *tracker)
{
    tracker->capture(task, error);
    qCWarning(lcDemo).noquote() << "[error tracking] captured" << error.type << error.message << "of task"
                                << task.name() << task.functionLabel() + task.argumentsText();
}

QDebug operator<<(QDebug debug, const Flakiness &flakiness)
{
    QDebugStateSaver saver(debug);
    if (flakiness.failTimes)
        debug.nospace() << "fails " << *flakiness.failTimes << " times";
    else
        debug.nospace() << "random 70%";
    return debug;
}

void flakyOperation(const CancellationToken &token, const Flakiness &flakiness)
{
    simulateWork(token, 100ms);
    if (flakiness.failTimes) {
        const int run = flakiness.runs->fetch_add(1) + 1;
        if (run <= *flakiness.failTimes)
            throw std::runtime_error("failure " + std::to_string(run) + " of " + std::to_string(*flakiness.failTimes)
                                     + " (fail_times)");
    } else if (QRandomGenerator::global()->generateDouble() < 0.7) {
        throw std::runtime_error("Random failure");
    }
    qCInfo(lcDemo) << "Operation succeeded";
}

QCoro::Task<> retryHandler(Task task, TaskError error, std::chrono::milliseconds backoff, RetryStats *stats)
{
    Q_UNUSED(error);
    constexpr int maxRetries = 3;
    const CancellationToken token = task.cancellationToken();
    for (int attempt = 0; attempt < maxRetries; ++attempt) {
        co_await afterwork::delay(token, backoff * (1 << attempt)); // exponential backoff
        stats->reruns.fetch_add(1);
        try {
            co_await task.rerun();
            stats->recovered.fetch_add(1);
            qCInfo(lcDemo).noquote() << "Task" << task.name() << "succeeded on retry" << attempt + 1;
            co_return;
        } catch (const std::exception &retryError) {
            if (attempt == maxRetries - 1) {
                stats->gaveUp.fetch_add(1);
                qCWarning(lcDemo).noquote() << "Task" << task.name() << "failed after" << maxRetries << "retries";
                throw;
            }
            qCInfo(lcDemo).noquote() << "Retry" << attempt + 1 << "failed:" << retryError.what();
        }
    }
}

void immediateOperation(const CancellationToken &token)
{
    simulateWork(token, 100ms);
}

void logError(const Task &task, const TaskError &error)
{
    qCWarning(lcDemo).noquote() << "Task" << task.name() << "failed:" << error.type << error.message;
}

void cleanupResources(const CancellationToken &token)
{
    simulateWork(token, 150ms);
    qCInfo(lcDemo) << "resources cleaned up";
}

QCoro::Task<> sendNotification(CancellationToken token)
{
    co_await simulateWorkAsync(token, 100ms);
    qCInfo(lcDemo) << "notification sent";
}

void notificationErrorHandler(const Task &task, const TaskError &error)
{
    qCWarning(lcDemo).noquote() << "notification task" << task.name() << "failed:" << error.message;
}

void overridingTask(const CancellationToken &token, bool fail)
{
    simulateWork(token, 50ms);
    if (fail)
        throw std::runtime_error("failed on purpose (fail=)");
}

void customErrorHandler(const Task &task, const TaskError &error)
{
    Q_UNUSED(error);
    qCWarning(lcDemo).noquote() << "Custom handler:" << task.name();
}

} // namespace demo
