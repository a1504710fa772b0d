// SPDX-License-Identifier: MIT
// Bad input gets FastAPI's status codes and JSON error bodies, and the server stays up.
#include "httptestsupport.h"

#include <QtCore/QJsonArray>
#include <QtNetwork/QTcpServer>
#include <QtTest/QTest>

using namespace afterwork;
using namespace afterwork::http;
using namespace afterwork::test;

namespace {

void addRoutes(TaskRouter &router)
{
    router.post("/notify", [](const Request &req) { return Json{{"email", req.query<QString>("email")}}; });
    router.post("/items/{item_id}", [](const Request &req) {
        return Json{{"item", req.path<int>("item_id")},
                    {"count", req.query<int>("count", 1, {.ge = 1, .le = 10})},
                    {"price", req.query<double>("price", 0.0)},
                    {"urgent", req.query<bool>("urgent", false)}};
    });
    router.post("/body", [](const Request &req) { return Json{{"keys", req.jsonObject().size()}}; });
    router.get("/only-get", [] { return Json{{"status", "ok"}}; });
}

//! The single validation error of a 422/400 body.
QJsonObject firstError(const HttpReply &reply)
{
    return reply.json().value("detail").toArray().first().toObject();
}

} // namespace

class BadInputTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void answers_data();
    void answers();
    void oversizedBodyIsRefusedAtTheHeaders();
    void guardFindsTheLengthWhereverItIs_data();
    void guardFindsTheLengthWhereverItIs();
    void oversizedBodyWaitingForContinueIsRefusedWithoutTheBody();
    void expectContinueIsAnswered();
    void oversizedChunkedBodyIsRefusedByTheRouter();
    void oversizedBodyWithoutTheGuard();
    void headersTooLargeAre431();
    void malformedRequestLineClosesOnlyThatConnection();

private:
    std::unique_ptr<HttpFixture> m_fx;
};

void BadInputTest::init()
{
    m_fx = std::make_unique<HttpFixture>();
    addRoutes(m_fx->router);
    QVERIFY(m_fx->listen());
}

void BadInputTest::cleanup()
{
    // Whatever the request did, the server still answers.
    RawHttpClient client(m_fx->port);
    QVERIFY(client.connectToServer());
    const auto reply = client.request("GET", "/only-get");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    m_fx.reset();
}

void BadInputTest::answers_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("type");     // detail[0].type, or empty when detail is a string
    QTest::addColumn<QStringList>("loc");  // detail[0].loc (strings only)
    QTest::addColumn<QByteArray>("exactBody");

    const QByteArray any;
    QTest::newRow("ok") << QByteArray("POST") << QByteArray("/notify?email=a%2Bb@x.org") << any << 200 << QString()
                        << QStringList() << QByteArray(R"({"email":"a+b@x.org"})");
    QTest::newRow("plus is a space") << QByteArray("POST") << QByteArray("/notify?email=a+b%20c@x.org") << any << 200
                                     << QString() << QStringList() << QByteArray(R"({"email":"a b c@x.org"})");
    QTest::newRow("first of a repeated name") << QByteArray("POST") << QByteArray("/notify?x&email=first&email=second")
                                              << any << 200 << QString() << QStringList()
                                              << QByteArray(R"({"email":"first"})");
    QTest::newRow("plus in a name") << QByteArray("POST") << QByteArray("/notify?e+mail=x&email=y@x.org") << any
                                    << 200 << QString() << QStringList() << QByteArray(R"({"email":"y@x.org"})");
    QTest::newRow("encoded name") << QByteArray("POST") << QByteArray("/notify?%65mail=e@x.org&&") << any << 200
                                  << QString() << QStringList() << QByteArray(R"({"email":"e@x.org"})");
    QTest::newRow("missing query") << QByteArray("POST") << QByteArray("/notify") << any << 422 << "missing"
                                   << QStringList{"query", "email"} << any;
    QTest::newRow("path not int") << QByteArray("POST") << QByteArray("/items/abc") << any << 422 << "int_parsing"
                                  << QStringList{"path", "item_id"} << any;
    QTest::newRow("query not int") << QByteArray("POST") << QByteArray("/items/1?count=many") << any << 422
                                   << "int_parsing" << QStringList{"query", "count"} << any;
    QTest::newRow("below range") << QByteArray("POST") << QByteArray("/items/1?count=0") << any << 422
                                 << "greater_than_equal" << QStringList{"query", "count"} << any;
    QTest::newRow("above range") << QByteArray("POST") << QByteArray("/items/1?count=11") << any << 422
                                 << "less_than_equal" << QStringList{"query", "count"} << any;
    QTest::newRow("not a number") << QByteArray("POST") << QByteArray("/items/1?price=cheap") << any << 422
                                  << "float_parsing" << QStringList{"query", "price"} << any;
    QTest::newRow("not a bool") << QByteArray("POST") << QByteArray("/items/1?urgent=maybe") << any << 422
                                << "bool_parsing" << QStringList{"query", "urgent"} << any;
    QTest::newRow("all fine") << QByteArray("POST") << QByteArray("/items/7?count=10&price=2.5&urgent=yes") << any
                              << 200 << QString() << QStringList()
                              << QByteArray(R"({"item":7,"count":10,"price":2.5,"urgent":true})");
    QTest::newRow("malformed json") << QByteArray("POST") << QByteArray("/body") << QByteArray(R"({"a":)") << 400
                                    << "json_invalid" << QStringList{"body"} << any;
    QTest::newRow("two json values") << QByteArray("POST") << QByteArray("/body") << QByteArray("{} {}") << 400
                                     << "json_invalid" << QStringList{"body"} << any;
    QTest::newRow("json not an object") << QByteArray("POST") << QByteArray("/body") << QByteArray("[1,2]") << 422
                                        << "dict_type" << QStringList{"body"} << any;
    QTest::newRow("empty body") << QByteArray("POST") << QByteArray("/body") << any << 422 << "missing"
                                << QStringList{"body"} << any;
    QTest::newRow("json ok") << QByteArray("POST") << QByteArray("/body") << QByteArray(R"({"a":1,"b":2})") << 200
                             << QString() << QStringList() << QByteArray(R"({"keys":2})");
    QTest::newRow("unknown path") << QByteArray("GET") << QByteArray("/nowhere") << any << 404 << QString()
                                  << QStringList() << QByteArray(R"({"detail":"Not Found"})");
    QTest::newRow("trailing slash") << QByteArray("GET") << QByteArray("/only-get/") << any << 404 << QString()
                                    << QStringList() << QByteArray(R"({"detail":"Not Found"})");
    QTest::newRow("wrong method") << QByteArray("DELETE") << QByteArray("/notify") << any << 405 << QString()
                                  << QStringList() << QByteArray(R"({"detail":"Method Not Allowed"})");
    QTest::newRow("unknown method") << QByteArray("BREW") << QByteArray("/notify") << any << 405 << QString()
                                    << QStringList() << QByteArray(R"({"detail":"Method Not Allowed"})");
}

