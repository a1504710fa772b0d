// SPDX-License-Identifier: MIT
// afterwork-demo as a real process: its endpoints seen through its real event stream, bad input,
// 200 concurrent connections, and the graceful shutdown on SIGTERM/SIGINT with its exit codes.
#include "../http/httptestsupport.h"
#include "../support/tlsfixtures.h"
#include "demotestsupport.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QMap>
#include <QtCore/QSet>
#include <QtNetwork/QSslSocket>
#include <QtTest/QTest>

#include <csignal>
#include <memory>

using namespace afterwork::test;

namespace {

//! The id of the latest request line for \a path (any stage); 0 if none.
qint64 requestIdFor(const QList<QJsonObject> &lines, const QString &path)
{
    for (qsizetype i = lines.size() - 1; i >= 0; --i) {
        if (lines[i].value("kind") == QLatin1String("request") && lines[i].value("path") == path)
            return lines[i].value("request").toInteger();
    }
    return 0;
}

QStringList stagesOf(const QList<QJsonObject> &lines, qint64 requestId)
{
    QStringList stages;
    for (const QJsonObject &line : lines) {
        if (line.value("kind") == QLatin1String("request") && line.value("request").toInteger() == requestId)
            stages << line.value("stage").toString();
    }
    return stages;
}

//! The id of the first request for \a path after request \a after (ids grow); 0 if none yet.
qint64 requestIdAfter(const QList<QJsonObject> &lines, const QString &path, qint64 after)
{
    for (const QJsonObject &line : lines) {
        if (line.value("kind") == QLatin1String("request") && line.value("path") == path
            && line.value("request").toInteger() > after)
            return line.value("request").toInteger();
    }
    return 0;
}

//! The task lines of \a requestId's tasks, in order.
QList<QJsonObject> taskLinesOf(const QList<QJsonObject> &lines, qint64 requestId)
{
    QList<QJsonObject> result;
    for (const QJsonObject &line : lines) {
        if (line.value("kind") == QLatin1String("task") && line.value("request").toInteger() == requestId)
            result << line;
    }
    return result;
}

//! "phase attempt" of each line of \a taskLines.
QStringList phasesAndAttempts(const QList<QJsonObject> &taskLines)
{
    QStringList result;
    for (const QJsonObject &line : taskLines)
        result << QStringLiteral("%1 %2").arg(line.value("phase").toString()).arg(line.value("attempt").toInt());
    return result;
}

bool isEndPhase(const QString &phase)
{
    static const QStringList ends{"succeeded", "failed", "cancelled", "abandoned", "dropped"};
    return ends.contains(phase);
}

//! The names of \a requestId's tasks in the order their "started" lines arrived.
QStringList startedNamesOf(const QList<QJsonObject> &lines, qint64 requestId)
{
    QStringList names;
    for (const QJsonObject &line : lines) {
        if (line.value("kind") == QLatin1String("task") && line.value("phase") == QLatin1String("started")
            && line.value("request").toInteger() == requestId)
            names << line.value("name").toString();
    }
    return names;
}

//! One keep-alive connection that sends the next request as soon as the previous is answered.
class LoadClient
{
public:
    LoadClient(quint16 port, QByteArray target) : m_target(std::move(target))
    {
        QObject::connect(&m_socket, &QTcpSocket::connected, &m_socket, [this] { sendNext(); });
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] { onReadyRead(); });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }
    void stop() { m_stopping = true; }
    bool idle() const { return !m_waiting; }

    QList<qint64> ids;
    int answered = 0;
    int errors = 0;

private:
    void sendNext()
    {
        if (m_stopping)
            return;
        m_waiting = true;
        m_socket.write("POST " + m_target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    }
    void onReadyRead()
    {
        m_buffer += m_socket.readAll();
        for (;;) {
            const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
            if (headerEnd < 0)
                return;
            const qsizetype lengthAt = m_buffer.indexOf("Content-Length: ");
            const qsizetype lengthEnd = m_buffer.indexOf("\r\n", lengthAt);
            const qint64 length = m_buffer.mid(lengthAt + 16, lengthEnd - lengthAt - 16).toLongLong();
            if (m_buffer.size() < headerEnd + 4 + length)
                return;
            const QByteArray body = m_buffer.mid(headerEnd + 4, length);
            if (!m_buffer.startsWith("HTTP/1.1 200"))
                ++errors;
            m_buffer.remove(0, headerEnd + 4 + length);
            for (const QJsonValue &id : QJsonDocument::fromJson(body).object().value("ids").toArray())
                ids << id.toInteger();
            ++answered;
            m_waiting = false;
            sendNext();
        }
    }

    QTcpSocket m_socket;
    QByteArray m_target;
    QByteArray m_buffer;
    bool m_waiting = false;
    bool m_stopping = false;
};

} // namespace

class DemoProcessTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void seedEndpointsScheduleTheirTasks_data();
    void seedEndpointsScheduleTheirTasks();
    void immediateTaskStartsWhileTheRouteIsSuspended();
    void failedTaskRunsItsRoutesHandler_data();
    void failedTaskRunsItsRoutesHandler();
    void errorTrackerGetsTheTaskContext();
    void retryHandlerReRunsTheWork_data();
    void retryHandlerReRunsTheWork();
    void retryPolicyShowsEveryAttempt_data();
    void retryPolicyShowsEveryAttempt();
    void seedTimingModesStartInOrderOnABusyPool_data();
    void seedTimingModesStartInOrderOnABusyPool();
    void spawnSchedulesWhatItSays();
    void reportExportReportsItsProgress();
    void failingRouteDropsItsBatches();
    void badInputKeepsTheServerUp_data();
    void badInputKeepsTheServerUp();
    void twoHundredConnectionsLoseNoTaskEvents();
    void sigtermFinishesShieldedAndCancelsUnshielded();
    void drainCommandTakesTheSignalsPath();
    void shieldedTaskPastTheDeadlineIsAbandoned();
    void globalShieldShieldsByDefault();
    void startupFailuresExitWithTheirCodes();
    void tlsKeyOfAnotherCertificateStopsStartup();

private:
    std::unique_ptr<DemoProcess> m_demo;
    std::unique_ptr<StreamReader> m_stream;
};

