// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/http/response.h>

#include <QtCore/QAnyStringView>
#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QString>
#include <QtCore/QUrl>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QHostAddress>

#include <optional>
#include <type_traits>

namespace afterwork::http {

//! Inclusive bounds for a numeric parameter, FastAPI's `Query(ge=..., le=...)`.
template<typename T>
struct Bounds
{
    std::optional<T> ge; //!< the value must be >= ge
    std::optional<T> le; //!< the value must be <= le
};

namespace detail {
template<typename T>
concept ParamType = std::is_same_v<T, QString> || std::is_same_v<T, bool> || std::is_same_v<T, int>
    || std::is_same_v<T, qint64> || std::is_same_v<T, quint64> || std::is_same_v<T, double>;

enum class ParamSource : quint8 { Query, Path };

//! Converts \a text to T or throws HttpError 422 naming `[source, name]` (FastAPI's wording).
template<ParamType T>
T convertParam(const QString &text, ParamSource source, QAnyStringView name);
template<ParamType T>
void checkBounds(const T &value, const Bounds<T> &bounds, ParamSource source, QAnyStringView name);
[[noreturn]] void throwMissing(ParamSource source, QAnyStringView name);
} // namespace detail

//! One HTTP request, as a value: a copy of what QHttpServer parsed (its request object is reused
//! for the next request on the connection, so nothing here refers to it). Cheap to copy.
//!
//! The typed accessors answer bad input the way FastAPI does: a missing or malformed parameter
//! throws HttpError 422 whose detail names it, a malformed JSON body throws HttpError 400.
class Request
{
public:
    Request() = default;
    //! What the router makes of each request; \a headers as received, in order.
    Request(quint64 id, QByteArray method, QUrl url, HeaderList headers, QByteArray body, QHostAddress peer);

    quint64 id() const { return m_id; }          //!< the request id tasks and request events carry
    const QByteArray &method() const { return m_method; } //!< "GET", "POST", ...
    QString path() const { return m_url.path(); } //!< the URL's path, decoded
    const QUrl &url() const { return m_url; }     //!< the request target, as received
    QUrlQuery query() const { return QUrlQuery(m_url); } //!< the whole query; see also query<T>()
    //! A header by case-insensitive name (the first of a repeated one); empty when absent.
    QByteArray header(QByteArrayView name) const;
    //! Every header in the order received (Qt 6.8's QHttpServer gives the names in lower case).
    const HeaderList &headers() const { return m_headers; }
    const QByteArray &body() const { return m_body; }   //!< the body's bytes, as received
    const QHostAddress &peer() const { return m_peer; } //!< the client's address

    //! The raw text of a query parameter (decoded), or nullopt when absent.
    //! Parameters are named by any string type (a literal costs no allocation).
    std::optional<QString> queryText(QAnyStringView name) const;
    //! The raw text of a `{name}` path parameter, or nullopt if the route has none of that name.
    std::optional<QString> pathText(QAnyStringView name) const;

    //! A required query parameter (`?name=value`): 422 when missing or not a T.
    template<detail::ParamType T>
    T query(QAnyStringView name, Bounds<T> bounds = {}) const
    {
        const std::optional<QString> text = queryText(name);
        if (!text)
            detail::throwMissing(detail::ParamSource::Query, name);
        return checked<T>(*text, detail::ParamSource::Query, name, bounds);
    }
    //! An optional query parameter: \a fallback when absent, 422 when present but not a T.
    template<detail::ParamType T>
    T query(QAnyStringView name, const T &fallback, Bounds<T> bounds = {}) const
    {
        const std::optional<QString> text = queryText(name);
        if (!text)
            return fallback;
        return checked<T>(*text, detail::ParamSource::Query, name, bounds);
    }
    //! A `{name}` path parameter: 422 when it is not a T.
    template<detail::ParamType T>
    T path(QAnyStringView name, Bounds<T> bounds = {}) const
    {
        const std::optional<QString> text = pathText(name);
        if (!text)
            detail::throwMissing(detail::ParamSource::Path, name);
        return checked<T>(*text, detail::ParamSource::Path, name, bounds);
    }

    //! The body parsed as JSON: 400 when it is not valid JSON, 422 when it is empty.
    QJsonValue json() const;
    //! The body as a JSON object (FastAPI's `body: dict`): 400 when malformed, 422 when empty or
    //! not an object.
    QJsonObject jsonObject() const;

    //! Set by the router once the route is known.
    void setPathParams(QHash<QString, QString> params) { m_pathParams = std::move(params); }

private:
    template<detail::ParamType T>
    static T checked(const QString &text, detail::ParamSource source, QAnyStringView name, const Bounds<T> &bounds)
    {
        T value = detail::convertParam<T>(text, source, name);
        if constexpr (!std::is_same_v<T, QString> && !std::is_same_v<T, bool>)
            detail::checkBounds<T>(value, bounds, source, name);
        return value;
    }

    quint64 m_id = 0;
    QByteArray m_method;
    QUrl m_url;
    //! QHttpServer's own list, shared rather than copied into a hash: a request reads a header or
    //! two, if any, and a search of a dozen names costs less than building the hash.
    HeaderList m_headers;
    QByteArray m_body;
    QHostAddress m_peer;
    QHash<QString, QString> m_pathParams;
    //! The query's parameters (name, value), decoded once here rather than per read (a route
    //! reading eight parameters re-parsed the whole query eight times: the largest cost of a task
    //! route). A list, repeats included, searched in order, so the first occurrence of a name
    //! wins, as with QUrlQuery::queryItemValue(): a query has a handful of parameters, and a hash
    //! would need every name read made into a QString first.
    QList<std::pair<QString, QString>> m_queryParams;
};

} // namespace afterwork::http
