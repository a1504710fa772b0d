// SPDX-License-Identifier: MIT
#pragma once

// Helpers for the HTTP tests: a raw HTTP/1.1 client on a QTcpSocket (so tests control exactly
// what is sent, when it is read and when the connection drops), a recorder that keeps task and
// request events in the one order they were emitted, and a server fixture on an ephemeral port.

#include <afterwork/http/taskrouter.h>
#include <afterwork/taskengine.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtHttpServer/QHttpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

#include <functional>
#include <memory>
#include <optional>
#include <variant>

namespace afterwork::test {

struct HttpReply
{
    int status = 0;
    QHash<QByteArray, QByteArray> headers; //!< lower-case names
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

class RawHttpClient
{
public:
    explicit RawHttpClient(quint16 port) : m_port(port) {}

    [[nodiscard]] bool connectToServer(int timeoutMs = 5000)
    {
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        return QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, timeoutMs);
    }

    void send(const QByteArray &bytes) { socket.write(bytes); }

    void sendRequest(const QByteArray &method, const QByteArray &target, const QByteArray &body = {},
                     const QList<QByteArray> &extraHeaders = {})
    {
        QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        for (const QByteArray &header : extraHeaders)
            request += header + "\r\n";
        if (!body.isEmpty() || method == "POST")
            request += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
        request += "\r\n" + body;
        send(request);
    }

    //! Reads one response (a `100 Continue` interim answer is returned like any other).
    std::optional<HttpReply> readReply(int timeoutMs = 10000)
    {
        qsizetype headerEnd = -1;
        if (!QTest::qWaitFor([&] { pump(); return (headerEnd = m_buffer.indexOf("\r\n\r\n")) >= 0; }, timeoutMs))
            return std::nullopt;
        HttpReply reply;
        const QList<QByteArray> lines = m_buffer.left(headerEnd).split('\n');
        const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
        reply.status = statusLine.value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                reply.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        const qint64 length = reply.headers.value("content-length", "0").toLongLong();
        const qint64 total = headerEnd + 4 + length;
        if (!QTest::qWaitFor([&] { pump(); return m_buffer.size() >= total; }, timeoutMs))
            return std::nullopt;
        reply.body = m_buffer.mid(headerEnd + 4, length);
        m_buffer.remove(0, total);
        return reply;
    }

    //! Sends one request and reads its reply.
    std::optional<HttpReply> request(const QByteArray &method, const QByteArray &target, const QByteArray &body = {},
                                     const QList<QByteArray> &extraHeaders = {})
    {
        sendRequest(method, target, body, extraHeaders);
        return readReply();
    }

    [[nodiscard]] bool waitDisconnected(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([&] { pump(); return socket.state() == QAbstractSocket::UnconnectedState; }, timeoutMs);
    }

    QTcpSocket socket;

private:
    void pump() { m_buffer += socket.readAll(); }
    quint16 m_port;
    QByteArray m_buffer;
};

//! Every task event and request event, in emission order (both are emitted on this thread).
class EventRecorder
{
public:
    using Entry = std::variant<TaskEvent, http::RequestEvent>;

    EventRecorder(TaskEngine &engine, http::TaskRouter &router)
    {
        m_connections[0] = QObject::connect(&engine, &TaskEngine::taskEvent, &engine,
                                            [this](const TaskEvent &e) { entries.append(e); });
        m_connections[1] = QObject::connect(&router, &http::TaskRouter::requestEvent, &router,
                                            [this](const http::RequestEvent &e) { entries.append(e); });
    }
    //! The engine and router outlive it in HttpFixture and still emit as they shut down.
    ~EventRecorder()
    {
        for (const QMetaObject::Connection &connection : m_connections)
            QObject::disconnect(connection);
    }
    EventRecorder(const EventRecorder &) = delete;
    EventRecorder &operator=(const EventRecorder &) = delete;

    //! Index of the first task event of the task named \a name in \a phase; -1 if none.
    qsizetype indexOfTask(const QString &name, Phase phase) const
    {
        for (qsizetype i = 0; i < entries.size(); ++i) {
            if (const auto *e = std::get_if<TaskEvent>(&entries[i]); e && e->name == name && e->phase == phase)
                return i;
        }
        return -1;
    }
    qsizetype indexOfStage(quint64 requestId, http::RequestStage stage) const
    {
        for (qsizetype i = 0; i < entries.size(); ++i) {
            if (const auto *e = std::get_if<http::RequestEvent>(&entries[i]);
                e && e->requestId == requestId && e->stage == stage)
                return i;
        }
        return -1;
    }
    std::optional<TaskEvent> task(const QString &name, Phase phase) const
    {
        const qsizetype index = indexOfTask(name, phase);
        return index < 0 ? std::nullopt : std::optional<TaskEvent>(std::get<TaskEvent>(entries[index]));
    }
    std::optional<http::RequestEvent> stage(quint64 requestId, http::RequestStage stage) const
    {
        const qsizetype index = indexOfStage(requestId, stage);
        return index < 0 ? std::nullopt : std::optional<http::RequestEvent>(std::get<http::RequestEvent>(entries[index]));
    }
    QList<http::RequestStage> stages(quint64 requestId) const
    {
        QList<http::RequestStage> result;
        for (const Entry &entry : entries) {
            if (const auto *e = std::get_if<http::RequestEvent>(&entry); e && e->requestId == requestId)
                result << e->stage;
        }
        return result;
    }
    //! The id of the latest request for \a path; 0 if none.
    quint64 lastRequestId(const QString &path) const
    {
        for (qsizetype i = entries.size() - 1; i >= 0; --i) {
            if (const auto *e = std::get_if<http::RequestEvent>(&entries[i]); e && e->path == path)
                return e->requestId;
        }
        return 0;
    }

    //! The requests received on \a path, in the order they were received.
    QList<quint64> requestIds(const QString &path) const
    {
        QList<quint64> ids;
        for (const Entry &entry : entries) {
            if (const auto *e = std::get_if<http::RequestEvent>(&entry);
                e && e->path == path && e->stage == http::RequestStage::Received)
                ids.append(e->requestId);
        }
        return ids;
    }

    QList<Entry> entries;

private:
    QMetaObject::Connection m_connections[2];
};

//! An engine, a QHttpServer and a TaskRouter on an ephemeral loopback port.
struct HttpFixture
{
    explicit HttpFixture(EngineOptions engineOptions = {}, http::RouterOptions routerOptions = {},
                         TaskConfig globalConfig = {})
        : engine(std::move(globalConfig), engineOptions)
        , router(&server, &engine, routerOptions)
        , recorder(engine, router)
    {
    }

    //! Call after adding routes.
    [[nodiscard]] bool listen()
    {
        port = router.listen(QHostAddress::LocalHost, 0);
        return port != 0;
    }

    TaskEngine engine;
    QHttpServer server;
    http::TaskRouter router;
    EventRecorder recorder;
    quint16 port = 0;
};

} // namespace afterwork::test
