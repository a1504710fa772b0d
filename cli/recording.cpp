// SPDX-License-Identifier: MIT
#include "recording.h"

#include <afterwork/client/filesource.h>

#include <QtCore/QEventLoop>

namespace afterwork::cli {

std::optional<QString> readRecording(const QString &path, const std::function<void(const QList<client::StreamLine> &)> &onLines)
{
    client::FileSource source(path);
    std::optional<QString> error;
    QEventLoop loop;
    QObject::connect(&source, &client::EventSource::linesReceived, &loop, onLines);
    QObject::connect(&source, &client::EventSource::errorOccurred, &loop,
                     [&error](client::EventSource::Error, const QString &message) { error = message; });
    QObject::connect(&source, &client::EventSource::finished, &loop, &QEventLoop::quit);
    source.start();
    loop.exec();
    return error;
}

} // namespace afterwork::cli
