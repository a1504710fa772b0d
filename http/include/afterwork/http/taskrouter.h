// SPDX-License-Identifier: MIT
#pragma once

//! \file
//! The HTTP integration: routes for a QHttpServer whose handlers get a per-request Tasks, with the
//! three timing modes (docs/http.md). Every QHttpServer call lives in one adapter (src/qhttpserveradapter.cpp).
//!
//! \code
//! QHttpServer server;
//! afterwork::TaskEngine engine;
//! afterwork::http::TaskRouter router(&server, &engine);
//! router.route("/notify", Method::Post, [](const Request &req, Tasks &tasks) {
//!     tasks.task({.name = "send_welcome_email"}).schedule(sendEmail, req.query<QString>("email"), "Welcome!");
//!     return Json{{"status", "ok"}};
//! });
//! router.listen(QHostAddress::LocalHost, 8000);
//! \endcode

#include <afterwork/http/request.h>
#include <afterwork/http/requestevent.h>
#include <afterwork/http/responder.h>
#include <afterwork/http/response.h>
#include <afterwork/http/tasks.h>

#include <QtCore/QObject>
#include <QtNetwork/QHostAddress>

#include <functional>
#include <memory>
#include <type_traits>

QT_BEGIN_NAMESPACE
class QHttpServer;
QT_END_NAMESPACE

namespace afterwork {
class EventPublisher;
class TaskEngine;
}

namespace afterwork::http {

//! The HTTP methods a route may answer; methodName() spells them.
enum class Method : quint8 { Get, Post, Put, Patch, Delete, Head, Options };

//! "GET", "POST", ...
QByteArray methodName(Method method);

//! Limits on what a TaskRouter accepts; the third argument of its constructor.
struct RouterOptions
{
    //! Bodies above this get 413. With listen(), a larger announced Content-Length is refused as
    //! soon as the headers arrive (QHttpServer would otherwise buffer any size in memory).
    qint64 maxBodyBytes = 1024 * 1024;
    //! With listen(): request headers above this get 431 and the connection is closed.
    qint64 maxHeaderBytes = 64 * 1024;
};

namespace detail {
class RouterCore;
using RouteHandler = std::function<void(const Request &, Tasks &, Responder)>;

template<typename R>
constexpr bool isResponseLike = std::is_constructible_v<Response, R>;

//! Adapts every accepted handler form to the deferred one.
template<typename F>
RouteHandler makeRouteHandler(F &&handler);
} // namespace detail

//! Routes for one QHttpServer, each handler receiving the request and a per-request Tasks.
//!
//! Accepted handler forms (R is Response, Json, QJsonObject or QJsonArray):
//!  - `R(const Request &, Tasks &)`, `R(const Request &)`, `R(Tasks &)`, `R()`;
//!  - deferred: `void(const Request &, Tasks &, Responder)`, answering later through the Responder.
//! Handlers run on the server's thread and may throw: HttpError answers with its status, anything
//! else with a 500; either way the after-route and after-response batches are dropped.
//!
//! Paths are FastAPI-style patterns: `/process/{user_id}` (one `{name}` per segment, read with
//! `req.path<int>("user_id")`). Unknown paths get 404 JSON, a known path with another method
//! 405 JSON with an Allow header. All responses are compact JSON.
//!
//! Lifetime: create it after the server and engine, destroy it before them. Requests still in
//! flight when it is destroyed are answered 503 (or left to the client to time out if already
//! written). Not thread-safe: use it from the server's thread.
class TaskRouter final : public QObject
{
    Q_OBJECT
public:
    //! Routes \a server's requests, each with a TaskScope of \a engine (see Tasks). Neither is
    //! owned; both must outlive the router.
    TaskRouter(QHttpServer *server, TaskEngine *engine, RouterOptions options = {}, QObject *parent = nullptr);
    ~TaskRouter() override;

