// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/http/json.h>

#include <QtCore/QByteArray>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtCore/QString>

#include <stdexcept>

namespace afterwork::http {

using HeaderList = QList<QPair<QByteArray, QByteArray>>; //!< (name, value) pairs, in order

//! The value of the first header in \a headers named \a name, compared case-insensitively; empty
//! when there is none.
QByteArray headerValue(const HeaderList &headers, QByteArrayView name);

//! An HTTP response: a status, a body and its content type. JSON bodies are always sent compact
//! (QHttpServerResponder::write(QJsonDocument) would indent them).
class Response
{
public:
    //! 200 (or \a status) with \a body's text; lets a route `return Json{...};`.
    Response(const Json &body, int status = 200);
    //! 200 (or \a status) with a compact JSON object; lets a route `return QJsonObject{...};`.
    Response(const QJsonObject &body, int status = 200);
    //! 200 (or \a status) with a compact JSON array; lets a route `return QJsonArray{...};`.
    Response(const QJsonArray &body, int status = 200);

    //! \a status with any JSON value, compact, as `application/json`.
    static Response json(const QJsonValue &body, int status = 200);
    //! FastAPI's error shape: `{"detail": detail}`.
    static Response error(int status, const QJsonValue &detail);
    //! \a status with \a body as it is, sent as \a contentType.
    static Response raw(QByteArray body, QByteArray contentType, int status = 200);

    //! Adds a header (Content-Type and Content-Length are set by the router).
    Response &addHeader(QByteArray name, QByteArray value);

    int status() const { return m_status; }                         //!< the HTTP status code
    const QByteArray &body() const { return m_body; }               //!< the body's bytes
    const QByteArray &contentType() const { return m_contentType; } //!< its Content-Type
    const HeaderList &headers() const { return m_headers; }         //!< those added by addHeader()

private:
    Response() = default;
    int m_status = 200;
    QByteArray m_body;
    QByteArray m_contentType;
    HeaderList m_headers;
};

//! The reason phrase of an HTTP status ("Unprocessable Entity"); "Unknown" for unlisted codes.
QByteArray reasonPhrase(int status);

//! Thrown by a route (or by Request's parameter accessors) to answer with \a status and
//! `{"detail": detail}`, like FastAPI's HTTPException. The route counts as failed: its
//! after-route and after-response batches are dropped, its immediate tasks keep running.
class HttpError : public std::runtime_error
{
public:
    //! Answers with \a status, `{"detail": detail}` and \a headers; what() says the same in one line.
    HttpError(int status, QJsonValue detail, HeaderList headers = {});

    int status() const { return m_status; }                 //!< the HTTP status code to answer with
    const QJsonValue &detail() const { return m_detail; }   //!< the body's `detail`
    const HeaderList &headers() const { return m_headers; } //!< extra response headers
    Response toResponse() const; //!< the response it stands for: Response::error() plus its headers

    //! 422 with FastAPI's (pydantic 2) validation detail:
    //! `{"detail": [{"type": type, "loc": loc, "msg": message, "input": input}]}`.
    static HttpError validation(const QJsonArray &loc, const QString &type, const QString &message,
                                const QJsonValue &input = QJsonValue::Null, const QJsonObject &ctx = {});

private:
    int m_status;
    QJsonValue m_detail;
    HeaderList m_headers;
};

} // namespace afterwork::http
