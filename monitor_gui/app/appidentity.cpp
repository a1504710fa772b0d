// SPDX-License-Identifier: MIT
#include "app/appidentity.h"

#include <QtCore/QDir>
#include <QtCore/QFileInfo>
#include <QtGui/QGuiApplication>

#include <algorithm>

namespace afterwork::monitor {

using namespace Qt::StringLiterals;

namespace {

//! The hicolor tree as resources/CMakeLists.txt compiles it in, one <N>x<N>/apps/ folder a size.
constexpr auto iconRoot = ":/afterwork-monitor/icons/hicolor"_L1;

//! N of an "<N>x<N>" folder; 0 for anything else.
int folderSize(const QString &folder)
{
    const auto parts = folder.split(u'x');
    if (parts.size() != 2 || parts.front() != parts.back())
        return 0;
    bool ok = false;
    const int size = parts.front().toInt(&ok);
    return ok ? size : 0;
}

struct IconFile
{
    int size;
    QString path;
};

//! The compiled-in sizes, smallest first. Listed rather than named here, so that a size added to
//! resources/ needs no code.
QList<IconFile> iconFiles()
{
    QList<IconFile> files;
    for (const QString &folder : QDir(iconRoot).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const int size = folderSize(folder);
        const QString path = u"%1/%2/apps/%3.png"_s.arg(iconRoot, folder, desktopId());
        if (size > 0 && QFileInfo::exists(path))
            files.append({size, path});
    }
    std::ranges::sort(files, {}, &IconFile::size);
    return files;
}

} // namespace

QString desktopId()
{
    // One name for the desktop entry, metainfo and icons, set where they are installed.
    return QStringLiteral(AFTERWORK_MONITOR_DESKTOP_ID);
}

QStringList applicationIconFiles()
{
    QStringList paths;
    for (const IconFile &file : iconFiles())
        paths.append(file.path);
    return paths;
}

QIcon applicationIcon()
{
    QIcon icon;
    // With its size, so that QIcon need not read every file to pick one.
    for (const IconFile &file : iconFiles())
        icon.addFile(file.path, QSize(file.size, file.size));
    return icon;
}

void applyApplicationIdentity()
{
    QGuiApplication::setDesktopFileName(desktopId());
    QGuiApplication::setWindowIcon(applicationIcon());
}

} // namespace afterwork::monitor
