// SPDX-License-Identifier: MIT
#include <afterwork/http/request.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonParseError>

#include <algorithm>

namespace afterwork::http {

Request::Request(quint64 id, QByteArray method, QUrl url, HeaderList headers, QByteArray body, QHostAddress peer)
    : m_id(id)
    , m_method(std::move(method))
    , m_url(std::move(url))
    , m_headers(std::move(headers))
    , m_body(std::move(body))
    , m_peer(std::move(peer))
{
    if (!m_url.hasQuery())
        return;
    const QString query = m_url.query(QUrl::FullyEncoded); // fully encoded: ASCII
    const QStringView items(query);
    // A '+' in a query string means a space (form encoding); an encoded "%2B" stays a '+'. A part
    // with neither (`ms=0`) is plain ASCII: copied as it is.
    const auto decode = [](QStringView part) {
        if (std::none_of(part.begin(), part.end(), [](QChar c) { return c == u'%' || c == u'+'; }))
            return part.toString();
        QByteArray bytes = part.toLatin1();
        bytes.replace('+', ' ');
        return QUrl::fromPercentEncoding(bytes);
    };
    m_queryParams.reserve(items.count(QChar(u'&')) + 1);
    for (qsizetype from = 0; from <= items.size();) {
        qsizetype end = items.indexOf(QChar(u'&'), from);
        if (end < 0)
            end = items.size();
        const QStringView item = items.sliced(from, end - from);
        from = end + 1;
        if (item.isEmpty())
            continue;
        const qsizetype equals = item.indexOf(QChar(u'='));
        // Every item is kept, repeats too: queryText() searches in order, so the first of a name
        // wins, and checking for a repeat here would make a long query quadratic.
        m_queryParams.emplace_back(decode(equals < 0 ? item : item.first(equals)),
                                   equals < 0 ? QString() : decode(item.sliced(equals + 1)));
    }
}

QByteArray Request::header(QByteArrayView name) const
{
    return headerValue(m_headers, name);
}

std::optional<QString> Request::queryText(QAnyStringView name) const
{
    for (const auto &[key, value] : m_queryParams) {
        if (QAnyStringView::equal(key, name))
            return value;
    }
    return std::nullopt;
}

std::optional<QString> Request::pathText(QAnyStringView name) const
{
    for (auto it = m_pathParams.cbegin(); it != m_pathParams.cend(); ++it) {
        if (QAnyStringView::equal(it.key(), name))
            return it.value();
    }
    return std::nullopt;
}

QJsonValue Request::json() const
{
    if (m_body.trimmed().isEmpty()) {
        throw HttpError::validation(QJsonArray{QStringLiteral("body")}, QStringLiteral("missing"),
                                    QStringLiteral("Field required"));
    }
    // QJsonDocument takes only objects and arrays at the top: wrap, so that `42` parses too.
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson('[' + m_body + ']', &error);
    if (error.error != QJsonParseError::NoError || !document.isArray() || document.array().size() != 1) {
        const int offset = qMax(0, error.offset - 1);
        QJsonObject item{{QStringLiteral("type"), QStringLiteral("json_invalid")},
                         {QStringLiteral("loc"), QJsonArray{QStringLiteral("body"), offset}},
                         {QStringLiteral("msg"), QStringLiteral("JSON decode error")},
                         {QStringLiteral("input"), QJsonObject{}},
                         {QStringLiteral("ctx"), QJsonObject{{QStringLiteral("error"),
                                                              error.error != QJsonParseError::NoError
                                                                  ? error.errorString()
                                                                  : QStringLiteral("more than one value")}}}};
        throw HttpError(400, QJsonArray{item});
    }
    return document.array().first();
}

QJsonObject Request::jsonObject() const
{
    const QJsonValue value = json();
    if (!value.isObject()) {
        throw HttpError::validation(QJsonArray{QStringLiteral("body")}, QStringLiteral("dict_type"),
                                    QStringLiteral("Input should be a valid dictionary"), value);
    }
    return value.toObject();
}

} // namespace afterwork::http
