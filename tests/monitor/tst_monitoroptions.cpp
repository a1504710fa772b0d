// SPDX-License-Identifier: MIT
// afterwork-monitor's command line: defaults, every option, and clear errors.
#include "app/monitoroptions.h"

#include <QtTest/QTest>

using namespace afterwork;
using namespace afterwork::monitor;

class tst_MonitorOptions : public QObject
{
    Q_OBJECT

private:
    static std::variant<MonitorOptions, OptionsExit> parse(QStringList arguments)
    {
        arguments.prepend(QStringLiteral("afterwork-monitor"));
        return parseMonitorOptions(arguments);
    }

private Q_SLOTS:
    void defaults()
    {
        const auto result = parse({});
        const auto *options = std::get_if<MonitorOptions>(&result);
        QVERIFY(options);
        QVERIFY(options->connects.isEmpty()); // the saved sources, else defaultSocketName
        QCOMPARE(defaultSocketName, u"afterwork-demo");
        QVERIFY(options->replayPath.isEmpty());
        QVERIFY(options->screenshotPath.isEmpty());
        QCOMPARE(options->screenshotAfterMs, 2000);
        QCOMPARE(options->finishedLimit, 10'000);
        QCOMPARE(options->width, 1280);
        QCOMPARE(options->height, 800);
        QVERIFY(!options->readOnly);
    }

    void everyOption()
    {
        const auto result = parse({QStringLiteral("--connect"), QStringLiteral("my-app"), QStringLiteral("--replay"), QStringLiteral("r.ndjson"),
                                   QStringLiteral("--speed"), QStringLiteral("2.5"), QStringLiteral("--screenshot"), QStringLiteral("o.png"),
                                   QStringLiteral("--after"), QStringLiteral("750"), QStringLiteral("--view"), QStringLiteral("Timeline"),
                                   QStringLiteral("--filter"), QStringLiteral("phase:failed"), QStringLiteral("--select"), QStringLiteral("42"), QStringLiteral("--keep"), QStringLiteral("500"),
                                   QStringLiteral("--theme"), QStringLiteral("dark"), QStringLiteral("--settings"), QStringLiteral("s.ini"),
                                   QStringLiteral("--size"), QStringLiteral("1024x700"), QStringLiteral("--read-only")});
        const auto *options = std::get_if<MonitorOptions>(&result);
        QVERIFY(options);
        QCOMPARE(options->connects.size(), 1);
        QCOMPARE(options->connects.constFirst().address, QStringLiteral("my-app"));
        QCOMPARE(options->connects.constFirst().label, QStringLiteral("my-app"));
        QCOMPARE(options->replayPath, QStringLiteral("r.ndjson"));
        QCOMPARE(options->replaySpeed, 2.5);
        QCOMPARE(options->screenshotPath, QStringLiteral("o.png"));
        QCOMPARE(options->screenshotAfterMs, 750);
        QCOMPARE(options->view, QStringLiteral("timeline"));
        QCOMPARE(options->filter, QStringLiteral("phase:failed"));
        QCOMPARE(options->selectTask, 42u);
        QCOMPARE(options->finishedLimit, 500);
        QCOMPARE(options->theme, QStringLiteral("dark"));
        QCOMPARE(options->settingsPath, QStringLiteral("s.ini"));
        QCOMPARE(options->width, 1024);
        QCOMPARE(options->height, 700);
        QVERIFY(options->readOnly);
    }

    void remoteOptions()
    {
        const auto result = parse({QStringLiteral("--connect"), QStringLiteral("tls://example.org:7000"), QStringLiteral("--token-file"),
                                   QStringLiteral("t"), QStringLiteral("--ca-file"), QStringLiteral("ca.pem"), QStringLiteral("--pin"),
                                   QStringLiteral("sha256:ab"), QStringLiteral("--insecure")});
        const auto *options = std::get_if<MonitorOptions>(&result);
        QVERIFY(options);
        QCOMPARE(options->connects.size(), 1);
        QCOMPARE(options->connects.constFirst().address, QStringLiteral("tls://example.org:7000"));
        QCOMPARE(options->tokenFile, QStringLiteral("t"));
        QCOMPARE(options->caFile, QStringLiteral("ca.pem"));
        QCOMPARE(options->pin, QStringLiteral("sha256:ab"));
        QVERIFY(options->insecure);
    }

    void severalSources()
    {
        const auto result = parse({QStringLiteral("--connect"), QStringLiteral("api=tls://build-7:7000"), QStringLiteral("--connect"),
                                   QStringLiteral("worker-events"), QStringLiteral("--connect"), QStringLiteral("/tmp/a=b/events"),
                                   QStringLiteral("--connect"), QStringLiteral("ci=/run/ci=1/events"), QStringLiteral("--connect"),
                                   QStringLiteral("a,b=x")});
        const auto *options = std::get_if<MonitorOptions>(&result);
        QVERIFY(options);
        QCOMPARE(options->connects.size(), 5);
        QCOMPARE(options->connects.at(0).label, QStringLiteral("api"));
        QCOMPARE(options->connects.at(0).address, QStringLiteral("tls://build-7:7000"));
        // Without a label, the address names the source.
        QCOMPARE(options->connects.at(1).label, QStringLiteral("worker-events"));
        QCOMPARE(options->connects.at(1).address, QStringLiteral("worker-events"));
        // A path with '=' in it is an address, not a label.
        QCOMPARE(options->connects.at(2).label, QStringLiteral("/tmp/a=b/events"));
        QCOMPARE(options->connects.at(2).address, QStringLiteral("/tmp/a=b/events"));
        QCOMPARE(options->connects.at(3).label, QStringLiteral("ci"));
        QCOMPARE(options->connects.at(3).address, QStringLiteral("/run/ci=1/events"));
        QCOMPARE(options->connects.at(4).label, QStringLiteral("a,b")); // `source:"a,b"` finds it
    }

    void mistakes_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--conect"), QStringLiteral("x")} << QStringLiteral("Unknown option 'conect'");
        QTest::newRow("missing value") << QStringList{QStringLiteral("--connect")} << QStringLiteral("Missing value after '--connect'");
        QTest::newRow("bad view") << QStringList{QStringLiteral("--view"), QStringLiteral("graphs")} << QStringLiteral("unknown view 'graphs'");
        QTest::newRow("bad speed") << QStringList{QStringLiteral("--speed"), QStringLiteral("-1")} << QStringLiteral("--speed must be a number >= 0");
        QTest::newRow("bad after") << QStringList{QStringLiteral("--after"), QStringLiteral("soon")} << QStringLiteral("--after must be a number");
        QTest::newRow("bad keep") << QStringList{QStringLiteral("--keep"), QStringLiteral("all")} << QStringLiteral("--keep must be a number");
        QTest::newRow("bad select") << QStringList{QStringLiteral("--select"), QStringLiteral("first")} << QStringLiteral("--select needs a task id");
        QTest::newRow("bad theme") << QStringList{QStringLiteral("--theme"), QStringLiteral("blue")} << QStringLiteral("--theme is system, light or dark");
        QTest::newRow("bad size") << QStringList{QStringLiteral("--size"), QStringLiteral("big")} << QStringLiteral("--size is WIDTHxHEIGHT");
        QTest::newRow("same label twice") << QStringList{QStringLiteral("--connect"), QStringLiteral("a=x"), QStringLiteral("--connect"), QStringLiteral("a=y")}
                                          << QStringLiteral("two sources are labelled 'a'");
        QTest::newRow("same address twice") << QStringList{QStringLiteral("--connect"), QStringLiteral("x"), QStringLiteral("--connect"), QStringLiteral("x")}
                                            << QStringLiteral("two sources are labelled 'x'");
        QTest::newRow("empty label") << QStringList{QStringLiteral("--connect"), QStringLiteral("=x")} << QStringLiteral("1 to 256 characters without whitespace");
        QTest::newRow("space in label") << QStringList{QStringLiteral("--connect"), QStringLiteral("my api=x")} << QStringLiteral("1 to 256 characters without whitespace");
        QTest::newRow("several, one address not a name")
            << QStringList{QStringLiteral("--connect"), QStringLiteral("x"), QStringLiteral("--connect"), QStringLiteral("/tmp/my events")}
            << QStringLiteral("name it with LABEL=ADDRESS");
        QTest::newRow("empty address") << QStringList{QStringLiteral("--connect"), QStringLiteral("a=")} << QStringLiteral("no address to connect to");
        QTest::newRow("stray argument") << QStringList{QStringLiteral("extra")} << QStringLiteral("unexpected argument 'extra'");
    }
    void mistakes()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const auto result = parse(arguments);
        const auto *exit = std::get_if<OptionsExit>(&result);
        QVERIFY(exit);
        QCOMPARE(exit->exitCode, 2);
        QVERIFY2(exit->text.contains(message), qPrintable(exit->text));
    }

    void helpAndVersion()
    {
        const auto help = parse({QStringLiteral("--help")});
        QVERIFY(std::holds_alternative<OptionsExit>(help));
        QCOMPARE(std::get<OptionsExit>(help).exitCode, 0);
        QVERIFY(std::get<OptionsExit>(help).text.contains(QStringLiteral("--screenshot <FILE>")));
        const auto version = parse({QStringLiteral("--version")});
        QVERIFY(std::get<OptionsExit>(version).text.startsWith(QStringLiteral("afterwork-monitor ")));
    }
};

QTEST_MAIN(tst_MonitorOptions)
#include "tst_monitoroptions.moc"
