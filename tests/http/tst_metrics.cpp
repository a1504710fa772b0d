// SPDX-License-Identifier: MIT
// TaskMetrics and GET /metrics: the exposition text (escaping, the name cap folding into "other",
// histograms cumulative with +Inf, _sum and _count; checked by promtool when it is installed),
// exact counts of a real engine under load and while being scraped, the live gauges, the route
// over real HTTP, and the Grafana dashboard's queries naming only metrics that exist.
#include "httptestsupport.h"
#include "metricsregistry.h" // http/src: fed with events of exact durations

#include <afterwork/http/taskmetrics.h>
#include <afterwork/named.h>

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QLoggingCategory>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QScopeGuard>
#include <QtCore/QSemaphore>
#include <QtCore/QSet>
#include <QtCore/QStandardPaths>
#include <QtCore/QThread>
#include <QtTest/QTest>

#include <atomic>
#include <stdexcept>

using namespace afterwork;
using namespace afterwork::test;
using afterwork::http::detail::EngineReadings;
using afterwork::http::detail::MetricsRegistry;

namespace {

//! Every sample line of an exposition: series (name and labels, as written) -> value.
QMap<QByteArray, QByteArray> samplesOf(const QByteArray &text)
{
    QMap<QByteArray, QByteArray> samples;
    for (const QByteArray &line : text.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype space = line.lastIndexOf(' ');
        samples.insert(line.left(space), line.mid(space + 1));
    }
    return samples;
}

//! The sample lines of \a text whose series starts with \a prefix, in order.
QList<QByteArray> linesStartingWith(const QByteArray &text, const QByteArray &prefix)
{
    QList<QByteArray> result;
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(prefix))
            result << line;
    }
    return result;
}

TaskEvent terminal(const QString &name, Phase phase, qint64 waitUs = 0, qint64 runUs = 0, quint64 id = 1,
                   const QString &label = QStringLiteral("fn"))
{
    TaskEvent event;
    event.taskId = id;
    event.name = name;
    event.functionLabel = label;
    event.phase = phase;
    event.waitUs = waitUs;
    event.runUs = runUs;
    return event;
}

QByteArray total(const QByteArray &escapedName, const char *outcome)
{
    return "afterwork_tasks_total{name=\"" + escapedName + "\",outcome=\"" + outcome + "\"}";
}

const QStringList outcomes{"succeeded", "failed", "cancelled", "abandoned", "dropped"};

//! The metric families an exposition declares, from its `# TYPE` lines.
QSet<QString> familiesOf(const QByteArray &text)
{
    QSet<QString> families;
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith("# TYPE "))
            families.insert(QString::fromUtf8(line.split(' ').value(2)));
    }
    return families;
}

//! Checks every histogram of \a text: buckets cumulative in `le` order, ending with +Inf equal to
//! _count. Returns an empty string when all hold, else what failed.
QString histogramProblems(const QByteArray &text)
{
    static const QRegularExpression bucket(QStringLiteral("^(\\w+)_bucket\\{name=\"(.*)\",le=\"([^\"]+)\"\\} (\\d+)$"));
    QHash<QString, quint64> lastCumulative;
    QHash<QString, QString> lastBound;
    QHash<QString, quint64> infinity;
    for (const QByteArray &raw : text.split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (const auto m = bucket.match(line); m.hasMatch()) {
            const QString series = m.captured(1) + '|' + m.captured(2);
            const quint64 value = m.captured(4).toULongLong();
            if (value < lastCumulative.value(series, 0))
                return "not cumulative: " + line;
            lastCumulative[series] = value;
            lastBound[series] = m.captured(3);
            if (m.captured(3) == QLatin1String("+Inf"))
                infinity[series] = value;
        }
    }
    static const QRegularExpression count(QStringLiteral("^(\\w+)_count\\{name=\"(.*)\"\\} (\\d+)$"));
    for (const QByteArray &raw : text.split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (const auto m = count.match(line); m.hasMatch()) {
            const QString series = m.captured(1) + '|' + m.captured(2);
            if (lastBound.value(series) != QLatin1String("+Inf"))
                return "the last bucket is not +Inf: " + series;
            if (infinity.value(series) != m.captured(3).toULongLong())
                return "+Inf differs from _count: " + line;
        }
    }
    return {};
}

