// SPDX-License-Identifier: MIT
// Parameter conversion with FastAPI's (pydantic 2) validation errors, so that clients written for
// the original see the same 422 bodies.
#include <afterwork/http/request.h>

#include <QtCore/QJsonArray>

#include <cmath>

namespace afterwork::http::detail {

namespace {

QJsonArray location(ParamSource source, QAnyStringView name)
{
    return QJsonArray{source == ParamSource::Query ? QStringLiteral("query") : QStringLiteral("path"), name.toString()};
}

[[noreturn]] void throwInvalid(ParamSource source, QAnyStringView name, const QString &text, const char *type,
                               const char *message)
{
    throw HttpError::validation(location(source, name), QString::fromLatin1(type), QString::fromLatin1(message), text);
}

template<typename T>
QJsonValue jsonNumber(const T &value)
{
    return QJsonValue(static_cast<double>(value));
}

} // namespace

void throwMissing(ParamSource source, QAnyStringView name)
{
    throw HttpError::validation(location(source, name), QStringLiteral("missing"), QStringLiteral("Field required"));
}

template<>
QString convertParam<QString>(const QString &text, ParamSource, QAnyStringView)
{
    return text;
}

template<>
bool convertParam<bool>(const QString &text, ParamSource source, QAnyStringView name)
{
    const QString lower = text.trimmed().toLower();
    static const QStringList truthy{QStringLiteral("1"), QStringLiteral("true"), QStringLiteral("t"),
                                    QStringLiteral("yes"), QStringLiteral("y"), QStringLiteral("on")};
    static const QStringList falsy{QStringLiteral("0"), QStringLiteral("false"), QStringLiteral("f"),
                                   QStringLiteral("no"), QStringLiteral("n"), QStringLiteral("off")};
    if (truthy.contains(lower))
        return true;
    if (falsy.contains(lower))
        return false;
    throwInvalid(source, name, text, "bool_parsing", "Input should be a valid boolean, unable to interpret input");
}

template<>
int convertParam<int>(const QString &text, ParamSource source, QAnyStringView name)
{
    bool ok = false;
    const int value = text.trimmed().toInt(&ok);
    if (!ok)
        throwInvalid(source, name, text, "int_parsing", "Input should be a valid integer, unable to parse string as an integer");
    return value;
}

template<>
qint64 convertParam<qint64>(const QString &text, ParamSource source, QAnyStringView name)
{
    bool ok = false;
    const qint64 value = text.trimmed().toLongLong(&ok);
    if (!ok)
        throwInvalid(source, name, text, "int_parsing", "Input should be a valid integer, unable to parse string as an integer");
    return value;
}

template<>
quint64 convertParam<quint64>(const QString &text, ParamSource source, QAnyStringView name)
{
    bool ok = false;
    const quint64 value = text.trimmed().toULongLong(&ok);
    if (!ok)
        throwInvalid(source, name, text, "int_parsing", "Input should be a valid integer, unable to parse string as an integer");
    return value;
}

template<>
double convertParam<double>(const QString &text, ParamSource source, QAnyStringView name)
{
    bool ok = false;
    const double value = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(value))
        throwInvalid(source, name, text, "float_parsing", "Input should be a valid number, unable to parse string as a number");
    return value;
}

template<ParamType T>
void checkBounds(const T &value, const Bounds<T> &bounds, ParamSource source, QAnyStringView name)
{
    if (bounds.ge && value < *bounds.ge) {
        throw HttpError::validation(location(source, name), QStringLiteral("greater_than_equal"),
                                    QStringLiteral("Input should be greater than or equal to %1").arg(*bounds.ge),
                                    jsonNumber(value), QJsonObject{{QStringLiteral("ge"), jsonNumber(*bounds.ge)}});
    }
    if (bounds.le && value > *bounds.le) {
        throw HttpError::validation(location(source, name), QStringLiteral("less_than_equal"),
                                    QStringLiteral("Input should be less than or equal to %1").arg(*bounds.le),
                                    jsonNumber(value), QJsonObject{{QStringLiteral("le"), jsonNumber(*bounds.le)}});
    }
}

template void checkBounds<int>(const int &, const Bounds<int> &, ParamSource, QAnyStringView);
template void checkBounds<qint64>(const qint64 &, const Bounds<qint64> &, ParamSource, QAnyStringView);
template void checkBounds<quint64>(const quint64 &, const Bounds<quint64> &, ParamSource, QAnyStringView);
template void checkBounds<double>(const double &, const Bounds<double> &, ParamSource, QAnyStringView);

} // namespace afterwork::http::detail
