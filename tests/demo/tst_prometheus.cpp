// SPDX-License-Identifier: MIT
// afterwork-demo scraped by a real Prometheus: the demo and a `prometheus` of the test's own (its
// own config, data directory and ephemeral loopback port; never a system instance) run as
// processes; after traffic the values Prometheus stored must equal the engine's own counts, read
// from the demo's GET /tasks. Every query of the Grafana dashboard is then run against that data.
// Skipped only when the prometheus binary is not installed (Debian package prometheus).
#include "../http/httptestsupport.h"
#include "demotestsupport.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QTcpServer>
#include <QtTest/QTest>

#include <cmath>
#include <memory>

using namespace afterwork::test;

namespace {

//! A port that was free a moment ago on the loopback interface.
quint16 freeLoopbackPort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

//! The `prometheus` binary on a config and data directory of its own.
class PrometheusProcess
{
public:
    ~PrometheusProcess()
    {
        if (process.state() != QProcess::NotRunning) {
            process.terminate();
            if (!process.waitForFinished(10000)) {
                process.kill();
                process.waitForFinished(5000);
            }
        }
    }

    //! Starts it scraping \a target (host:port) every second; true once it answers /-/ready.
    [[nodiscard]] bool start(const QString &binary, const QString &target)
    {
        if (!dir.isValid())
            return false;
        QFile config(dir.filePath(QStringLiteral("prometheus.yml")));
        if (!config.open(QIODevice::WriteOnly))
            return false;
        config.write(QStringLiteral("global:\n"
                                    "  scrape_interval: 1s\n"
                                    "  scrape_timeout: 1s\n"
                                    "  evaluation_interval: 1s\n"
                                    "scrape_configs:\n"
                                    "  - job_name: afterwork-demo\n"
                                    "    static_configs:\n"
                                    "      - targets: ['%1']\n")
                         .arg(target)
                         .toUtf8());
        config.close();
        // The port is probed free and then handed over, so another process may take it in
        // between: a start that fails is retried on another port.
        for (int attempt = 0; attempt < 3; ++attempt) {
            port = freeLoopbackPort();
            process.setProgram(binary);
            process.setArguments({QStringLiteral("--config.file=") + config.fileName(),
                                  QStringLiteral("--storage.tsdb.path=") + dir.filePath(QStringLiteral("data")),
                                  QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(port),
                                  QStringLiteral("--log.level=warn")});
            process.setProcessChannelMode(QProcess::MergedChannels);
            process.start();
            if (!process.waitForStarted(10000))
                return false;
            const bool ready = QTest::qWaitFor(
                [&] { return process.state() == QProcess::NotRunning || get(QStringLiteral("/-/ready")).status == 200; },
                30000);
            if (ready && process.state() == QProcess::Running)
                return true;
            output += process.readAll();
            if (process.state() != QProcess::NotRunning) {
                process.kill();
                process.waitForFinished(5000);
            }
        }
        return false;
    }

    struct Answer
    {
        int status = 0;
        QByteArray body;
    };

    //! GET \a pathAndQuery from it; status 0 when it did not answer.
    Answer get(const QString &pathAndQuery)
    {
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(pathAndQuery)));
        request.setTransferTimeout(5000);
        std::unique_ptr<QNetworkReply> reply(network.get(request));
        if (!QTest::qWaitFor([&] { return reply->isFinished(); }, 10000))
            return {};
        return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
    }

    //! Runs an instant query; its `data.result` on success, otherwise nullopt (and lastError says why).
    std::optional<QJsonArray> query(const QString &promql)
    {
        const Answer answer = get(QStringLiteral("/api/v1/query?query=") + QString::fromLatin1(QUrl::toPercentEncoding(promql)));
        const QJsonObject json = QJsonDocument::fromJson(answer.body).object();
        if (answer.status != 200 || json.value("status") != QLatin1String("success")) {
            lastError = QStringLiteral("%1 -> HTTP %2: %3").arg(promql).arg(answer.status).arg(QString::fromUtf8(answer.body));
            return std::nullopt;
        }
        return json.value("data").toObject().value("result").toArray();
    }

    //! The value of a query whose result is one sample; NaN when there is none (yet).
    double scalar(const QString &promql)
    {
        const std::optional<QJsonArray> result = query(promql);
        if (!result || result->size() != 1)
            return std::nan("");
        return result->first().toObject().value("value").toArray().at(1).toString().toDouble();
    }

    //! The samples of a query, keyed by the value of \a label.
    QMap<QString, double> byLabel(const QString &promql, const QString &label)
    {
        QMap<QString, double> values;
        if (const std::optional<QJsonArray> result = query(promql)) {
            for (const QJsonValue &sample : *result) {
                const QJsonObject object = sample.toObject();
                values.insert(object.value("metric").toObject().value(label).toString(),
                              object.value("value").toArray().at(1).toString().toDouble());
            }
        }
        return values;
    }

    QTemporaryDir dir;
    QProcess process;
    QNetworkAccessManager network;
    quint16 port = 0;
    QByteArray output;
    QString lastError;
};

} // namespace

class PrometheusTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void scrapedValuesEqualTheEnginesCounts();
    void dashboardQueriesAnswerOnScrapedData();

private:
    QString m_prometheusBinary;
    std::unique_ptr<DemoProcess> m_demo;
    std::unique_ptr<PrometheusProcess> m_prometheus;
};

void PrometheusTest::initTestCase()
{
    m_prometheusBinary = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
    if (m_prometheusBinary.isEmpty())
        QSKIP("the prometheus binary is not installed (Debian package prometheus, in "
              "scripts/packages/common.txt): afterwork-demo's /metrics is not checked against a real Prometheus");
    m_demo = std::make_unique<DemoProcess>();
    QVERIFY2(m_demo->start(), qPrintable(m_demo->diagnostics()));
    m_prometheus = std::make_unique<PrometheusProcess>();
    QVERIFY2(m_prometheus->start(m_prometheusBinary, QStringLiteral("127.0.0.1:%1").arg(m_demo->port)),
             m_prometheus->output.constData());
}

void PrometheusTest::cleanupTestCase()
{
    m_prometheus.reset();
    if (m_demo) {
        m_demo->process.terminate();
        QVERIFY(m_demo->waitFinished(15000));
        QCOMPARE(m_demo->process.exitCode(), 0); // the held task is unshielded: cancelled, not abandoned
    }
}

void PrometheusTest::scrapedValuesEqualTheEnginesCounts()
{
    // The target is up: Prometheus reached /metrics and parsed it.
    QTRY_COMPARE_WITH_TIMEOUT(m_prometheus->scalar(QStringLiteral("up{job=\"afterwork-demo\"}")), 1.0, 30000);

    RawHttpClient client(m_demo->port);
    QVERIFY(client.connectToServer());
    const auto post = [&](const QByteArray &target) {
        const std::optional<HttpReply> reply = client.request("POST", target);
        return reply ? reply->status : 0;
    };
    QCOMPARE(post("/tasks/spawn?name=metrics_ok&count=20&ms=0"), 200);
    QCOMPARE(post("/tasks/spawn?name=metrics_async&count=5&ms=1&work=async"), 200);
    QCOMPARE(post("/tasks/spawn?name=metrics_fail&count=7&ms=0&fail=1"), 200);
    QCOMPARE(post("/tasks/spawn?name=metrics_dropped&count=3&ms=0&mode=after_response&route_fail=1"), 500);
    QCOMPARE(post("/risky"), 200);
    QCOMPARE(post("/task"), 200); // my_function#{id}: counted under its function's label
    // One task that stays running (async, so the pool stays free), for the live gauge.
    QCOMPARE(post("/tasks/spawn?name=metrics_held&count=1&ms=600000&work=async"), 200);

    // Traffic is over once only the held task is live and it runs; then the engine's own counts.
    QJsonObject counters;
    QVERIFY(QTest::qWaitFor([&] {
        const std::optional<HttpReply> reply = client.request("GET", "/tasks");
        if (!reply || reply->status != 200)
            return false;
        const QJsonObject tasks = reply->json();
        counters = tasks.value("counters").toObject();
        const QJsonArray live = tasks.value("live").toArray();
        return live.size() == 1 && live.first().toObject().value("phase") == QLatin1String("started")
            && tasks.value("requests_in_flight").toInt() <= 1;
    }, 30000));
    const auto count = [&](const char *key) { return counters.value(QLatin1String(key)).toDouble(); };
    QCOMPARE(count("live"), 1.0);
    QCOMPARE(count("failed"), 8.0); // metrics_fail and risky_task
    QCOMPARE(count("dropped"), 3.0);

    // Prometheus scrapes every second: poll its stored values until they are the engine's.
    QMap<QString, double> expected{{"succeeded", count("succeeded")}, {"failed", count("failed")},
                                   {"cancelled", count("cancelled")}, {"abandoned", count("abandoned")},
                                   {"dropped", count("dropped")}};
    const double ended = count("succeeded") + count("failed") + count("cancelled") + count("abandoned") + count("dropped");
    QMap<QString, double> scraped;
    const bool caughtUp = QTest::qWaitFor([&] {
        scraped = m_prometheus->byLabel(QStringLiteral("sum by (outcome) (afterwork_tasks_total)"), QStringLiteral("outcome"));
        return scraped == expected;
    }, 30000);
    const auto describe = [](const QMap<QString, double> &values) {
        QStringList parts;
        for (auto it = values.cbegin(); it != values.cend(); ++it)
            parts << QStringLiteral("%1=%2").arg(it.key()).arg(it.value());
        return parts.join(QLatin1String(", "));
    };
    QVERIFY2(caughtUp, qPrintable(QStringLiteral("Prometheus has {%1}, the engine {%2}; %3")
                                      .arg(describe(scraped), describe(expected), m_prometheus->lastError)));
    QCOMPARE(m_prometheus->scalar(QStringLiteral("sum(afterwork_tasks_total)")), ended);

    // The same scrape, metric by metric.
    auto &p = *m_prometheus;
    QCOMPARE(p.scalar(QStringLiteral("afterwork_tasks_total{name=\"metrics_ok\",outcome=\"succeeded\"}")), 20.0);
    QCOMPARE(p.scalar(QStringLiteral("afterwork_tasks_total{name=\"metrics_async\",outcome=\"succeeded\"}")), 5.0);
    QCOMPARE(p.scalar(QStringLiteral("afterwork_tasks_total{name=\"metrics_fail\",outcome=\"failed\"}")), 7.0);
    QCOMPARE(p.scalar(QStringLiteral("afterwork_tasks_total{name=\"metrics_dropped\",outcome=\"dropped\"}")), 3.0);
    QCOMPARE(p.scalar(QStringLiteral("afterwork_tasks_total{name=\"risky_task\",outcome=\"failed\"}")), 1.0);
    QCOMPARE(p.scalar(QStringLiteral("afterwork_tasks_total{name=\"my_function\",outcome=\"succeeded\"}")), 1.0);
    QCOMPARE(p.scalar(QStringLiteral("afterwork_tasks_scheduled_total")), count("scheduled"));
    QCOMPARE(p.scalar(QStringLiteral("afterwork_handler_errors_total")), count("handler_errors"));
    QCOMPARE(p.scalar(QStringLiteral("afterwork_task_retries_total")), count("retried"));
    QCOMPARE(p.scalar(QStringLiteral("afterwork_pool_threads_max")), 2.0); // --threads 2
    QCOMPARE(p.scalar(QStringLiteral("afterwork_tasks_live{state=\"running\"}")), 1.0);
    QCOMPARE(p.scalar(QStringLiteral("afterwork_tasks_live{state=\"queued\"}")), 0.0);
    // Every task that started and ended was timed once (the held one has not ended).
    QCOMPARE(p.scalar(QStringLiteral("sum(afterwork_task_run_seconds_count)")), count("started") - 1);
    QCOMPARE(p.scalar(QStringLiteral("sum(afterwork_task_wait_seconds_count)")), count("started") - 1);
    // 20 tasks of 0 ms ran in under a second each: the 1 s bucket holds them all. (Prometheus 3
    // stores `le="1"` as "1.0".)
    QCOMPARE(p.scalar(QStringLiteral("afterwork_task_run_seconds_bucket{name=\"metrics_ok\",le=~\"1|1\\\\.0\"}")), 20.0);
    QCOMPARE(p.scalar(QStringLiteral("afterwork_task_run_seconds_bucket{name=\"metrics_ok\",le=\"+Inf\"}")), 20.0);
}

