// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

namespace afterwork::monitor {

//! System follows the desktop's palette (and its changes); Light and Dark are Fusion palettes.
enum class Theme : quint8 { System, Light, Dark };

Theme themeFromName(const QString &name); //!< "light", "dark", anything else: System
QString themeName(Theme theme);
//! Applies \a theme to the whole application.
void applyTheme(Theme theme);

} // namespace afterwork::monitor