void DemoProcessTest::initTestCase()
{
    m_demo = std::make_unique<DemoProcess>();
    QVERIFY2(m_demo->start(), qPrintable(m_demo->diagnostics()));
    m_stream = std::make_unique<StreamReader>(m_demo->eventsPath);
    QVERIFY(m_stream->waitSubscribed());
}

void DemoProcessTest::cleanupTestCase()
{
    m_stream.reset();
    if (m_demo) {
        m_demo->process.terminate();
        QVERIFY(m_demo->waitFinished(15000));
        QCOMPARE(m_demo->process.exitCode(), 0);
    }
}

void DemoProcessTest::seedEndpointsScheduleTheirTasks_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QStringList>("tasks"); // "name mode shielded end"; a generated name as "label#"
    QTest::newRow("notify") << QByteArray("/notify?email=ann@example.org") << QByteArray()
                            << QByteArray(R"({"status":"ok"})")
                            << QStringList{"send_welcome_email immediate false succeeded"};
    QTest::newRow("process") << QByteArray("/process/42") << QByteArray() << QByteArray(R"({"status":"processing"})")
                             << QStringList{"process_user_42 immediate false succeeded"};
    QTest::newRow("critical") << QByteArray("/critical") << QByteArray() << QByteArray(R"({"status":"ok"})")
                              << QStringList{"criticalOperation# immediate true succeeded"};
    QTest::newRow("payments") << QByteArray("/payments?payment_id=7&amount=19.5") << QByteArray()
                              << QByteArray(R"({"status":"processing","payment_id":7})")
                              << QStringList{"finalize_payment_7 immediate true succeeded"};
    QTest::newRow("payments combined") << QByteArray("/payments?payment_id=8&amount=5&flow=process&decline=1")
                                       << QByteArray() << QByteArray(R"({"status":"processing"})")
                                       << QStringList{"process_payment_8 immediate true failed"};
    QTest::newRow("order") << QByteArray("/order") << QByteArray(R"({"item":"book","qty":1})") << QByteArray()
                           << QStringList{"finalize_order after_route true succeeded",
                                          "send_confirmation after_response true succeeded"};
    QTest::newRow("risky") << QByteArray("/risky") << QByteArray() << QByteArray(R"({"status":"ok"})")
                           << QStringList{"risky_task immediate false failed"};
    QTest::newRow("error tracking") << QByteArray("/process") << QByteArray(R"({"user_id":42})")
                                    << QByteArray(R"({"status":"processing"})")
                                    << QStringList{"process_user_data immediate false succeeded"};
    QTest::newRow("flaky") << QByteArray("/flaky?fail_times=0") << QByteArray() << QByteArray(R"({"status":"ok"})")
                           << QStringList{"flaky_task immediate false succeeded"};
    QTest::newRow("comprehensive") << QByteArray("/comprehensive") << QByteArray() << QByteArray(R"({"status":"ok"})")
                                   << QStringList{"immediate_task immediate false succeeded",
                                                  "cleanup_task after_route true succeeded",
                                                  "notification_task after_response false succeeded"};
    QTest::newRow("global config") << QByteArray("/task") << QByteArray() << QByteArray(R"({"status":"scheduled"})")
                                   << QStringList{"my_function# immediate false succeeded"};
    QTest::newRow("overrides") << QByteArray("/tasks") << QByteArray() << QByteArray(R"({"status":"ok"})")
                               << QStringList{"task1# immediate false succeeded", "task2# immediate false succeeded",
                                              "task3# immediate false succeeded", "my_task immediate false succeeded"};
    QTest::newRow("deferred") << QByteArray("/deferred?ms=10") << QByteArray()
                              << QByteArray(R"({"status":"done","waited_ms":10})")
                              << QStringList{"deferred_immediate immediate false succeeded",
                                             "deferred_followup after_response false succeeded"};
}

void DemoProcessTest::seedEndpointsScheduleTheirTasks()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, answer);
    QFETCH(QStringList, tasks);
    RawHttpClient client(m_demo->port);
    QVERIFY(client.connectToServer());
    const auto reply = client.request("POST", target, body);
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    if (!answer.isEmpty())
        QCOMPARE(reply->body, answer);

    const QString path = QString::fromUtf8(target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?')));
    qint64 requestId = 0;
    QVERIFY(m_stream->waitFor([&](const QList<QJsonObject> &lines) {
        requestId = requestIdFor(lines, path);
        return requestId != 0 && stagesOf(lines, requestId).contains("response_written");
    }));
    QCOMPARE(stagesOf(m_stream->lines(), requestId), (QStringList{"received", "route_returned", "response_written"}));

    // Every expected task is scheduled for this request with its name, mode and shield, and ends
    // as expected.
    static const QRegularExpression generatedId(QStringLiteral("#\\d+$"));
    QStringList seen;
    QVERIFY2(m_stream->waitFor([&](const QList<QJsonObject> &lines) {
                 QMap<qint64, QString> scheduled;
                 QHash<qint64, QString> ends;
                 for (const QJsonObject &line : lines) {
                     if (line.value("kind") != QLatin1String("task") || line.value("request").toInteger() != requestId)
                         continue;
                     const QString phase = line.value("phase").toString();
                     if (phase == QLatin1String("scheduled"))
                         scheduled.insert(line.value("id").toInteger(),
                                          QStringLiteral("%1 %2 %3")
                                              .arg(line.value("name").toString().replace(generatedId, "#"),
                                                   line.value("mode").toString(),
                                                   line.value("shielded").toBool() ? "true" : "false"));
                     else if (isEndPhase(phase))
                         ends.insert(line.value("id").toInteger(), phase);
                 }
                 seen.clear();
                 for (auto it = scheduled.cbegin(); it != scheduled.cend(); ++it)
                     seen << it.value() + ' ' + ends.value(it.key(), QStringLiteral("live"));
                 return seen.size() >= tasks.size() && ends.size() == scheduled.size();
             }),
             qPrintable(seen.join(", ")));
    seen.sort();
    tasks.sort();
    QCOMPARE(seen, tasks);
}

