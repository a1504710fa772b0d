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
    QString error;         //!< on `failed`: what the route threw

    //! The stream's `request` line body: {"kind":"request","request":..,"method":..,"path":..,
    //! "stage":..,"status":..(once known),"ts_us":..,"error":..(on failed)}. The publisher adds
    //! `v` and `seq`.
    QJsonObject toJson() const;
};

} // namespace afterwork::http

Q_DECLARE_METATYPE(afterwork::http::RequestEvent)