    //! Answers \a method requests to paths matching \a pattern with \a handler, of one of the
    //! forms above. get() and post() are the same for Method::Get and Method::Post.
    //! @{
    template<typename F>
    void route(const QString &pattern, Method method, F &&handler)
    {
        addRoute(pattern, method, detail::makeRouteHandler(std::forward<F>(handler)));
    }
    template<typename F>
    void get(const QString &pattern, F &&handler) { route(pattern, Method::Get, std::forward<F>(handler)); }
    template<typename F>
    void post(const QString &pattern, F &&handler) { route(pattern, Method::Post, std::forward<F>(handler)); }
    //! @}

    //! Listens on \a address:\a port (0: a free port) with the header guard (early 413/431, and
    //! `Expect: 100-continue`, which QHttpServer 6.4 ignores). Returns the port, 0 on failure.
    //! Binding a listening QTcpServer of your own (QHttpServer::bind()) works too, without the guard.
    quint16 listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    QList<quint16> ports() const; //!< the ports the server listens on now

    //! For graceful shutdown: closes every listening socket of the server; requests arriving later
    //! on connections that are still open get 503 and `Connection: close`.
    void stopAccepting();
    bool isAccepting() const; //!< true until stopAccepting()
    //! Requests received whose response is not yet written (or whose client is not yet gone).
    int inFlight() const;

Q_SIGNALS:
    //! One step of one request, on the server's thread, in order per request.
    void requestEvent(const afterwork::http::RequestEvent &event);
    //! inFlight() dropped to 0.
    void idle();

private:
    void addRoute(const QString &pattern, Method method, detail::RouteHandler handler);
    friend class detail::RouterCore;
    std::shared_ptr<detail::RouterCore> d; // Owning (shared with requests in flight).
};

//! Streams every request event of \a router as a `request` line on \a publisher, while the
//! publisher has a subscriber; with none, the router builds no events for it. Call it on the thread
//! of both (the server's). Returns the object that does it, a child of \a publisher: delete it to stop.
QObject *publishRequestEvents(TaskRouter *router, EventPublisher *publisher);

namespace detail {

template<typename F>
RouteHandler makeRouteHandler(F &&handler)
{
    using Fn = std::decay_t<F>;
    if constexpr (std::is_invocable_v<Fn &, const Request &, Tasks &, Responder>) {
        static_assert(std::is_void_v<std::invoke_result_t<Fn &, const Request &, Tasks &, Responder>>,
                      "A deferred Afterwork route (taking a Responder) must return void and answer "
                      "through responder.send().");
        return RouteHandler(std::forward<F>(handler));
    } else {
        auto call = [fn = Fn(std::forward<F>(handler))](const Request &request, Tasks &tasks) mutable -> decltype(auto) {
            if constexpr (std::is_invocable_v<Fn &, const Request &, Tasks &>)
                return fn(request, tasks);
            else if constexpr (std::is_invocable_v<Fn &, const Request &>)
                return fn(request);
            else if constexpr (std::is_invocable_v<Fn &, Tasks &>)
                return fn(tasks);
            else if constexpr (std::is_invocable_v<Fn &>)
                return fn();
            else
                static_assert(std::is_invocable_v<Fn &, const Request &, Tasks &>,
                              "An Afterwork route must be callable as f(const Request &, Tasks &), "
                              "f(const Request &), f(Tasks &), f(), or (deferred) "
                              "f(const Request &, Tasks &, Responder) returning void.");
        };
        using R = decltype(call(std::declval<const Request &>(), std::declval<Tasks &>()));
        static_assert(isResponseLike<R>,
                      "An Afterwork route must return a Response, a Json, a QJsonObject or a QJsonArray; "
                      "a deferred route takes a Responder and returns void.");
        return [call = std::move(call)](const Request &request, Tasks &tasks, Responder responder) mutable {
            responder.send(Response(call(request, tasks)));
        };
    }
}

} // namespace detail
} // namespace afterwork::http
