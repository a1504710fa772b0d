// SPDX-License-Identifier: MIT
// The dashboard acting on its source (docs/monitor.md, "Acting on the source"): the real window
// against a real TaskEngine and EventPublisher that allows control. Cancelling the selected tasks
// with the Delete key, cancelling what the filter matches, draining with a deadline, each through
// its confirmation; the outcome in the banner. The actions are disabled, saying why, for a
// read-only source, a recording and a read-only dashboard. Replies that are refusals, that never
// come or whose connection ends are played by a fake publisher.
#include "monitortestsupport.h"
#include "livecontrolsource.h"
#include "windowfixture.h"

#include "app/controlactions.h"
#include "app/mainwindow.h"
#include "core/monitorsession.h"
#include "models/taskfilterproxy.h"
#include "models/tasktablemodel.h"
#include "widgets/draindialog.h"
#include "widgets/messagebanner.h"
#include "widgets/taskdetailspane.h"
#include "widgets/tasksview.h"

#include <afterwork/eventpublisher.h>
#include <afterwork/taskengine.h>

#include <QtCore/QSemaphore>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtGui/QAction>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWidgets/QDoubleSpinBox>
#include <QtWidgets/QMessageBox>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QTableView>

#include <memory>

using namespace afterwork;
using namespace afterwork::monitor;
using namespace std::chrono_literals;
using monitortest::LiveSource;
using monitortest::Window;
using monitortest::button;

