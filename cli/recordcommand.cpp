// SPDX-License-Identifier: MIT
// `afterwork record`: write live streams to one file, verbatim (several sources apart by markers).
#include "clicommon.h"
#include "commands.h"

#include <afterwork/protocol/recording.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFileInfo>
#include <QtCore/QTimer>

namespace afterwork::cli {

using namespace client;
using namespace Qt::StringLiterals;

namespace {

//! The recording file: every line verbatim, flushed batch by batch. With several sources, a source
//! marker goes before the lines of a source whenever the source changes (and first of all); with
//! one, the file holds the stream's lines and nothing else.
class RecordingFile
{
public:
    RecordingFile(QString path, bool marked) : m_path(std::move(path)), m_marked(marked) { m_file.setFileName(m_path); }

    //! Opens the output; false (after saying why) if it cannot be written.
    bool open()
    {
        if (QFileInfo(m_path).isDir()) {
            printError(u"record"_s, u"cannot write '%1': it is a directory"_s.arg(m_path));
            return false;
        }
        m_existedBefore = QFileInfo::exists(m_path);
        if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered)) {
            printError(u"record"_s, u"cannot write '%1': %2"_s.arg(m_path, m_file.errorString()));
            return false;
        }
        return true;
    }

    //! Appends \a lines of the source \a label; false (after saying why) if writing failed.
    bool write(const QString &label, const QList<StreamLine> &lines)
    {
        QByteArray buffer;
        if (m_marked && label != m_lastLabel) {
            buffer.append(protocol::sourceMarkerLine(label));
            buffer.append('\n');
            m_lastLabel = label;
        }
        for (const StreamLine &line : lines) {
            buffer.append(line.bytes);
            buffer.append('\n');
        }
        // Unbuffered: one write per batch of whole lines, so the file never ends mid-line
        // unless the disk does.
        if (m_file.write(buffer) != buffer.size()) {
            printError(u"record"_s, u"writing '%1' failed: %2"_s.arg(m_path, m_file.errorString()));
            return false;
        }
        return true;
    }

    //! Closes the file; one that got nothing and did not exist before is removed.
    void close(bool keep)
    {
        m_file.close();
        if (!keep && !m_existedBefore)
            QFile::remove(m_path);
    }

    const QString &path() const noexcept { return m_path; }

private:
    QString m_path;
    bool m_marked;
    QFile m_file;
    QString m_lastLabel;
    bool m_existedBefore = false;
};

class Recorder;

//! Follows one source for the Recorder: its lines go to the file, its end (bye, the connection
//! ending, never appearing) is reported with the exit status it means.
class SourceRecorder : public QObject
{
public:
    SourceRecorder(Recorder &recorder, qsizetype index, LabelledSource source, bool wait);

    void start() { m_source.start(); }
    void stop() { m_source.stop(); }
    bool everConnected() const noexcept { return m_connected; }
    qint64 lines() const noexcept { return m_lines; }
    const QString &label() const noexcept { return m_label; }

private:
    void onError(EventSource::Error error, const QString &message);
    void onLines(const QList<StreamLine> &lines);
    //! \a lines without those that read as a source marker: in a recording of several sources,
    //! such a line from a source would attribute the lines after it to another source. Says so
    //! once per source.
    QList<StreamLine> withoutMarkers(const QList<StreamLine> &lines);

    Recorder &m_recorder;
    qsizetype m_index;
    QString m_label;
    QString m_address;
    QString m_prefix; // "[LABEL] " in messages, with several sources
    ConnectErrors m_errors;
    std::unique_ptr<EventSource> m_sourceOwner;
    EventSource &m_source;
    qint64 m_lines = 0;
    bool m_markerNoted = false; // a line that reads as a source marker was left out and said so
    bool m_connected = false;
    bool m_ended = false;
};

//! Writes every line of each source's connection to one file until every source has ended (bye,
//! the connection ends, it never appeared), the duration passes or a signal arrives.
class Recorder : public QObject
{
public:
    Recorder(std::vector<LabelledSource> sources, QString path, double durationSeconds, bool wait)
        : m_file(std::move(path), sources.size() > 1), m_durationSeconds(durationSeconds), m_group(qsizetype(sources.size()))
    {
        m_durationTimer.setSingleShot(true);
        connect(&m_durationTimer, &QTimer::timeout, this, [this] { stop(u"the duration passed"_s, ExitOk); });
        const bool labelled = sources.size() > 1;
        for (LabelledSource &source : sources) {
            if (!labelled)
                source.label.clear();
            m_sources.push_back(std::make_unique<SourceRecorder>(*this, qsizetype(m_sources.size()), std::move(source), wait));
        }
    }

