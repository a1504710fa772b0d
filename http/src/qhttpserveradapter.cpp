// SPDX-License-Identifier: MIT
#include "qhttpserveradapter.h"

#include "logging.h"
#include "responsewatcher.h"
#include "wire.h"

#include <afterwork/detail/handoff.h>

#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtHttpServer/QHttpServer>
#include <QtHttpServer/QHttpServerRequest>
#include <QtHttpServer/QHttpServerResponder>
#include <QtHttpServer/QHttpServerRouterRule>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#if defined(Q_OS_UNIX)
#  include <sys/socket.h>
#endif

// The QtHttpServer generations Afterwork supports differ in how a handler is registered, how the
// responder is passed and how a response's socket is reached. Every difference is one of the
// QT_VERSION_CHECKs in this file; docs/http.md says how each version's mechanism works.

#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
// Qt 6.5 removed QHttpServerResponder::socket(): a response's connection is found by its request's
// peer address and port instead (ConnectionIndex below).
#  define AFTERWORK_FIND_SOCKET_BY_PEER 1
#else
#  define AFTERWORK_FIND_SOCKET_BY_PEER 0
#endif

namespace afterwork::http::detail {

namespace {

#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
// Qt 6.8 passes handlers the responder by lvalue reference (6.4: by rvalue).
using ResponderArgument = QHttpServerResponder &;
#else
using ResponderArgument = QHttpServerResponder &&;
#endif

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
//! itself). Its handler is a responder handler: the router answers when it is ready.
class ClaimingRule final : public QHttpServerRouterRule
{
public:
    using Claims = std::function<bool(const QString &, const QByteArray &)>;
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    // Qt 6.8 replaced the RouterHandler std::function by a context object and a functor.
    template <typename Handler>
    ClaimingRule(const QString &pathPattern, const QObject *context, Claims claims, Handler &&handler)
        : QHttpServerRouterRule(pathPattern, context, std::forward<Handler>(handler))
        , m_claims(std::move(claims))
    {
    }
#else
    ClaimingRule(const QString &pathPattern, Claims claims, RouterHandler handler)
        : QHttpServerRouterRule(pathPattern, std::move(handler))
        , m_claims(std::move(claims))
    {
    }
#endif

protected:
    bool matches(const QHttpServerRequest &request, QRegularExpressionMatch *) const override
    {
        try {
            return m_claims(request.url().path(QUrl::FullyEncoded), methodText(request.method()));
        } catch (...) {
            return false; // never let an exception into QHttpServer: it would abort the process
        }
    }

private:
    Claims m_claims;
};

//! A request's responder. While the handler runs it is QHttpServer's own object, borrowed; a
//! request still unanswered when the handler returns takes it over until its response is written
//! or its client has gone. Qt 6.8 reads a connection's next request, and frees a closed
//! connection, only once the responder is gone, and it must not go inside the handler: 6.8 would
//! then connect its reader a second time, once more for every request on that connection.
//! Server thread only; shared with the socket's `disconnected` handler while it is kept.
class HeldResponder final : public std::enable_shared_from_this<HeldResponder>
{
public:
    HeldResponder(QHttpServerResponder &borrowed, QTcpSocket *socket, const QObject *server)
        : m_borrowed(&borrowed)
        , m_socket(socket)
        , m_stream(socket->parent()) // 6.8: the connection's stream object, which the responder reports to
        , m_server(server)
    {
    }
    HeldResponder(const HeldResponder &) = delete;
    HeldResponder &operator=(const HeldResponder &) = delete;
    ~HeldResponder() { destroyOwned(); }

    //! As the handler returns: a request still unanswered takes the responder over.
    void keepIfUnanswered()
    {
        if (!m_borrowed)
            return;
        m_owned = std::make_unique<QHttpServerResponder>(std::move(*m_borrowed));
        m_borrowed = nullptr;
        if (m_socket) {
            // Let go when the client leaves. One connection per kept request, cut in release().
            m_onDisconnected = QObject::connect(m_socket, &QTcpSocket::disconnected, m_socket,
                                                [self = shared_from_this()] { self->release(); });
        }
    }