quint64 sumOfTotals(const QByteArray &text)
{
    quint64 sum = 0;
    for (const QByteArray &line : linesStartingWith(text, "afterwork_tasks_total{"))
        sum += line.mid(line.lastIndexOf(' ') + 1).toULongLong();
    return sum;
}

quint64 endedCount(const EngineCounters &c)
{
    return c.succeeded + c.failed + c.cancelled + c.abandoned + c.dropped;
}

} // namespace

class MetricsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The exposition, from events of known names and durations.
    void labelValuesAreEscaped();
    void outcomesAreTheTerminalPhasesWireNames();
    void generatedNamesCountUnderTheirFunction_data();
    void generatedNamesCountUnderTheirFunction();
    void namesPastTheCapFoldIntoOther();
    void capOfZeroCountsEveryTaskAsOther();
    void histogramsAreCumulativeWithInfSumAndCount();
    void tasksThatNeverStartedHaveNoDurations();
    void engineReadingsAreTheGaugesAndCounters();
    void everyFamilyHasHelpAndTypeBeforeItsSamples();
    void promtoolAcceptsTheExposition();

    // TaskMetrics on a real engine.
    void countsARealEngineExactly();
    void scrapesWhileTasksEndAreConsistentAndNeverGoBack();
    void liveGaugesFollowQueuedAndRunningTasks();
    void servedOverHttpAsTheTextFormat();

    // docs/grafana/afterwork-dashboard.json
    void grafanaDashboardQueriesOnlyTheseMetrics();
};

void MetricsTest::labelValuesAreEscaped()
{
    MetricsRegistry registry(10);
    registry.record(terminal(QStringLiteral("a\\b\"c\nd"), Phase::Succeeded));
    registry.record(terminal(QStringLiteral("café ✓"), Phase::Failed));
    const QByteArray text = registry.render({});
    const auto samples = samplesOf(text);
    QCOMPARE(samples.value("afterwork_tasks_total{name=\"a\\\\b\\\"c\\nd\",outcome=\"succeeded\"}"), QByteArray("1"));
    QCOMPARE(samples.value(total(QStringLiteral("café ✓").toUtf8(), "failed")), QByteArray("1"));
    // The raw newline never reaches the text: every line is a comment or a whole sample.
    for (const QByteArray &line : text.split('\n')) {
        if (!line.isEmpty() && !line.startsWith('#'))
            QVERIFY2(line.startsWith("afterwork_"), line.constData());
    }
}

void MetricsTest::outcomesAreTheTerminalPhasesWireNames()
{
    MetricsRegistry registry(10);
    for (const Phase phase : {Phase::Succeeded, Phase::Failed, Phase::Failed, Phase::Cancelled, Phase::Abandoned,
                              Phase::Dropped, Phase::Scheduled, Phase::Started, Phase::Retrying,
                              Phase::ShutdownPending})
        registry.record(terminal(QStringLiteral("x"), phase));
    const auto samples = samplesOf(registry.render({}));
    QCOMPARE(samples.value(total("x", "succeeded")), QByteArray("1"));
    QCOMPARE(samples.value(total("x", "failed")), QByteArray("2"));
    QCOMPARE(samples.value(total("x", "cancelled")), QByteArray("1"));
    QCOMPARE(samples.value(total("x", "abandoned")), QByteArray("1"));
    QCOMPARE(samples.value(total("x", "dropped")), QByteArray("1"));
    // Non-terminal steps count nothing: six tasks ended, six observations.
    QCOMPARE(samples.value("afterwork_task_run_seconds_count{name=\"x\"}"), QByteArray("6"));
    for (const Phase phase : {Phase::Succeeded, Phase::Failed, Phase::Cancelled, Phase::Abandoned, Phase::Dropped})
        QVERIFY(outcomes.contains(QString(wireName(phase))));

    // A name seen once has every outcome, zeros included, so rate() sees its first increment.
    MetricsRegistry once(10);
    once.record(terminal(QStringLiteral("y"), Phase::Dropped));
    const auto onceSamples = samplesOf(once.render({}));
    for (const QString &outcome : outcomes)
        QVERIFY(onceSamples.contains(total("y", qPrintable(outcome))));
    QCOMPARE(onceSamples.value(total("y", "succeeded")), QByteArray("0"));
}

