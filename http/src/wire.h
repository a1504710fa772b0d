// SPDX-License-Identifier: MIT
#pragma once

// HTTP/1.1 response bytes. Written by hand so that every response is one compact write with the
// headers we choose (QHttpServerResponder 6.4 indents JSON and cannot add headers dynamically).

#include <afterwork/http/response.h>

namespace afterwork::http::detail {

//! The whole response: status line, Content-Type, Content-Length, \a response's own headers,
//! `Connection: close` when \a closeConnection, then the body.
QByteArray serializeResponse(const Response &response, bool closeConnection);

//! Any JSON value as compact UTF-8, written as the event stream writes JSON (protocol/json.h).
QByteArray compactJsonBytes(const QJsonValue &value);
QString compactJson(const QJsonValue &value);

//! Whether a header's \a name is \a wanted: header names compare case-insensitively.
bool isHeaderNamed(QByteArrayView name, QByteArrayView wanted);

//! `HTTP/1.1 100 Continue`, the interim answer to `Expect: 100-continue`.
QByteArray continueResponse();

} // namespace afterwork::http::detail