    bool open() { return m_file.open(); }
    const QString &path() const noexcept { return m_file.path(); }

    void start()
    {
        for (const auto &source : m_sources)
            source->start();
    }

    //! A source connected: the clock (and the duration) start with the first.
    void sourceConnected()
    {
        if (m_clock.isValid())
            return;
        m_clock.start();
        if (m_durationSeconds > 0)
            m_durationTimer.start(std::chrono::milliseconds(qint64(m_durationSeconds * 1000)));
    }

    void write(const QString &label, const QList<StreamLine> &lines)
    {
        if (m_done)
            return;
        if (!m_file.write(label, lines)) {
            m_writeFailed = true;
            stop(u"writing failed"_s, ExitUsage);
        }
    }

    //! The source \a index ended for \a reason (said to the user when there are several) with the
    //! exit status \a code; the recording ends with the last one.
    void sourceEnded(qsizetype index, const QString &reason, int code)
    {
        if (m_done)
            return;
        m_sources[index]->stop();
        const bool last = m_group.ended(code);
        if (m_sources.size() == 1)
            return stop(reason, code);
        if (!reason.isEmpty())
            Output::err().line(u"afterwork record: %1%2"_s.arg(labelPrefix(m_sources[index]->label()), reason));
        if (last)
            stop(u"every source ended"_s, m_group.worst());
    }

    void stop(const QString &reason, int code)
    {
        if (m_done)
            return;
        m_done = true;
        m_durationTimer.stop();
        qint64 lines = 0;
        QStringList perSource;
        bool connected = false;
        for (const auto &source : m_sources) {
            source->stop();
            lines += source->lines();
            connected = connected || source->everConnected();
            perSource << labelPrefix(source->label()) + QString::number(source->lines());
        }
        // Nothing was recorded: leave no empty file behind.
        m_file.close(connected);
        if (connected) {
            QString summary = u"afterwork record: %1; %2 lines in %3 s written to %4"_s.arg(reason)
                                  .arg(lines)
                                  .arg(double(m_clock.elapsed()) / 1000.0, 0, 'f', 1)
                                  .arg(path());
            if (m_sources.size() > 1)
                summary += u" (%1)"_s.arg(perSource.join(u", "_s));
            Output::err().line(summary);
        }
        if (m_writeFailed)
            code = ExitUsage;
        QCoreApplication::exit(std::max(code, m_group.worst()));
    }

private:
    RecordingFile m_file;
    std::vector<std::unique_ptr<SourceRecorder>> m_sources;
    double m_durationSeconds;
    QTimer m_durationTimer;
    QElapsedTimer m_clock;
    SourceGroup m_group;
    bool m_writeFailed = false;
    bool m_done = false;
};

SourceRecorder::SourceRecorder(Recorder &recorder, qsizetype index, LabelledSource source, bool wait)
    : m_recorder(recorder),
      m_index(index),
      m_label(std::move(source.label)),
      m_address(std::move(source.address)),
      m_prefix(labelPrefix(m_label)),
      m_errors(u"record"_s, m_prefix, m_address, wait),
      m_sourceOwner(std::move(source.source)),
      m_source(*m_sourceOwner)
{
    connect(&m_source, &EventSource::connected, this, [this] {
        m_connected = true;
        m_recorder.sourceConnected();
        Output::err().line(u"afterwork record: %1recording %2 to %3"_s.arg(m_prefix, m_source.description(), m_recorder.path()));
    });
    connect(&m_source, &EventSource::linesReceived, this, &SourceRecorder::onLines);
    connect(&m_source, &EventSource::errorOccurred, this, &SourceRecorder::onError);
    connect(&m_source, &EventSource::disconnected, this, [this](bool byeSeen) {
        if (m_ended)
            return;
        m_ended = true;
        m_recorder.sourceEnded(m_index, byeSeen ? u"the source said bye"_s : u"the source vanished without bye (the recording ends there)"_s,
                               ExitOk);
    });
    connect(&m_source, &EventSource::finished, this, [this] {
        if (!m_connected && !m_ended) {
            m_ended = true;
            m_recorder.sourceEnded(m_index, QString(), ExitFailure);
        }
    });
}

