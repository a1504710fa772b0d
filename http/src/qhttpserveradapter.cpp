// SPDX-License-Identifier: MIT
#include "qhttpserveradapter.h"

#include "logging.h"
#include "wire.h"

#include <QtCore/QTimer>
#include <QtHttpServer/QHttpServer>
#include <QtHttpServer/QHttpServerRequest>
#include <QtHttpServer/QHttpServerResponder>
#include <QtHttpServer/QHttpServerRouterRule>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

namespace afterwork::http::detail {

namespace {

QByteArray methodText(QHttpServerRequest::Method method)
{
    using M = QHttpServerRequest::Method;
    switch (method) {
    case M::Get: return QByteArrayLiteral("GET");
    case M::Put: return QByteArrayLiteral("PUT");
    case M::Delete: return QByteArrayLiteral("DELETE");
    case M::Post: return QByteArrayLiteral("POST");
    case M::Head: return QByteArrayLiteral("HEAD");
    case M::Options: return QByteArrayLiteral("OPTIONS");
    case M::Patch: return QByteArrayLiteral("PATCH");
    default: return QByteArrayLiteral("UNKNOWN");
    }
}

//! A rule that takes every path the router claims, whatever the method (the router answers 405
//! itself). Its handler is a responder handler, so the router gets the socket through the responder.
class ClaimingRule final : public QHttpServerRouterRule
{
public:
    using Claims = std::function<bool(const QString &)>;
    ClaimingRule(const QString &pathPattern, Claims claims, RouterHandler handler)
        : QHttpServerRouterRule(pathPattern, std::move(handler))
        , m_claims(std::move(claims))
    {
    }

protected:
    bool matches(const QHttpServerRequest &request, QRegularExpressionMatch *) const override
    {
        try {
            return m_claims(request.url().path(QUrl::FullyEncoded));
        } catch (...) {
            return false; // never let an exception into QHttpServer: it would abort the process
        }
    }

private:
    Claims m_claims;
};

//! One response's way out. Holds the responder (6.4: it only leads us to the socket; we write
//! the bytes ourselves, compact and in one go) and watches the socket through a QPointer, since
//! QHttpServer deletes a socket as soon as its client disconnects.
class QtResponseChannel final : public ResponseChannel
{
public:
    explicit QtResponseChannel(QHttpServerResponder &&responder)
        : m_responder(std::move(responder))
        , m_socket(m_responder.socket())
    {
    }

    bool isOpen() const override { return m_socket && m_socket->state() == QAbstractSocket::ConnectedState; }

    bool write(const Response &response, bool closeConnection) override
    {
        if (!isOpen())
            return false;
        m_socket->write(serializeResponse(response, closeConnection));
        if (closeConnection)
            m_socket->disconnectFromHost(); // closes once the bytes are out; keeps emitting bytesWritten
        return true;
    }

    void whenWritten(std::function<void()> written, std::function<void()> gone) override
    {
        // One-shot: connections are keep-alive, and the next response on this socket is not ours.
        struct Watch
        {
            std::function<void()> written;
            std::function<void()> gone;
            QList<QMetaObject::Connection> connections;
            bool done = false;
            void finish(bool allWritten)
            {
                if (done)
                    return;
                done = true;
                for (const auto &connection : std::as_const(connections))
                    QObject::disconnect(connection);
                const auto callback = allWritten ? std::move(written) : std::move(gone);
                written = nullptr;
                gone = nullptr;
                if (callback)
                    callback();
            }
        };
        auto watch = std::make_shared<Watch>();
        watch->written = std::move(written);
        watch->gone = std::move(gone);
        QTcpSocket *socket = m_socket.data();
        if (!socket || socket->bytesToWrite() == 0) {
            const bool allWritten = socket != nullptr;
            QTimer::singleShot(0, [watch, allWritten] { watch->finish(allWritten); });
            return;
        }
        watch->connections << QObject::connect(socket, &QTcpSocket::bytesWritten, socket, [watch, socket](qint64) {
            if (socket->bytesToWrite() == 0) {
                const auto keep = watch;
                keep->finish(true);
            }
        });
        watch->connections << QObject::connect(socket, &QTcpSocket::disconnected, socket, [watch, socket] {
            const auto keep = watch;
            keep->finish(socket->bytesToWrite() == 0);
        });
        watch->connections << QObject::connect(socket, &QObject::destroyed, [watch] {
            const auto keep = watch;
            keep->finish(false);
        });
    }

private:
    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
};

//! For a request that arrives after the router is gone.
void answerDetached(QHttpServerResponder &responder, int status, const char *detail)
{
    if (QTcpSocket *socket = responder.socket(); socket && socket->state() == QAbstractSocket::ConnectedState)
        socket->write(serializeResponse(Response::error(status, QString::fromLatin1(detail)), false));
}

} // namespace

struct ServerAdapter::Shared
{
    AdapterCallbacks callbacks;