    //! The request is done with its responder (its response is written, or its client is gone).
    void release()
    {
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
        // Qt 6.8 deletes a connection that is closing as soon as its responder goes, dropping the
        // bytes still queued: wait for `disconnected`, which comes once they are out (a borrowed
        // responder is taken over for that as the handler returns).
        if (m_socket && m_socket->state() == QAbstractSocket::ClosingState && (m_borrowed || m_onDisconnected))
            return;
#endif
        m_borrowed = nullptr; // QHttpServer destroys its own when the handler returns
        if (!m_owned)
            return;
        QObject::disconnect(m_onDisconnected);
        m_onDisconnected = {}; // the handler holds this object: drop it, or neither is ever freed
        destroyOwned();
    }

    //! release() on the server's thread, from any thread (the last handle on a request may go on a
    //! worker that kept a Responder copy).
    static void releaseFromAnyThread(std::shared_ptr<HeldResponder> held)
    {
        const QObject *server = held->m_server.data();
        if (server && server->thread() != QThread::currentThread()) {
            QMetaObject::invokeMethod(const_cast<QObject *>(server), afterwork::detail::handedOff([held] { held->release(); }),
                                      Qt::QueuedConnection);
            return;
        }
        held->release();
    }

private:
    void destroyOwned()
    {
        if (!m_owned)
            return;
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
        // Qt 6.8's responder tells its connection's stream object when it dies. If that object is
        // gone (the server is being destroyed, or it deleted a connection the client had left), it
        // must not be told: the few bytes of the responder are left behind on purpose.
        if (!m_stream || !m_server) {
            (void)m_owned.release();
            return;
        }
#endif
        m_owned.reset();
    }

