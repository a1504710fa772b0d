// SPDX-License-Identifier: MIT
#include "wire.h"

#include <afterwork/protocol/json.h>

#include <QtCore/QJsonValue>

namespace afterwork::http::detail {

QByteArray serializeResponse(const Response &response, bool closeConnection)
{
    QByteArray bytes;
    bytes.reserve(160 + response.body().size());
    bytes += "HTTP/1.1 ";
    bytes += QByteArray::number(response.status());
    bytes += ' ';
    bytes += reasonPhrase(response.status());
    bytes += "\r\nContent-Type: ";
    bytes += response.contentType();
    bytes += "\r\nContent-Length: ";
    bytes += QByteArray::number(response.body().size());
    for (const auto &[name, value] : response.headers()) {
        bytes += "\r\n";
        bytes += name;
        bytes += ": ";
        bytes += value;
    }
    if (closeConnection)
        bytes += "\r\nConnection: close";
    bytes += "\r\n\r\n";
    bytes += response.body();
    return bytes;
}

QByteArray compactJsonBytes(const QJsonValue &value)
{
    // The stream's writer, the one escaping rule for all JSON Afterwork writes, rather than
    // QJsonDocument, which copies the value into a document first: ~13,800 instructions for the
    // demo's task-route answer against ~2,000 (docs/performance.md, "4e").
    QByteArray bytes;
    protocol::json::appendValue(bytes, value);
    return bytes;
}

QString compactJson(const QJsonValue &value)
{
    return QString::fromUtf8(compactJsonBytes(value));
}

QByteArray continueResponse()
{
    return QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n");
}

} // namespace afterwork::http::detail