void BadInputTest::answers()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, type);
    QFETCH(QStringList, loc);
    QFETCH(QByteArray, exactBody);

    RawHttpClient client(m_fx->port);
    QVERIFY(client.connectToServer());
    const auto reply = client.request(method, target, body);
    QVERIFY(reply);
    QCOMPARE(reply->status, status);
    QCOMPARE(reply->headers.value("content-type"), QByteArray("application/json"));
    if (!exactBody.isEmpty())
        QCOMPARE(reply->body, exactBody);
    if (!type.isEmpty()) {
        const QJsonObject error = firstError(*reply);
        QCOMPARE(error.value("type").toString(), type);
        const QJsonArray actualLoc = error.value("loc").toArray();
        for (qsizetype i = 0; i < loc.size(); ++i)
            QCOMPARE(actualLoc.at(i).toString(), loc.at(i));
        QVERIFY(!error.value("msg").toString().isEmpty());
    }
    if (status == 405)
        QCOMPARE(reply->headers.value("allow"), QByteArray("POST"));
    // A request the router refused or failed keeps the connection usable.
    const auto next = client.request("GET", "/only-get");
    QVERIFY(next);
    QCOMPARE(next->status, 200);
}

void BadInputTest::oversizedBodyIsRefusedAtTheHeaders()
{
    RawHttpClient client(m_fx->port);
    QVERIFY(client.connectToServer());
    const QByteArray body(1024 * 1024 + 1, ' ');
    const auto reply = client.request("POST", "/body", body);
    QVERIFY(reply);
    QCOMPARE(reply->status, 413);
    QCOMPARE(reply->body, QByteArray(R"json({"detail":"Request body too large (limit 1048576 bytes)"})json"));
    QCOMPARE(reply->headers.value("connection"), QByteArray("close"));
    QVERIFY(client.waitDisconnected()); // after the whole body was read and discarded
    // The refused request never reached a route.
    QCOMPARE(m_fx->recorder.lastRequestId("/body"), quint64(0));
}