void DemoProcessTest::immediateTaskStartsWhileTheRouteIsSuspended()
{
    RawHttpClient client(m_demo->port);
    QVERIFY(client.connectToServer());
    const qint64 before = requestIdFor(m_stream->lines(), "/deferred");
    // The route schedules its immediate task and answers from a timer two seconds later.
    client.sendRequest("POST", "/deferred?ms=2000");
    qint64 requestId = 0;
    QVERIFY(m_stream->waitFor([&](const QList<QJsonObject> &lines) {
        requestId = requestIdAfter(lines, "/deferred", before);
        return requestId != 0 && !startedNamesOf(lines, requestId).isEmpty();
    }));
    // The immediate task has started; the route has not answered yet.
    QCOMPARE(startedNamesOf(m_stream->lines(), requestId), QStringList{"deferred_immediate"});
    QCOMPARE(stagesOf(m_stream->lines(), requestId), QStringList{"received"});
    QCOMPARE(client.socket.bytesAvailable(), 0);

    const auto reply = client.readReply();
    QVERIFY(reply);
    QCOMPARE(reply->body, QByteArray(R"({"status":"done","waited_ms":2000})"));
    QVERIFY(m_stream->waitFor(
        [&](const QList<QJsonObject> &lines) { return startedNamesOf(lines, requestId).size() == 2; }));
    QStringList order;
    for (const QJsonObject &line : m_stream->lines()) {
        if (line.value("request").toInteger() != requestId)
            continue;
        if (line.value("kind") == QLatin1String("request"))
            order << line.value("stage").toString();
        else if (line.value("phase") == QLatin1String("started"))
            order << line.value("name").toString() + " started";
    }
    QCOMPARE(order, (QStringList{"received", "deferred_immediate started", "route_returned", "response_written",
                                 "deferred_followup started"}));
}

void DemoProcessTest::failedTaskRunsItsRoutesHandler_data()
{
    QTest::addColumn<QStringList>("arguments"); // the demo's
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("task"); // a generated name as "label#"
    QTest::addColumn<bool>("shielded");
    QTest::addColumn<QByteArray>("handlerCalls"); // GET /tasks' handler_calls once the task failed
    QTest::addColumn<int>("globalCalls");
    QTest::newRow("risky") << QStringList() << QByteArray("/risky") << QByteArray() << "risky_task" << false
                           << QByteArray(R"({"my_error_handler":1})") << 0;
    QTest::newRow("payments combined") << QStringList() << QByteArray("/payments?payment_id=8&amount=5&flow=process&decline=1")
                                       << QByteArray() << "process_payment_8" << true
                                       << QByteArray(R"({"payment_error_handler":1})") << 0;
    QTest::newRow("error tracking") << QStringList() << QByteArray("/process") << QByteArray(R"({"plan":"pro"})")
                                    << "process_user_data" << false << QByteArray(R"({"send_to_error_tracking":1})") << 0;
    QTest::newRow("flaky, retry handler") << QStringList() << QByteArray("/flaky?fail_times=9&backoff_ms=10") << QByteArray()
                                          << "flaky_task" << false << QByteArray(R"({"retry_handler":1})") << 0;
    // The counterparts without a handler of their own: the global handler runs.
    QTest::newRow("flaky, retry policy") << QStringList() << QByteArray("/flaky?fail_times=9&backoff_ms=10&retry=policy")
                                         << QByteArray() << "flaky_task" << false << QByteArray("{}") << 1;
    QTest::newRow("spawned") << QStringList() << QByteArray("/tasks/spawn?name=plain_failure&fail=1&ms=0") << QByteArray()
                             << "plain_failure" << false << QByteArray("{}") << 1;
    // Overriding the global config (shielded, the global handler), one field at a time.
    const QStringList globalConfig{"--global-shield"};
    QTest::newRow("global config") << globalConfig << QByteArray("/task?fail=1") << QByteArray() << "my_function#"
                                   << true << QByteArray("{}") << 1;
    QTest::newRow("task1 inherits both") << globalConfig << QByteArray("/tasks?fail=task1") << QByteArray() << "task1#"
                                         << true << QByteArray("{}") << 1;
    QTest::newRow("task2 overrides the handler") << globalConfig << QByteArray("/tasks?fail=task2") << QByteArray()
                                                 << "task2#" << true << QByteArray(R"({"custom_error_handler":1})") << 0;
    QTest::newRow("task3 overrides the shield") << globalConfig << QByteArray("/tasks?fail=task3") << QByteArray()
                                                << "task3#" << false << QByteArray("{}") << 1;
    QTest::newRow("task4 overrides both") << globalConfig << QByteArray("/tasks?fail=task4") << QByteArray() << "my_task"
                                          << false << QByteArray(R"({"custom_error_handler":1})") << 0;
}

void DemoProcessTest::failedTaskRunsItsRoutesHandler()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    QFETCH(QString, task);
    QFETCH(bool, shielded);
    QFETCH(QByteArray, handlerCalls);
    QFETCH(int, globalCalls);
    // A demo of its own, whose counters see this one request.
    DemoProcess demo(arguments);
    QVERIFY2(demo.start(), qPrintable(demo.diagnostics()));
    StreamReader stream(demo.eventsPath);
    QVERIFY(stream.waitSubscribed());
    RawHttpClient client(demo.port);
    QVERIFY(client.connectToServer());
    QCOMPARE(client.request("POST", target, body)->status, 200);
    // `failed` is published once the handler has returned.
    QJsonObject failed;
    QVERIFY2(stream.waitFor([&](const QList<QJsonObject> &lines) {
                 for (const QJsonObject &line : lines) {
                     const QString name = line.value("name").toString();
                     if (line.value("kind") == QLatin1String("task") && line.value("phase") == QLatin1String("failed")
                         && (task.endsWith('#') ? name.startsWith(task) : name == task))
                         failed = line;
                 }
                 return !failed.isEmpty();
             }),
             qPrintable(demo.diagnostics()));
    QCOMPARE(failed.value("shielded").toBool(), shielded);
    const QJsonObject status = client.request("GET", "/tasks")->json();
    QCOMPARE(status.value("handler_calls").toObject(), QJsonDocument::fromJson(handlerCalls).object());
    QCOMPARE(status.value("global_handler_calls").toInteger(), globalCalls);
}