namespace {

//! Selects the rows of \a ids in the tasks table (and nothing else).
void selectTasks(TasksView *tasks, const QList<quint64> &ids)
{
    QTableView *table = tasks->table();
    table->clearSelection();
    for (const quint64 id : ids) {
        const QModelIndex index = tasks->indexOf(tasks->details()->session(), id); // the only source's
        table->selectionModel()->select(index, QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
}

//! A hello that offers control, written as a publisher would.
QByteArray controlHello(monitortest::LineWriter &writer)
{
    QByteArray hello = writer.hello(monitortest::T0);
    hello.insert(hello.size() - 1, R"(,"control":true)");
    return hello;
}

//! A fake publisher whose hello offers control, with task #2 "resize" live; it reads the
//! commands the dashboard sends and answers (or not) as a test tells it to.
struct FakeControlSource
{
    FakeControlSource()
    {
        listening = publisher.listen(name);
        greet(QByteArrayLiteral("resize"));
        QObject::connect(&publisher, &testing::FakePublisher::clientConnected, &publisher, [this](QLocalSocket *socket) {
            QObject::connect(socket, &QLocalSocket::readyRead, socket, [this, socket] { received += socket->readAll(); });
        });
    }
    void greet(const QByteArray &taskName)
    {
        seq = 2;
        publisher.setGreeting(controlHello(writer) + '\n'
                              + writer.snapshot(monitortest::T0 + 1, {monitortest::LineWriter::taskObject(monitortest::T0 + 1, 2, "scheduled", taskName)})
                              + '\n');
    }
    //! The next command the dashboard sent (waits for it, bounded).
    protocol::Command nextCommand()
    {
        if (!QTest::qWaitFor([this] { return received.contains('\n'); }, 10000))
            return {};
        const qsizetype end = received.indexOf('\n');
        const protocol::ParsedInput input = protocol::parseSubscriberLine(received.left(end));
        received.remove(0, end + 1);
        return input.verdict == protocol::ParsedInput::IsCommand ? input.command : protocol::Command{};
    }
    //! A `reply` line for \a ref; \a members: its result and more.
    void reply(const QString &ref, const char *command, const char *members)
    {
        publisher.writeToAll(QStringLiteral(R"({"v":1,"seq":%1,"ts_us":%2,"kind":"reply","ref":"%3","cmd":"%4",%5})"
                                            "\n")
                                 .arg(seq)
                                 .arg(monitortest::T0 + 10 + qint64(seq))
                                 .arg(ref, QLatin1StringView(command), QLatin1StringView(members))
                                 .toUtf8());
        ++seq;
    }
    //! Ends this run: every connection closes, and the next is greeted by a new run.
    void restart()
    {
        writer = monitortest::LineWriter();
        greet(QByteArrayLiteral("charge_card"));
        publisher.disconnectAll();
    }

    testing::FakePublisher publisher;
    QString name = testing::uniqueSocketName("controlfake");
    bool listening = false;
    monitortest::LineWriter writer;
    QByteArray received;
    quint64 seq = 2;
};

} // namespace

class tst_ControlActions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void cancelSelectedWithDeleteKey()
    {
        LiveSource source(true);
        QVERIFY2(source.listening, qPrintable(source.publisher->errorString()));
        const Task a = source.queued(QStringLiteral("resize"));
        const Task b = source.queued(QStringLiteral("resize"));
        const Task c = source.queued(QStringLiteral("email"));

        Window w;
        QVERIFY(QTest::qWaitForWindowActive(&w.window));
        w.window.watchSocket(source.name);
        w.window.showView(ViewId::Tasks);
        TasksView *tasks = w.window.tasks();
        QTRY_COMPARE_WITH_TIMEOUT(tasks->proxy()->rowCount(), 4, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(w.session.canControl(), 10000);

        // Nothing selected: disabled, saying why.
        QAction *cancel = w.control().cancelSelectedAction();
        QVERIFY(!cancel->isEnabled());
        QVERIFY2(cancel->toolTip().contains(QStringLiteral("Select live tasks")), qPrintable(cancel->toolTip()));

        selectTasks(tasks, {a.id(), b.id()});
        QVERIFY(cancel->isEnabled());
        tasks->table()->setFocus();
        QTest::keyClick(tasks->table(), Qt::Key_Delete);
        auto *box = qobject_cast<QMessageBox *>(w.control().confirmation());
        QVERIFY(box);
        QCOMPARE(box->text(), QStringLiteral("Cancel the 2 live tasks selected?"));
        QVERIFY2(box->informativeText().contains(QStringLiteral("#%1 resize").arg(a.id())), qPrintable(box->informativeText()));
        QCOMPARE(button(box, "confirmButton")->text(), QStringLiteral("Cancel 2 tasks"));
        QVERIFY(box->isVisible());
        button(box, "confirmButton")->click();

        QTRY_COMPARE_WITH_TIMEOUT(w.window.banner()->text(), QStringLiteral("2 tasks cancelled."), 10000);
        QCOMPARE(a.phase(), Phase::Cancelled);
        QCOMPARE(b.phase(), Phase::Cancelled);
        QVERIFY(c.phase() != Phase::Cancelled);
        // The effect arrives as ordinary task lines; the log says what the command did.
        QTRY_COMPARE_WITH_TIMEOUT(w.session.store().task(a.id())->task.phase, Phase::Cancelled, 10000);
        QVERIFY(w.session.log().entries().back().text.contains(QStringLiteral("Cancel: 2 tasks cancelled")));

        // The ended tasks selected: nothing to cancel.
        QTRY_VERIFY_WITH_TIMEOUT(!cancel->isEnabled(), 5000);
        QVERIFY2(cancel->toolTip().contains(QStringLiteral("already ended")), qPrintable(cancel->toolTip()));
    }

    void keepingRunningSendsNothing()
    {
        LiveSource source(true);
        QVERIFY(source.listening);
        const Task a = source.queued(QStringLiteral("resize"));
        const Task b = source.queued(QStringLiteral("email"));

        Window w;
        w.window.watchSocket(source.name);
        TasksView *tasks = w.window.tasks();
        QTRY_COMPARE_WITH_TIMEOUT(tasks->proxy()->rowCount(), 3, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(w.session.canControl(), 10000);

        selectTasks(tasks, {a.id()});
        w.control().cancelSelectedAction()->trigger();
        QDialog *box = w.control().confirmation();
        QVERIFY(box);
        button(box, "rejectButton")->click();
        QTRY_VERIFY(!w.control().confirmation());

        // A later command's reply comes after anything the first could have caused.
        QSignalSpy answered(&w.session, &MonitorSession::commandAnswered);
        selectTasks(tasks, {b.id()});
        w.control().cancelSelectedAction()->trigger();
        button(w.control().confirmation(), "confirmButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, 10000);
        QCOMPARE(b.phase(), Phase::Cancelled);
        QVERIFY(a.phase() != Phase::Cancelled);
    }

    void cancelMatchingTheFilter()
    {
        LiveSource source(true);
        QVERIFY(source.listening);
        QList<Task> resizes;
        for (int i = 0; i < 3; ++i)
            resizes.append(source.queued(QStringLiteral("resize_avatar")));
        const Task other = source.queued(QStringLiteral("send_email"));

        Window w;
        w.window.watchSocket(source.name);
        TasksView *tasks = w.window.tasks();
        QTRY_COMPARE_WITH_TIMEOUT(tasks->proxy()->rowCount(), 5, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(w.session.canControl(), 10000);

        QAction *matching = w.control().cancelMatchingAction();
        QVERIFY(!matching->isEnabled()); // no filter: it would cancel everything
        QVERIFY2(matching->toolTip().contains(QStringLiteral("Type a filter first")), qPrintable(matching->toolTip()));
        tasks->setFilterText(QStringLiteral("name~nothing_like_it"));
        QVERIFY(!matching->isEnabled());
        QVERIFY2(matching->toolTip().contains(QStringLiteral("No live task matches")), qPrintable(matching->toolTip()));

        tasks->setFilterText(QStringLiteral("name~resize"));
        QVERIFY(matching->isEnabled());
        matching->trigger();
        auto *box = qobject_cast<QMessageBox *>(w.control().confirmation());
        QVERIFY(box);
        QCOMPARE(box->text(), QStringLiteral("Cancel the 3 live tasks matching “name~resize”?"));
        button(box, "confirmButton")->click();

        QTRY_COMPARE_WITH_TIMEOUT(w.window.banner()->text(), QStringLiteral("3 tasks cancelled."), 10000);
        for (const Task &task : std::as_const(resizes))
            QCOMPARE(task.phase(), Phase::Cancelled);
        QVERIFY(other.phase() != Phase::Cancelled);
    }

    void drainWithDeadline()
    {
        std::optional<std::chrono::milliseconds> drained;
        LiveSource source(true, [&drained](std::chrono::milliseconds deadline) { drained = deadline; });
        QVERIFY(source.listening);
        source.queued(QStringLiteral("resize"));

        Window w;
        w.window.watchSocket(source.name);
        QTRY_VERIFY_WITH_TIMEOUT(w.session.canControl(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(w.session.store().liveCount(), 2, 10000);

        QAction *drain = w.control().drainAction();
        QVERIFY(drain->isEnabled());
        drain->trigger();
        auto *dialog = qobject_cast<DrainDialog *>(w.control().confirmation());
        QVERIFY(dialog);
        QVERIFY2(dialog->summary().contains(QStringLiteral("control-gui")), qPrintable(dialog->summary()));
        QVERIFY2(dialog->summary().contains(QStringLiteral("its 2 live tasks")), qPrintable(dialog->summary()));
        dialog->deadlineBox()->setValue(2.5);
        dialog->drainButton()->click();

        QTRY_VERIFY_WITH_TIMEOUT(drained.has_value(), 10000);
        QCOMPARE(*drained, 2500ms);
        QTRY_VERIFY_WITH_TIMEOUT(w.window.banner()->text().startsWith(QStringLiteral("Draining")), 10000);
    }

    void disabledForAReadOnlySource()
    {
        LiveSource source(false);
        QVERIFY(source.listening);
        const Task a = source.queued(QStringLiteral("resize"));

        Window w;
        QVERIFY(QTest::qWaitForWindowActive(&w.window)); // so that the Delete key would reach the action
        w.window.watchSocket(source.name);
        TasksView *tasks = w.window.tasks();
        QTRY_COMPARE_WITH_TIMEOUT(tasks->proxy()->rowCount(), 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(w.session.controlUnavailableReason().contains(QStringLiteral("read-only")), 10000);

        selectTasks(tasks, {a.id()});
        tasks->setFilterText(QStringLiteral("name~resize"));
        for (QAction *action : {w.control().cancelSelectedAction(), w.control().cancelMatchingAction(), w.control().drainAction()}) {
            QVERIFY2(!action->isEnabled(), qPrintable(action->objectName()));
            QVERIFY2(action->toolTip().contains(QStringLiteral("The source is read-only")), qPrintable(action->toolTip()));
        }
        tasks->table()->setFocus();
        QTest::keyClick(tasks->table(), Qt::Key_Delete);
        QVERIFY(!w.control().confirmation());
        const std::optional<QString> notSent = w.session.sendCommand({.kind = protocol::CommandKind::Cancel, .ids = {a.id()}}, w.session.controlTarget());
        QVERIFY(notSent.has_value());
        QVERIFY2(notSent->contains(QStringLiteral("read-only")), qPrintable(*notSent));
    }

    void disabledForARecording()
    {
        QTemporaryDir dir;
        monitortest::LineWriter writer;
        const QString path = dir.filePath(QStringLiteral("run.ndjson"));
        // Even a recording of a source that offered control cannot be acted on.
        const QList<QByteArray> lines{controlHello(writer), writer.snapshot(monitortest::T0 + 1),
                                      writer.task(monitortest::T0 + 2, 1, "started")};
        QVERIFY(monitortest::writeFile(path, lines.join('\n') + '\n'));
        Window w;
        w.window.openRecording(path);
        QTRY_VERIFY_WITH_TIMEOUT(w.session.recordingSummary().has_value(), 10000);
        QAction *drain = w.control().drainAction();
        QVERIFY(!drain->isEnabled());
        QTRY_VERIFY2(drain->toolTip().contains(QStringLiteral("A recording")), qPrintable(drain->toolTip()));
    }

    void disabledWhenTheDashboardIsReadOnly()
    {
        LiveSource source(true);
        QVERIFY(source.listening);
        Window w(SessionOptions{.flushInterval = 50ms, .readOnly = true});
        w.window.watchSocket(source.name);
        QTRY_COMPARE_WITH_TIMEOUT(w.session.runNumber(), 1, 10000);
        QVERIFY(!w.control().drainAction()->isEnabled());
        QTRY_VERIFY2(w.control().drainAction()->toolTip().contains(QStringLiteral("--read-only")), qPrintable(w.control().drainAction()->toolTip()));
    }

    //! What the publisher answers (or does not) is shown as it is: a refusal with its reason, a
    //! reply to another ref ignored, no reply (and the late one logged), a connection that ends.
    void outcomesOtherThanSuccess()
    {
        FakeControlSource fake;
        QVERIFY(fake.listening);
        // Long enough that the replies the fake gives arrive in time on a loaded machine (300 ms
        // did not, under a sanitizer); the no-reply case below waits it out once.
        Window w(SessionOptions{.flushInterval = 50ms, .commandReplyTimeout = 3s});
        w.window.watchSocket(fake.name);
        QTRY_VERIFY_WITH_TIMEOUT(w.session.canControl(), 10000);
        QSignalSpy answered(&w.session, &MonitorSession::commandAnswered);

        // Refused: the reason is shown.
        QVERIFY(!w.session.sendCommand({.kind = protocol::CommandKind::Drain, .deadline = 1s}, w.session.controlTarget()));
        const protocol::Command drain = fake.nextCommand();
        QCOMPARE(drain.kind, protocol::CommandKind::Drain);
        QCOMPARE(drain.deadline, 1000ms);
        fake.reply(drain.ref, "drain", R"("result":"refused","reason":"read-only: this publisher does not accept commands")");
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, 10000);
        QCOMPARE(w.window.banner()->text(), QStringLiteral("Refused: read-only: this publisher does not accept commands."));
        QCOMPARE(w.window.banner()->level(), MessageBanner::Level::Warning);

        // A reply to another ref is not ours: the command's own reply, after it, is what counts.
        QVERIFY(!w.session.sendCommand({.kind = protocol::CommandKind::Cancel, .ids = {7}}, w.session.controlTarget()));
        const protocol::Command cancel = fake.nextCommand();
        fake.reply(QStringLiteral("someone-else"), "cancel", R"("result":"accepted","affected":1)");
        fake.reply(cancel.ref, "cancel", R"("result":"unknown_task","reason":"no live task has any of these ids")");
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 2, 10000);
        QCOMPARE(answered.at(1).at(0).value<CommandOutcome>().result, protocol::ReplyResult::UnknownTask);
        QCOMPARE(w.window.banner()->text(), QStringLiteral("Nothing to cancel: the tasks have already ended."));

        // No reply in time: said so; the reply that comes later is logged for what it did.
        QVERIFY(!w.session.sendCommand({.kind = protocol::CommandKind::Cancel, .ids = {8}}, w.session.controlTarget()));
        const protocol::Command unanswered = fake.nextCommand();
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 3, 10000);
        QCOMPARE(answered.at(2).at(0).value<CommandOutcome>().status, CommandOutcome::Status::NoReply);
        QCOMPARE(w.window.banner()->text(), QStringLiteral("No reply within 3 s."));
        fake.reply(unanswered.ref, "cancel", R"("result":"accepted","affected":1)");
        QTRY_VERIFY_WITH_TIMEOUT(w.session.log().entries().back().text.contains(QStringLiteral("a late reply")), 10000);
        QVERIFY(w.session.log().entries().back().text.contains(QStringLiteral("1 task cancelled")));
        QCOMPARE(answered.size(), 3);

        // The connection ends before the reply: said so, once.
        QVERIFY(!w.session.sendCommand({.kind = protocol::CommandKind::Cancel, .ids = {9}}, w.session.controlTarget()));
        fake.nextCommand();
        fake.publisher.vanish();
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 4, 10000);
        QCOMPARE(answered.at(3).at(0).value<CommandOutcome>().status, CommandOutcome::Status::ConnectionLost);
        QVERIFY2(w.window.banner()->text().contains(QStringLiteral("connection ended")), qPrintable(w.window.banner()->text()));
        QVERIFY(!w.session.canControl());
    }

    //! A question asked about one run is never answered for another: a restart withdraws the
    //! open dialog, and a command confirmed for the old run is not sent to the new one.
    void aRestartWithdrawsTheQuestion()
    {
        FakeControlSource fake;
        QVERIFY(fake.listening);
        Window w;
        w.window.watchSocket(fake.name);
        TasksView *tasks = w.window.tasks();
        QTRY_COMPARE_WITH_TIMEOUT(tasks->proxy()->rowCount(), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(w.session.canControl(), 10000);
        const ControlTarget firstRun = w.session.controlTarget();

        selectTasks(tasks, {2});
        w.control().cancelSelectedAction()->trigger();
        QVERIFY(w.control().confirmation());

        fake.restart(); // a new run, where #2 is another task
        QTRY_COMPARE_WITH_TIMEOUT(w.session.runNumber(), 2, 10000);
        QVERIFY(!w.control().confirmation());
        QVERIFY2(w.window.banner()->text().contains(QStringLiteral("withdrawn: the source restarted")), qPrintable(w.window.banner()->text()));

        QTRY_VERIFY_WITH_TIMEOUT(w.session.canControl(), 10000);
        const std::optional<QString> notSent = w.session.sendCommand({.kind = protocol::CommandKind::Cancel, .ids = {2}}, firstRun);
        QVERIFY(notSent.has_value());
        QVERIFY2(notSent->contains(QStringLiteral("source changed")), qPrintable(*notSent));
        // Nothing reached the publisher: the next thing it reads is a command for this run.
        QVERIFY(!w.session.sendCommand({.kind = protocol::CommandKind::Cancel, .ids = {3}}, w.session.controlTarget()));
        QCOMPARE(fake.nextCommand().ids, QList<quint64>{3});
    }

    void describesEachOutcome()
    {
        using Status = CommandOutcome::Status;
        using protocol::CommandKind;
        using protocol::ReplyResult;
        const auto replied = [](CommandKind command, ReplyResult result, int affected = 0) {
            return CommandOutcome{.command = command, .status = Status::Replied, .result = result, .affected = affected};
        };
        QCOMPARE(replied(CommandKind::Cancel, ReplyResult::Accepted, 1).describe(), QStringLiteral("1 task cancelled"));
        QCOMPARE(replied(CommandKind::Cancel, ReplyResult::Accepted, 1200).describe(), QStringLiteral("1,200 tasks cancelled"));
        QCOMPARE(replied(CommandKind::CancelMatching, ReplyResult::Accepted).describe(), QStringLiteral("nothing to cancel: no live task matched"));
        QVERIFY(!replied(CommandKind::CancelMatching, ReplyResult::Accepted).isSuccess());
        QVERIFY(replied(CommandKind::Drain, ReplyResult::Accepted).isSuccess());
        QCOMPARE(replied(CommandKind::Drain, ReplyResult::Accepted, 1).describe(), QStringLiteral("draining: the source is shutting down (1 live task)"));
        QCOMPARE(replied(CommandKind::Cancel, ReplyResult::UnknownTask).describe(), QStringLiteral("nothing to cancel: the tasks have already ended"));
        QCOMPARE((CommandOutcome{.status = Status::NoReply, .timeout = 5s}.describe()), QStringLiteral("no reply within 5 s"));
    }
};

QTEST_MAIN(tst_ControlActions)
#include "tst_controlactions.moc"
