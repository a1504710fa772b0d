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

//! Which source each line of a multi-source recording belongs to (docs/protocol.md, "Recordings"),
//! for a reader that keeps every source apart in one pass over the file (`afterwork check`):
//! feed it, in order, every line a FileSource without FileSourceOptions::sourceName delivers.
//! A FileSource with a sourceName follows the markers with one too, and recordingSources() lists
//! the sources with one: the rules are these, once.
class SourceMarkers
{
public:
    //! Takes the next line. True if it is a source marker: the lines after it are the source that
    //! current() now names, and the marker itself belongs to no source. False for a line of
    //! current()'s source; if it is a malformed marker (protocol::parseSourceMarker()),
    //! \a markerError (when given) is set to what is wrong with it: the ParseError the line
    //! should carry instead of its own (a FileSource delivers it so).
    bool take(const StreamLine &line, QString *markerError = nullptr);
    //! The same for a line as read from the file, not parsed (without its newline; not blank).
    //! \a oversized: only the start of a line over the length limit, which is never a marker.
    bool take(QByteArrayView line, bool oversized);
    //! The source of the lines taken since the last marker: "" (the unnamed source) before any.
    const QString &current() const noexcept { return m_current; }
    //! Where current() is in sources() (0, 1, ...): -1 until a line of it was taken.
    qsizetype currentIndex() const noexcept { return m_currentIndex; }
    //! The sources of the lines taken so far, in the order they first appear: a marker no line
    //! followed names none. {""} when no line was taken (a recording without lines, or of
    //! markers only): a recording is always at least one source.
    QStringList sources() const;

private:
    //! Switches to the source \a marker names; without one, a line of the current source was
    //! taken. Returns whether there was a marker.
    bool follow(std::optional<QString> marker);

    QString m_current;
    QStringList m_sources;
    qsizetype m_currentIndex = -1;
};

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
    SourceMarkers m_markers; // with a sourceName: whose lines are being read
    // Pacing: lines read but not yet due, and the clock they are due by.
    QList<StreamLine> m_pending;
    qsizetype m_pendingIndex = 0;
    QElapsedTimer m_clock;
    qint64 m_firstTsUs = -1;
    qint64 m_latestTsUs = -1;
};

} // namespace afterwork::client
