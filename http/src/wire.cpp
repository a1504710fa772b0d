// SPDX-License-Identifier: MIT
#include "wire.h"

#include <afterwork/protocol/json.h>

#include <QtCore/QJsonValue>

namespace afterwork::http::detail {

QByteArray serializeResponse(const Response &response, bool closeConnection)
{
    // One buffer, sized once, and numbers written into it rather than through QByteArray::number()
    // temporaries: this runs for every response (docs/performance.md, "4e-4g").
    QByteArray bytes;
    bytes.reserve(160 + response.body().size());
    bytes.append("HTTP/1.1 ");
    protocol::json::appendInteger(bytes, response.status());
    bytes.append(' ');
    bytes.append(reasonPhrase(response.status()));
    bytes.append("\r\nContent-Type: ");
    bytes.append(response.contentType());
    bytes.append("\r\nContent-Length: ");
    protocol::json::appendInteger(bytes, response.body().size());
    for (const auto &[name, value] : response.headers()) {
        bytes.append("\r\n");
        bytes.append(name);
        bytes.append(": ");
        bytes.append(value);
    }
    if (closeConnection)
        bytes.append("\r\nConnection: close");
    bytes.append("\r\n\r\n");
    bytes.append(response.body());
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

bool isHeaderNamed(QByteArrayView name, QByteArrayView wanted)
{
    return name.size() == wanted.size() && name.compare(wanted, Qt::CaseInsensitive) == 0;
}

QByteArray continueResponse()
{
    return QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n");
}

} // namespace afterwork::http::detail
