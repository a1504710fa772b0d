// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/eventsource.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QTimer>

#include <optional>

namespace afterwork::client {

//! How a FileSource reads; the second argument of its constructor.
struct FileSourceOptions
{
    //! 0: deliver as fast as the event loop allows. Otherwise pace the lines by their `ts_us`:
    //! 1 is real time, 10 ten times faster, 0.5 half speed.
    double speed = 0;
    //! Bytes read per event-loop turn, so a long file never freezes the loop.
    qsizetype chunkBytes = 1024 * 1024;
    //! Unset: every line of the file, as written (the source markers of a multi-source recording
    //! are then malformed lines among the others). Set: only the lines of the source of that
    //! name (docs/protocol.md, "Recordings"): those between its source markers and the next
    //! marker of another source; an empty name is the unnamed source, the lines before the first
    //! marker (all of them in a recording of one source). Markers are not delivered; line
    //! numbers stay the file's. A name the recording does not have yields no lines
    //! (recordingSources() lists the names).
    std::optional<QString> sourceName{};
};

//! The sources of the recording at \a path, in the order they first appear: the names of its
//! source markers that a non-blank line follows (a marker with no line of its own, such as the
//! last line of a file cut short, names no source), preceded by the unnamed source "" when lines
//! come before the first marker. A recording without markers (one source), or without any line
//! but markers, is one unnamed source: {""}. Reads the whole file;
//! empty, with \a error set (when given), if it cannot.
QStringList recordingSources(const QString &path, QString *error = nullptr);

//! A recording (`afterwork record`), read exactly like a live socket: the same splitting, parsing,
//! checks and signals. Opening it is connecting (connected()), its end is a disconnection
//! (disconnected(byeSeen): a recording that stops without bye leaves its live tasks lost), then
//! finished(). Everything happens from the event loop, after start() returns. One source of a
//! multi-source recording reads as that source's stream alone (FileSourceOptions::sourceName).
class FileSource final : public EventSource
{
    Q_OBJECT
public:
    //! A source that will read the recording at \a path once start() is called.
    explicit FileSource(QString path, FileSourceOptions options = {}, QObject *parent = nullptr);
    ~FileSource() override;

    void start() override;
    void stop() override;
    QString description() const override;

    const QString &path() const noexcept { return m_path; } //!< as given to the constructor

private:
    void step();
    void stepUnpaced();
    void stepPaced();
    bool readChunk(QList<StreamLine> &into);
    void keepOwnSource(QList<StreamLine> &lines);
    void finish();
    void fail(Error error, const QString &message);

    QString m_path;
    FileSourceOptions m_options;
    QFile m_file;
    QTimer m_stepTimer;
    bool m_atEnd = false;
    QString m_currentSource; // whose lines are being read: the latest marker's name ("" before any)
    // Pacing: lines read but not yet due, and the clock they are due by.
    QList<StreamLine> m_pending;
    qsizetype m_pendingIndex = 0;
    QElapsedTimer m_clock;
    qint64 m_firstTsUs = -1;
    qint64 m_latestTsUs = -1;
};

} // namespace afterwork::client