void DemoProcessTest::errorTrackerGetsTheTaskContext()
{
    RawHttpClient client(m_demo->port);
    QVERIFY(client.connectToServer());
    const qint64 before = requestIdFor(m_stream->lines(), "/process");
    const auto reply = client.request("POST", "/process", R"({"plan":"pro","user_id":"ann"})");
    QCOMPARE(reply->body, QByteArray(R"({"status":"processing"})"));
    QJsonObject failed;
    QVERIFY(m_stream->waitFor([&](const QList<QJsonObject> &lines) {
        for (const QJsonObject &line : taskLinesOf(lines, requestIdAfter(lines, "/process", before))) {
            if (line.value("phase") == QLatin1String("failed"))
                failed = line;
        }
        return !failed.isEmpty();
    }));
    QCOMPARE(failed.value("name").toString(), QStringLiteral("process_user_data"));
    QCOMPARE(failed.value("error").toObject().value("type").toString(), QStringLiteral("std::invalid_argument"));

    QJsonObject tracked;
    for (const QJsonValue &entry : client.request("GET", "/errors")->json().value("errors").toArray()) {
        if (entry.toObject().value("task").toObject().value("id") == failed.value("id"))
            tracked = entry.toObject();
    }
    QVERIFY2(!tracked.isEmpty(), "the error tracker did not capture the task's error");
    const QJsonObject context = tracked.value("task").toObject();
    QCOMPARE(context.value("name").toString(), QStringLiteral("process_user_data"));
    QCOMPARE(context.value("function").toString(), QStringLiteral("processUserData"));
    QCOMPARE(context.value("request"), failed.value("request"));
    QVERIFY2(context.value("args").toString().contains(R"("plan":"pro")"), qPrintable(context.value("args").toString()));
    QCOMPARE(tracked.value("error").toObject(), failed.value("error").toObject());
}

void DemoProcessTest::retryHandlerReRunsTheWork_data()
{
    QTest::addColumn<int>("failTimes");
    QTest::addColumn<QString>("end");
    QTest::addColumn<QString>("handlerError"); // the failed line's handler_error message
    QTest::addColumn<QByteArray>("retries");   // GET /tasks' retries once the task ended
    QTest::newRow("first run succeeds") << 0 << "succeeded" << QString()
                                        << QByteArray(R"({"reruns":0,"recovered":0,"gave_up":0})");
    QTest::newRow("second retry succeeds") << 2 << "failed" << QString()
                                           << QByteArray(R"({"reruns":2,"recovered":1,"gave_up":0})");
    QTest::newRow("three retries fail") << 9 << "failed" << "failure 4 of 9 (fail_times)"
                                        << QByteArray(R"({"reruns":3,"recovered":0,"gave_up":1})");
}

void DemoProcessTest::retryHandlerReRunsTheWork()
{
    QFETCH(int, failTimes);
    QFETCH(QString, end);
    QFETCH(QString, handlerError);
    QFETCH(QByteArray, retries);
    DemoProcess demo; // its own, whose retry counters see this one task
    QVERIFY2(demo.start(), qPrintable(demo.diagnostics()));
    StreamReader stream(demo.eventsPath);
    QVERIFY(stream.waitSubscribed());
    RawHttpClient client(demo.port);
    QVERIFY(client.connectToServer());
    QCOMPARE(client.request("POST", "/flaky?backoff_ms=10&fail_times=" + QByteArray::number(failTimes))->status, 200);
    QVERIFY2(stream.waitFor([&](const QList<QJsonObject> &) { return stream.hasTaskLine("flaky_task", end); }),
             qPrintable(demo.diagnostics()));

    // The handler's re-runs happen outside the task's lifecycle: one attempt in the events, whose
    // error is the first run's; the handler's own failure, if it gives up, is its handler_error.
    const QList<QJsonObject> lines = stream.taskLines("flaky_task");
    QCOMPARE(phasesAndAttempts(lines), (QStringList{"scheduled 1", "started 1", end + " 1"}));
    if (end == QLatin1String("failed")) {
        QCOMPARE(lines.last().value("error").toObject().value("message").toString(),
                 QStringLiteral("failure 1 of %1 (fail_times)").arg(failTimes));
    }
    QCOMPARE(lines.last().value("handler_error").toObject().value("message").toString(), handlerError);
    const QJsonObject status = client.request("GET", "/tasks")->json();
    QCOMPARE(status.value("retries").toObject(), QJsonDocument::fromJson(retries).object());
    QCOMPARE(status.value("handler_calls").toObject().value("retry_handler").toInteger(), end == "failed" ? 1 : 0);
}

void DemoProcessTest::retryPolicyShowsEveryAttempt_data()
{
    QTest::addColumn<int>("failTimes");
    QTest::addColumn<QStringList>("attempts"); // "phase attempt" of each of the task's lines
    QTest::newRow("third attempt succeeds")
        << 2 << QStringList{"scheduled 1", "started 1", "retrying 1", "started 2", "retrying 2", "started 3", "succeeded 3"};
    QTest::newRow("four attempts fail") << 9
                                        << QStringList{"scheduled 1", "started 1", "retrying 1", "started 2", "retrying 2",
                                                       "started 3", "retrying 3", "started 4", "failed 4"};
}

void DemoProcessTest::retryPolicyShowsEveryAttempt()
{
    QFETCH(int, failTimes);
    QFETCH(QStringList, attempts);
    RawHttpClient client(m_demo->port);
    QVERIFY(client.connectToServer());
    const qint64 before = requestIdFor(m_stream->lines(), "/flaky");
    QCOMPARE(client.request("POST", "/flaky?retry=policy&backoff_ms=10&fail_times=" + QByteArray::number(failTimes))
                 ->status,
             200);
    QList<QJsonObject> lines;
    QVERIFY(m_stream->waitFor([&](const QList<QJsonObject> &all) {
        lines = taskLinesOf(all, requestIdAfter(all, "/flaky", before));
        return !lines.isEmpty() && isEndPhase(lines.last().value("phase").toString());
    }));
    QCOMPARE(phasesAndAttempts(lines), attempts);
    // Each failed attempt carries its own error: the work's n-th run failed.
    for (const QJsonObject &line : std::as_const(lines)) {
        const QString phase = line.value("phase").toString();
        if (phase == QLatin1String("retrying") || phase == QLatin1String("failed")) {
            QCOMPARE(line.value("error").toObject().value("message").toString(),
                     QStringLiteral("failure %1 of %2 (fail_times)").arg(line.value("attempt").toInt()).arg(failTimes));
        }
    }
}

