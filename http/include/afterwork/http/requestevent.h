// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QLatin1StringView>
#include <QtCore/QMetaType>
#include <QtCore/QObject>
#include <QtCore/QString>

#include <optional>

namespace afterwork::http {
Q_NAMESPACE

//! One step of one HTTP request. Every request the router sees goes
//! `received` → (`route_returned` | `failed`) → (`response_written` | `client_gone`);
//! requests no route takes (404, 405, 413, 503) skip the middle step.
enum class RequestStage : quint8 {
    Received,        //!< the request was parsed and routed; its task scope is open
    RouteReturned,   //!< the route produced its response (after-route tasks start now)
    ResponseWritten, //!< every byte was handed to the socket (after-response tasks start now)
    Failed,          //!< the route threw: error response, both batches dropped
    ClientGone,      //!< the client went away before the response was written (after-response tasks still start)
};
Q_ENUM_NS(RequestStage)

//! "received", "route_returned", "response_written", "failed", "client_gone".
QLatin1StringView wireName(RequestStage stage) noexcept;

//! A request step as a value; TaskRouter::requestEvent() carries it.
struct RequestEvent
{
    quint64 requestId = 0; //!< the `requestId` of the tasks the route scheduled
    QString method;
    QString path;
    RequestStage stage = RequestStage::Received;
    int status = 0;        //!< the response status; 0 while unknown (at `received`)
    qint64 timestampUs = 0; //!< wall clock, microseconds since the Unix epoch
    QString errorType;     //!< on `failed`: what the route threw ("HttpError" for an HttpError)
    QString errorMessage;

    //! The fields of the stream's `request` line (the publisher adds `v`, `seq`, `ts_us`, `kind`):
    //! `request`, `method`, `path`, `stage`, `status` (once known), and on `failed` an `error`
    //! object `{"type": ..., "message": ...}` shaped like a task's.
    QJsonObject toJson() const;
    //! The same fields, compact and without braces, for EventPublisher::publishEncoded().
    QByteArray encodedFields() const;
};

} // namespace afterwork::http

Q_DECLARE_METATYPE(afterwork::http::RequestEvent)
