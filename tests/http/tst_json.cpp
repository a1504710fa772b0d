// SPDX-License-Identifier: MIT
// Json, the object a route returns: each kind of value written as JSON text, in the order given;
// and a response as it goes on the wire.
#include <afterwork/http/json.h>
#include <afterwork/http/response.h>

#include "wire.h" // http/src: serializeResponse()

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QTest>

#include <limits>

using namespace afterwork::http;

class JsonTest : public QObject
{
    Q_OBJECT
private slots:
    void emptyObject();
    void membersKeepTheirOrder();
    void scalars();
    void text();
    void names();
    void nestedAndLists();
    void qtJsonValues();
    void listsOfQtJsonValues();
    void theLongestTextAndNumbersFit();
    void aLongAnswerKeepsNoSpareRoom();
    void qtJsonTypesAsQJsonValueMakesThem();
    void aNullPointerIsNull();
    void aMovedFromJsonIsAnEmptyObject();
    void toObjectReadsItBack();
    void responseSendsTheText();
    void responsesAreWrittenByteForByte();
};

void JsonTest::emptyObject()
{
    QCOMPARE(Json().bytes(), QByteArray("{}"));
    QCOMPARE(Json(std::initializer_list<Json::Member>{}).bytes(), QByteArray("{}")); // the list's path
}

void JsonTest::membersKeepTheirOrder()
{
    // Unlike QJsonObject, which sorts its keys.
    QCOMPARE(Json({{"b", 1}, {"a", 2}, {"c", 3}}).bytes(), QByteArray(R"({"b":1,"a":2,"c":3})"));
}

void JsonTest::scalars()
{
    const Json json{{"null", nullptr},
                    {"qtNull", QJsonValue::Null},
                    {"yes", true},
                    {"no", false},
                    {"int", -7},
                    {"min", std::numeric_limits<qint64>::min()},
                    {"max", std::numeric_limits<quint64>::max()},
                    {"beyondDouble", qint64(9007199254740993)},
                    {"half", 0.5},
                    {"float", 0.25f},
                    {"shortFloat", 0.1f},
                    {"whole", 2.0},
                    {"nan", std::numeric_limits<double>::quiet_NaN()},
                    {"inf", std::numeric_limits<double>::infinity()}};
    QCOMPARE(json.bytes(),
             QByteArray(R"({"null":null,"qtNull":null,"yes":true,"no":false,"int":-7,)"
                        R"("min":-9223372036854775808,"max":18446744073709551615,)"
                        R"("beyondDouble":9007199254740993,"half":0.5,"float":0.25,"shortFloat":0.1,"whole":2,)"
                        R"("nan":null,"inf":null})"));
}

void JsonTest::text()
{
    const QString qstring = QStringLiteral("caf\u00e9 \"q\"\n\t");
    const Json json{{"utf8", "caf\xc3\xa9"},
                    {"qstring", qstring},
                    {"temporary", QStringLiteral("t")},
                    {"view", QStringView(qstring).left(4)},
                    {"latin1", QLatin1StringView("caf\xe9")},
                    {"control", QString(QChar(0x1b))},
                    {"loneSurrogate", QString(QChar(0xDC00))},
                    {"malformedUtf8", "a\xff"}};
    QCOMPARE(json.bytes(),
             QByteArray("{\"utf8\":\"caf\xc3\xa9\",\"qstring\":\"caf\xc3\xa9 \\\"q\\\"\\n\\t\","
                        "\"temporary\":\"t\",\"view\":\"caf\xc3\xa9\",\"latin1\":\"caf\xc3\xa9\","
                        "\"control\":\"\\u001b\",\"loneSurrogate\":\"\xef\xbf\xbd\","
                        "\"malformedUtf8\":\"a\xef\xbf\xbd\"}"));
}

void JsonTest::names()
{
    const QString name = QStringLiteral("na\u00efve");
    const Json json{{name, 1}, {QLatin1StringView("quote\""), 2}, {"caf\xc3\xa9", 3}, {u"sixteen", 4}};
    QCOMPARE(json.bytes(), QByteArray("{\"na\xc3\xafve\":1,\"quote\\\"\":2,\"caf\xc3\xa9\":3,\"sixteen\":4}"));
}

void JsonTest::nestedAndLists()
{
    const QList<qint64> ids{1, 2, 3};
    const QStringList names{QStringLiteral("a"), QStringLiteral("b\"")};
    const Json json{{"ids", ids},
                    {"names", names},
                    {"empty", QList<int>()},
                    {"objects", QList<Json>{Json{{"k", 1}}, Json()}},
                    {"nested", Json{{"inner", Json{{"deep", true}}}}}};
    QCOMPARE(json.bytes(),
             QByteArray("{\"ids\":[1,2,3],\"names\":[\"a\",\"b\\\"\"],\"empty\":[],"
                        "\"objects\":[{\"k\":1},{}],\"nested\":{\"inner\":{\"deep\":true}}}"));
}

void JsonTest::qtJsonValues()
{
    const QJsonArray array{1, "two", QJsonValue::Null};
    const QJsonObject object{{QStringLiteral("b"), 2}, {QStringLiteral("a"), 1}};
    const Json json{{"array", array},
                    {"object", object},
                    {"value", QJsonValue(1.5)},
                    {"bigInteger", QJsonValue(qint64(9007199254740993))}};
    QCOMPARE(json.bytes(),
             QByteArray(R"({"array":[1,"two",null],"object":{"a":1,"b":2},"value":1.5,)"
                        R"("bigInteger":9007199254740993})"));
}

