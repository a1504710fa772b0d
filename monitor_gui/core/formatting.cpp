// SPDX-License-Identifier: MIT
#include "core/formatting.h"

#include <QtCore/QDateTime>
#include <QtCore/QLocale>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

QString formatDuration(qint64 us)
{
    if (us < 0)
        return u"—"_s;
    if (us < 1000)
        return u"%1 µs"_s.arg(us);
    if (us < 10'000)
        return u"%1 ms"_s.arg(double(us) / 1000.0, 0, 'f', 2);
    if (us < 1'000'000)
        return u"%1 ms"_s.arg(double(us) / 1000.0, 0, 'f', 1);
    if (us < 60'000'000)
        return u"%1 s"_s.arg(double(us) / 1e6, 0, 'f', 2);
    const qint64 seconds = us / 1'000'000;
    if (seconds < 3600)
        return u"%1 m %2 s"_s.arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return u"%1 h %2 m"_s.arg(seconds / 3600).arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'));
}

QString formatTime(qint64 tsUs)
{
    if (tsUs <= 0)
        return u"—"_s;
    return QDateTime::fromMSecsSinceEpoch(tsUs / 1000).toString(u"HH:mm:ss.zzz"_s);
}

QString formatDateTime(qint64 tsUs)
{
    if (tsUs <= 0)
        return u"—"_s;
    return QDateTime::fromMSecsSinceEpoch(tsUs / 1000).toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s);
}

QString formatCount(qint64 count)
{
    static const QLocale locale = [] {
        QLocale c(QLocale::C);
        c.setNumberOptions(QLocale::DefaultNumberOptions); // keep the group separator
        return c;
    }();
    return locale.toString(count);
}

} // namespace afterwork::monitor
