// SPDX-License-Identifier: MIT
// `afterwork replay`: serve a recording on a local socket as if it were live; each source of a
// multi-source recording on its own socket.
#include "clicommon.h"
#include "commands.h"
#include "recording.h"

#include <afterwork/client/lineparser.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtCore/QUuid>
#include <QtNetwork/QHostInfo>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

#include <cmath>
#include <memory>
#include <vector>

namespace afterwork::cli {

using namespace client;
using namespace Qt::StringLiterals;

namespace {

//! The lines every subscriber gets: the recording, re-sequenced so that each connection's hello is
//! 0 (gaps keep their jumps), with a hello and snapshot in front if the recording lacks them.
struct Playlist
{
    QList<QByteArray> lines;  //!< each ends with '\n'
    QList<qint64> dueUs;      //!< when to send, relative to the first line (before speed)
    bool endsWithBye = false;
    qint64 recordedSpanUs = 0;
};

QByteArray withSeq(const QByteArray &line, quint64 seq)
{
    const auto span = findTopLevelValue(line, "seq");
    if (!span)
        return line;
    return line.left(span->offset) + QByteArray::number(seq) + line.mid(span->offset + span->length);
}

//! Makes a source's playlist as its lines are read (the recording itself is not kept).
class PlaylistBuilder
{
public:
    void add(const StreamLine &line)
    {
        ++m_lineCount;
        const StreamEvent *event = line.event();
        if (!event) {
            ++m_malformed;
            if (m_firstTsUs) // malformed lines are part of what was recorded: sent as they are
                append(line.bytes, -1);
            else
                m_beforeFirstEvent.append(line.bytes); // after what goes first, known at the first event
            return;
        }
        if (!m_firstTsUs)
            start(*event);
        if (event->kind() == EventKind::Hello) {
            m_base = event->seq;
            m_shift = 0;
        }
        // seq of a line = its recorded seq - the seq of its connection's hello (+ what we put first).
        const quint64 from = m_base.value_or(event->seq);
        append(event->seq >= from ? withSeq(line.bytes, event->seq - from + m_shift) : line.bytes, event->tsUs);
        m_playlist.endsWithBye = event->kind() == EventKind::Bye;
    }

    //! The playlist, once every line was added.
    Playlist finish()
    {
        for (const QByteArray &bytes : std::exchange(m_beforeFirstEvent, {}))
            append(bytes, -1); // a source without any event
        m_playlist.recordedSpanUs = m_playlist.dueUs.isEmpty() ? 0 : m_playlist.dueUs.constLast();
        return std::exchange(m_playlist, {});
    }

    qint64 lineCount() const noexcept { return m_lineCount; }   //!< lines added
    qint64 malformedCount() const noexcept { return m_malformed; } //!< of which did not parse

private:
    //! The first event: times count from it, and a recording cut mid-stream (no hello first)
    //! still gives a reader a hello and a snapshot first.
    void start(const StreamEvent &first)
    {
        m_firstTsUs = first.tsUs;
        if (first.kind() != EventKind::Hello) {
            const qint64 ts = first.tsUs;
            append(u"{\"v\":1,\"seq\":0,\"ts_us\":%1,\"kind\":\"hello\",\"source\":{\"app\":\"afterwork-replay\",\"pid\":%2,"
                   "\"host\":\"%3\",\"instance\":\"%4\",\"started_us\":%1}}"_s.arg(ts)
                       .arg(QCoreApplication::applicationPid())
                       .arg(QHostInfo::localHostName(), QUuid::createUuid().toString(QUuid::WithoutBraces))
                       .toUtf8(),
                   ts);
            append(u"{\"v\":1,\"seq\":1,\"ts_us\":%1,\"kind\":\"snapshot\",\"tasks\":[]}"_s.arg(ts).toUtf8(), ts);
            m_base = first.seq;
            m_shift = 2;
        }
        for (const QByteArray &bytes : std::exchange(m_beforeFirstEvent, {}))
            append(bytes, -1);
    }