void MetricsTest::generatedNamesCountUnderTheirFunction_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("label");
    QTest::addColumn<quint64>("id");
    QTest::addColumn<QString>("counted");
    QTest::newRow("generated") << "criticalOperation#12" << "criticalOperation" << quint64(12) << "criticalOperation";
    QTest::newRow("big id") << "f#18446744073709551615" << "f" << quint64(18446744073709551615ULL) << "f";
    QTest::newRow("configured, another id") << "criticalOperation#13" << "criticalOperation" << quint64(12)
                                            << "criticalOperation#13";
    QTest::newRow("configured, no digits") << "fn#x" << "fn" << quint64(1) << "fn#x";
    QTest::newRow("configured") << "send_welcome_email" << "sendEmail" << quint64(3) << "send_welcome_email";
    QTest::newRow("empty label") << "#4" << "" << quint64(4) << "unnamed";
    QTest::newRow("empty name") << "" << "fn" << quint64(5) << "unnamed";
}

void MetricsTest::generatedNamesCountUnderTheirFunction()
{
    QFETCH(QString, name);
    QFETCH(QString, label);
    QFETCH(quint64, id);
    QFETCH(QString, counted);
    const TaskEvent event = terminal(name, Phase::Succeeded, 0, 0, id, label);
    QCOMPARE(http::detail::nameLabelOf(event), counted);
    MetricsRegistry registry(10);
    registry.record(event);
    QCOMPARE(samplesOf(registry.render({})).value(total(counted.toUtf8(), "succeeded")), QByteArray("1"));
}

void MetricsTest::namesPastTheCapFoldIntoOther()
{
    MetricsRegistry registry(3);
    // "other" itself shares the overflow's series and takes no slot.
    registry.record(terminal(QStringLiteral("other"), Phase::Succeeded));
    for (int i = 0; i < 6; ++i)
        registry.record(terminal(QStringLiteral("n%1").arg(i), Phase::Succeeded));
    registry.record(terminal(QStringLiteral("n1"), Phase::Failed)); // a name with a slot keeps it
    registry.record(terminal(QStringLiteral("n5"), Phase::Failed));
    QCOMPARE(registry.nameCount(), 3);

    const QByteArray text = registry.render({});
    const auto samples = samplesOf(text);
    QCOMPARE(samples.value(total("n0", "succeeded")), QByteArray("1"));
    QCOMPARE(samples.value(total("n1", "failed")), QByteArray("1"));
    QCOMPARE(samples.value(total("n2", "succeeded")), QByteArray("1"));
    QVERIFY(!samples.contains(total("n3", "succeeded")));
    QVERIFY(!samples.contains(total("n5", "failed")));
    QCOMPARE(samples.value(total("other", "succeeded")), QByteArray("4")); // "other", n3, n4, n5
    QCOMPARE(samples.value(total("other", "failed")), QByteArray("1"));
    QCOMPARE(samples.value("afterwork_task_run_seconds_count{name=\"other\"}"), QByteArray("5"));
    // Names sorted, "other" last.
    QStringList order;
    for (const QByteArray &line : linesStartingWith(text, "afterwork_tasks_total{")) {
        const QString name = QString::fromUtf8(line.mid(28, line.indexOf('"', 28) - 28));
        if (order.isEmpty() || order.last() != name)
            order << name;
    }
    QCOMPARE(order, QStringList({"n0", "n1", "n2", "other"}));
    QCOMPARE(sumOfTotals(text), quint64(9));
}

void MetricsTest::capOfZeroCountsEveryTaskAsOther()
{
    MetricsRegistry registry(0);
    registry.record(terminal(QStringLiteral("a"), Phase::Succeeded));
    registry.record(terminal(QStringLiteral("b"), Phase::Cancelled));
    QCOMPARE(registry.nameCount(), 0);
    const auto samples = samplesOf(registry.render({}));
    QCOMPARE(samples.value(total("other", "succeeded")), QByteArray("1"));
    QCOMPARE(samples.value(total("other", "cancelled")), QByteArray("1"));
    QVERIFY(!samples.contains(total("a", "succeeded")));

    // Nothing ended yet: no task series at all, not even "other".
    MetricsRegistry empty(5);
    QVERIFY(linesStartingWith(empty.render({}), "afterwork_tasks_total{").isEmpty());
}

