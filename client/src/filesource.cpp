// SPDX-License-Identifier: MIT
#include <afterwork/client/filesource.h>

#include <afterwork/protocol/recording.h>

#include "linesplitter.h"

#include <QtCore/QFileInfo>

#include <cmath>

namespace afterwork::client {

namespace {

struct OpenFailure
{
    EventSource::Error error;
    QString message;
};

//! Opens \a file on the recording at \a path for reading, or says why it cannot.
std::optional<OpenFailure> openRecording(QFile &file, const QString &path)
{
    file.setFileName(path);
    const QFileInfo info(path);
    if (!info.exists())
        return OpenFailure{EventSource::Error::NotFound, QStringLiteral("cannot read '%1': no such file").arg(path)};
    if (info.isDir())
        return OpenFailure{EventSource::Error::Other, QStringLiteral("cannot read '%1': it is a directory").arg(path)};
    if (!file.open(QIODevice::ReadOnly)) {
        const auto error = file.error() == QFileDevice::PermissionsError ? EventSource::Error::AccessDenied : EventSource::Error::Other;
        return OpenFailure{error, QStringLiteral("cannot read '%1': %2").arg(path, file.errorString())};
    }
    return std::nullopt;
}

} // namespace

FileSource::FileSource(QString path, FileSourceOptions options, QObject *parent)
    : EventSource(parent), m_path(std::move(path)), m_options(options)
{
    if (!(m_options.speed >= 0) || !std::isfinite(m_options.speed))
        m_options.speed = 0;
    m_options.chunkBytes = std::max<qsizetype>(m_options.chunkBytes, 4096);
    m_stepTimer.setSingleShot(true);
    connect(&m_stepTimer, &QTimer::timeout, this, &FileSource::step);
}

FileSource::~FileSource() = default;

QString FileSource::description() const
{
    return QStringLiteral("file '%1'").arg(m_path);
}

void FileSource::start()
{
    stop();
    setState(State::Connecting);
    m_stepTimer.start(0);
}

void FileSource::stop()
{
    m_stepTimer.stop();
    m_file.close();
    m_atEnd = false;
    m_markers = {};
    m_pending.clear();
    m_pendingIndex = 0;
    m_firstTsUs = m_latestTsUs = -1;
    setState(State::Idle);
}

void FileSource::fail(Error error, const QString &message)
{
    setState(State::Finished);
    Q_EMIT errorOccurred(error, message);
    if (state() == State::Finished)
        Q_EMIT finished();
}

void FileSource::step()
{
    if (state() == State::Connecting) {
        if (const std::optional<OpenFailure> failure = openRecording(m_file, m_path))
            return fail(failure->error, failure->message);
        beginConnection();
        setState(State::Connected);
        m_clock.start();
        Q_EMIT connected();
        if (state() != State::Connected)
            return;
    }
    if (state() != State::Connected)
        return;
    if (m_options.speed > 0)
        stepPaced();
    else
        stepUnpaced();
}

bool FileSource::readChunk(QList<StreamLine> &into)
{
    const QByteArray chunk = m_file.read(m_options.chunkBytes);
    if (chunk.isEmpty()) {
        if (m_file.error() != QFileDevice::NoError) {
            fail(Error::ReadFailed, QStringLiteral("reading '%1' failed: %2").arg(m_path, m_file.errorString()));
            return false;
        }
        m_atEnd = true;
        QList<StreamLine> rest = takeRemainder();
        keepOwnSource(rest);
        into.append(std::move(rest));
        return true;
    }
    QList<StreamLine> lines = parseBytes(chunk);
    keepOwnSource(lines);
    into.append(std::move(lines));
    return true;
}

void FileSource::keepOwnSource(QList<StreamLine> &lines)
{
    if (!m_options.sourceName)
        return;
    QList<StreamLine> ours;
    ours.reserve(lines.size());
    for (StreamLine &line : lines) {
        QString markerError;
        if (m_markers.take(line, &markerError) || m_markers.current() != *m_options.sourceName)
            continue;
        if (!markerError.isEmpty())
            line.parsed = ParseError{0, markerError};
        ours.append(std::move(line));
    }
    lines = std::move(ours);
}

void FileSource::stepUnpaced()
{
    QList<StreamLine> lines;
    if (!readChunk(lines))
        return;
    if (!lines.isEmpty()) {
        deliver(std::move(lines));
        if (state() != State::Connected)
            return;
    }
    if (m_atEnd)
        return finish();
    m_stepTimer.start(0);
}

void FileSource::stepPaced()
{
    // Read ahead until something is pending (or the file ends).
    while (m_pendingIndex >= m_pending.size() && !m_atEnd) {
        m_pending.clear();
        m_pendingIndex = 0;
        if (!readChunk(m_pending))
            return;
    }
    // Deliver everything due by now: a line is due (ts_us - first ts_us) / speed after opening.
    // Timestamps only move forward here, so a step reported slightly out of order is not held.
    const qint64 nowUs = m_clock.nsecsElapsed() / 1000;
    QList<StreamLine> due;
    qint64 nextDueUs = -1;
    while (m_pendingIndex < m_pending.size()) {
        StreamLine &line = m_pending[m_pendingIndex];
        if (const StreamEvent *event = line.event()) {
            if (m_firstTsUs < 0)
                m_firstTsUs = m_latestTsUs = event->tsUs;
            const qint64 ts = std::max(m_latestTsUs, event->tsUs);
            const auto dueUs = qint64(double(ts - m_firstTsUs) / m_options.speed);
            if (dueUs > nowUs) {
                nextDueUs = dueUs;
                break;
            }
            m_latestTsUs = ts;
        }
        due.append(std::move(line));
        ++m_pendingIndex;
    }
    if (!due.isEmpty()) {
        deliver(std::move(due));
        if (state() != State::Connected)
            return;
    }
    if (m_pendingIndex >= m_pending.size() && m_atEnd)
        return finish();
    const qint64 waitMs = nextDueUs < 0 ? 0 : std::max<qint64>(0, (nextDueUs - nowUs + 999) / 1000);
    m_stepTimer.start(std::chrono::milliseconds(std::min<qint64>(waitMs, 24 * 3600 * 1000)));
}

void FileSource::finish()
{
    m_file.close();
    endConnection();
    if (state() != State::Connected)
        return;
    setState(State::Finished);
    Q_EMIT finished();
}

bool SourceMarkers::take(const StreamLine &line, QString *markerError)
{
    // A marker has no seq, so it never parses as a stream line: only rejected lines can be one.
    return follow(line.error() ? protocol::parseSourceMarker(line.bytes, markerError) : std::nullopt);
}

bool SourceMarkers::take(QByteArrayView line, bool oversized)
{
    return follow(oversized ? std::nullopt : protocol::parseSourceMarker(line));
}

bool SourceMarkers::follow(std::optional<QString> marker)
{
    if (marker) {
        m_current = std::move(*marker);
        m_currentIndex = m_sources.indexOf(m_current);
        return true;
    }
    // A source is listed once a line follows its marker, so that a marker at the end of a file
    // cut short (or right before another) names no empty source.
    if (m_currentIndex < 0) {
        m_currentIndex = m_sources.size();
        m_sources.append(m_current);
    }
    return false;
}

QStringList SourceMarkers::sources() const
{
    return m_sources.isEmpty() ? QStringList{QString()} : m_sources;
}

QStringList recordingSources(const QString &path, QString *error)
{
    QFile file;
    if (const std::optional<OpenFailure> failure = openRecording(file, path)) {
        if (error)
            *error = failure->message;
        return {};
    }
    SourceMarkers markers;
    // Cut into lines as a FileSource reading it does: an oversized line is a line, never a marker.
    detail::LineSplitter splitter(EventSource::DefaultMaxLineBytes);
    QList<detail::LineSplitter::Line> lines;
    const auto take = [&] {
        for (const detail::LineSplitter::Line &line : std::as_const(lines)) {
            if (!detail::isBlankLine(line.bytes))
                markers.take(line.bytes, line.oversized);
        }
        lines.clear();
    };
    const qsizetype chunkBytes = FileSourceOptions{}.chunkBytes;
    for (QByteArray chunk = file.read(chunkBytes); !chunk.isEmpty(); chunk = file.read(chunkBytes)) {
        splitter.feed(chunk, lines);
        take();
    }
    if (detail::LineSplitter::Line rest; splitter.takeRemainder(rest)) {
        lines.append(std::move(rest));
        take();
    }
    if (file.error() != QFileDevice::NoError) {
        if (error)
            *error = QStringLiteral("reading '%1' failed: %2").arg(path, file.errorString());
        return {};
    }
    return markers.sources();
}

} // namespace afterwork::client
