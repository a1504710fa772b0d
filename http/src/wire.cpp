// SPDX-License-Identifier: MIT
#include "wire.h"

#include <afterwork/protocol/json.h>
#include <afterwork/protocol/rawwriter.h>

#include <QtCore/QJsonValue>

namespace afterwork::http::detail {

QByteArray serializeResponse(const Response &response, bool closeConnection)
{
    // One RawWriter in room sized once, numbers written in place: this runs for every response
    // (docs/performance.md, "4e-4g").
    using namespace protocol::detail;
    const QByteArray reason = reasonPhrase(response.status()); // a literal: no allocation
    const QByteArray &body = response.body();
    qsizetype headerBytes = 0;
    for (const auto &[name, value] : response.headers())
        headerBytes += name.size() + value.size() + 4; // "\r\n" and ": "
    QByteArray bytes;
    {
        RawWriter w(bytes, 96 + 2 * maxIntegerBytes + reason.size() + response.contentType().size() + headerBytes
                               + body.size());
        w.literal("HTTP/1.1 ");
        w.integer(response.status());
        w.character(' ');
        w.bytes(reason.constData(), reason.size());
        w.literal("\r\nContent-Type: ");
        w.bytes(response.contentType().constData(), response.contentType().size());
        w.literal("\r\nContent-Length: ");
        w.integer(body.size());
        for (const auto &[name, value] : response.headers()) {
            w.literal("\r\n");
            w.bytes(name.constData(), name.size());
            w.literal(": ");
            w.bytes(value.constData(), value.size());
        }
        if (closeConnection)
            w.literal("\r\nConnection: close");
        w.literal("\r\n\r\n");
        w.bytes(body.constData(), body.size());
    } // the writer trims `bytes` to what it wrote
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