    void deliver(const QHttpServerRequest &request, QHttpServerResponder &&responder) noexcept
    {
        std::shared_ptr<ResponseChannel> channel;
        try {
            // Copy everything now: the server reuses this request object for the next request.
            IncomingRequest incoming;
            incoming.method = methodText(request.method());
            incoming.url = request.url();
            for (const auto &[name, value] : request.headers())
                incoming.headers.insert(name.toLower(), value);
            incoming.body = request.body();
            incoming.peer = request.remoteAddress();
            channel = std::make_shared<QtResponseChannel>(std::move(responder));
            callbacks.dispatch(std::move(incoming), channel);
        } catch (const std::exception &error) {
            qCCritical(lcHttp) << "request dispatch threw:" << error.what();
            if (channel)
                channel->write(Response::error(500, QStringLiteral("Internal Server Error")), true);
        } catch (...) {
            qCCritical(lcHttp) << "request dispatch threw a non-standard exception";
            if (channel)
                channel->write(Response::error(500, QStringLiteral("Internal Server Error")), true);
        }
    }
};

ServerAdapter::ServerAdapter(QHttpServer *server, AdapterCallbacks callbacks, GuardLimits limits)
    : m_server(server)
    , m_shared(std::make_shared<Shared>(Shared{std::move(callbacks)}))
    , m_limits(limits)
{
    Q_ASSERT(server);
    const std::weak_ptr<Shared> weak = m_shared;
    const bool added = server->route<ClaimingRule>(
        QStringLiteral("/"),
        ClaimingRule::Claims([weak](const QString &path) {
            const auto shared = weak.lock();
            return shared && shared->callbacks.claims(path);
        }),
        [weak](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            if (const auto shared = weak.lock())
                shared->deliver(request, std::move(responder));
            else
                answerDetached(responder, 503, "Service Unavailable");
        });
    if (!added)
        qCCritical(lcHttp) << "QHttpServer refused the router's rule; no route will be served";
    server->setMissingHandler([weak](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        if (const auto shared = weak.lock())
            shared->deliver(request, std::move(responder));
        else
            answerDetached(responder, 404, "Not Found");
    });
}

ServerAdapter::~ServerAdapter() = default;

quint16 ServerAdapter::listen(const QHostAddress &address, quint16 port)
{
    if (!m_server)
        return 0;
    // 6.4 connects each socket's readyRead to the server object; a guard that refuses a request
    // cuts that connection so the server never parses the rest of it.
    DetachFromServer detach = [server = m_server](QTcpSocket *socket) {
        if (server)
            QObject::disconnect(socket, &QTcpSocket::readyRead, server.data(), nullptr);
    };
    auto *tcpServer = new GuardedTcpServer(m_limits, std::move(detach));
    if (!tcpServer->listen(address, port)) {
        qCWarning(lcHttp).noquote() << "cannot listen on" << address.toString() << port << ":" << tcpServer->errorString();
        delete tcpServer;
        return 0;
    }
    m_server->bind(tcpServer); // takes ownership
    return tcpServer->serverPort();
}

QList<quint16> ServerAdapter::ports() const
{
    QList<quint16> ports;
    if (!m_server)
        return ports;
    for (const QTcpServer *tcpServer : m_server->servers()) {
        if (tcpServer->isListening())
            ports << tcpServer->serverPort();
    }
    return ports;
}

void ServerAdapter::closeListeners()
{
    if (!m_server)
        return;
    for (QTcpServer *tcpServer : m_server->servers())
        tcpServer->close();
}

} // namespace afterwork::http::detail