    void append(QByteArray bytes, qint64 tsUs)
    {
        if (tsUs >= 0 && m_firstTsUs && *m_firstTsUs >= 0)
            m_latestTsUs = std::max(m_latestTsUs, tsUs);
        bytes.append('\n');
        m_playlist.lines.append(std::move(bytes));
        m_playlist.dueUs.append(m_latestTsUs < 0 ? 0 : m_latestTsUs - *m_firstTsUs);
    }

    Playlist m_playlist;
    QList<QByteArray> m_beforeFirstEvent; // malformed lines before the first event
    std::optional<qint64> m_firstTsUs;    // the first event's, once there is one
    qint64 m_latestTsUs = -1;
    std::optional<quint64> m_base;
    quint64 m_shift = 0;
    qint64 m_lineCount = 0;
    qint64 m_malformed = 0;
};

//! Plays the playlist to one subscriber, paced, with backpressure.
class Session : public QObject
{
public:
    static constexpr qint64 MaxBuffered = 4 * 1024 * 1024;

    Session(QLocalSocket *socket, const Playlist &playlist, double speed, std::function<void()> onDone)
        : m_socket(socket), m_playlist(playlist), m_speed(speed), m_onDone(std::move(onDone))
    {
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, &Session::pump);
        connect(socket, &QLocalSocket::bytesWritten, this, &Session::pump);
        connect(socket, &QLocalSocket::disconnected, this, &Session::done);
        // A subscriber may send (the protocol reserves commands); we have nothing to say to them.
        connect(socket, &QLocalSocket::readyRead, this, [this] { m_socket->readAll(); });
        m_clock.start();
        pump();
    }
    ~Session() override
    {
        if (m_socket) {
            m_socket->disconnect(); // nothing may reach this session (or the server) while it dies
            m_socket->abort();
            m_socket->deleteLater();
        }
    }

private:
    void pump()
    {
        if (!m_socket || m_finished)
            return;
        const qint64 nowUs = m_clock.nsecsElapsed() / 1000;
        while (m_next < m_playlist.lines.size()) {
            if (m_speed > 0) {
                const auto dueUs = qint64(double(m_playlist.dueUs[m_next]) / m_speed);
                if (dueUs > nowUs) {
                    m_timer.start(std::chrono::milliseconds((dueUs - nowUs + 999) / 1000));
                    return;
                }
            }
            if (m_socket->bytesToWrite() > MaxBuffered)
                return; // resumed by bytesWritten
            m_socket->write(m_playlist.lines[m_next++]);
        }
        if (m_socket->bytesToWrite() > 0)
            return; // wait until everything is out
        m_finished = true;
        // A recording that ended with bye ends the connection as the publisher did; one that did
        // not stays open (the source went quiet) unless the whole replay ends.
        if (m_playlist.endsWithBye)
            m_socket->disconnectFromServer();
        done();
    }

    void done()
    {
        m_finished = true;
        if (m_onDone) {
            auto callback = std::exchange(m_onDone, {});
            callback();
        }
    }

    QPointer<QLocalSocket> m_socket;
    const Playlist &m_playlist;
    double m_speed;
    std::function<void()> m_onDone;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qsizetype m_next = 0;
    bool m_finished = false;
};

//! Serves one playlist on one socket name. With \a once, it serves one subscriber and calls
//! \a onServed when that replay has ended.
class ReplayServer : public QObject
{
public:
    ReplayServer(Playlist playlist, double speed, bool once, std::function<void()> onServed)
        : m_playlist(std::move(playlist)), m_speed(speed), m_once(once), m_onServed(std::move(onServed))
    {
        connect(&m_server, &QLocalServer::newConnection, this, [this] {
            while (QLocalSocket *socket = m_server.nextPendingConnection()) {
                auto *session = new Session(socket, m_playlist, m_speed, [this] {
                    if (m_once)
                        QTimer::singleShot(0, this, [this] {
                            stop();
                            if (m_onServed)
                                std::exchange(m_onServed, {})();
                        });
                });
                m_sessions.append(session);
                connect(socket, &QLocalSocket::disconnected, session, [this, session] {
                    m_sessions.removeOne(session);
                    session->deleteLater();
                });
                if (m_once)
                    m_server.close(); // one subscriber only
            }
        });
    }
    ~ReplayServer() override { stop(); }

