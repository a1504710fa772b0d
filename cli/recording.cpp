// SPDX-License-Identifier: MIT
#include "recording.h"

#include <afterwork/client/filesource.h>

#include <QtCore/QEventLoop>

namespace afterwork::cli {

using client::StreamLine;

std::optional<QString> readRecordingBySource(const QString &path, const SourceLinesHandler &onLines, QStringList *sources)
{
    client::FileSource file(path); // every line, markers included: they are followed here
    client::SourceMarkers markers;
    std::optional<QString> error;
    QEventLoop loop;
    QObject::connect(&file, &client::EventSource::linesReceived, &loop, [&](const QList<StreamLine> &lines) {
        // The batch goes on whole unless a marker cuts it: nearly always, in a recording of one.
        qsizetype from = 0; // the first line not handed on yet
        const auto handOn = [&](qsizetype to, const QString &source, qsizetype index) {
            if (to > from)
                onLines(source, index, lines.mid(from, to - from));
            from = to + 1;
        };
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const StreamLine &line = lines.at(i);
            if (!line.error()) { // a stream line, never a marker
                markers.take(line);
                continue;
            }
            const QString source = markers.current();
            const qsizetype index = markers.currentIndex();
            QString markerError;
            if (markers.take(line, &markerError)) {
                handOn(i, source, index);
            } else if (!markerError.isEmpty()) {
                handOn(i, source, markers.currentIndex());
                StreamLine malformed = line;
                malformed.parsed = client::ParseError{0, markerError};
                onLines(source, markers.currentIndex(), {std::move(malformed)});
            }
        }
        if (from < lines.size())
            handOn(lines.size(), markers.current(), markers.currentIndex());
    });
    QObject::connect(&file, &client::EventSource::errorOccurred, &loop,
                     [&error](client::EventSource::Error, const QString &message) { error = message; });
    QObject::connect(&file, &client::EventSource::finished, &loop, &QEventLoop::quit);
    file.start();
    loop.exec();
    if (!error && sources)
        *sources = markers.sources();
    return error;
}

} // namespace afterwork::cli
