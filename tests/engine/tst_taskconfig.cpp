// SPDX-License-Identifier: MIT
// TaskConfig's per-field merge and RetryPolicy's arithmetic: plain values, no engine involved.

#include <afterwork/task.h>
#include <afterwork/taskconfig.h>

#include <QtTest/QTest>

using namespace afterwork;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(afterwork::TaskConfig)

namespace {

// Which handler ran last: each tagged handler writes its tag here when called.
QString g_lastHandlerTag;

ErrorHandler handlerA()
{
    return [](const Task &, const TaskError &) { g_lastHandlerTag = QStringLiteral("A"); };
}
ErrorHandler handlerB()
{
    return [](const Task &, const TaskError &) { g_lastHandlerTag = QStringLiteral("B"); };
}

// "<unset>", "<off>" (switched off), or the tag of the handler that runs.
QString describeHandler(const TaskConfig &config)
{
    if (!config.onError)
        return QStringLiteral("<unset>");
    if (config.onError->isSwitchedOff())
        return config.effectiveHandler() ? QStringLiteral("<off but effective!>") : QStringLiteral("<off>");
    const ErrorHandler *handler = config.effectiveHandler();
    if (!handler || !handler->syncFn())
        return QStringLiteral("<not callable>");
    g_lastHandlerTag.clear();
    handler->syncFn()(Task(), TaskError());
    return g_lastHandlerTag;
}

// One line that names every field of a config, so a test can compare configs as a whole.
QString describe(const TaskConfig &config)
{
    return QStringLiteral("name=%1 shield=%2 handler=%3 timeout=%4 retry=%5")
        .arg(config.name ? *config.name : QStringLiteral("<unset>"),
             config.shield ? (*config.shield ? QStringLiteral("true") : QStringLiteral("false"))
                           : QStringLiteral("<unset>"),
             describeHandler(config),
             !config.timeout              ? QStringLiteral("<unset>")
             : *config.timeout == noTimeout ? QStringLiteral("<off>")
                                            : QString::number(config.timeout->count()),
             config.retry ? QString::number(config.retry->maxAttempts) : QStringLiteral("<unset>"));
}

const QString allUnset = QStringLiteral("name=<unset> shield=<unset> handler=<unset> timeout=<unset> retry=<unset>");

} // namespace

class TaskConfigTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mergeOfTwoEmptyConfigsIsAllUnset()
    {
        const TaskConfig merged = TaskConfig{}.merge(TaskConfig{});
        QVERIFY(!merged.name);
        QVERIFY(!merged.shield);
        QVERIFY(!merged.onError);
        QVERIFY(!merged.timeout);
        QVERIFY(!merged.retry);
        QCOMPARE(merged.effectiveHandler(), nullptr);
        QCOMPARE(merged.isShielded(), false);
    }

    void mergeOverridesFieldsThatAreSet_data()
    {
        QTest::addColumn<TaskConfig>("base");
        QTest::addColumn<TaskConfig>("overrides");
        QTest::addColumn<QString>("expected");

        QTest::newRow("empty over empty") << TaskConfig{} << TaskConfig{} << allUnset;
        QTest::newRow("guide: name inherited, false shield overrides true, handler replaced")
            << TaskConfig{.name = QStringLiteral("global"), .shield = true, .onError = handlerA()}
            << TaskConfig{.shield = false, .onError = handlerB()}
            << QStringLiteral("name=global shield=false handler=B timeout=<unset> retry=<unset>");
        QTest::newRow("empty overrides keep everything")
            << TaskConfig{.name = QStringLiteral("n"), .shield = true, .onError = handlerA(), .timeout = 5s,
                          .retry = RetryPolicy{.maxAttempts = 4}}
            << TaskConfig{} << QStringLiteral("name=n shield=true handler=A timeout=5000 retry=4");
        QTest::newRow("everything over empty")
            << TaskConfig{}
            << TaskConfig{.name = QStringLiteral("n"), .shield = false, .onError = handlerB(), .timeout = 20ms,
                          .retry = RetryPolicy{.maxAttempts = 2}}
            << QStringLiteral("name=n shield=false handler=B timeout=20 retry=2");
        QTest::newRow("unset shield keeps an inherited true")
            << TaskConfig{.shield = true} << TaskConfig{.name = QStringLiteral("x")}
            << QStringLiteral("name=x shield=true handler=<unset> timeout=<unset> retry=<unset>");
        QTest::newRow("explicit true overrides false")
            << TaskConfig{.shield = false} << TaskConfig{.shield = true}
            << QStringLiteral("name=<unset> shield=true handler=<unset> timeout=<unset> retry=<unset>");
        QTest::newRow("handler inherited when not set")
            << TaskConfig{.onError = handlerA()} << TaskConfig{.name = QStringLiteral("x")}
            << QStringLiteral("name=x shield=<unset> handler=A timeout=<unset> retry=<unset>");
        QTest::newRow("noErrorHandler switches an inherited handler off")
            << TaskConfig{.onError = handlerA()} << TaskConfig{.onError = noErrorHandler}
            << QStringLiteral("name=<unset> shield=<unset> handler=<off> timeout=<unset> retry=<unset>");
        QTest::newRow("a handler can be set over a switched-off one")
            << TaskConfig{.onError = noErrorHandler} << TaskConfig{.onError = handlerB()}
            << QStringLiteral("name=<unset> shield=<unset> handler=B timeout=<unset> retry=<unset>");
        QTest::newRow("timeout overridden, retry inherited")
            << TaskConfig{.timeout = 5s, .retry = RetryPolicy{.maxAttempts = 2}} << TaskConfig{.timeout = 1s}
            << QStringLiteral("name=<unset> shield=<unset> handler=<unset> timeout=1000 retry=2");
        QTest::newRow("noTimeout switches an inherited timeout off")
            << TaskConfig{.timeout = 50ms, .retry = RetryPolicy{.maxAttempts = 2}} << TaskConfig{.timeout = noTimeout}
            << QStringLiteral("name=<unset> shield=<unset> handler=<unset> timeout=<off> retry=2");
        QTest::newRow("a timeout can be set over a switched-off one")
            << TaskConfig{.timeout = noTimeout} << TaskConfig{.timeout = 1s}
            << QStringLiteral("name=<unset> shield=<unset> handler=<unset> timeout=1000 retry=<unset>");
        QTest::newRow("retry overridden, timeout inherited")
            << TaskConfig{.timeout = 5s, .retry = RetryPolicy{.maxAttempts = 2}}
            << TaskConfig{.retry = RetryPolicy{.maxAttempts = 7}}
            << QStringLiteral("name=<unset> shield=<unset> handler=<unset> timeout=5000 retry=7");
    }

    void mergeOverridesFieldsThatAreSet()
    {
        QFETCH(TaskConfig, base);
        QFETCH(TaskConfig, overrides);
        QFETCH(QString, expected);
        QCOMPARE(describe(base.merge(overrides)), expected);
    }

    void mergeDoesNotMutateEitherInput()
    {
        const TaskConfig base{.name = QStringLiteral("global"), .shield = true, .onError = handlerA(), .timeout = 3s};
        const TaskConfig overrides{.shield = false, .onError = handlerB(), .retry = RetryPolicy{.maxAttempts = 5}};
        const QString baseBefore = describe(base);
        const QString overridesBefore = describe(overrides);

        TaskConfig merged = base.merge(overrides);
        QCOMPARE(describe(base), baseBefore);
        QCOMPARE(describe(overrides), overridesBefore);

        // The result is a copy: changing it touches neither input.
        merged.name = QStringLiteral("changed");
        merged.shield = true;
        merged.onError = noErrorHandler;
        merged.timeout = 1ms;
        merged.retry->maxAttempts = 99;
        QCOMPARE(describe(base), baseBefore);
        QCOMPARE(describe(overrides), overridesBefore);
    }

    void effectiveHandler()
    {
        QCOMPARE(TaskConfig{}.effectiveHandler(), nullptr);
        QCOMPARE(TaskConfig{.onError = noErrorHandler}.effectiveHandler(), nullptr);
        const TaskConfig withHandler{.onError = handlerA()};
        QVERIFY(withHandler.effectiveHandler() != nullptr);
        QCOMPARE(withHandler.effectiveHandler(), &*withHandler.onError);
        QVERIFY(!withHandler.effectiveHandler()->isAsync());
    }

    void effectiveTimeout()
    {
        QCOMPARE(TaskConfig{}.effectiveTimeout(), nullptr);
        QCOMPARE(TaskConfig{.timeout = noTimeout}.effectiveTimeout(), nullptr);
        const TaskConfig withTimeout{.timeout = 50ms};
        QCOMPARE(withTimeout.effectiveTimeout(), &*withTimeout.timeout);
        QCOMPARE(*withTimeout.effectiveTimeout(), 50ms);
        QCOMPARE(withTimeout.merge({.timeout = noTimeout}).effectiveTimeout(), nullptr);
        QVERIFY(noTimeout > std::chrono::hours(24 * 365 * 1000)); // never elapses, were it armed
    }

    void shieldDefaultsToOff()
    {
        QCOMPARE(TaskConfig{}.isShielded(), false);
        QCOMPARE(TaskConfig{.shield = false}.isShielded(), false);
        QCOMPARE(TaskConfig{.shield = true}.isShielded(), true);
    }

    void asyncHandlersAreRecognised()
    {
        const ErrorHandler async = [](const Task &, const TaskError &) { return QFuture<void>(); };
        QVERIFY(async.isAsync());
        QVERIFY(!async.isSwitchedOff());
        QVERIFY(!async.syncFn());
        QVERIFY(bool(async.asyncFn()));
    }

    void backoffBefore_data()
    {
        QTest::addColumn<int>("initialMs");
        QTest::addColumn<double>("multiplier");
        QTest::addColumn<int>("maxMs");
        QTest::addColumn<double>("jitter");
        QTest::addColumn<int>("nextAttempt");
        QTest::addColumn<double>("unitRandom");
        QTest::addColumn<int>("minMs");
        QTest::addColumn<int>("maxExpectedMs");

        // Without jitter the delay is exact: initial * multiplier^(n-2), capped.
        QTest::newRow("2nd attempt waits the initial backoff") << 100 << 2.0 << 30000 << 0.0 << 2 << 0.5 << 100 << 100;
        QTest::newRow("3rd attempt doubles") << 100 << 2.0 << 30000 << 0.0 << 3 << 0.5 << 200 << 200;
        QTest::newRow("4th attempt doubles again") << 100 << 2.0 << 30000 << 0.0 << 4 << 0.5 << 400 << 400;
        QTest::newRow("5th attempt") << 100 << 2.0 << 30000 << 0.0 << 5 << 0.0 << 800 << 800;
        QTest::newRow("multiplier 3") << 10 << 3.0 << 30000 << 0.0 << 4 << 0.9 << 90 << 90;
        QTest::newRow("multiplier 1 is constant") << 50 << 1.0 << 30000 << 0.0 << 9 << 0.3 << 50 << 50;
        QTest::newRow("capped at maxBackoff") << 100 << 2.0 << 1000 << 0.0 << 6 << 0.5 << 1000 << 1000;
        QTest::newRow("stays capped") << 100 << 2.0 << 1000 << 0.0 << 7 << 0.5 << 1000 << 1000;
        QTest::newRow("huge attempt numbers do not overflow") << 100 << 2.0 << 1000 << 0.0 << 1000 << 0.5 << 1000
                                                             << 1000;
        // Jitter spreads the delay by +-jitter: 0.2 means 80%..120%, lowest for unitRandom 0.
        QTest::newRow("jitter, lowest") << 100 << 2.0 << 30000 << 0.2 << 2 << 0.0 << 79 << 81;
        QTest::newRow("jitter, middle") << 100 << 2.0 << 30000 << 0.2 << 2 << 0.5 << 99 << 101;
        QTest::newRow("jitter, highest") << 100 << 2.0 << 30000 << 0.2 << 2 << 0.999999 << 119 << 120;
        QTest::newRow("jitter on a later attempt") << 100 << 2.0 << 30000 << 0.2 << 4 << 0.25 << 359 << 361;
        // The cap applies before the spread (RetryPolicy's documented order).
        QTest::newRow("jitter after the cap, lowest") << 100 << 2.0 << 1000 << 0.2 << 20 << 0.0 << 799 << 801;
        QTest::newRow("jitter after the cap, highest") << 100 << 2.0 << 1000 << 0.2 << 20 << 0.999999 << 1199
                                                      << 1200;
        QTest::newRow("full jitter never goes negative") << 100 << 2.0 << 30000 << 1.0 << 2 << 0.0 << 0 << 1;
    }

    void backoffBefore()
    {
        QFETCH(int, initialMs);
        QFETCH(double, multiplier);
        QFETCH(int, maxMs);
        QFETCH(double, jitter);
        QFETCH(int, nextAttempt);
        QFETCH(double, unitRandom);
        QFETCH(int, minMs);
        QFETCH(int, maxExpectedMs);

        const RetryPolicy policy{.maxAttempts = 100,
                                 .initialBackoff = std::chrono::milliseconds(initialMs),
                                 .multiplier = multiplier,
                                 .maxBackoff = std::chrono::milliseconds(maxMs),
                                 .jitter = jitter};
        const qint64 delay = policy.backoffBefore(nextAttempt, unitRandom).count();
        QVERIFY2(delay >= minMs && delay <= maxExpectedMs,
                 qPrintable(QStringLiteral("delay %1 ms, expected %2..%3").arg(delay).arg(minMs).arg(maxExpectedMs)));
    }

    void jitterStaysWithinBoundsAndGrowsWithTheRandomValue()
    {
        const RetryPolicy policy{.initialBackoff = 1000ms, .multiplier = 2.0, .maxBackoff = 60s, .jitter = 0.3};
        for (int attempt = 2; attempt <= 6; ++attempt) {
            const double base = 1000.0 * (1 << (attempt - 2));
            qint64 previous = -1;
            for (int step = 0; step < 100; ++step) {
                const double unit = step / 100.0;
                const qint64 delay = policy.backoffBefore(attempt, unit).count();
                QVERIFY2(delay >= qint64(base * 0.7) - 1 && delay <= qint64(base * 1.3) + 1,
                         qPrintable(QStringLiteral("attempt %1, random %2: %3 ms").arg(attempt).arg(unit).arg(delay)));
                QVERIFY2(delay >= previous, "the delay must not shrink as the random value grows");
                previous = delay;
            }
        }
    }

    void shouldRetry_data()
    {
        QTest::addColumn<int>("maxAttempts");
        QTest::addColumn<bool>("onlyRuntimeErrors");
        QTest::addColumn<int>("failedAttempt");
        QTest::addColumn<QString>("errorType");
        QTest::addColumn<bool>("expected");

        QTest::newRow("first of three") << 3 << false << 1 << "std::runtime_error" << true;
        QTest::newRow("second of three") << 3 << false << 2 << "std::runtime_error" << true;
        QTest::newRow("last of three") << 3 << false << 3 << "std::runtime_error" << false;
        QTest::newRow("single attempt") << 1 << false << 1 << "std::runtime_error" << false;
        QTest::newRow("retryIf accepts") << 3 << true << 1 << "std::runtime_error" << true;
        QTest::newRow("retryIf rejects") << 3 << true << 1 << "std::logic_error" << false;
        QTest::newRow("retryIf accepts, but no attempts left") << 2 << true << 2 << "std::runtime_error" << false;
    }

    void shouldRetry()
    {
        QFETCH(int, maxAttempts);
        QFETCH(bool, onlyRuntimeErrors);
        QFETCH(int, failedAttempt);
        QFETCH(QString, errorType);
        QFETCH(bool, expected);

        RetryPolicy policy{.maxAttempts = maxAttempts};
        if (onlyRuntimeErrors)
            policy.retryIf = [](const TaskError &error) { return error.type == QLatin1String("std::runtime_error"); };
        TaskError error;
        error.type = errorType;
        error.message = QStringLiteral("boom");
        QCOMPARE(policy.shouldRetry(failedAttempt, error), expected);
    }
};

QTEST_GUILESS_MAIN(TaskConfigTest)
#include "tst_taskconfig.moc"
