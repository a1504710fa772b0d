// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/http/taskrouter.h>

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QString>

#include <memory>
#include <vector>

namespace afterwork::http::detail {

//! The router's routes: FastAPI-style patterns (`/process/{user_id}`), each segment a literal or
//! one `{name}` parameter, matched against percent-encoded paths segment by segment. Used on the
//! router's thread only.
class RouteTable
{
public:
    //! Throws std::invalid_argument for a malformed pattern or a pattern+method already routed.
    void add(const QString &pattern, Method method, RouteHandler handler);

    struct Match
    {
        //! Null: no route for this path and method. Shared, so that a route added while a handler
        //! runs cannot pull the handler from under it.
        std::shared_ptr<RouteHandler> handler;
        QString pattern;
        QHash<QString, QString> pathParams;    //!< decoded
        bool pathKnown = false;                //!< some route has this path (then 405, else 404)
        QByteArray allowed;                    //!< for 405's Allow header: "GET, POST"
    };
    //! The route for \a encodedPath and \a method. The last answer is kept until the next call with
    //! another path or method, or add(): QHttpServer asks whether a path is ours and then delivers
    //! it, and the route found for the question serves the delivery. Copy the answer before any
    //! user code runs: a handler that spins an event loop may see the table answer another request.
    const Match &find(const QString &encodedPath, const QByteArray &method) const;
    //! Whether some route has \a encodedPath, whatever its method (find()'s pathKnown). \a method
    //! is for the answer find() keeps for the delivery.
    bool claims(const QString &encodedPath, const QByteArray &method) const { return find(encodedPath, method).pathKnown; }

private:
    struct Segment
    {
        QString text;   //!< the literal, or the parameter's name
        bool isParam = false;
    };
    struct Route
    {
        QString pattern;
        QList<Segment> segments;
        Method method;
        std::shared_ptr<RouteHandler> handler;
    };
    static QList<Segment> parse(const QString &pattern);
    //! Whether \a route matches a path of \a segments (already decoded).
    static bool matches(const Route &route, const QStringList &segments);
    //! The `{name}` parameters of a path of \a segments that \a route matches.
    static QHash<QString, QString> paramsOf(const Route &route, const QStringList &segments);
    Match lookUp(const QString &encodedPath, const QByteArray &method) const;

    std::vector<Route> m_routes;
    mutable bool m_kept = false;
    mutable QString m_lastPath;
    mutable QByteArray m_lastMethod;
    mutable Match m_lastMatch;
};

} // namespace afterwork::http::detail
