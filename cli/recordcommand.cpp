// SPDX-License-Identifier: MIT
// `afterwork record`: write a live stream to a file, verbatim.
#include "clicommon.h"
#include "commands.h"

#include <afterwork/client/livesource.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFileInfo>
#include <QtCore/QTimer>

namespace afterwork::cli {

using namespace client;
using namespace Qt::StringLiterals;

namespace {

//! Writes every line of one connection to a file, flushed batch by batch, until bye, the
//! connection ends, the duration passes or a signal arrives.
class Recorder : public QObject
{
public:
    Recorder(std::unique_ptr<EventSource> source, QString path, double durationSeconds, bool wait)
        : m_sourceOwner(std::move(source)),
          m_source(*m_sourceOwner),
          m_path(std::move(path)),
          m_durationSeconds(durationSeconds)
    {
        m_file.setFileName(m_path);
        m_durationTimer.setSingleShot(true);
        connect(&m_durationTimer, &QTimer::timeout, this, [this] { stop(u"the duration passed"_s, ExitOk); });
        connect(&m_source, &EventSource::connected, this, [this] {
            m_connected = true;
            m_clock.start();
            if (m_durationSeconds > 0)
                m_durationTimer.start(std::chrono::milliseconds(qint64(m_durationSeconds * 1000)));
            Output::err().line(u"afterwork record: recording %1 to %2"_s.arg(m_source.description(), m_path));
        });
        connect(&m_source, &EventSource::linesReceived, this, &Recorder::write);
        connect(&m_source, &EventSource::errorOccurred, this, [this, wait](EventSource::Error error, const QString &message) {
            if (m_connected)
                return;
            // A refused token or an untrusted certificate: waiting will not fix it.
            if (error == EventSource::Error::TlsFailed || (error == EventSource::Error::AccessDenied && isRemote())) {
                printError(u"record"_s, message);
                stop(QString(), ExitUsage);
                return;
            }
            if (!wait) {
                printError(u"record"_s, message);
                printError(u"record"_s, u"start the application (or use --wait to wait for it)"_s);
            } else if (!m_waitingNoted) {
                m_waitingNoted = true;
                printError(u"record"_s, message + u"; waiting for it to appear"_s);
            }
        });
        connect(&m_source, &EventSource::disconnected, this, [this](bool byeSeen) {
            if (byeSeen)
                stop(u"the source said bye"_s, ExitOk);
            else
                stop(u"the source vanished without bye (the recording ends there)"_s, ExitOk);
        });
        connect(&m_source, &EventSource::finished, this, [this] {
            if (!m_connected)
                stop(QString(), ExitFailure);
        });
    }

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

    void start() { m_source.start(); }

    void stop(const QString &reason, int code)
    {
        if (m_done)
            return;
        m_done = true;
        m_durationTimer.stop();
        m_source.stop();
        m_file.close();
        if (!m_connected) {
            // Nothing was recorded: leave no empty file behind.
            if (!m_existedBefore)
                QFile::remove(m_path);
        } else {
            Output::err().line(u"afterwork record: %1; %2 lines in %3 s written to %4"_s.arg(reason)
                                   .arg(m_lines)
                                   .arg(double(m_clock.elapsed()) / 1000.0, 0, 'f', 1)
                                   .arg(m_path));
        }
        if (m_writeFailed)
            code = ExitUsage;
        QCoreApplication::exit(code);
    }

private:
    void write(const QList<StreamLine> &lines)
    {
        if (m_done)
            return;
        QByteArray buffer;
        for (const StreamLine &line : lines) {
            buffer.append(line.bytes);
            buffer.append('\n');
        }
        m_lines += lines.size();
        // Unbuffered: one write per batch of whole lines, so the file never ends mid-line
        // unless the disk does.
        if (m_file.write(buffer) != buffer.size()) {
            m_writeFailed = true;
            printError(u"record"_s, u"writing '%1' failed: %2"_s.arg(m_path, m_file.errorString()));
            stop(u"writing failed"_s, ExitUsage);
            return;
        }
        // bye is the last line of a stream: done, without waiting for the connection to close.
        for (const StreamLine &line : lines) {
            if (const StreamEvent *event = line.event(); event && event->kind() == EventKind::Bye)
                return stop(u"the source said bye"_s, ExitOk);
        }
    }

    bool isRemote() const { return isRemoteConnectArgument(m_source.description()); }

    std::unique_ptr<EventSource> m_sourceOwner;
    EventSource &m_source;
    QString m_path;
    double m_durationSeconds;
    QFile m_file;
    QTimer m_durationTimer;
    QElapsedTimer m_clock;
    qint64 m_lines = 0;
    bool m_connected = false;
    bool m_waitingNoted = false;
    bool m_existedBefore = false;
    bool m_writeFailed = false;
    bool m_done = false;
};

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
                                         u"Record a running application's event stream to a file, verbatim.\n"
                                         "Stops on bye, when the source goes away, after --duration, or on Ctrl-C."_s);
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
    std::unique_ptr<EventSource> source = openSource(parser, sourceOptions, u"record"_s, parser.isSet(waitOption));
    if (!source)
        return ExitUsage;
    Recorder recorder(std::move(source), parser.value(outOption), duration, parser.isSet(waitOption));
    if (!recorder.open())
        return ExitUsage;
    onTerminationSignal([&recorder] { recorder.stop(u"interrupted"_s, ExitOk); });
    QMetaObject::invokeMethod(&recorder, [&recorder] { recorder.start(); }, Qt::QueuedConnection);
    return QCoreApplication::exec();
}

} // namespace afterwork::cli