void PrometheusTest::dashboardQueriesAnswerOnScrapedData()
{
    QFile file(QStringLiteral(AFTERWORK_GRAFANA_DASHBOARD));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QJsonObject dashboard = QJsonDocument::fromJson(file.readAll()).object();
    QVERIFY(!dashboard.isEmpty());
    // Grafana's variables as Grafana would expand them here: every job, instance and name; the
    // intervals a minute (several 1 s scrapes).
    static const QRegularExpression variable(QStringLiteral("\\$(\\w+)"));
    int checked = 0;
    for (const QJsonValue &panelValue : dashboard.value("panels").toArray()) {
        const QJsonObject panel = panelValue.toObject();
        for (const QJsonValue &target : panel.value("targets").toArray()) {
            QString expr = target.toObject().value("expr").toString();
            if (expr.isEmpty())
                continue;
            QString expanded;
            qsizetype from = 0;
            for (auto it = variable.globalMatch(expr); it.hasNext();) {
                const auto m = it.next();
                expanded += expr.mid(from, m.capturedStart() - from);
                expanded += m.captured(1).startsWith(QLatin1String("__")) ? QStringLiteral("1m") : QStringLiteral(".*");
                from = m.capturedEnd();
            }
            expanded += expr.mid(from);
            // Valid PromQL for this Prometheus, with data: rate() needs two scrapes in its window.
            std::optional<QJsonArray> result;
            const bool answered = QTest::qWaitFor([&] {
                result = m_prometheus->query(expanded);
                return result && !result->isEmpty();
            }, 20000);
            QVERIFY2(answered, qPrintable(panel.value("title").toString() + ": " + expanded + " -> "
                                          + (result ? QStringLiteral("no data") : m_prometheus->lastError)));
            ++checked;
        }
    }
    QVERIFY(checked >= 4);
    // The live panel shows the held task as running.
    const QMap<QString, double> live = m_prometheus->byLabel(
        QStringLiteral("sum by (state) (afterwork_tasks_live{job=~\".*\", instance=~\".*\"})"), QStringLiteral("state"));
    QCOMPARE(live.value(QStringLiteral("running")), 1.0);
}

QTEST_GUILESS_MAIN(PrometheusTest)
#include "tst_prometheus.moc"
