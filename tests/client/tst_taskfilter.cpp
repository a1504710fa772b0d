// SPDX-License-Identifier: MIT
#include <afterwork/client/taskfilter.h>

#include <QtCore/QFile>
#include <QtCore/QRegularExpression>
#include <QtTest/QTest>

using namespace afterwork;
using namespace afterwork::client;
using namespace Qt::StringLiterals;

class tst_TaskFilter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void documentedExamplesParse_data();
    void documentedExamplesParse();
    void documentedExamplesAreRejected_data();
    void documentedExamplesAreRejected();
    void matches_data();
    void matches();
    void errorPositionsPointAtTheProblem_data();
    void errorPositionsPointAtTheProblem();
    void emptyFilterMatchesEverything();
    void sourceTermsMatchTheSourceLabel_data();
    void sourceTermsMatchTheSourceLabel();
    void sourceTermsCanBeSetApart();
};

namespace {

//! The rows of one examples table of docs/filter.md: (first cell, second cell), backticks removed.
QList<std::pair<QString, QString>> docExamples(const QString &which)
{
    QFile file(QStringLiteral(AFTERWORK_FILTER_DOC));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", AFTERWORK_FILTER_DOC);
    const QString text = QString::fromUtf8(file.readAll());
    const QString begin = u"<!-- filter-examples:%1 -->"_s.arg(which);
    const qsizetype start = text.indexOf(begin);
    const qsizetype end = text.indexOf(u"<!-- /filter-examples -->"_s, start);
    if (start < 0 || end < 0)
        qFatal("docs/filter.md has no %s table", qPrintable(which));
    QList<std::pair<QString, QString>> rows;
    const QStringList lines = text.mid(start + begin.size(), end - start - begin.size()).split(u'\n');
    static const QRegularExpression cell(u"^\\|\\s*(`([^`]*)`)?\\s*\\|\\s*(.*?)\\s*\\|$"_s);
    for (const QString &line : lines) {
        const auto match = cell.match(line.trimmed());
        if (!match.hasMatch() || line.contains(u"---"_s) || line.contains(u"| Expression"_s))
            continue;
        QString second = match.captured(3);
        if (second.startsWith(u'`') && second.endsWith(u'`'))
            second = second.mid(1, second.size() - 2);
        rows.append({match.captured(2), second});
    }
    if (rows.isEmpty())
        qFatal("docs/filter.md: the %s table has no rows", qPrintable(which));
    return rows;
}

TaskRecord sampleTask()
{
    TaskRecord task;
    task.id = 42;
    task.name = u"send_welcome_email"_s;
    task.phase = Phase::Failed;
    task.shielded = true;
    task.mode = Mode::AfterResponse;
    task.work = WorkKind::Async;
    task.requestId = 7;
    task.error = ErrorInfo{u"std::runtime_error"_s, u"SMTP Timeout after 5 s"_s};
    return task;
}

} // namespace

void tst_TaskFilter::documentedExamplesParse_data()
{
    QTest::addColumn<QString>("expression");
    for (const auto &[expression, meaning] : docExamples(u"accept"_s))
        QTest::newRow(qPrintable(expression.isEmpty() ? u"(empty)"_s : expression)) << expression;
}

void tst_TaskFilter::documentedExamplesParse()
{
    QFETCH(QString, expression);
    const auto result = TaskFilter::parse(expression);
    if (const auto *error = std::get_if<FilterError>(&result))
        QFAIL(qPrintable(error->toString()));
    QCOMPARE(std::get<TaskFilter>(result).expression(), expression);
}

void tst_TaskFilter::documentedExamplesAreRejected_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("message");
    for (const auto &[expression, message] : docExamples(u"reject"_s))
        QTest::newRow(qPrintable(expression)) << expression << message;
}

