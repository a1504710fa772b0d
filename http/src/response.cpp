// SPDX-License-Identifier: MIT
#include <afterwork/http/response.h>

#include "wire.h"

namespace afterwork::http {

namespace {
const QByteArray jsonType = QByteArrayLiteral("application/json");
}

Response::Response(const Json &body, int status)
    : m_status(status)
    , m_body(body.bytes())
    , m_contentType(jsonType)
{
}

Response::Response(const QJsonObject &body, int status)
    : m_status(status)
    , m_body(detail::compactJsonBytes(body))
    , m_contentType(jsonType)
{
}

Response::Response(const QJsonArray &body, int status)
    : m_status(status)
    , m_body(detail::compactJsonBytes(body))
    , m_contentType(jsonType)
{
}

Response Response::json(const QJsonValue &body, int status)
{
    Response response;
    response.m_status = status;
    response.m_body = detail::compactJsonBytes(body);
    response.m_contentType = jsonType;
    return response;
}

Response Response::error(int status, const QJsonValue &detail)
{
    return Response(QJsonObject{{QStringLiteral("detail"), detail}}, status);
}

Response Response::raw(QByteArray body, QByteArray contentType, int status)
{
    Response response;
    response.m_status = status;
    response.m_body = std::move(body);
    response.m_contentType = std::move(contentType);
    return response;
}

QByteArray headerValue(const HeaderList &headers, QByteArrayView name)
{
    for (const auto &[key, value] : headers) {
        if (detail::isHeaderNamed(key, name))
            return value;
    }
    return {};
}

Response &Response::addHeader(QByteArray name, QByteArray value)
{
    m_headers.append({std::move(name), std::move(value)});
    return *this;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return QByteArrayLiteral("Continue");
    case 200: return QByteArrayLiteral("OK");
    case 201: return QByteArrayLiteral("Created");
    case 202: return QByteArrayLiteral("Accepted");
    case 204: return QByteArrayLiteral("No Content");
    case 301: return QByteArrayLiteral("Moved Permanently");
    case 302: return QByteArrayLiteral("Found");
    case 304: return QByteArrayLiteral("Not Modified");
    case 400: return QByteArrayLiteral("Bad Request");
    case 401: return QByteArrayLiteral("Unauthorized");
    case 403: return QByteArrayLiteral("Forbidden");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 408: return QByteArrayLiteral("Request Timeout");
    case 409: return QByteArrayLiteral("Conflict");
    case 413: return QByteArrayLiteral("Content Too Large");
    case 415: return QByteArrayLiteral("Unsupported Media Type");
    case 422: return QByteArrayLiteral("Unprocessable Entity");
    case 429: return QByteArrayLiteral("Too Many Requests");
    case 431: return QByteArrayLiteral("Request Header Fields Too Large");
    case 500: return QByteArrayLiteral("Internal Server Error");
    case 501: return QByteArrayLiteral("Not Implemented");
    case 502: return QByteArrayLiteral("Bad Gateway");
    case 503: return QByteArrayLiteral("Service Unavailable");
    case 504: return QByteArrayLiteral("Gateway Timeout");
    default: return QByteArrayLiteral("Unknown");
    }
}

HttpError::HttpError(int status, QJsonValue body, HeaderList headers)
    : std::runtime_error("HTTP " + std::to_string(status) + ": " + detail::compactJsonBytes(body).toStdString())
    , m_status(status)
    , m_detail(std::move(body))
    , m_headers(std::move(headers))
{
}

Response HttpError::toResponse() const
{
    Response response = Response::error(m_status, m_detail);
    for (const auto &[name, value] : m_headers)
        response.addHeader(name, value);
    return response;
}

HttpError HttpError::validation(const QJsonArray &loc, const QString &type, const QString &message,
                                const QJsonValue &input, const QJsonObject &ctx)
{
    QJsonObject error{{QStringLiteral("type"), type},
                      {QStringLiteral("loc"), loc},
                      {QStringLiteral("msg"), message},
                      {QStringLiteral("input"), input}};
    if (!ctx.isEmpty())
        error.insert(QStringLiteral("ctx"), ctx);
    return HttpError(422, QJsonArray{error});
}

} // namespace afterwork::http