    QHttpServerResponder *m_borrowed;              //!< QHttpServer's, during the handler call only
    std::unique_ptr<QHttpServerResponder> m_owned; //!< taken over when the handler left it unanswered
    QPointer<QTcpSocket> m_socket;
    QPointer<QObject> m_stream;
    QPointer<const QObject> m_server;
    QMetaObject::Connection m_onDisconnected;
};

//! Writes as much of \a bytes as the kernel takes now, straight to \a socket's descriptor, when
//! nothing is queued ahead of it; returns how many bytes went (0 when it did not try). A write
//! through QTcpSocket only buffers: the bytes go out on the next pass of the event loop, after a
//! write notifier is switched on and off again, each a wake-up of the loop (docs/performance.md,
//! "4e and 4f: the response's own write"). Only a plain QTcpSocket: a subclass (QSslSocket, say)
//! must see every byte.
qint64 sendNow(QTcpSocket *socket, const QByteArray &bytes)
{
#if defined(Q_OS_UNIX) && defined(MSG_NOSIGNAL) && defined(MSG_DONTWAIT)
    if (socket->metaObject() != &QTcpSocket::staticMetaObject || socket->bytesToWrite() != 0)
        return 0;
    const qintptr descriptor = socket->socketDescriptor();
    if (descriptor < 0)
        return 0;
    const ssize_t sent = ::send(int(descriptor), bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
    return sent > 0 ? qint64(sent) : 0; // a full buffer or an error: QTcpSocket writes it, and sees the error
#else
    Q_UNUSED(socket);
    Q_UNUSED(bytes);
    return 0;
#endif
}

//! One response's way out. We write the bytes ourselves, compact and in one go, and watch the
//! socket through a QPointer, since QHttpServer deletes a socket once its client has gone.
class QtResponseChannel final : public ResponseChannel
{
public:
    //! \a responder is QHttpServer's, valid until keepResponderIfUnanswered() is called.
    QtResponseChannel(QHttpServerResponder &responder, QTcpSocket *socket, const QObject *server,
                      std::weak_ptr<WrittenResponses> writtenResponses)
        : m_held(std::make_shared<HeldResponder>(responder, socket, server))
        , m_socket(socket)
        , m_writtenResponses(std::move(writtenResponses))
    {
    }

    ~QtResponseChannel() override { HeldResponder::releaseFromAnyThread(std::move(m_held)); }

    //! Call as the handler returns.
    void keepResponderIfUnanswered() { m_held->keepIfUnanswered(); }

    bool isOpen() const override { return m_socket && m_socket->state() == QAbstractSocket::ConnectedState; }

    bool write(const Response &response, bool closeConnection) override
    {
        if (!isOpen())
            return false;
        const QByteArray bytes = serializeResponse(response, closeConnection);
        const qint64 sent = closeConnection ? 0 : sendNow(m_socket, bytes);
        if (sent == 0)
            m_socket->write(bytes); // shared with the socket's buffer, not copied
        else if (sent < bytes.size())
            m_socket->write(bytes.constData() + sent, bytes.size() - sent);
        if (closeConnection)
            m_socket->disconnectFromHost(); // closes once the bytes are out, emitting bytesWritten until then
        m_held->release(); // lets the server read the connection's next request
        return true;
    }

    void whenWritten(std::function<void(bool written)> done) override
    {
        if (QTcpSocket *socket = m_socket.data()) {
            if (const auto writtenResponses = m_writtenResponses.lock())
                writtenResponses->watch(socket, std::move(done));
            else
                ResponseWatcher::of(socket)->watch(std::move(done));
        } else if (done) {
            QTimer::singleShot(0, [done = std::move(done)] { done(false); });
        }
    }

private:
    std::shared_ptr<HeldResponder> m_held;
    QPointer<QTcpSocket> m_socket;
    std::weak_ptr<WrittenResponses> m_writtenResponses; // the adapter's, gone with it
};

//! Answers a request that has nowhere to go (the router is gone, or its connection was not found).
void answerDirectly(QHttpServerResponder &responder, int status, const char *detail)
{
    const Response response = Response::error(status, QString::fromLatin1(detail));
    responder.write(response.body(), QByteArrayLiteral("application/json"),
                    static_cast<QHttpServerResponder::StatusCode>(status));
}

#if AFTERWORK_FIND_SOCKET_BY_PEER
//! The open connections of the listeners the adapter made, by their local and peer address and
//! port: no two open TCP connections share all four.
class ConnectionIndex
{
public:
    void add(QTcpSocket *socket)
    {
        const Key key = keyOf(socket);
        m_sockets->insert(key, socket);
        QObject::connect(socket, &QObject::destroyed, [self = std::weak_ptr(m_sockets), key, socket] {
            // A newer connection may have taken the key over; only our own entry goes.
            if (const auto index = self.lock(); index && index->value(key) == socket)
                index->remove(key);
        });
    }

    //! The connection \a request came on: one of ours, else one of \a server's descendants
    //! (a QTcpServer the application bound itself); nullptr if none (not TCP).
    QTcpSocket *find(const QHttpServerRequest &request, const QObject *server) const
    {
        const Key key{request.localPort(), request.remotePort(), request.localAddress(), request.remoteAddress()};
        if (QTcpSocket *socket = m_sockets->value(key))
            return socket;
        for (QTcpSocket *socket : server->findChildren<QTcpSocket *>()) {
            if (keyOf(socket) == key)
                return socket;
        }
        return nullptr;
    }

private:
    struct Key
    {
        quint16 localPort;
        quint16 peerPort;
        QHostAddress local;
        QHostAddress peer;
        friend bool operator==(const Key &, const Key &) = default;
        friend size_t qHash(const Key &key, size_t seed = 0) noexcept
        {
            return qHashMulti(seed, key.localPort, key.peerPort, key.local, key.peer);
        }
    };
    static Key keyOf(const QTcpSocket *socket)
    {
        return Key{socket->localPort(), socket->peerPort(), socket->localAddress(), socket->peerAddress()};
    }
    using Map = QHash<Key, QTcpSocket *>;
    std::shared_ptr<Map> m_sockets = std::make_shared<Map>(); // shared: sockets may outlive the index
};
#endif

} // namespace

struct ServerAdapter::Shared
{
    explicit Shared(AdapterCallbacks callbacks)
        : callbacks(std::move(callbacks))
        , writtenResponses(std::make_shared<WrittenResponses>())
    {
    }

    AdapterCallbacks callbacks;
    std::shared_ptr<WrittenResponses> writtenResponses; // The server's thread only, as deliver()
#if AFTERWORK_FIND_SOCKET_BY_PEER
    ConnectionIndex connections;
#endif

    QTcpSocket *socketOf(const QHttpServerRequest &request, QHttpServerResponder &responder, const QObject *server) const
    {
#if AFTERWORK_FIND_SOCKET_BY_PEER
        Q_UNUSED(responder);
        return connections.find(request, server);
#else
        Q_UNUSED(request);
        Q_UNUSED(server);
        return responder.socket();
#endif
    }

