// SPDX-License-Identifier: MIT
#pragma once

// Compact JSON text appended to a QByteArray by hand, for every writer of the event stream's lines
// and of the files the tools export: one escaping rule (UTF-8; control characters as \uXXXX; lone
// surrogates become U+FFFD), and no QJsonDocument allocations on the hot path.

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QLatin1StringView>
#include <QtCore/QStringView>
#include <QtCore/QUtf8StringView>

QT_BEGIN_NAMESPACE
class QJsonArray;
class QJsonObject;
class QJsonValue;
QT_END_NAMESPACE

namespace afterwork::protocol {

namespace json {
//! Appends \a text as a JSON string (quoted, escaped, UTF-8; lone surrogates become U+FFFD).
//! @{
void appendString(QByteArray &out, QStringView text);
void appendString(QByteArray &out, QLatin1StringView text);
void appendString(QByteArray &out, QUtf8StringView text); //!< invalid UTF-8 becomes U+FFFD
//! @}
//! Appends \a value in decimal, exactly (no double on the way, so beyond 2^53 too).
//! @{
void appendInteger(QByteArray &out, qint64 value);
void appendUnsigned(QByteArray &out, quint64 value);
//! @}
//! Appends \a value as the shortest text that reads back to it; an integral value below 2^53
//! prints without a fraction, a non-finite one as null.
void appendDouble(QByteArray &out, double value);
//! Appends any QJsonValue compactly; numbers that are integers print without a fraction,
//! non-finite numbers print as null.
void appendValue(QByteArray &out, const QJsonValue &value);
//! Appends \a object compactly, `{"key":value,...}`, its values as appendValue() writes them.
void appendObject(QByteArray &out, const QJsonObject &object);
//! Appends \a array compactly, `[value,...]`, its values as appendValue() writes them.
void appendArray(QByteArray &out, const QJsonArray &array);
} // namespace json

//! Appends `"name":value` members separated by commas: the fields of one JSON object, without its
//! braces unless asked for (beginObject/endObject). The HTTP layer builds its `request` events'
//! fields with it (EventPublisher::publishEncoded); `afterwork export` builds its trace files.
class FieldWriter
{
public:
    //! \a continuing: the object already has members, so the first field starts with a comma.
    explicit FieldWriter(QByteArray &out, bool continuing = false) : m_out(out), m_first(!continuing) {}

    //! Appends the member `"name":value` and returns *this, for chaining. \a name and string values
    //! are escaped, integers written exactly, a QJsonValue as json::appendValue() writes it.
    //! @{
    FieldWriter &integer(QLatin1StringView name, qint64 value);
    FieldWriter &unsignedInteger(QLatin1StringView name, quint64 value);
    FieldWriter &boolean(QLatin1StringView name, bool value);
    FieldWriter &string(QLatin1StringView name, QStringView value);
    FieldWriter &string(QLatin1StringView name, QLatin1StringView value);
    FieldWriter &value(QLatin1StringView name, const QJsonValue &value);
    //! @}
    //! \a json must be one compact JSON value.
    FieldWriter &raw(QLatin1StringView name, QByteArrayView json);
    //! Opens a nested object: its fields follow, then endObject().
    FieldWriter &beginObject(QLatin1StringView name);
    //! Closes the object that beginObject() opened; the next field is its sibling.
    FieldWriter &endObject();

private:
    //! The member's separator and key, for a value written after it (value()).
    void key(QLatin1StringView name);
    //! The member's separator and key, then \a writeValue's bytes (at most \a valueBytes), through
    //! one detail::RawWriter: one size check for the member instead of one per piece.
    template<typename WriteValue>
    void member(QLatin1StringView name, qsizetype valueBytes, WriteValue &&writeValue);
    QByteArray &m_out;
    bool m_first;
};

} // namespace afterwork::protocol
