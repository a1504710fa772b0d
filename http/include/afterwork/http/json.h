// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QAnyStringView>
#include <QtCore/QByteArray>
#include <QtCore/QJsonValue>
#include <QtCore/QLatin1StringView>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringView>

#include <concepts>
#include <cstddef>
#include <cstring>
#include <initializer_list>

QT_BEGIN_NAMESPACE
class QJsonArray;
class QJsonObject;
QT_END_NAMESPACE

namespace afterwork::protocol::detail {
class RawWriter;
}

namespace afterwork::http {

//! A JSON object written straight to its compact text: what a route usually returns,
//! `return Json{{"id", id}, {"status", "queued"}, {"tags", tags}};`.
//!
//! Members keep the order they are written in; a repeated name is written twice (as with any
//! JSON text, the reader decides), so give each member once. Values may be null (`nullptr` or
//! `QJsonValue::Null`), bool, any integer (exact, beyond 2^53 too), floating point (a non-finite
//! one as null), text (QString, QStringView, QLatin1StringView, or a UTF-8 `const char *`), a
//! nested Json, a QList of any of these, or a QJsonValue, QJsonArray or QJsonObject.
//!
//! Why not QJsonObject, which a route may return too: Qt 6 keeps a QJsonObject as CBOR, so the
//! demo's five-member answer costs about 15,000 instructions to build and 8,000 more to write out,
//! a quarter of its request; Json writes the same bytes in one pass (docs/performance.md). Use
//! QJsonObject for an object built up step by step or read from; toObject() converts.
class Json
{
public:
    //! One member's value. A view, like QStringView: it refers to the argument it was made from,
    //! which lives until the end of the `Json{...}` expression. Do not keep one.
    class Value
    {
    public:
        Value(std::nullptr_t) : m_kind(Kind::Null) {} //!< null
        //! What `QJsonValue(type)` holds: null for `QJsonValue::Null`, false for `Bool`, 0, "", [], {}.
        Value(QJsonValue::Type type) : m_kind(Kind::JsonType), m_integer(type) {}
        //! true or false; only a real bool (a pointer or a number does not become one).
        template<std::same_as<bool> Bool>
        Value(Bool b) : m_kind(Kind::Bool), m_bool(b) {}
        //! An integer, written exactly. Not a character ('A' is text, not 65: make it a QString).
        template<std::integral Integer>
            requires(!std::same_as<Integer, bool> && !std::same_as<Integer, char> && !std::same_as<Integer, wchar_t>
                     && !std::same_as<Integer, char8_t> && !std::same_as<Integer, char16_t>
                     && !std::same_as<Integer, char32_t>)
        Value(Integer i)
        {
            if constexpr (std::is_signed_v<Integer>) {
                m_kind = Kind::Integer;
                m_integer = i;
            } else {
                m_kind = Kind::Unsigned;
                m_unsigned = i;
            }
        }
        //! A number, as the shortest text that reads back to it; a non-finite one is written as null.
        Value(double d) : m_kind(Kind::Double), m_double(d) {}
        Value(float f) : m_kind(Kind::Float), m_double(f) {} //!< 0.1f is written 0.1, not as its double
        //! UTF-8 text; null if nullptr
        Value(const char *utf8) : m_kind(Kind::Utf8), m_pointer(utf8), m_size(utf8 ? qsizetype(std::strlen(utf8)) : 0) {}
        Value(const QString &text) : m_kind(Kind::Utf16), m_pointer(&text) {} //!< text
        Value(QStringView text) : m_kind(Kind::View), m_pointer(text.data()), m_size(text.size()) {} //!< text
        Value(QLatin1StringView text) : m_kind(Kind::Latin1), m_pointer(text.data()), m_size(text.size()) {} //!< text
        Value(const Json &object) : m_kind(Kind::Nested), m_pointer(&object) {} //!< a nested object
        Value(const QJsonValue &value) : m_kind(Kind::JsonValue), m_pointer(&value) {} //!< as it is
        Value(const QJsonArray &array) : m_kind(Kind::JsonArray), m_pointer(&array) {} //!< as it is
        Value(const QJsonObject &object) : m_kind(Kind::JsonObject), m_pointer(&object) {} //!< as it is
        //! An array, each element written as a Value made from it.
        template<typename Element>
            requires std::convertible_to<const Element &, Value>
        Value(const QList<Element> &list) : m_kind(Kind::List), m_pointer(&list), m_list(&ListOf<Element>::operations)
        {
        }