    //! Listens owner-only on \a name; refuses a name a live process answers on. Empty on success.
    QString listen(const QString &name)
    {
        {
            QLocalSocket probe;
            probe.connectToServer(name);
            if (probe.waitForConnected(500)) {
                probe.abort();
                return u"'%1' is in use by a live source; choose another name with --listen"_s.arg(name);
            }
        }
        QLocalServer::removeServer(name); // a stale socket file of a dead process
        m_server.setSocketOptions(QLocalServer::UserAccessOption);
        if (!m_server.listen(name))
            return u"cannot listen on '%1': %2"_s.arg(name, m_server.errorString());
        return {};
    }

    void stop()
    {
        m_server.close();
        qDeleteAll(std::exchange(m_sessions, {}));
    }

    const Playlist &playlist() const noexcept { return m_playlist; }

private:
    Playlist m_playlist;
    double m_speed;
    bool m_once;
    std::function<void()> m_onServed;
    QLocalServer m_server;
    QList<Session *> m_sessions; // Owning.
};

//! The part of a socket name that a source's label becomes: characters other than letters,
//! digits, `.`, `_` and `-` (a label may be `tls://HOST:PORT`) are `_`.
QString socketSuffix(const QString &label)
{
    QString suffix = label;
    for (QChar &c : suffix) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'.' && c != u'_' && c != u'-')
            c = u'_';
    }
    return suffix;
}

//! One source to serve: its name in the recording ("" for a recording of one) and the socket.
struct Served
{
    QString source;
    QString socketName;
};

//! Which sources to serve on which names: \a only alone on \a name; otherwise the unnamed source
//! on \a name and each named one on `NAME-LABEL`, even when it is the only one (a multi-source
//! recording in which one source ever connected). Nothing, after saying why, for a source the
//! recording lacks or labels that make the same socket name.
std::optional<QList<Served>> chooseServed(const QStringList &sources, const std::optional<QString> &only, const QString &name,
                                          const QString &path)
{
    const auto quoted = [](QStringList names) {
        for (QString &n : names)
            n = n.isEmpty() ? u"(unnamed)"_s : u"'%1'"_s.arg(n);
        return names.join(u", "_s);
    };
    if (only) {
        if (!sources.contains(*only)) {
            printError(u"replay"_s, u"'%1' has no source '%2'; its sources: %3"_s.arg(path, *only, quoted(sources)));
            return std::nullopt;
        }
        return QList<Served>{{*only, name}};
    }
    QList<Served> served;
    QStringList names;
    for (const QString &source : sources) {
        const QString socketName = source.isEmpty() ? name : u"%1-%2"_s.arg(name, socketSuffix(source));
        if (names.contains(socketName)) {
            printError(u"replay"_s, u"two sources of '%1' would be served on '%2'; serve one at a time with --source LABEL"_s.arg(path, socketName));
            return std::nullopt;
        }
        names.append(socketName);
        served.append({source, socketName});
    }
    return served;
}

//! A source's playlist; nothing, after saying why, if it has no lines.
std::optional<Playlist> finishPlaylist(PlaylistBuilder &builder, const QString &path, const QString &source)
{
    if (builder.lineCount() == 0) {
        printError(u"replay"_s, u"'%1' holds no lines%2"_s.arg(path, source.isEmpty() ? QString() : u" of source '%1'"_s.arg(source)));
        return std::nullopt;
    }
    if (builder.malformedCount() > 0)
        printError(u"replay"_s, u"%1'%2' has %3 malformed line(s); they are served as they are"_s.arg(labelPrefix(source), path)
                                    .arg(builder.malformedCount()));
    return builder.finish();
}

} // namespace