void DemoProcessTest::seedTimingModesStartInOrderOnABusyPool_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QStringList>("startOrder");
    // finalize_order and cleanup_task are sync work; send_confirmation and notification_task are
    // coroutines, which could start at once on the server's thread while sync work waits.
    QTest::newRow("order") << QByteArray("/order") << QStringList{"finalize_order", "send_confirmation"};
    QTest::newRow("comprehensive") << QByteArray("/comprehensive")
                                   << QStringList{"immediate_task", "cleanup_task", "notification_task"};
}

void DemoProcessTest::seedTimingModesStartInOrderOnABusyPool()
{
    QFETCH(QByteArray, target);
    QFETCH(QStringList, startOrder);
    RawHttpClient client(m_demo->port);
    QVERIFY(client.connectToServer());
    // Both pool threads (the demo runs with --threads 2) get long sync work of another request.
    const QByteArray busyName = "busy_before_" + target.mid(1);
    const auto busy = client.request("POST", "/tasks/spawn?name=" + busyName + "&count=2&ms=500");
    QCOMPARE(busy->status, 200);
    const qint64 busyRequest = busy->json().value("request").toInteger();
    QVERIFY(m_stream->waitFor(
        [&](const QList<QJsonObject> &lines) { return startedNamesOf(lines, busyRequest).size() == 2; }));

    const auto reply = client.request("POST", target, R"({"item":"book","qty":1})");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    qint64 requestId = 0;
    QVERIFY(m_stream->waitFor([&](const QList<QJsonObject> &lines) {
        requestId = requestIdFor(lines, QString::fromLatin1(target));
        return requestId != 0 && startedNamesOf(lines, requestId).size() == startOrder.size();
    }));
    QCOMPARE(startedNamesOf(m_stream->lines(), requestId), startOrder);
}

void DemoProcessTest::spawnSchedulesWhatItSays()
{
    RawHttpClient client(m_demo->port);
    QVERIFY(client.connectToServer());
    const auto reply = client.request("POST", "/tasks/spawn?name=spawn_async&count=5&ms=20&mode=after_response&work=async");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    const QJsonArray ids = reply->json().value("ids").toArray();
    QCOMPARE(ids.size(), 5);
    QVERIFY(m_stream->waitFor([&](const QList<QJsonObject> &lines) {
        int done = 0;
        for (const QJsonObject &line : lines) {
            if (line.value("kind") == QLatin1String("task") && ids.contains(line.value("id"))
                && line.value("phase") == QLatin1String("succeeded")) {
                ++done;
            }
        }
        return done == 5;
    }));
    const QJsonObject scheduled = m_stream->taskLine("spawn_async", "scheduled");
    QCOMPARE(scheduled.value("mode").toString(), QStringLiteral("after_response"));
    QCOMPARE(scheduled.value("work").toString(), QStringLiteral("async"));
    QCOMPARE(scheduled.value("shielded").toBool(), false);

    // A failing spawned task fails, and the global handler counts it.
    const auto failing = client.request("POST", "/tasks/spawn?name=spawn_fails&fail=1&ms=0");
    QCOMPARE(failing->status, 200);
    QVERIFY(m_stream->waitFor([&](const QList<QJsonObject> &) { return m_stream->hasTaskLine("spawn_fails", "failed"); }));
    QCOMPARE(m_stream->taskLine("spawn_fails", "failed").value("error").toObject().value("type").toString(),
             QStringLiteral("std::runtime_error"));
    QTRY_VERIFY(client.request("GET", "/tasks")->json().value("global_handler_calls").toInteger() >= 1);
}

void DemoProcessTest::reportExportReportsItsProgress()
{
    RawHttpClient client(m_demo->port);
    QVERIFY(client.connectToServer());
    const auto reply = client.request("POST", "/reports/export?steps=5&ms=30");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    const QJsonValue id = reply->json().value("id");
    QCOMPARE(reply->json().value("steps").toInt(), 5);
    // Progress lines of the task, throttled (at most one per 100 ms), then its end: the last
    // progress line carries the final value and comes before the terminal task line.
    QList<QJsonObject> progress;
    QVERIFY(m_stream->waitFor([&](const QList<QJsonObject> &lines) {
        progress.clear();
        for (const QJsonObject &line : lines) {
            if (line.value("id") != id)
                continue;
            if (line.value("kind") == QLatin1String("progress"))
                progress.append(line);
            else if (line.value("kind") == QLatin1String("task") && line.value("phase") == QLatin1String("succeeded"))
                return true;
        }
        return false;
    }));
    QVERIFY(!progress.isEmpty());
    QVERIFY2(progress.size() <= 5, "a progress line per report: the throttle did not apply");
    QCOMPARE(progress.last().value("done").toInteger(), 5);
    QCOMPARE(progress.last().value("total").toInteger(), 5);
    QCOMPARE(progress.last().value("message").toString(), QStringLiteral("section 5 of 5"));
}

void DemoProcessTest::failingRouteDropsItsBatches()
{
    RawHttpClient client(m_demo->port);
    QVERIFY(client.connectToServer());
    const auto immediate = client.request("POST", "/tasks/spawn?name=rf_immediate&ms=0&route_fail=1");
    QCOMPARE(immediate->status, 500);
    QCOMPARE(immediate->body, QByteArray(R"({"detail":"Internal Server Error"})"));
    const auto afterRoute = client.request("POST", "/tasks/spawn?name=rf_after_route&ms=0&count=2&mode=after_route&route_fail=1");
    QCOMPARE(afterRoute->status, 500);
    const auto afterResponse = client.request("POST", "/tasks/spawn?name=rf_after_response&ms=0&mode=after_response&route_fail=1");
    QCOMPARE(afterResponse->status, 500);
    QVERIFY(m_stream->waitFor([&](const QList<QJsonObject> &) {
        return m_stream->hasTaskLine("rf_immediate", "succeeded") && m_stream->taskLines("rf_after_route").size() >= 4
            && m_stream->hasTaskLine("rf_after_response", "dropped");
    }));
    for (const QJsonObject &line : m_stream->taskLines("rf_after_route"))
        QVERIFY(line.value("phase") == QLatin1String("scheduled") || line.value("phase") == QLatin1String("dropped"));
    QVERIFY(!m_stream->hasTaskLine("rf_after_response", "started"));
    const QList<QJsonObject> lines = m_stream->lines();
    const qint64 id = m_stream->taskLine("rf_after_response", "dropped").value("request").toInteger();
    QCOMPARE(stagesOf(lines, id), (QStringList{"received", "failed", "response_written"}));
    // Still serving.
    QCOMPARE(client.request("GET", "/healthz")->status, 200);
}

