// SPDX-License-Identifier: MIT
#include "core/formatting.h"

#include <QtCore/QDateTime>
#include <QtCore/QLocale>

#include <algorithm>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

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

QString formatTasks(qint64 count, QStringView adjective)
{
    const QString noun = count == 1 ? QStringLiteral("task") : QStringLiteral("tasks");
    QString text = formatCount(count) + u' ';
    if (!adjective.isEmpty())
        text += adjective.toString() + u' ';
    return text + noun;
}

QString formatProgressShort(const client::ProgressEvent &progress)
{
    const int percent = progress.percent();
    if (percent < 0)
        return u"%1 done"_s.arg(formatCount(progress.done));
    return u"%1 %"_s.arg(percent);
}

QString formatProgress(const client::ProgressEvent &progress)
{
    QString text = progress.fraction() < 0
        ? formatProgressShort(progress)
        : u"%1 / %2 (%3)"_s.arg(formatCount(progress.done), formatCount(progress.total), formatProgressShort(progress));
    if (!progress.message.isEmpty())
        text += u" — "_s + progress.message;
    return text;
}

QString filterValue(const QString &value)
{
    const bool plain = !value.isEmpty()
        && std::none_of(value.cbegin(), value.cend(), [](QChar c) {
               return c.isSpace() || c == u':' || c == u'~' || c == u'"' || c == u'\\' || c == u'-' || c == u',';
           });
    if (plain)
        return value;
    QString quoted = value;
    quoted.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s);
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace afterwork::monitor