int runReplay(const QStringList &arguments)
{
    QCommandLineParser parser;
    addRecordingArgument(parser);
    const QCommandLineOption speedOption(u"speed"_s, u"Playback speed: 1 real time (default), 10 ten times faster, 0 as fast as possible."_s,
                                         u"X"_s, u"1"_s);
    const QCommandLineOption listenOption(u"listen"_s, u"The socket name to serve on (default: afterwork-replay)."_s, u"NAME"_s,
                                          u"afterwork-replay"_s);
    const QCommandLineOption onceOption(u"once"_s, u"Serve one subscriber (on each socket), then exit."_s);
    const QCommandLineOption sourceOption(u"source"_s, u"Serve only this source of a multi-source recording, on NAME."_s, u"LABEL"_s);
    parser.addOptions({speedOption, listenOption, onceOption, sourceOption});
    if (const int code = parseSubcommand(parser, u"replay"_s, arguments,
                                         u"Serve a recording on a local socket, as if its application were running.\n"
                                         "Each subscriber gets the whole recording from its hello, paced by its timestamps.\n"
                                         "A multi-source recording serves each source on NAME-LABEL (or one, with --source)."_s);
        code >= 0)
        return code;
    const std::optional<QString> file = recordingArgument(parser, u"replay"_s);
    if (!file)
        return ExitUsage;
    bool ok = false;
    const double speed = parser.value(speedOption).toDouble(&ok);
    if (!ok || !(speed >= 0) || !std::isfinite(speed)) {
        printError(u"replay"_s, u"--speed wants a number >= 0, not '%1'"_s.arg(parser.value(speedOption)));
        return ExitUsage;
    }
    const QString name = parser.value(listenOption);
    if (name.isEmpty()) {
        printError(u"replay"_s, u"--listen needs a socket name"_s);
        return ExitUsage;
    }

    const QString path = *file;
    const std::optional<QString> only = parser.isSet(sourceOption) ? std::optional(parser.value(sourceOption)) : std::nullopt;
    // Each source's playlist is made as the file is read once; with --source, only that one's.
    std::vector<PlaylistBuilder> builders; // by source index
    QStringList sources;
    if (const auto error = readRecordingBySource(
            path,
            [&](const QString &source, qsizetype index, const QList<StreamLine> &lines) {
                if (index == qsizetype(builders.size()))
                    builders.emplace_back();
                if (only && source != *only)
                    return;
                for (const StreamLine &line : lines)
                    builders[index].add(line);
            },
            &sources)) {
        printError(u"replay"_s, *error);
        return ExitUsage;
    }
    builders.resize(size_t(sources.size())); // the one source of a recording without lines has none
    const std::optional<QList<Served>> served = chooseServed(sources, only, name, path);
    if (!served)
        return ExitUsage;

    std::vector<std::unique_ptr<ReplayServer>> servers;
    const auto stopAll = [&servers] {
        for (const auto &server : servers)
            server->stop();
        QCoreApplication::exit(ExitOk);
    };
    // With --once, each socket serves one subscriber; the replay ends when all of them have.
    qsizetype unserved = served->size();
    for (const Served &one : *served) {
        std::optional<Playlist> playlist = finishPlaylist(builders[size_t(sources.indexOf(one.source))], path, one.source);
        if (!playlist)
            return ExitUsage;
        const qsizetype lineCount = playlist->lines.size();
        const qint64 spanUs = playlist->recordedSpanUs;
        servers.push_back(std::make_unique<ReplayServer>(std::move(*playlist), speed, parser.isSet(onceOption), [&] {
            if (--unserved == 0)
                stopAll();
        }));
        if (const QString failed = servers.back()->listen(one.socketName); !failed.isEmpty()) {
            printError(u"replay"_s, failed);
            return ExitUsage;
        }
        Output::err().line(u"afterwork replay: listening on '%1'%2: %3 lines (%4 s recorded) at speed %5; "
                           "attach with 'afterwork tail --connect %1'"_s.arg(one.socketName)
                               .arg(one.source.isEmpty() ? QString() : u" for source '%1'"_s.arg(one.source))
                               .arg(lineCount)
                               .arg(double(spanUs) / 1e6, 0, 'f', 1)
                               .arg(speed));
    }
    onTerminationSignal(stopAll);
    return QCoreApplication::exec();
}

} // namespace afterwork::cli