        Value(const Value &) = delete;
        Value &operator=(const Value &) = delete;

    private:
        friend class Json;
        using RawWriter = protocol::detail::RawWriter;
        //! maxBytes() of a value whose length is only known once written (the QJson kinds).
        static constexpr qsizetype unknownBytes = -1;

        //! At most how many bytes write() takes, or unknownBytes.
        qsizetype maxBytes() const;
        //! Writes a value whose maxBytes() is known, in that room.
        void write(RawWriter &w) const;
        //! Appends any value: through write() where its size is known.
        void appendTo(QByteArray &out) const;
        static void put(RawWriter &w, char c); // one character, for the list writers below

        // What a List value does with its QList<Element>, which the header alone knows the type of.
        struct ListOperations
        {
            qsizetype (*maxBytes)(const void *list);
            void (*write)(RawWriter &w, const void *list);
            void (*appendTo)(QByteArray &out, const void *list);
        };
        template<typename Element>
        struct ListOf
        {
            static const QList<Element> &list(const void *list) { return *static_cast<const QList<Element> *>(list); }
            static qsizetype maxBytes(const void *list)
            {
                qsizetype total = 2; // [ and ]
                for (const Element &element : ListOf::list(list)) {
                    const qsizetype bytes = Value(element).maxBytes();
                    if (bytes == unknownBytes)
                        return unknownBytes;
                    total += bytes + 1; // and its comma
                }
                return total;
            }
            static void write(RawWriter &w, const void *list)
            {
                put(w, '[');
                bool first = true;
                for (const Element &element : ListOf::list(list)) {
                    if (!first)
                        put(w, ',');
                    first = false;
                    Value(element).write(w);
                }
                put(w, ']');
            }
            static void appendTo(QByteArray &out, const void *list)
            {
                out.append('[');
                bool first = true;
                for (const Element &element : ListOf::list(list)) {
                    if (!first)
                        out.append(',');
                    first = false;
                    Value(element).appendTo(out);
                }
                out.append(']');
            }
            static constexpr ListOperations operations{&maxBytes, &write, &appendTo};
        };

        enum class Kind : quint8 {
            Null, JsonType, Bool, Integer, Unsigned, Double, Float, Utf8, Utf16, View, Latin1,
            Nested, JsonValue, JsonArray, JsonObject, List
        };
        Kind m_kind;
        union {
            bool m_bool;
            qint64 m_integer;
            quint64 m_unsigned;
            double m_double;
            const void *m_pointer; // what the text, Nested, QJson and List kinds refer to
        };
        qsizetype m_size = 0; // Utf8, View and Latin1: the text's length
        const ListOperations *m_list = nullptr;
    };

    //! One member: its name and its value. Names may be any text (`"id"` is read as UTF-8).
    struct Member
    {
        QAnyStringView name; //!< escaped as a JSON string is
        Value value;         //!< written as its kind says (Value)
    };

    Json() = default; //!< `{}`
    //! The object with \a members, in this order.
    Json(std::initializer_list<Member> members);

    //! The compact JSON text, `{"name":value,...}`, UTF-8 (`{}` for a moved-from Json too).
    const QByteArray &bytes() const;
    //! The same object as a QJsonObject (parsed from bytes(): for reading, not for speed).
    QJsonObject toObject() const;

    friend bool operator==(const Json &a, const Json &b) { return a.m_bytes == b.m_bytes; } //!< same text
    friend bool operator!=(const Json &a, const Json &b) { return !(a == b); } //!< different text

private:
    QByteArray m_bytes = QByteArrayLiteral("{}");
};

} // namespace afterwork::http
