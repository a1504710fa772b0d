// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/protocol/wire.h>

#include <QtCore/QJsonObject>
#include <QtCore/QLatin1StringView>
#include <QtCore/QMetaType>
#include <QtCore/QObject>
#include <QtCore/QString>

#include <optional>

namespace afterwork::http {

//! The steps of a request are the event stream's RequestStage (<afterwork/protocol/wire.h>), spelled
//! by afterwork::wireName().
using afterwork::RequestStage;

//! A request step as a value; TaskRouter::requestEvent() carries it.
struct RequestEvent
{
    quint64 requestId = 0; //!< the `requestId` of the tasks the route scheduled
    QString method;        //!< "GET", "POST", ...
    QString path;          //!< the URL's path
    RequestStage stage = RequestStage::Received; //!< the step this event reports
    int status = 0;        //!< the response status; 0 while unknown (at `received`)
    qint64 timestampUs = 0; //!< wall clock, microseconds since the Unix epoch
    QString errorType;     //!< on `failed`: what the route threw ("HttpError" for an HttpError)
    QString errorMessage;  //!< on `failed`: the error's message (for a thrown exception, its what())

    //! The fields of the stream's `request` line (the publisher adds `v`, `seq`, `ts_us`, `kind`):
    //! `request`, `method`, `path`, `stage`, `status` (once known), and on `failed` an `error`
    //! object `{"type": ..., "message": ...}` shaped like a task's.
    QJsonObject toJson() const;
    //! The same fields, compact and without braces, for EventPublisher::publishEncoded().
    QByteArray encodedFields() const;
};

} // namespace afterwork::http

Q_DECLARE_METATYPE(afterwork::http::RequestEvent)
