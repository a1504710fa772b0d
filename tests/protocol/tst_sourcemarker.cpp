// SPDX-License-Identifier: MIT
// The source marker of multi-source recordings: what is one, what is a malformed one, what is not
// one at all, and that the writer's line reads back.

#include <afterwork/protocol/recording.h>

#include <QtTest/QtTest>

using namespace afterwork;
using namespace Qt::StringLiterals;

class tst_SourceMarker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writtenMarkersReadBack()
    {
        for (const QString &name : {u"A"_s, u"tls://build-7:7000"_s, u"ünï\"cödé\\"_s}) {
            const QByteArray line = protocol::sourceMarkerLine(name);
            QVERIFY(!line.contains('\n'));
            QCOMPARE(protocol::parseSourceMarker(line), std::optional<QString>(name));
            QCOMPARE(protocol::parseSourceMarker(line + '\r'), std::optional<QString>(name));
        }
        QCOMPARE(protocol::sourceMarkerLine(u"A"), QByteArray(R"({"v":1,"kind":"source","name":"A"})"));
        QCOMPARE(protocol::parseSourceMarker(R"({ "name" : "B", "kind":"source", "v":1 })"), std::optional<QString>(u"B"_s));
    }

    void badMarkersSayWhy_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("no name") << QByteArray(R"({"v":1,"kind":"source"})");
        QTest::newRow("empty name") << QByteArray(R"({"v":1,"kind":"source","name":""})");
        QTest::newRow("whitespace") << QByteArray(R"({"v":1,"kind":"source","name":"a b"})");
        QTest::newRow("not a string") << QByteArray(R"({"v":1,"kind":"source","name":7})");
        QTest::newRow("version 2") << QByteArray(R"({"v":2,"kind":"source","name":"A"})");
        QTest::newRow("more members") << QByteArray(R"({"v":1,"kind":"source","name":"A","seq":3})");
    }
    void badMarkersSayWhy()
    {
        QFETCH(QByteArray, line);
        QString error;
        QVERIFY(!protocol::parseSourceMarker(line, &error));
        QVERIFY2(error.startsWith(u"a source marker must be"_s), qPrintable(error));
    }

    void otherLinesAreNoMarkers()
    {
        QString error;
        for (const QByteArray &line : {QByteArray(R"({"v":1,"seq":0,"ts_us":1,"kind":"hello","source":{"app":"x"}})"),
                                       QByteArray("not json \"source\""), QByteArray(), QByteArray("[\"source\"]")}) {
            QVERIFY(!protocol::parseSourceMarker(line, &error));
            QVERIFY2(error.isEmpty(), line.constData());
        }
    }

    void sourceNames()
    {
        QVERIFY(protocol::isValidSourceName(u"a"));
        QVERIFY(protocol::isValidSourceName(u"tcp://127.0.0.1:7000"));
        QVERIFY(!protocol::isValidSourceName(u""));
        QVERIFY(!protocol::isValidSourceName(u"a b"));
        QVERIFY(!protocol::isValidSourceName(u"a\tb"));
        QVERIFY(!protocol::isValidSourceName(u"a\x01"));
        // Format characters, lone surrogates and unassigned code points read as something else.
        QVERIFY(!protocol::isValidSourceName(u"a\u202eb"));     // right-to-left override
        QVERIFY(!protocol::isValidSourceName(u"a\u200bb"));     // zero width space
        QVERIFY(!protocol::isValidSourceName(QString(QChar(0xD800)) + u"x"_s)); // lone high surrogate
        QVERIFY(!protocol::isValidSourceName(u"x"_s + QChar(0xDC00)));           // lone low surrogate
        QVERIFY(!protocol::isValidSourceName(u"a\uffff"));      // a noncharacter, never assigned
        QVERIFY(protocol::isValidSourceName(u"worker-\U0001F680"_s)); // a surrogate pair is one character
        QVERIFY(protocol::isValidSourceName(u"ünï-cödé"));
        QVERIFY(protocol::isValidSourceName(QString(protocol::maxSourceNameLength, u'x')));
        QVERIFY(!protocol::isValidSourceName(QString(protocol::maxSourceNameLength + 1, u'x')));
    }
};

QTEST_GUILESS_MAIN(tst_SourceMarker)
#include "tst_sourcemarker.moc"