void SourceRecorder::onError(EventSource::Error error, const QString &message)
{
    // Once connected, the recording ends with the connection: errors after it are not waited on.
    if (m_connected || m_ended)
        return;
    if (m_errors.report(error, message, false, [this](const QString &text) { printError(u"record"_s, m_prefix + text); })) {
        m_ended = true;
        m_recorder.sourceEnded(m_index, QString(), ExitUsage);
    }
}

QList<StreamLine> SourceRecorder::withoutMarkers(const QList<StreamLine> &lines)
{
    QList<StreamLine> kept;
    kept.reserve(lines.size());
    for (const StreamLine &line : lines) {
        // A marker has no seq, so only a line the parser rejected can read as one.
        if (line.error() && protocol::parseSourceMarker(line.bytes)) {
            if (!std::exchange(m_markerNoted, true))
                printError(u"record"_s, m_prefix + u"line %1 from the source reads as a source marker: left out of the recording, "
                                                   "as is any other such line (it would attribute the lines after it to another source)"_s
                                                       .arg(line.lineNumber));
            continue;
        }
        kept.append(line);
    }
    return kept;
}

void SourceRecorder::onLines(const QList<StreamLine> &lines)
{
    if (m_ended)
        return;
    // One source (no label) is recorded byte for byte: its file has no markers of its own.
    const QList<StreamLine> kept = m_label.isEmpty() ? lines : withoutMarkers(lines);
    m_lines += kept.size();
    m_recorder.write(m_label, kept);
    // bye is the last line of a stream: done, without waiting for the connection to close.
    for (const StreamLine &line : lines) {
        if (const StreamEvent *event = line.event(); event && event->kind() == EventKind::Bye) {
            m_ended = true;
            return m_recorder.sourceEnded(m_index, u"the source said bye"_s, ExitOk);
        }
    }
}

} // namespace

int runRecord(const QStringList &arguments)
{
    QCommandLineParser parser;
    const SourceOptions sourceOptions;
    const QCommandLineOption outOption(u"out"_s, u"The file to write (NDJSON, one line per event)."_s, u"FILE"_s);
    const QCommandLineOption durationOption(u"duration"_s, u"Stop after S seconds (fractions allowed)."_s, u"S"_s);
    const QCommandLineOption waitOption(u"wait"_s, u"Wait for the source to appear."_s);
    sourceOptions.addTo(parser);
    parser.addOptions({outOption, durationOption, waitOption});
    if (const int code = parseSubcommand(parser, u"record"_s, arguments,
                                         u"Record running applications' event streams to one file, verbatim (--connect more than once: several).\n"
                                         "Stops when every source has said bye or gone away, after --duration, or on Ctrl-C."_s);
        code >= 0)
        return code;
    if (!noPositionalArguments(parser, u"record"_s))
        return ExitUsage;
    if (!parser.isSet(outOption) || parser.value(outOption).isEmpty()) {
        printError(u"record"_s, u"--out FILE is required"_s);
        return ExitUsage;
    }
    double duration = 0;
    if (parser.isSet(durationOption)) {
        duration = parseSeconds(parser.value(durationOption));
        if (duration < 0) {
            printError(u"record"_s, u"--duration wants a positive number of seconds, not '%1'"_s.arg(parser.value(durationOption)));
            return ExitUsage;
        }
    }
    std::optional<std::vector<LabelledSource>> sources = openSources(parser, sourceOptions, u"record"_s, parser.isSet(waitOption));
    if (!sources)
        return ExitUsage;
    Recorder recorder(std::move(*sources), parser.value(outOption), duration, parser.isSet(waitOption));
    if (!recorder.open())
        return ExitUsage;
    onTerminationSignal([&recorder] { recorder.stop(u"interrupted"_s, ExitOk); });
    QMetaObject::invokeMethod(&recorder, [&recorder] { recorder.start(); }, Qt::QueuedConnection);
    return QCoreApplication::exec();
}

} // namespace afterwork::cli