void tst_TaskFilter::documentedExamplesAreRejected()
{
    QFETCH(QString, expression);
    QFETCH(QString, message);
    const auto result = TaskFilter::parse(expression);
    const auto *error = std::get_if<FilterError>(&result);
    QVERIFY2(error, "parsed, but the docs say it is rejected");
    QVERIFY2(error->message.contains(message), qPrintable(error->toString()));
    QVERIFY(!error->term.isEmpty());
    QVERIFY(error->toString().startsWith(u"column "_s));
}

void tst_TaskFilter::matches_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<bool>("matches");

    QTest::newRow("name contains, any case") << u"name~EMAIL"_s << true;
    QTest::newRow("bare word") << u"welcome"_s << true;
    QTest::newRow("bare word miss") << u"invoice"_s << false;
    QTest::newRow("name exact") << u"name:send_welcome_email"_s << true;
    QTest::newRow("name exact is case-sensitive") << u"name:SEND_WELCOME_EMAIL"_s << false;
    QTest::newRow("name exact partial") << u"name:send"_s << false;
    QTest::newRow("phase") << u"phase:failed"_s << true;
    QTest::newRow("phase list") << u"phase:cancelled,failed"_s << true;
    QTest::newRow("phase miss") << u"phase:succeeded,started"_s << false;
    QTest::newRow("shielded") << u"shielded:true"_s << true;
    QTest::newRow("not shielded") << u"shielded:false"_s << false;
    QTest::newRow("mode") << u"mode:after_response"_s << true;
    QTest::newRow("mode miss") << u"mode:immediate,after_route"_s << false;
    QTest::newRow("work") << u"work:async"_s << true;
    QTest::newRow("work miss") << u"work:sync"_s << false;
    QTest::newRow("id") << u"id:42"_s << true;
    QTest::newRow("id list") << u"id:1,42"_s << true;
    QTest::newRow("id miss") << u"id:4"_s << false;
    QTest::newRow("request") << u"request:7"_s << true;
    QTest::newRow("request miss") << u"request:8"_s << false;
    QTest::newRow("error message") << u"error~timeout"_s << true;
    QTest::newRow("error type") << u"error~runtime_ERROR"_s << true;
    QTest::newRow("error miss") << u"error~refused"_s << false;
    QTest::newRow("negated hit") << u"-phase:failed"_s << false;
    QTest::newRow("negated miss") << u"-phase:succeeded"_s << true;
    QTest::newRow("all four") << u"name~email phase:failed shielded:true mode:after_response"_s << true;
    QTest::newRow("one of four fails") << u"name~email phase:failed shielded:false mode:after_response"_s << false;
    QTest::newRow("quoted") << u"error~\"after 5\""_s << true;
    QTest::newRow("extra spaces") << u"   email    phase:failed  "_s << true;
}

void tst_TaskFilter::matches()
{
    QFETCH(QString, expression);
    QFETCH(bool, matches);
    const auto result = TaskFilter::parse(expression);
    if (const auto *error = std::get_if<FilterError>(&result))
        QFAIL(qPrintable(error->toString()));
    QCOMPARE(std::get<TaskFilter>(result).matches(sampleTask()), matches);
}

void tst_TaskFilter::errorPositionsPointAtTheProblem_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<int>("position");
    QTest::addColumn<QString>("term");

    QTest::newRow("second term's field") << u"email phaze:failed"_s << 6 << u"phaze:failed"_s;
    QTest::newRow("second list item") << u"phase:failed,nope"_s << 13 << u"phase:failed,nope"_s;
    QTest::newRow("negated term") << u"x -mode:soon"_s << 8 << u"-mode:soon"_s;
    QTest::newRow("open quote") << u"name:\"abc"_s << 5 << u"name:\"abc"_s;
    QTest::newRow("operator") << u"phase~x"_s << 5 << u"phase~x"_s;
}

void tst_TaskFilter::errorPositionsPointAtTheProblem()
{
    QFETCH(QString, expression);
    QFETCH(int, position);
    QFETCH(QString, term);
    const auto result = TaskFilter::parse(expression);
    const auto *error = std::get_if<FilterError>(&result);
    QVERIFY(error);
    QCOMPARE(error->position, position);
    QCOMPARE(error->term, term);
}

