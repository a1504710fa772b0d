// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtGui/QIcon>

namespace afterwork::monitor {

//! "org.afterwork.Monitor": the name of the installed desktop entry, metainfo and icons
//! (resources/), by which desktops find them for this program's windows.
QString desktopId();

//! The application icon's compiled-in PNGs (resources/icons/hicolor), as resource paths, smallest
//! first.
QStringList applicationIconFiles();

//! The application icon, from those PNGs: unlike the SVG, they need no image plugin at run time.
QIcon applicationIcon();

//! Tells the platform which desktop entry this program is (so that Wayland compositors show its
//! windows with that entry's name and icon) and gives every window the application icon.
void applyApplicationIdentity();

} // namespace afterwork::monitor