void BadInputTest::guardFindsTheLengthWhereverItIs_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::newRow("lower-case names after others")
        << QByteArray("POST /body HTTP/1.1\r\nHost: x\r\nAccept: */*\r\ncontent-length: 5000000\r\n"
                      "expect: 100-continue\r\n\r\n");
    QTest::newRow("padded value") << QByteArray("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length:    5000000  \r\n"
                                                "Expect: 100-continue\r\n\r\n");
    QTest::newRow("a bare LF before it") << QByteArray("POST /body HTTP/1.1\r\nHost: x\nContent-Length: 5000000\r\n"
                                                       "Expect: 100-continue\r\n\r\n");
    QTest::newRow("a line without a colon before it")
        << QByteArray("POST /body HTTP/1.1\r\nHost: x\r\nnonsense\r\nContent-Length: 5000000\r\n"
                      "Expect: 100-continue\r\n\r\n");
}

void BadInputTest::guardFindsTheLengthWhereverItIs()
{
    // The client waits for `100 Continue`, so a guard that missed the length would leave it
    // waiting: only a refusal at the headers answers.
    QFETCH(QByteArray, head);
    RawHttpClient client(m_fx->port);
    QVERIFY(client.connectToServer());
    client.send(head);
    const auto reply = client.readReply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 413);
    QVERIFY(client.waitDisconnected());
    QCOMPARE(m_fx->recorder.lastRequestId("/body"), quint64(0));
}

void BadInputTest::oversizedBodyWaitingForContinueIsRefusedWithoutTheBody()
{
    RawHttpClient client(m_fx->port);
    QVERIFY(client.connectToServer());
    client.send("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n");
    const auto reply = client.readReply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 413);
    QVERIFY(client.waitDisconnected());
}

void BadInputTest::expectContinueIsAnswered()
{
    RawHttpClient client(m_fx->port);
    QVERIFY(client.connectToServer());
    const QByteArray body = R"({"a":1})";
    client.send("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: " + QByteArray::number(body.size())
                + "\r\nExpect: 100-continue\r\n\r\n");
    const auto interim = client.readReply();
    QVERIFY(interim);
    QCOMPARE(interim->status, 100);
    client.send(body);
    const auto reply = client.readReply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
    QCOMPARE(reply->body, QByteArray(R"({"keys":1})"));
}

void BadInputTest::oversizedChunkedBodyIsRefusedByTheRouter()
{
    // No Content-Length: the header guard cannot know; the router checks the parsed body.
    RawHttpClient client(m_fx->port);
    QVERIFY(client.connectToServer());
    const QByteArray chunk(256 * 1024, 'z');
    QByteArray request = "POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 5; ++i)
        request += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
    request += "0\r\n\r\n";
    client.send(request);
    const auto reply = client.readReply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 413);
    const quint64 id = m_fx->recorder.lastRequestId("/body");
    QVERIFY(id != 0);
    QTRY_COMPARE(m_fx->recorder.stages(id), (QList<RequestStage>{RequestStage::Received, RequestStage::ResponseWritten}));
}

void BadInputTest::oversizedBodyWithoutTheGuard()
{
    // A server bound to a QTcpServer of the application's own (no guard) still gets the router's 413.
    HttpFixture fx(EngineOptions{}, RouterOptions{.maxBodyBytes = 1000});
    addRoutes(fx.router);
    auto *listener = new QTcpServer;
    QVERIFY(listener->listen(QHostAddress::LocalHost, 0));
    const quint16 port = listener->serverPort();
    fx.server.bind(listener); // takes ownership
    RawHttpClient client(port);
    QVERIFY(client.connectToServer());
    const auto reply = client.request("POST", "/body", QByteArray(1001, ' '));
    QVERIFY(reply);
    QCOMPARE(reply->status, 413);
    QCOMPARE(reply->body, QByteArray(R"json({"detail":"Request body too large (limit 1000 bytes)"})json"));
    const auto fine = client.request("POST", "/body", QByteArray("{}"));
    QVERIFY(fine);
    QCOMPARE(fine->status, 200);
}

void BadInputTest::headersTooLargeAre431()
{
    RawHttpClient client(m_fx->port);
    QVERIFY(client.connectToServer());
    client.send("GET /only-get HTTP/1.1\r\nHost: x\r\nX-Filler: " + QByteArray(70 * 1024, 'h') + "\r\n\r\n");
    const auto reply = client.readReply();
    QVERIFY(reply);
    QCOMPARE(reply->status, 431);
    QVERIFY(client.waitDisconnected());
}

void BadInputTest::malformedRequestLineClosesOnlyThatConnection()
{
    RawHttpClient other(m_fx->port);
    QVERIFY(other.connectToServer());
    RawHttpClient client(m_fx->port);
    QVERIFY(client.connectToServer());
    client.send("THIS IS NOT HTTP\r\n\r\n");
    QVERIFY(client.waitDisconnected());
    const auto reply = other.request("GET", "/only-get");
    QVERIFY(reply);
    QCOMPARE(reply->status, 200);
}

QTEST_GUILESS_MAIN(BadInputTest)
#include "tst_badinput.moc"