void tst_TaskFilter::emptyFilterMatchesEverything()
{
    QVERIFY(TaskFilter().matches(sampleTask()));
    QVERIFY(TaskFilter().matches(TaskRecord{}));
    const auto result = TaskFilter::parse(u"   "_s);
    QVERIFY(std::get<TaskFilter>(result).isEmpty());
}

QTEST_GUILESS_MAIN(tst_TaskFilter)
#include "tst_taskfilter.moc"

void tst_TaskFilter::sourceTermsMatchTheSourceLabel_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("source");
    QTest::addColumn<bool>("matches");

    QTest::newRow("exact") << u"source:api"_s << u"api"_s << true;
    QTest::newRow("exact is whole") << u"source:api"_s << u"api-2"_s << false;
    QTest::newRow("exact is case-sensitive") << u"source:API"_s << u"api"_s << false;
    QTest::newRow("list") << u"source:worker,api"_s << u"api"_s << true;
    QTest::newRow("list miss") << u"source:worker,ci"_s << u"api"_s << false;
    QTest::newRow("contains, any case") << u"source~BUILD"_s << u"build-7"_s << true;
    QTest::newRow("contains miss") << u"source~ci"_s << u"build-7"_s << false;
    QTest::newRow("quoted address") << u"source:\"tls://build-7:7000\""_s << u"tls://build-7:7000"_s << true;
    QTest::newRow("quoted: one label, comma and all") << u"source:\"a,b\""_s << u"a,b"_s << true;
    QTest::newRow("unquoted: a list") << u"source:a,b"_s << u"a,b"_s << false;
    QTest::newRow("negated") << u"-source:api"_s << u"api"_s << false;
    QTest::newRow("with other terms") << u"source:api phase:failed"_s << u"api"_s << true;
    QTest::newRow("no source never matches") << u"source:api"_s << QString() << false;
    QTest::newRow("no source, negated") << u"-source:api"_s << QString() << true;
}

void tst_TaskFilter::sourceTermsMatchTheSourceLabel()
{
    QFETCH(QString, expression);
    QFETCH(QString, source);
    QFETCH(bool, matches);
    const auto result = TaskFilter::parse(expression);
    if (const auto *error = std::get_if<FilterError>(&result))
        QFAIL(qPrintable(error->toString()));
    QCOMPARE(std::get<TaskFilter>(result).matches(sampleTask(), source), matches);
}

void tst_TaskFilter::sourceTermsCanBeSetApart()
{
    const auto parse = [](const QString &expression) {
        auto result = TaskFilter::parse(expression);
        if (const auto *error = std::get_if<FilterError>(&result))
            qFatal("%s", qPrintable(error->toString()));
        return std::get<TaskFilter>(std::move(result));
    };
    const TaskFilter mixed = parse(u"  name~email source:api,worker  -source~\"old one\" phase:failed "_s);
    QVERIFY(mixed.hasSourceTerms());
    QCOMPARE(mixed.expressionWithoutSourceTerms(), u"name~email phase:failed"_s);
    QVERIFY(mixed.matchesSource(u"api"));
    QVERIFY(!mixed.matchesSource(u"ci"));
    QVERIFY(!mixed.matchesSource(u"worker (old one)"));
    // What is left parses and means the rest of the filter.
    QVERIFY(parse(mixed.expressionWithoutSourceTerms()).matches(sampleTask()));

    const TaskFilter plain = parse(u"phase:failed"_s);
    QVERIFY(!plain.hasSourceTerms());
    QVERIFY(plain.matchesSource(u"anything"));
    QCOMPARE(plain.expressionWithoutSourceTerms(), u"phase:failed"_s);
    QVERIFY(parse(u"source:api"_s).expressionWithoutSourceTerms().isEmpty());
}