void DemoProcessTest::badInputKeepsTheServerUp_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("detailType");
    QTest::newRow("notify without email") << QByteArray("POST") << QByteArray("/notify") << QByteArray() << 422 << "missing";
    QTest::newRow("user id not an int") << QByteArray("POST") << QByteArray("/process/abc") << QByteArray() << 422 << "int_parsing";
    QTest::newRow("amount not a number") << QByteArray("POST") << QByteArray("/payments?payment_id=1&amount=lots")
                                         << QByteArray() << 422 << "float_parsing";
    QTest::newRow("count too large") << QByteArray("POST") << QByteArray("/tasks/spawn?count=1001") << QByteArray() << 422
                                     << "less_than_equal";
    QTest::newRow("count too small") << QByteArray("POST") << QByteArray("/tasks/spawn?count=0") << QByteArray() << 422
                                     << "greater_than_equal";
    QTest::newRow("export steps too small") << QByteArray("POST") << QByteArray("/reports/export?steps=0") << QByteArray()
                                            << 422 << "greater_than_equal";
    QTest::newRow("export ms too large") << QByteArray("POST") << QByteArray("/reports/export?ms=60001") << QByteArray()
                                         << 422 << "less_than_equal";
    QTest::newRow("export steps not an int") << QByteArray("POST") << QByteArray("/reports/export?steps=many")
                                             << QByteArray() << 422 << "int_parsing";
    QTest::newRow("unknown mode") << QByteArray("POST") << QByteArray("/tasks/spawn?mode=soon") << QByteArray() << 422 << "enum";
    QTest::newRow("unknown payment flow") << QByteArray("POST") << QByteArray("/payments?payment_id=1&amount=2&flow=later")
                                          << QByteArray() << 422 << "enum";
    QTest::newRow("order not json") << QByteArray("POST") << QByteArray("/order") << QByteArray("{oops") << 400 << "json_invalid";
    QTest::newRow("order not an object") << QByteArray("POST") << QByteArray("/order") << QByteArray("42") << 422 << "dict_type";
    QTest::newRow("unknown path") << QByteArray("GET") << QByteArray("/missing") << QByteArray() << 404 << QString();
    QTest::newRow("wrong method") << QByteArray("POST") << QByteArray("/healthz") << QByteArray() << 405 << QString();
    QTest::newRow("body over 1 MiB") << QByteArray("POST") << QByteArray("/order") << QByteArray(1024 * 1024 + 10, ' ')
                                     << 413 << QString();
}

void DemoProcessTest::badInputKeepsTheServerUp()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, detailType);
    RawHttpClient client(m_demo->port);
    QVERIFY(client.connectToServer());
    const auto reply = client.request(method, target, body);
    QVERIFY(reply);
    QCOMPARE(reply->status, status);
    const QJsonValue detail = reply->json().value("detail");
    QVERIFY(!detail.isUndefined());
    if (!detailType.isEmpty())
        QCOMPARE(detail.toArray().first().toObject().value("type").toString(), detailType);
    RawHttpClient next(m_demo->port);
    QVERIFY(next.connectToServer());
    QCOMPARE(next.request("GET", "/healthz")->body, QByteArray(R"({"status":"ok"})"));
}

void DemoProcessTest::twoHundredConnectionsLoseNoTaskEvents()
{
    const QStringList modes{"immediate", "after_route", "after_response"};
    std::vector<std::unique_ptr<LoadClient>> clients;
    for (int i = 0; i < 200; ++i) {
        const QByteArray target = "/tasks/spawn?name=load&ms=0&work=" + QByteArray(i % 2 ? "async" : "sync")
            + "&mode=" + modes[i % 3].toLatin1();
        clients.push_back(std::make_unique<LoadClient>(m_demo->port, target));
    }
    QElapsedTimer clock;
    clock.start();
    QTest::qWait(3000); // the load runs for a few seconds (a duration, not a synchronisation)
    for (auto &client : clients)
        client->stop();
    QVERIFY(QTest::qWaitFor([&] { return std::all_of(clients.begin(), clients.end(), [](const auto &c) { return c->idle(); }); }, 30000));

    QSet<qint64> ids;
    int answered = 0;
    for (const auto &client : clients) {
        QCOMPARE(client->errors, 0);
        answered += client->answered;
        for (qint64 id : client->ids)
            ids.insert(id);
    }
    qInfo() << answered << "requests answered over 200 connections in" << clock.elapsed() << "ms";
    QVERIFY(answered >= 200);
    QCOMPARE(ids.size(), answered);

    // Every task shows up in the stream exactly once per phase, and nothing was skipped.
    QHash<qint64, QStringList> phases;
    QVERIFY2(m_stream->waitFor(
                 [&](const QList<QJsonObject> &lines) {
                     phases.clear();
                     for (const QJsonObject &line : lines) {
                         if (line.value("kind") == QLatin1String("task") && line.value("name") == QLatin1String("load"))
                             phases[line.value("id").toInteger()] << line.value("phase").toString();
                     }
                     return std::all_of(ids.begin(), ids.end(), [&](qint64 id) {
                         return phases.value(id).contains(QLatin1String("succeeded"));
                     });
                 },
                 60000),
             qPrintable(QStringLiteral("%1 of %2 tasks seen succeeding").arg(phases.size()).arg(ids.size())));
    for (qint64 id : std::as_const(ids))
        QCOMPARE(phases.value(id), (QStringList{"scheduled", "started", "succeeded"}));
    qint64 previousSeq = -1;
    for (const QJsonObject &line : m_stream->lines()) {
        QVERIFY2(line.value("kind") != QLatin1String("gap"), "the subscriber missed events");
        const qint64 seq = line.value("seq").toInteger();
        QCOMPARE(seq, previousSeq + 1);
        previousSeq = seq;
    }
}