    //! Runs inside QHttpServer's handler call; \a responder is QHttpServer's own.
    void deliver(const QHttpServerRequest &request, QHttpServerResponder &responder, const QObject *server) noexcept
    {
        std::shared_ptr<QtResponseChannel> channel;
        try {
            QTcpSocket *socket = socketOf(request, responder, server);
            if (!socket) {
                qCCritical(lcHttp) << "no open TCP connection matches a request (closed already, or not TCP); answering 500";
                answerDirectly(responder, 500, "Internal Server Error");
                return;
            }
            // Take everything now: the server reuses this request object for the next request.
            IncomingRequest incoming;
            incoming.method = methodText(request.method());
            incoming.url = request.url();
            incoming.encodedPath = incoming.url.path(QUrl::FullyEncoded);
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
            // Qt 6.8 returns the headers as QHttpHeaders, names lower-case (6.4: the list of pairs as received).
            incoming.headers = request.headers().toListOfPairs();
#else
            incoming.headers = request.headers();
#endif
            incoming.body = request.body();
            incoming.peer = request.remoteAddress();
            channel = std::make_shared<QtResponseChannel>(responder, socket, server, writtenResponses);
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
        if (channel)
            channel->keepResponderIfUnanswered();
    }
};

ServerAdapter::ServerAdapter(QHttpServer *server, AdapterCallbacks callbacks, GuardLimits limits)
    : m_server(server)
    , m_shared(std::make_shared<Shared>(std::move(callbacks)))
    , m_limits(limits)
{
    Q_ASSERT(server);
    const std::weak_ptr<Shared> weak = m_shared;
    const ClaimingRule::Claims claims = [weak](const QString &path, const QByteArray &method) {
        const auto shared = weak.lock();
        return shared && shared->callbacks.claims(path, method);
    };
    // Both go to the router; once it is gone, a claimed path is unavailable and others are unknown.
    const auto deliverOr = [weak, server](int status, const char *detail) {
        return [weak, server, status, detail](const QHttpServerRequest &request, ResponderArgument responder) {
            if (const auto shared = weak.lock())
                shared->deliver(request, responder, server);
            else
                answerDirectly(responder, status, detail);
        };
    };
    auto handler = deliverOr(503, "Service Unavailable");
    auto missingHandler = deliverOr(404, "Not Found");
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    // Qt 6.8: route<Rule>() builds the rule itself from (path, context, handler), so a rule with
    // more state is added to the router directly; its handler also receives the path's match.
    using NoCaptures = void (*)(const QHttpServerRequest &, QHttpServerResponder &);
    auto rule = std::make_unique<ClaimingRule>(
        QStringLiteral("/"), server, claims,
        [handler](const QRegularExpressionMatch &, const QHttpServerRequest &request, QHttpServerResponder &responder) {
            handler(request, responder);
        });
    const bool added = server->router()->addRule<NoCaptures>(std::move(rule)) != nullptr;
    // Qt 6.8: the missing handler takes a context object too.
    server->setMissingHandler(server, std::move(missingHandler));
#else
    const bool added = server->route<ClaimingRule>(QStringLiteral("/"), claims, std::move(handler));
    server->setMissingHandler(std::move(missingHandler));
#endif
    if (!added)
        qCCritical(lcHttp) << "QHttpServer refused the router's rule; no route will be served";
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    // Qt 6.5 answers `Expect: 100-continue` itself; 6.4 leaves the client waiting.
    m_limits.sendContinue = false;
#endif
}

ServerAdapter::~ServerAdapter() = default;

quint16 ServerAdapter::listen(const QHostAddress &address, quint16 port)
{
    if (!m_server)
        return 0;
    ConnectionAccepted accepted;
#if AFTERWORK_FIND_SOCKET_BY_PEER
    accepted = [weak = std::weak_ptr<Shared>(m_shared)](QTcpSocket *socket) {
        if (const auto shared = weak.lock())
            shared->connections.add(socket);
    };
#endif
    auto *tcpServer = new GuardedTcpServer(m_limits, std::move(accepted));
    if (!tcpServer->listen(address, port)) {
        qCWarning(lcHttp).noquote() << "cannot listen on" << address.toString() << port << ":" << tcpServer->errorString();
        delete tcpServer;
        return 0;
    }
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    // Qt 6.8's bind() says whether it took the server (6.4 returns nothing).
    if (!m_server->bind(tcpServer)) {
        qCWarning(lcHttp) << "QHttpServer refused its listening socket";
        delete tcpServer;
        return 0;
    }
#else
    m_server->bind(tcpServer); // takes ownership
#endif
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
