// SPDX-License-Identifier: MIT
#include "recording.h"

#include <afterwork/client/filesource.h>

#include <QtCore/QEventLoop>

namespace afterwork::cli {

std::optional<QString> readRecording(const QString &path, const std::function<void(const QList<client::StreamLine> &)> &onLines,
                                     const std::optional<QString> &source)
{
    client::FileSource file(path, client::FileSourceOptions{.sourceName = source});
    std::optional<QString> error;
    QEventLoop loop;
    QObject::connect(&file, &client::EventSource::linesReceived, &loop, onLines);
    QObject::connect(&file, &client::EventSource::errorOccurred, &loop,
                     [&error](client::EventSource::Error, const QString &message) { error = message; });
    QObject::connect(&file, &client::EventSource::finished, &loop, &QEventLoop::quit);
    file.start();
    loop.exec();
    return error;
}

std::optional<QString> readRecordingBySource(const QString &path, const std::function<void(const QString &, qsizetype)> &onSource,
                                             const std::function<void(const QList<client::StreamLine> &)> &onLines)
{
    QString error;
    const QStringList sources = client::recordingSources(path, &error);
    if (sources.isEmpty())
        return error;
    for (const QString &source : sources) {
        onSource(source, sources.size());
        if (std::optional<QString> failed = readRecording(path, onLines, source))
            return failed;
    }
    return std::nullopt;
}

} // namespace afterwork::cli
