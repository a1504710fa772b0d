// SPDX-License-Identifier: MIT
#include <afterwork/client/durationformat.h>

#include <cmath>

namespace afterwork::client {

using namespace Qt::StringLiterals;

namespace {

//! \a value (at least 1 once rounded) with three significant digits and \a unit; empty when it
//! rounds to 1000 or more, which is the next unit's business.
QString threeDigits(double value, QStringView unit)
{
    const int decimals = value < 9.995 ? 2 : value < 99.95 ? 1 : 0;
    if (value >= 999.5)
        return {};
    return u"%1 %2"_s.arg(value, 0, 'f', decimals).arg(unit);
}

} // namespace

QString formatDuration(qint64 us)
{
    if (us < 0)
        return u"—"_s;
    if (us < 1000)
        return u"%1 µs"_s.arg(us);
    if (const QString ms = threeDigits(double(us) / 1e3, u"ms"); !ms.isEmpty())
        return ms;
    if (us < 59'950'000) // "59.9 s" is the last one; from there it rounds to a minute
        return threeDigits(double(us) / 1e6, u"s");
    const qint64 seconds = (us + 500'000) / 1'000'000;
    if (seconds < 3600)
        return u"%1 min %2 s"_s.arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    const qint64 minutes = (us + 30'000'000) / 60'000'000;
    return u"%1 h %2 min"_s.arg(minutes / 60).arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

} // namespace afterwork::client
