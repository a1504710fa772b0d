// SPDX-License-Identifier: MIT
#include "routetable.h"

#include <QtCore/QRegularExpression>
#include <QtCore/QUrl>

#include <stdexcept>

namespace afterwork::http::detail {

namespace {

QStringList splitPath(const QString &path)
{
    return path.split(QLatin1Char('/'));
}

//! \a encodedPath's segments, split at '/' and then decoded, once per look-up: matching used to
//! decode every segment again for every route, most of a small request's cost in the router.
QStringList decodedSegments(const QString &encodedPath)
{
    QStringList segments = splitPath(encodedPath);
    for (QString &segment : segments) {
        if (segment.contains(QLatin1Char('%'))) // otherwise decoding gives the same text back
            segment = QUrl::fromPercentEncoding(segment.toUtf8());
    }
    return segments;
}

} // namespace

QList<RouteTable::Segment> RouteTable::parse(const QString &pattern)
{
    if (!pattern.startsWith(QLatin1Char('/')))
        throw std::invalid_argument("a route pattern starts with '/': " + pattern.toStdString());
    static const QRegularExpression paramName(QStringLiteral("^\\{([A-Za-z_][A-Za-z0-9_]*)\\}$"));
    QList<Segment> segments;
    QStringList seen;
    for (const QString &part : splitPath(pattern)) {
        if (const auto match = paramName.match(part); match.hasMatch()) {
            const QString name = match.captured(1);
            if (seen.contains(name))
                throw std::invalid_argument("a route pattern names a parameter twice: " + pattern.toStdString());
            seen << name;
            segments.append({name, true});
        } else if (part.contains(QLatin1Char('{')) || part.contains(QLatin1Char('}'))) {
            throw std::invalid_argument("a path parameter takes a whole segment, as in /users/{id}: "
                                        + pattern.toStdString());
        } else {
            segments.append({part, false});
        }
    }
    return segments;
}

void RouteTable::add(const QString &pattern, Method method, RouteHandler handler)
{
    if (!handler)
        throw std::invalid_argument("a route needs a handler: " + pattern.toStdString());
    Route route{pattern, parse(pattern), method, std::make_shared<RouteHandler>(std::move(handler))};
    for (const Route &existing : m_routes) {
        if (existing.method == method && existing.pattern == pattern)
            throw std::invalid_argument("this path and method already have a route: " + methodName(method).toStdString()
                                        + ' ' + pattern.toStdString());
    }
    m_routes.push_back(std::move(route));
    m_kept = false; // the kept answer may no longer be the right one
}

bool RouteTable::matches(const Route &route, const QStringList &segments)
{
    if (route.segments.size() != segments.size())
        return false;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const Segment &expected = route.segments.at(i);
        if (expected.isParam ? segments.at(i).isEmpty() : expected.text != segments.at(i))
            return false;
    }
    return true;
}

QHash<QString, QString> RouteTable::paramsOf(const Route &route, const QStringList &segments)
{
    QHash<QString, QString> params;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        if (route.segments.at(i).isParam)
            params.insert(route.segments.at(i).text, segments.at(i));
    }
    return params;
}

const RouteTable::Match &RouteTable::find(const QString &encodedPath, const QByteArray &method) const
{
    if (!m_kept || encodedPath != m_lastPath || method != m_lastMethod) {
        m_lastMatch = lookUp(encodedPath, method);
        m_lastPath = encodedPath;
        m_lastMethod = method;
        m_kept = true;
    }
    return m_lastMatch;
}

RouteTable::Match RouteTable::lookUp(const QString &encodedPath, const QByteArray &method) const
{
    Match result;
    const QStringList segments = decodedSegments(encodedPath);
    QList<QByteArray> allowed;
    for (const Route &route : m_routes) {
        if (!matches(route, segments))
            continue;
        result.pathKnown = true;
        if (methodName(route.method) == method) {
            result.handler = route.handler;
            result.pattern = route.pattern;
            result.pathParams = paramsOf(route, segments);
            return result;
        }
        if (!allowed.contains(methodName(route.method)))
            allowed << methodName(route.method);
    }
    result.allowed = allowed.join(", ");
    return result;
}

} // namespace afterwork::http::detail