void MetricsTest::histogramsAreCumulativeWithInfSumAndCount()
{
    MetricsRegistry registry(10);
    // Run times: 0, exactly 1 ms (le is inclusive), just above, exactly 60 s, above every bound.
    const QList<qint64> runs{0, 1'000, 1'001, 60'000'000, 70'000'000};
    for (const qint64 runUs : runs)
        registry.record(terminal(QStringLiteral("h"), Phase::Succeeded, /*waitUs*/ 2'500, runUs));
    const QByteArray text = registry.render({});
    const auto samples = samplesOf(text);
    const auto bucket = [&](const char *metric, const char *le) {
        return samples.value(QByteArray(metric) + "_bucket{name=\"h\",le=\"" + le + "\"}");
    };
    QCOMPARE(bucket("afterwork_task_run_seconds", "0.001"), QByteArray("2"));
    QCOMPARE(bucket("afterwork_task_run_seconds", "0.0025"), QByteArray("3"));
    QCOMPARE(bucket("afterwork_task_run_seconds", "30"), QByteArray("3"));
    QCOMPARE(bucket("afterwork_task_run_seconds", "60"), QByteArray("4"));
    QCOMPARE(bucket("afterwork_task_run_seconds", "+Inf"), QByteArray("5"));
    QCOMPARE(samples.value("afterwork_task_run_seconds_count{name=\"h\"}"), QByteArray("5"));
    QCOMPARE(samples.value("afterwork_task_run_seconds_sum{name=\"h\"}"), QByteArray("130.002001"));
    // Every wait was 2.5 ms exactly: none at 1 ms, all from 2.5 ms on.
    QCOMPARE(bucket("afterwork_task_wait_seconds", "0.001"), QByteArray("0"));
    QCOMPARE(bucket("afterwork_task_wait_seconds", "0.0025"), QByteArray("5"));
    QCOMPARE(samples.value("afterwork_task_wait_seconds_sum{name=\"h\"}"), QByteArray("0.0125"));

    // The buckets, in order: 1 ms ... 60 s, then +Inf.
    QStringList bounds;
    for (const QByteArray &line : linesStartingWith(text, "afterwork_task_run_seconds_bucket{name=\"h\""))
        bounds << QString::fromUtf8(line.mid(line.indexOf("le=\"") + 4).split('"').first());
    QCOMPARE(bounds, QStringList({"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
                                  "1", "2.5", "5", "10", "30", "60", "+Inf"}));
    QCOMPARE(histogramProblems(text), QString());
    QCOMPARE(http::detail::durationBucket(1'000), 0);
    QCOMPARE(http::detail::durationBucket(1'001), 1);
    QCOMPARE(http::detail::durationBucket(60'000'001), int(http::detail::durationBoundsUs.size()));
}

void MetricsTest::tasksThatNeverStartedHaveNoDurations()
{
    MetricsRegistry registry(10);
    registry.record(terminal(QStringLiteral("d"), Phase::Dropped, /*waitUs*/ 500, /*runUs*/ -1));
    registry.record(terminal(QStringLiteral("d"), Phase::Cancelled, /*waitUs*/ 900, /*runUs*/ -1));
    const auto samples = samplesOf(registry.render({}));
    QCOMPARE(samples.value(total("d", "dropped")), QByteArray("1"));
    QCOMPARE(samples.value(total("d", "cancelled")), QByteArray("1"));
    QCOMPARE(samples.value("afterwork_task_wait_seconds_count{name=\"d\"}"), QByteArray("0"));
    QCOMPARE(samples.value("afterwork_task_run_seconds_count{name=\"d\"}"), QByteArray("0"));
    QCOMPARE(samples.value("afterwork_task_wait_seconds_sum{name=\"d\"}"), QByteArray("0"));
}

void MetricsTest::engineReadingsAreTheGaugesAndCounters()
{
    EngineReadings readings;
    readings.counters.scheduled = 70;
    readings.counters.retried = 2;
    readings.counters.handlerErrors = 3;
    readings.counters.poolActive = 1;
    readings.counters.poolMax = 4;
    readings.queued = 5;
    readings.running = 1;
    readings.retrying = 2;
    readings.shutdownPending = 3;
    const auto samples = samplesOf(MetricsRegistry(10).render(readings));
    QCOMPARE(samples.value("afterwork_tasks_live{state=\"queued\"}"), QByteArray("5"));
    QCOMPARE(samples.value("afterwork_tasks_live{state=\"running\"}"), QByteArray("1"));
    QCOMPARE(samples.value("afterwork_tasks_live{state=\"retrying\"}"), QByteArray("2"));
    QCOMPARE(samples.value("afterwork_tasks_live{state=\"shutdown_pending\"}"), QByteArray("3"));
    QCOMPARE(samples.value("afterwork_tasks_scheduled_total"), QByteArray("70"));
    QCOMPARE(samples.value("afterwork_task_retries_total"), QByteArray("2"));
    QCOMPARE(samples.value("afterwork_handler_errors_total"), QByteArray("3"));
    QCOMPARE(samples.value("afterwork_pool_threads_busy"), QByteArray("1"));
    QCOMPARE(samples.value("afterwork_pool_threads_max"), QByteArray("4"));
}

void MetricsTest::everyFamilyHasHelpAndTypeBeforeItsSamples()
{
    MetricsRegistry registry(10);
    registry.record(terminal(QStringLiteral("a"), Phase::Succeeded));
    registry.record(terminal(QStringLiteral("b"), Phase::Failed));
    const QByteArray text = registry.render({});
    QVERIFY(text.endsWith('\n'));
    QHash<QByteArray, QByteArray> typeOf;
    QSet<QByteArray> helped;
    QByteArray current; // the family whose samples may follow
    QSet<QByteArray> finished;
    for (const QByteArray &line : text.split('\n')) {
        if (line.isEmpty())
            continue;
        const QList<QByteArray> words = line.split(' ');
        if (line.startsWith("# HELP ")) {
            QVERIFY2(!helped.contains(words[2]), line.constData());
            helped.insert(words[2]);
            QVERIFY(words.size() > 3); // a help text, not just the name
        } else if (line.startsWith("# TYPE ")) {
            QVERIFY2(helped.contains(words[2]), "HELP comes first");
            QVERIFY2(!typeOf.contains(words[2]), line.constData());
            typeOf.insert(words[2], words[3]);
            if (!current.isEmpty())
                finished.insert(current);
            current = words[2];
        } else {
            QByteArray family = line.left(line.indexOf(line.contains('{') ? '{' : ' '));
            if (typeOf.value(current) == "histogram") {
                for (const char *suffix : {"_bucket", "_sum", "_count"}) {
                    if (family.endsWith(suffix))
                        family.chop(qsizetype(qstrlen(suffix)));
                }
            }
            QVERIFY2(family == current, line.constData()); // grouped under its own TYPE line
            QVERIFY2(!finished.contains(family), line.constData());
        }
    }
    QCOMPARE(QSet<QByteArray>(typeOf.keyBegin(), typeOf.keyEnd()),
             QSet<QByteArray>({"afterwork_tasks_total", "afterwork_task_wait_seconds", "afterwork_task_run_seconds",
                               "afterwork_tasks_live", "afterwork_tasks_scheduled_total",
                               "afterwork_task_retries_total", "afterwork_handler_errors_total",
                               "afterwork_pool_threads_busy", "afterwork_pool_threads_max"}));
    QCOMPARE(typeOf.value("afterwork_tasks_total"), QByteArray("counter"));
    QCOMPARE(typeOf.value("afterwork_task_run_seconds"), QByteArray("histogram"));
    QCOMPARE(typeOf.value("afterwork_tasks_live"), QByteArray("gauge"));
}

void MetricsTest::promtoolAcceptsTheExposition()
{
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    if (promtool.isEmpty())
        QSKIP("promtool is not installed (Debian package prometheus, scripts/packages/common.txt): "
              "the exposition is not checked by Prometheus's own linter");
    MetricsRegistry registry(2);
    registry.record(terminal(QStringLiteral("a\\b\"c\nd"), Phase::Succeeded, 10, 20'000));
    registry.record(terminal(QStringLiteral("café ✓"), Phase::Failed, 3'000'000, 90'000'000));
    registry.record(terminal(QStringLiteral("past the cap"), Phase::Dropped, 5, -1));
    EngineReadings readings;
    readings.counters.poolMax = 2;
    readings.queued = 1;
    const QByteArray text = registry.render(readings);

    QProcess process;
    process.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    QVERIFY(process.waitForStarted(10000));
    process.write(text);
    process.closeWriteChannel();
    QVERIFY(process.waitForFinished(30000));
    const QByteArray output = process.readAllStandardOutput() + process.readAllStandardError();
    // Exit 1: not parseable; 3: parsed, with lint problems (each printed). 0: neither.
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             qPrintable(QStringLiteral("promtool exited %1:\n%2").arg(process.exitCode()).arg(QString::fromUtf8(output))));
    QVERIFY2(output.trimmed().isEmpty(), output.constData());
}

void MetricsTest::countsARealEngineExactly()
{
    // Thousands of failures on purpose: their log lines (afterwork.task) would drown the report.
    QLoggingCategory::setFilterRules(QStringLiteral("afterwork.task.warning=false"));
    const auto restoreLogging = qScopeGuard([] { QLoggingCategory::setFilterRules(QString()); });
    TaskEngine engine({}, EngineOptions{.maxThreads = 2});
    http::TaskMetrics metrics(&engine, {.maxNames = 5});
    QCOMPARE(metrics.options().maxNames, 5);
    const auto throwingHandler = [](const Task &, const TaskError &) { throw std::runtime_error("handler broke"); };

    // Two threads schedule at once, eight names over a cap of five, every outcome that work
    // decides (succeeded, failed, failed with a handler that throws, cancelled by its work).
    constexpr int perThread = 1500;
    const auto scheduleMany = [&engine, &throwingHandler](int offset) {
        for (int i = 0; i < perThread; ++i) {
            const QString name = QStringLiteral("job_%1").arg((i + offset) % 8);
            switch (i % 4) {
            case 0: engine.task({.name = name}).schedule([] {}); break;
            case 1: engine.task({.name = name}).schedule([] { throw std::runtime_error("no"); }); break;
            case 2:
                engine.task({.name = name, .onError = ErrorHandler(throwingHandler)}).schedule([] {
                    throw std::runtime_error("no");
                });
                break;
            case 3: engine.task({.name = name}).schedule([] { throw TaskCancelled(); }); break;
            }
        }
    };
    QThread *other = QThread::create(scheduleMany, 3);
    other->start();
    scheduleMany(0);
    QVERIFY(other->wait(30000));
    delete other;
    // Unnamed work counts under its label.
    engine.schedule(named(QStringLiteral("labelledWork"), [] {}));
    engine.schedule(named(QStringLiteral("labelledWork"), [] {}));
    constexpr quint64 all = 2 * perThread + 2;
    QTRY_COMPARE_WITH_TIMEOUT(endedCount(engine.counters()), all, 30000);

    const QByteArray text = metrics.render();
    const auto samples = samplesOf(text);
    const EngineCounters c = engine.counters();
    QCOMPARE(sumOfTotals(text), all);
    quint64 byOutcome[5] = {};
    for (const QByteArray &line : linesStartingWith(text, "afterwork_tasks_total{")) {
        for (int i = 0; i < 5; ++i) {
            if (line.contains("outcome=\"" + outcomes[i].toUtf8() + '"'))
                byOutcome[i] += line.mid(line.lastIndexOf(' ') + 1).toULongLong();
        }
    }
    QCOMPARE(byOutcome[0], c.succeeded);
    QCOMPARE(byOutcome[1], c.failed);
    QCOMPARE(byOutcome[2], c.cancelled);
    QCOMPARE(c.succeeded, quint64(2 * perThread / 4 + 2)); // a quarter of each thread's, and the two labelled
    QCOMPARE(c.failed, quint64(2 * perThread / 2));
    QCOMPARE(c.cancelled, quint64(2 * perThread / 4));
    QCOMPARE(samples.value("afterwork_handler_errors_total").toULongLong(), c.handlerErrors);
    QCOMPARE(c.handlerErrors, quint64(2 * perThread / 4));
    QCOMPARE(samples.value("afterwork_tasks_scheduled_total").toULongLong(), all);
    QCOMPARE(samples.value("afterwork_pool_threads_max"), QByteArray("2"));
    // Five names of their own (whichever ended first), three folded; the label is past the cap.
    QCOMPARE(metrics.nameCount(), 5);
    quint64 namedSeries = 0;
    for (int i = 0; i < 8; ++i)
        namedSeries += samples.contains(total("job_" + QByteArray::number(i), "succeeded")) ? 1 : 0;
    QCOMPARE(namedSeries, quint64(5));
    QVERIFY(samples.value(total("other", "succeeded")).toULongLong() >= 2); // labelledWork, at least
    QVERIFY(!samples.contains(total("labelledWork", "succeeded")));
    QCOMPARE(histogramProblems(text), QString());
    // Every task started, so every one was timed.
    quint64 timed = 0;
    for (const QByteArray &line : linesStartingWith(text, "afterwork_task_run_seconds_count{"))
        timed += line.mid(line.lastIndexOf(' ') + 1).toULongLong();
    QCOMPARE(timed, all);

    // Under the cap, the label itself.
    TaskEngine small({}, EngineOptions{.maxThreads = 1});
    http::TaskMetrics smallMetrics(&small);
    small.schedule(named(QStringLiteral("labelledWork"), [] {}));
    QTRY_COMPARE(endedCount(small.counters()), quint64(1));
    QCOMPARE(samplesOf(smallMetrics.render()).value(total("labelledWork", "succeeded")), QByteArray("1"));
}

void MetricsTest::scrapesWhileTasksEndAreConsistentAndNeverGoBack()
{
    TaskEngine engine({}, EngineOptions{.maxThreads = 2});
    http::TaskMetrics metrics(&engine);
    std::atomic<bool> stop{false};
    QString problem;
    int scrapes = 0;
    // A scraper on its own thread, as a server on another thread than the engine would be.
    QThread *scraper = QThread::create([&] {
        QMap<QByteArray, QByteArray> previous;
        while (!stop.load() && problem.isEmpty()) {
            const QByteArray text = metrics.render();
            ++scrapes;
            if (const QString p = histogramProblems(text); !p.isEmpty()) {
                problem = p;
                break;
            }
            const auto samples = samplesOf(text);
            for (auto it = previous.cbegin(); it != previous.cend(); ++it) {
                if (it.key().startsWith("afterwork_tasks_total")
                    && samples.value(it.key()).toULongLong() < it.value().toULongLong()) {
                    problem = "a counter went back: " + QString::fromUtf8(it.key());
                    break;
                }
            }
            previous = samples;
        }
    });
    scraper->start();
    constexpr int count = 6000;
    for (int i = 0; i < count; ++i)
        engine.task({.name = QStringLiteral("n%1").arg(i % 300)}).schedule([] {});
    QTRY_COMPARE_WITH_TIMEOUT(endedCount(engine.counters()), quint64(count), 30000);
    stop = true;
    QVERIFY(scraper->wait(30000));
    delete scraper;
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(scrapes > 0);
    QCOMPARE(sumOfTotals(metrics.render()), quint64(count));
    QCOMPARE(metrics.nameCount(), 200); // the default cap
}

void MetricsTest::liveGaugesFollowQueuedAndRunningTasks()
{
    TaskEngine engine({}, EngineOptions{.maxThreads = 1});
    http::TaskMetrics metrics(&engine);
    QSemaphore release;
    // One task holds the pool's only thread; two wait behind it.
    for (int i = 0; i < 3; ++i)
        engine.task({.name = QStringLiteral("held")}).schedule([&release] { release.acquire(); });
    const auto gauge = [&](const char *state) {
        return samplesOf(metrics.render()).value(QByteArray("afterwork_tasks_live{state=\"") + state + "\"}");
    };
    QTRY_COMPARE(gauge("running"), QByteArray("1"));
    QCOMPARE(gauge("queued"), QByteArray("2"));
    QCOMPARE(samplesOf(metrics.render()).value("afterwork_pool_threads_busy"), QByteArray("1"));
    release.release(3);
    QTRY_COMPARE(endedCount(engine.counters()), quint64(3));
    QCOMPARE(gauge("running"), QByteArray("0"));
    QCOMPARE(gauge("queued"), QByteArray("0"));
    QCOMPARE(samplesOf(metrics.render()).value(total("held", "succeeded")), QByteArray("3"));
}

void MetricsTest::servedOverHttpAsTheTextFormat()
{
    HttpFixture fixture;
    auto metrics = std::make_unique<http::TaskMetrics>(&fixture.engine);
    http::serveMetrics(&fixture.router, metrics.get());
    http::serveMetrics(&fixture.router, metrics.get(), QStringLiteral("/internal/metrics"));
    fixture.router.post("/work", [](http::Tasks &tasks) {
        tasks.task({.name = QStringLiteral("after_\"quoted\"")}).schedule([] {});
        return http::Json{{"status", "ok"}};
    });
    QVERIFY(fixture.listen());
    RawHttpClient client(fixture.port);
    QVERIFY(client.connectToServer());
    QCOMPARE(client.request("POST", "/work")->status, 200);
    QTRY_COMPARE(endedCount(fixture.engine.counters()), quint64(1));

    const std::optional<HttpReply> reply = client.request("GET", "/metrics");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QCOMPARE(reply->headers.value("content-type"), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    QCOMPARE(reply->headers.value("content-type"), QByteArray(http::prometheusContentType));
    // Nothing is scheduled meanwhile: the same text, but for the pool's busy threads, which the
    // pool's own runner lowers a moment after the queue empties.
    const auto withoutBusy = [](const QByteArray &text) {
        QList<QByteArray> lines = text.split('\n');
        lines.removeIf([](const QByteArray &line) { return line.startsWith("afterwork_pool_threads_busy "); });
        return lines;
    };
    QCOMPARE(withoutBusy(reply->body), withoutBusy(metrics->render()));
    QCOMPARE(samplesOf(reply->body).value("afterwork_tasks_total{name=\"after_\\\"quoted\\\"\",outcome=\"succeeded\"}"),
             QByteArray("1"));
    QCOMPARE(withoutBusy(client.request("GET", "/internal/metrics")->body), withoutBusy(reply->body));
    QCOMPARE(client.request("POST", "/metrics")->status, 405);

    // The route keeps its counts when the TaskMetrics goes: frozen, still served.
    metrics.reset();
    QCOMPARE(client.request("POST", "/work")->status, 200);
    QTRY_COMPARE(endedCount(fixture.engine.counters()), quint64(2));
    const std::optional<HttpReply> after = client.request("GET", "/metrics");
    QVERIFY(after);
    QCOMPARE(after->status, 200);
    QCOMPARE(samplesOf(after->body).value("afterwork_tasks_total{name=\"after_\\\"quoted\\\"\",outcome=\"succeeded\"}"),
             QByteArray("1"));
    QCOMPARE(samplesOf(after->body).value("afterwork_tasks_scheduled_total"), QByteArray("2"));
}

void MetricsTest::grafanaDashboardQueriesOnlyTheseMetrics()
{
    QFile file(QStringLiteral(AFTERWORK_GRAFANA_DASHBOARD));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonObject dashboard = document.object();
    QVERIFY(!dashboard.value("title").toString().isEmpty());

    // A Prometheus datasource variable, which every panel and query uses.
    bool datasourceVariable = false;
    for (const QJsonValue &variable : dashboard.value("templating").toObject().value("list").toArray()) {
        const QJsonObject v = variable.toObject();
        if (v.value("type") == QLatin1String("datasource") && v.value("query") == QLatin1String("prometheus")
            && v.value("name") == QLatin1String("datasource"))
            datasourceVariable = true;
    }
    QVERIFY(datasourceVariable);

    MetricsRegistry registry(1);
    registry.record(terminal(QStringLiteral("a"), Phase::Succeeded));
    const QSet<QString> families = familiesOf(registry.render({}));
    static const QRegularExpression metricName(QStringLiteral("\\bafterwork_[a-z_]+"));
    QSet<QString> used;
    int queries = 0;
    const QJsonArray panels = dashboard.value("panels").toArray();
    QVERIFY(panels.size() >= 4);
    for (const QJsonValue &panelValue : panels) {
        const QJsonObject panel = panelValue.toObject();
        if (panel.value("type") == QLatin1String("row"))
            continue;
        QCOMPARE(panel.value("datasource").toObject().value("uid").toString(), QStringLiteral("${datasource}"));
        const QJsonArray targets = panel.value("targets").toArray();
        QVERIFY2(!targets.isEmpty(), qPrintable(panel.value("title").toString()));
        for (const QJsonValue &target : targets) {
            const QString expr = target.toObject().value("expr").toString();
            QVERIFY2(!expr.isEmpty(), qPrintable(panel.value("title").toString()));
            ++queries;
            for (auto it = metricName.globalMatch(expr); it.hasNext();) {
                QString name = it.next().captured(0);
                for (const QString suffix : {"_bucket", "_sum", "_count"}) {
                    if (name.endsWith(suffix) && families.contains(name.chopped(suffix.size())))
                        name.chop(suffix.size());
                }
                QVERIFY2(families.contains(name), qPrintable(name + " in " + expr));
                used.insert(name);
            }
        }
    }
    QVERIFY(queries >= 4);
    for (const char *key : {"afterwork_tasks_total", "afterwork_task_run_seconds", "afterwork_tasks_live"})
        QVERIFY2(used.contains(QString::fromLatin1(key)), key);
}

QTEST_GUILESS_MAIN(MetricsTest)
#include "tst_metrics.moc"
