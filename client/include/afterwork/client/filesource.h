// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/eventsource.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QString>
#include <QtCore/QTimer>

namespace afterwork::client {

//! How a FileSource reads; the second argument of its constructor.
struct FileSourceOptions
{
    //! 0: deliver as fast as the event loop allows. Otherwise pace the lines by their `ts_us`:
    //! 1 is real time, 10 ten times faster, 0.5 half speed.
    double speed = 0;
    //! Bytes read per event-loop turn, so a long file never freezes the loop.
    qsizetype chunkBytes = 1024 * 1024;
};

//! A recording (`afterwork record`), read exactly like a live socket: the same splitting, parsing,
//! checks and signals. Opening it is connecting (connected()), its end is a disconnection
//! (disconnected(byeSeen): a recording that stops without bye leaves its live tasks lost), then
//! finished(). Everything happens from the event loop, after start() returns.
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
    void finish();
    void fail(Error error, const QString &message);

    QString m_path;
    FileSourceOptions m_options;
    QFile m_file;
    QTimer m_stepTimer;
    bool m_atEnd = false;
    // Pacing: lines read but not yet due, and the clock they are due by.
    QList<StreamLine> m_pending;
    qsizetype m_pendingIndex = 0;
    QElapsedTimer m_clock;
    qint64 m_firstTsUs = -1;
    qint64 m_latestTsUs = -1;
};

} // namespace afterwork::client