void JsonTest::listsOfQtJsonValues()
{
    // Their length is only known once written: written first, then copied in among the others.
    const QList<QJsonValue> values{QJsonValue(1), QJsonValue(QStringLiteral("x")), QJsonValue(QJsonArray{true})};
    const QList<QJsonObject> objects{QJsonObject{{QStringLiteral("k"), 1}}};
    const Json json{{"before", 1}, {"values", values}, {"middle", "m"}, {"objects", objects}, {"after", 2}};
    QCOMPARE(json.bytes(), QByteArray(R"({"before":1,"values":[1,"x",[true]],"middle":"m","objects":[{"k":1}],"after":2})"));
}

void JsonTest::theLongestTextAndNumbersFit()
{
    // Each value written at the most bytes its kind can take: a control character is six.
    const QString controls(300, QChar(0x01));
    const QByteArray utf8Controls(300, '\x01');
    const Json json{{"controls", controls},
                    {utf8Controls.constData(), utf8Controls.constData()},
                    {"lowest", -std::numeric_limits<double>::denorm_min()},
                    {"smallestNormal", -std::numeric_limits<double>::min()},
                    {"largest", -std::numeric_limits<double>::max()},
                    {"floatMax", -std::numeric_limits<float>::max()}};
    QByteArray escaped;
    for (int i = 0; i < 300; ++i)
        escaped += "\\u0001";
    QCOMPARE(json.bytes(),
             "{\"controls\":\"" + escaped + "\",\"" + escaped + "\":\"" + escaped + "\","
             + R"("lowest":-5e-324,"smallestNormal":-2.2250738585072014e-308,"largest":-1.7976931348623157e+308,)"
             + R"("floatMax":-3.4028235e+38})");
}

void JsonTest::aLongAnswerKeepsNoSpareRoom()
{
    // Room is reserved for six bytes a character; plain text takes one, and the rest is given back.
    const Json big{{"text", QString(100'000, u'a')}};
    QCOMPARE(big.bytes().size(), 100'000 + 11);
    QVERIFY2(big.bytes().capacity() < big.bytes().size() + 4096, qPrintable(QString::number(big.bytes().capacity())));
}

void JsonTest::qtJsonTypesAsQJsonValueMakesThem()
{
    const Json json{{"null", QJsonValue::Null},
                    {"bool", QJsonValue::Bool},
                    {"double", QJsonValue::Double},
                    {"string", QJsonValue::String},
                    {"array", QJsonValue::Array},
                    {"object", QJsonValue::Object}};
    QCOMPARE(json.bytes(), QByteArray(R"({"null":null,"bool":false,"double":0,"string":"","array":[],"object":{}})"));
}

void JsonTest::aNullPointerIsNull()
{
    const char *missing = nullptr;
    QCOMPARE(Json({{"text", missing}}).bytes(), QByteArray(R"({"text":null})"));
}

void JsonTest::aMovedFromJsonIsAnEmptyObject()
{
    Json from{{"a", 1}};
    const Json to = std::move(from);
    QCOMPARE(to.bytes(), QByteArray(R"({"a":1})"));
    QCOMPARE(from.bytes(), QByteArray("{}")); // NOLINT(bugprone-use-after-move): what is tested
    QCOMPARE(Json({{"nested", from}}).bytes(), QByteArray(R"({"nested":{}})"));
}

void JsonTest::toObjectReadsItBack()
{
    const Json json{{"text", QStringLiteral("caf\u00e9")}, {"list", QList<int>{1, 2}}, {"n", 3}};
    const QJsonObject object = json.toObject();
    QCOMPARE(object.value("text").toString(), QStringLiteral("caf\u00e9"));
    QCOMPARE(object.value("list").toArray(), (QJsonArray{1, 2}));
    QCOMPARE(object.value("n").toInt(), 3);
    QVERIFY(Json({{"n", 3}}) == Json({{"n", 3}}));
    QVERIFY(Json({{"n", 3}}) != Json({{"n", 4}}));
}

void JsonTest::responseSendsTheText()
{
    const Response ok = Json{{"b", 1}, {"a", 2}};
    QCOMPARE(ok.status(), 200);
    QCOMPARE(ok.body(), QByteArray(R"({"b":1,"a":2})"));
    QCOMPARE(ok.contentType(), QByteArray("application/json"));
    QCOMPARE(Response(Json{{"id", 7}}, 201).status(), 201);
}

void JsonTest::responsesAreWrittenByteForByte()
{
    Response created(Json{{"id", 7}}, 201);
    created.addHeader("Location", "/items/7").addHeader("X-Empty", "");
    QCOMPARE(detail::serializeResponse(created, false),
             QByteArray("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 8\r\n"
                        "Location: /items/7\r\nX-Empty: \r\n\r\n{\"id\":7}"));
    const Response empty = Response::raw(QByteArray(), "text/plain", 299); // a status without a listed phrase
    QCOMPARE(detail::serializeResponse(empty, true),
             QByteArray("HTTP/1.1 299 Unknown\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n"
                        "Connection: close\r\n\r\n"));
}

QTEST_GUILESS_MAIN(JsonTest)
#include "tst_json.moc"
