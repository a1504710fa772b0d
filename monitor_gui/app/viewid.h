// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>

#include <optional>

namespace afterwork::monitor {

//! The main views, in tab order (Ctrl+1 … Ctrl+7). Sources is shown while several are watched.
enum class ViewId : quint8 { Overview, Tasks, Failures, Shutdown, Timeline, Log, Sources };

inline constexpr int ViewCount = 7;

//! "overview", "tasks", ... as --view and the settings spell them.
inline QString viewName(ViewId view)
{
    static const char *const names[] = {"overview", "tasks", "failures", "shutdown", "timeline", "log", "sources"};
    return QString::fromLatin1(names[int(view)]);
}

inline QStringList viewNames()
{
    QStringList names;
    for (int i = 0; i < ViewCount; ++i)
        names.append(viewName(ViewId(i)));
    return names;
}

inline std::optional<ViewId> viewFromName(const QString &name)
{
    for (int i = 0; i < ViewCount; ++i) {
        if (viewName(ViewId(i)) == name)
            return ViewId(i);
    }
    return std::nullopt;
}

} // namespace afterwork::monitor
