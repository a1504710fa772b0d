// SPDX-License-Identifier: MIT
#include "wire.h"

#include <QtCore/QJsonDocument>

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
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2); // strip the brackets
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
