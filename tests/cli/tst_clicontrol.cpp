// SPDX-License-Identifier: MIT
// `afterwork cancel` and `afterwork drain` (docs/cli.md), the real binary against a real engine
// and publisher in this process: what they print and their exit statuses.
#include "../support/socketnames.h"
#include "clitestsupport.h"

#include <afterwork/eventpublisher.h>
#include <afterwork/taskengine.h>

#include <QtCore/QSemaphore>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace afterwork;
using namespace afterwork::testing;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

//! An engine whose only pool thread is held until the fixture ends, so that tasks scheduled next
//! stay live (queued); and its publisher.
struct Server
{
    explicit Server(bool allowControl)
        : engine(TaskConfig{}, EngineOptions{.maxThreads = 1})
    {
        publisher = new EventPublisher(&engine, {.app = "cli-control-test", .allowControl = allowControl});
        name = uniqueSocketName("clicontrol");
        listening = publisher->listen(name);
        engine.schedule([hold = hold] {
            hold->acquire();
            hold->release();
        });
    }
    ~Server() { hold->release(); }

    std::shared_ptr<QSemaphore> hold = std::make_shared<QSemaphore>();
    TaskEngine engine;
    EventPublisher *publisher = nullptr;
    QString name;
    bool listening = false;
};

} // namespace

class tst_CliControl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cancelByIds()
    {
        Server server(true);
        QVERIFY(server.listening);
        const Task first = server.engine.schedule([] {});
        const Task second = server.engine.schedule([] {});
        const Task kept = server.engine.schedule([] {});
        const CliResult result = Cli({u"cancel"_s, u"--connect"_s, server.name, QString::number(first.id()),
                                      QString::number(second.id())})
                                     .finish();
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains("cancelled 2 task(s)"), result.out.constData());
        QTRY_COMPARE_WITH_TIMEOUT(first.phase(), Phase::Cancelled, 5000);
        QCOMPARE(second.phase(), Phase::Cancelled);
        QCOMPARE(kept.phase(), Phase::Scheduled);
    }

    void cancelOfNoLiveTaskFails()
    {
        Server server(true);
        const CliResult result = Cli({u"cancel"_s, u"--connect"_s, server.name, u"424242"_s}).finish();
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("no such live task"), result.err.constData());
    }

    void cancelByFilterAndDryRun()
    {
        Server server(true);
        const Task report = server.engine.task({.name = "export_report"}).schedule([] {});
        const Task email = server.engine.task({.name = "send_email"}).schedule([] {});

        const CliResult dry = Cli({u"cancel"_s, u"--connect"_s, server.name, u"--filter"_s, u"name~report"_s,
                                   u"--dry-run"_s})
                                  .finish();
        QCOMPARE(dry.exitCode, 0);
        QVERIFY2(dry.out.contains("export_report") && dry.out.contains("would cancel 1 task(s)"), dry.out.constData());
        QCOMPARE(report.phase(), Phase::Scheduled); // a dry run changes nothing

        const CliResult real = Cli({u"cancel"_s, u"--connect"_s, server.name, u"--filter"_s, u"name~report"_s}).finish();
        QCOMPARE(real.exitCode, 0);
        QVERIFY2(real.out.contains("cancelled 1 task(s)"), real.out.constData());
        QTRY_COMPARE_WITH_TIMEOUT(report.phase(), Phase::Cancelled, 5000);
        QCOMPARE(email.phase(), Phase::Scheduled);

        const CliResult none = Cli({u"cancel"_s, u"--connect"_s, server.name, u"--filter"_s, u"name:nothing"_s}).finish();
        QCOMPARE(none.exitCode, 1); // nothing matched
    }

    void readOnlyIsRefused()
    {
        Server server(false);
        const Task queued = server.engine.schedule([] {});
        const CliResult result = Cli({u"cancel"_s, u"--connect"_s, server.name, QString::number(queued.id())}).finish();
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("refused: read-only"), result.err.constData());
        QCOMPARE(queued.phase(), Phase::Scheduled);

        const CliResult drain = Cli({u"drain"_s, u"--connect"_s, server.name}).finish();
        QCOMPARE(drain.exitCode, 1);
        QCOMPARE(server.engine.state(), EngineState::Running);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("neither ids nor filter") << QStringList{u"cancel"_s};
        QTest::newRow("both") << QStringList{u"cancel"_s, u"1"_s, u"--filter"_s, u"id:1"_s};
        QTest::newRow("not an id") << QStringList{u"cancel"_s, u"one"_s};
        QTest::newRow("bad filter") << QStringList{u"cancel"_s, u"--filter"_s, u"phase:faild"_s};
        QTest::newRow("dry run without filter") << QStringList{u"cancel"_s, u"1"_s, u"--dry-run"_s};
        QTest::newRow("bad deadline") << QStringList{u"drain"_s, u"--deadline"_s, u"soon"_s};
        QTest::newRow("no such socket") << QStringList{u"cancel"_s, u"--connect"_s, uniqueSocketName("missing"), u"1"_s};
    }

    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        const CliResult result = runCli(arguments);
        QCOMPARE(result.exitCode, 2);
        QVERIFY(!result.err.isEmpty());
    }

    void drainFollowsTheShutdown()
    {
        Server server(true);
        QSignalSpy finished(&server.engine, &TaskEngine::shutdownFinished);
        // The engine's own drain (no onDrain hook): the held task is abandoned at the deadline,
        // then the publisher says bye when the test closes it.
        connect(&server.engine, &TaskEngine::shutdownFinished, server.publisher, &EventPublisher::close);
        Cli cli({u"drain"_s, u"--connect"_s, server.name, u"--deadline"_s, u"0.2"_s});
        const CliResult result = cli.finish();
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains("draining 1 live task(s)"), result.out.constData());
        QVERIFY2(result.out.contains("shut down: finished 0, cancelled 0, abandoned 1"), result.out.constData());
        QCOMPARE(finished.count(), 1);
    }
};

QTEST_GUILESS_MAIN(tst_CliControl)
#include "tst_clicontrol.moc"