void DemoProcessTest::sigtermFinishesShieldedAndCancelsUnshielded()
{
    DemoProcess demo({"--shutdown-deadline", "20"});
    QVERIFY2(demo.start(), qPrintable(demo.diagnostics()));
    StreamReader stream(demo.eventsPath);
    QVERIFY(stream.waitSubscribed());
    RawHttpClient client(demo.port);
    QVERIFY(client.connectToServer());
    const QList<QByteArray> spawns{"name=shielded_sync&shield=1&ms=700", "name=shielded_async&shield=1&ms=700&work=async",
                                   "name=unshielded_sync&ms=60000", "name=unshielded_async&ms=60000&work=async"};
    for (const QByteArray &query : spawns)
        QCOMPARE(client.request("POST", "/tasks/spawn?" + query)->status, 200);
    // Two pool threads: both sync tasks run; the async ones run on the engine thread.
    QVERIFY(stream.waitFor([&](const QList<QJsonObject> &) {
        return stream.hasTaskLine("shielded_sync", "started") && stream.hasTaskLine("shielded_async", "started")
            && stream.hasTaskLine("unshielded_sync", "started") && stream.hasTaskLine("unshielded_async", "started");
    }));
    // A response in flight when the signal comes still gets answered.
    RawHttpClient slow(demo.port);
    QVERIFY(slow.connectToServer());
    slow.sendRequest("POST", "/deferred?ms=300");
    QVERIFY(stream.waitFor([&](const QList<QJsonObject> &lines) { return requestIdFor(lines, "/deferred") != 0; }));

    demo.signal(SIGTERM);
    QVERIFY2(demo.waitForOutput("draining the engine"), qPrintable(demo.diagnostics()));
    demo.signal(SIGINT); // during the drain: reported, and the report still comes
    const auto late = slow.readReply();
    QVERIFY(late);
    QCOMPARE(late->status, 200);
    QVERIFY2(demo.waitFinished(20000), qPrintable(demo.diagnostics()));
    QCOMPARE(demo.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(demo.process.exitCode(), 0);
    QVERIFY2(demo.stdoutText.contains("SIGINT again"), qPrintable(demo.diagnostics()));
    QVERIFY2(demo.stdoutText.contains(R"("abandoned":0)"), qPrintable(demo.diagnostics()));
    QVERIFY(demo.stdoutText.contains("bye (exit 0)"));
    // Then the engine's final counters: four spawned tasks and the deferred route's two.
    const qsizetype countersAt = demo.stdoutText.indexOf("engine counters: {");
    QVERIFY2(countersAt >= 0, qPrintable(demo.diagnostics()));
    const QString countersLine = demo.stdoutText.mid(countersAt, demo.stdoutText.indexOf('\n', countersAt) - countersAt);
    QVERIFY2(countersLine.contains(R"("scheduled":6)") && countersLine.contains(R"("live":0)"), qPrintable(countersLine));

    QVERIFY(stream.waitFor([&](const QList<QJsonObject> &lines) {
        return !lines.isEmpty() && lines.last().value("kind") == QLatin1String("bye");
    }));
    QVERIFY(stream.hasTaskLine("shielded_sync", "succeeded"));
    QVERIFY(stream.hasTaskLine("shielded_async", "succeeded"));
    QVERIFY(stream.hasTaskLine("unshielded_sync", "cancelled"));
    QVERIFY(stream.hasTaskLine("unshielded_async", "cancelled"));
    QVERIFY(stream.hasTaskLine("shielded_sync", "shutdown_pending"));
    bool sawShutdown = false;
    for (const QJsonObject &line : stream.lines())
        sawShutdown = sawShutdown || line.value("kind") == QLatin1String("shutdown");
    QVERIFY(sawShutdown);
    // The in-flight request finished before the engine drained: its after-response task reached
    // a terminal phase instead of being refused.
    const QStringList followup = [&] {
        QStringList phases;
        for (const QJsonObject &line : stream.taskLines("deferred_followup"))
            phases << line.value("phase").toString();
        return phases;
    }();
    QVERIFY2(followup.contains("succeeded") || followup.contains("cancelled"), qPrintable(followup.join(',')));
}

void DemoProcessTest::drainCommandTakesTheSignalsPath()
{
    DemoProcess demo({"--allow-control", "--shutdown-deadline", "20"});
    QVERIFY2(demo.start(), qPrintable(demo.diagnostics()));
    QVERIFY(demo.stdoutText.contains("control: on"));
    StreamReader stream(demo.eventsPath);
    QVERIFY(stream.waitSubscribed());
    RawHttpClient client(demo.port);
    QVERIFY(client.connectToServer());
    // The shielded task must still be running when the drain arrives: 3 s covers starting the CLI
    // on a loaded machine under a sanitizer (300 ms did not), and the drain waits for it anyway.
    QCOMPARE(client.request("POST", "/tasks/spawn?name=shielded_sync&shield=1&ms=3000")->status, 200);
    QCOMPARE(client.request("POST", "/tasks/spawn?name=unshielded_sync&ms=60000")->status, 200);
    QVERIFY(stream.waitFor([&](const QList<QJsonObject> &) {
        return stream.hasTaskLine("shielded_sync", "started") && stream.hasTaskLine("unshielded_sync", "started");
    }));

    QProcess drain;
    drain.start(QStringLiteral(AFTERWORK_CLI_PATH), {"drain", "--connect", demo.eventsName, "--deadline", "15"});
    QVERIFY(QTest::qWaitFor([&] { return drain.state() == QProcess::NotRunning; }, 30000));
    const QString out = QString::fromUtf8(drain.readAllStandardOutput());
    QVERIFY2(drain.exitCode() == 0, qPrintable(out + QString::fromUtf8(drain.readAllStandardError())));
    QVERIFY2(out.contains("shut down: finished 1, cancelled 1, abandoned 0"), qPrintable(out));
    // The same path as SIGTERM: the demo stops serving, drains, reports and exits 0.
    QVERIFY2(demo.waitFinished(20000), qPrintable(demo.diagnostics()));
    QCOMPARE(demo.process.exitCode(), 0);
    QVERIFY2(demo.stdoutText.contains("a subscriber's drain command: shutting down (deadline 15000 ms)"),
             qPrintable(demo.diagnostics()));
}

void DemoProcessTest::shieldedTaskPastTheDeadlineIsAbandoned()
{
    DemoProcess demo({"--shutdown-deadline", "0.3"});
    QVERIFY2(demo.start(), qPrintable(demo.diagnostics()));
    StreamReader stream(demo.eventsPath);
    QVERIFY(stream.waitSubscribed());
    RawHttpClient client(demo.port);
    QVERIFY(client.connectToServer());
    QCOMPARE(client.request("POST", "/tasks/spawn?name=too_long&shield=1&ms=60000")->status, 200);
    QCOMPARE(client.request("POST", "/tasks/spawn?name=too_long_async&shield=1&ms=60000&work=async")->status, 200);
    QVERIFY(stream.waitFor([&](const QList<QJsonObject> &) {
        return stream.hasTaskLine("too_long", "started") && stream.hasTaskLine("too_long_async", "started");
    }));
    QElapsedTimer clock;
    clock.start();
    demo.process.terminate(); // SIGTERM
    QVERIFY2(demo.waitFinished(15000), qPrintable(demo.diagnostics()));
    QCOMPARE(demo.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(demo.process.exitCode(), 3);
    QVERIFY(clock.elapsed() < 10000);
    // Both were cut off by the deadline (the coroutine unwinds at once; the sync work runs on).
    QVERIFY2(demo.stdoutText.contains(R"("abandoned":2)"), qPrintable(demo.diagnostics()));
    QVERIFY(stream.waitFor([&](const QList<QJsonObject> &) {
        return stream.hasTaskLine("too_long", "abandoned") && stream.hasTaskLine("too_long_async", "abandoned");
    }));
}

void DemoProcessTest::globalShieldShieldsByDefault()
{
    DemoProcess demo({"--global-shield", "--no-global-handler"});
    QVERIFY2(demo.start(), qPrintable(demo.diagnostics()));
    StreamReader stream(demo.eventsPath);
    QVERIFY(stream.waitSubscribed());
    RawHttpClient client(demo.port);
    QVERIFY(client.connectToServer());
    QCOMPARE(client.request("POST", "/tasks/spawn?name=inherits&ms=0&fail=1")->status, 200);
    QCOMPARE(client.request("POST", "/tasks/spawn?name=overrides&ms=0&shield=0")->status, 200);
    QVERIFY(stream.waitFor([&](const QList<QJsonObject> &) {
        return stream.hasTaskLine("inherits", "failed") && stream.hasTaskLine("overrides", "succeeded");
    }));
    QCOMPARE(stream.taskLine("inherits", "scheduled").value("shielded").toBool(), true);
    QCOMPARE(stream.taskLine("overrides", "scheduled").value("shielded").toBool(), false);
    QCOMPARE(client.request("GET", "/tasks")->json().value("global_handler_calls").toInteger(), 0);
    demo.process.terminate();
    QVERIFY(demo.waitFinished(15000));
    QCOMPARE(demo.process.exitCode(), 0);
}

void DemoProcessTest::startupFailuresExitWithTheirCodes()
{
    // The event socket name of a live demo is taken: exit 1.
    DemoProcess clash({"--events", m_demo->eventsName});
    clash.arguments = QStringList{"--port", "0", "--events", m_demo->eventsName};
    QVERIFY(!clash.start());
    QVERIFY(clash.waitFinished(10000));
    QCOMPARE(clash.process.exitCode(), 1);
    QVERIFY(clash.stderrText.contains("cannot publish events"));

    // The port of a live demo is taken: exit 1.
    DemoProcess portClash;
    portClash.arguments = QStringList{"--port", QString::number(m_demo->port), "--events", portClash.eventsName};
    QVERIFY(!portClash.start());
    QVERIFY(portClash.waitFinished(10000));
    QCOMPARE(portClash.process.exitCode(), 1);

    // A bad command line: exit 2.
    // Among them the remote event stream's combinations: its options without --events-listen,
    // no token file, TLS without a certificate and key, plain TCP off loopback or with TLS files.
    for (const QStringList &arguments :
         {QStringList{"--port", "70000"}, QStringList{"--threads", "x"}, QStringList{"--shutdown-deadline", "-1"},
          QStringList{"--bogus"}, QStringList{"--tls-cert", "c.pem"}, QStringList{"--insecure"},
          QStringList{"--events-listen", "127.0.0.1:0"}, QStringList{"--events-listen", "127.0.0.1:0", "--token-file", "t"},
          QStringList{"--events-listen", "0.0.0.0:0", "--insecure", "--token-file", "t"},
          QStringList{"--events-listen", "127.0.0.1:0", "--insecure", "--token-file", "t", "--tls-cert", "c.pem"},
          QStringList{"--events-listen", "nohost", "--insecure", "--token-file", "t"}}) {
        QProcess bad;
        bad.start(QStringLiteral(AFTERWORK_DEMO_PATH), arguments);
        QVERIFY(bad.waitForFinished(10000));
        QCOMPARE(bad.exitCode(), 2);
    }
}

void DemoProcessTest::tlsKeyOfAnotherCertificateStopsStartup()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend in this Qt");
    afterwork::testing::TlsFixtures tls;
    QString error;
    QVERIFY2(tls.create(&error), qPrintable(error));
    const QStringList remote{"--events-listen", "127.0.0.1:0", "--token-file", tls.writeToken("token", "demo-token"),
                             "--tls-cert", tls.serverCertificate()};

    // The certificate's own key: it publishes remotely.
    DemoProcess good(remote + QStringList{"--tls-key", tls.serverKey()});
    QVERIFY2(good.start(), qPrintable(good.diagnostics()));
    QVERIFY2(good.waitForOutput("publishing events remotely on tls://127.0.0.1:"), qPrintable(good.diagnostics()));
    good.process.terminate();
    QVERIFY(good.waitFinished(15000));

    // The key of another certificate: status 1 before serving anything, naming both files.
    DemoProcess bad(remote + QStringList{"--tls-key", tls.expiredKey()});
    QVERIFY(!bad.start());
    QVERIFY(bad.waitFinished(10000));
    QCOMPARE(bad.process.exitCode(), 1);
    const QString expected = QStringLiteral("afterwork-demo: cannot publish events on 127.0.0.1: the private key in '%1' does not "
                                            "belong to the certificate in '%2'")
                                 .arg(tls.expiredKey(), tls.serverCertificate());
    QVERIFY2(bad.stderrText.contains(expected), qPrintable(bad.diagnostics()));
    QVERIFY2(!bad.stdoutText.contains("listening on http"), qPrintable(bad.diagnostics()));
}

QTEST_GUILESS_MAIN(DemoProcessTest)
#include "tst_demoprocess.moc"
