// SPDX-License-Identifier: MIT
#pragma once

// Helpers for the event stream tests: a subscriber over a real QLocalSocket that parses every
// line and checks the `seq` rule of docs/protocol.md as it goes, a raw AF_UNIX subscriber that
// does not read at all, and a gate that holds sync work "running" until the test opens it.

#include "../support/socketnames.h"

#include <QtCore/QByteArray>
#include <QtCore/QCoreApplication>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QDir>
#include <QtCore/QEventLoop>
#include <QtCore/QFile>
#include <QtCore/QHash>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QSemaphore>
#include <QtCore/QTimer>
#include <QtNetwork/QLocalSocket>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <memory>

namespace afterwork::test {

using testing::uniqueSocketName;

inline QString socketPathFor(const QString &name)
{
    return QDir::cleanPath(QDir::tempPath()) + QLatin1Char('/') + name;
}

inline bool isBroadcastKind(const QString &kind)
{
    return kind != QLatin1StringView("hello") && kind != QLatin1StringView("snapshot")
        && kind != QLatin1StringView("gap") && kind != QLatin1StringView("bye")
        && kind != QLatin1StringView("reply");
}

//! One line as the tests need it. Full objects are kept only when asked for (200,000 would be
//! a lot of memory).
struct Line
{
    quint64 seq = 0;
    QString kind;
    quint64 taskId = 0;
    QString phase;
    QJsonObject object; // kept when StreamClient::keepObjects
};

class StreamClient : public QObject
{
    Q_OBJECT
public:
    explicit StreamClient(bool keepObjects = true, QObject *parent = nullptr)
        : QObject(parent)
        , keepObjects(keepObjects)
    {
        connect(&socket, &QLocalSocket::readyRead, this, [this] { readLines(); });
        connect(&socket, &QLocalSocket::disconnected, this, [this] {
            if (socket.bytesAvailable() > 0)
                readLines();
            disconnectedSeen = true;
        });
    }

    ~StreamClient() override { QObject::disconnect(&socket, nullptr, this, nullptr); }

    void connectTo(const QString &name) { socket.connectToServer(name); }
    //! Takes over an already connected descriptor (a RawSubscriber that starts reading).
    bool adopt(int fd) { return socket.setSocketDescriptor(fd); }

    bool hasKind(const QString &kind) const { return kindCounts.value(kind) > 0; }
    int count(const QString &kind) const { return kindCounts.value(kind); }
    const Line &last() const { return lines.constLast(); }
    QList<Line> linesOf(const QString &kind) const
    {
        QList<Line> result;
        for (const Line &line : lines) {
            if (line.kind == kind)
                result.append(line);
        }
        return result;
    }

    QLocalSocket socket;
    QList<Line> lines;
    QHash<QString, int> kindCounts;
    QStringList violations; // broken lines or `seq` rule violations, described
    quint64 totalMissed = 0;
    quint64 broadcastLines = 0; // task, heartbeat, shutdown, request...
    quint64 succeeded = 0;
    bool disconnectedSeen = false;
    bool keepObjects;

private:
    void readLines()
    {
        m_buffer.append(socket.readAll());
        qsizetype start = 0;
        for (;;) {
            const qsizetype newline = m_buffer.indexOf('\n', start);
            if (newline < 0)
                break;
            handleLine(QByteArrayView(m_buffer).sliced(start, newline - start));
            start = newline + 1;
        }
        m_buffer.remove(0, start);
    }

    void handleLine(QByteArrayView bytes)
    {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(bytes.toByteArray(), &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            violations << QStringLiteral("unparsable line: %1").arg(QString::fromUtf8(bytes.first(qMin<qsizetype>(bytes.size(), 200))));
            return;
        }
        const QJsonObject object = document.object();
        Line line;
        line.seq = quint64(object.value(QLatin1StringView("seq")).toInteger(-1));
        line.kind = object.value(QLatin1StringView("kind")).toString();
        if (object.value(QLatin1StringView("v")).toInteger() != 1)
            violations << QStringLiteral("line without v=1 at seq %1").arg(line.seq);

        // The seq rule: +1, except a gap, which skips exactly `missed` numbers.
        if (lines.isEmpty()) {
            if (line.kind != QLatin1StringView("hello") || line.seq != 0)
                violations << QStringLiteral("first line is %1 with seq %2").arg(line.kind).arg(line.seq);
        } else {
            quint64 expected = lines.constLast().seq + 1;
            if (line.kind == QLatin1StringView("gap")) {
                const auto missed = quint64(object.value(QLatin1StringView("missed")).toInteger());
                expected += missed;
                totalMissed += missed;
            }
            if (line.seq != expected)
                violations << QStringLiteral("seq %1 after %2 (kind %3)").arg(line.seq).arg(lines.constLast().seq).arg(line.kind);
            if (lines.constLast().kind == QLatin1StringView("bye"))
                violations << QStringLiteral("%1 after bye").arg(line.kind);
        }
        if (line.kind == QLatin1StringView("task")) {
            line.taskId = quint64(object.value(QLatin1StringView("id")).toInteger());
            line.phase = object.value(QLatin1StringView("phase")).toString();
            if (line.phase == QLatin1StringView("succeeded"))
                ++succeeded;
        }
        if (isBroadcastKind(line.kind))
            ++broadcastLines;
        if (keepObjects)
            line.object = object;
        ++kindCounts[line.kind];
        lines.append(std::move(line));
    }

    QByteArray m_buffer;
};

//! A subscriber that connects with a bare AF_UNIX socket and reads nothing, so that the
//! publisher's writes back up. release() hands the descriptor over (to StreamClient::adopt).
class RawSubscriber
{
public:
    ~RawSubscriber()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    bool connectTo(const QString &path)
    {
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0)
            return false;
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        const QByteArray encoded = QFile::encodeName(path);
        std::memcpy(address.sun_path, encoded.constData(), size_t(encoded.size()));
        return ::connect(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0;
    }
    bool send(QByteArrayView bytes) { return ::write(m_fd, bytes.data(), size_t(bytes.size())) == bytes.size(); }
    int release() { return std::exchange(m_fd, -1); }

private:
    int m_fd = -1;
};

//! Runs the event loop until \a done() holds, or \a timeoutMs passes. Unlike QTRY_*, it never
//! sleeps: it waits for the next event (the engine's, a socket's, or its own tick).
template<typename Predicate>
bool waitFor(Predicate done, int timeoutMs = 20000)
{
    const QDeadlineTimer deadline(timeoutMs);
    QTimer tick;
    tick.start(20); // wakes the wait below so that the deadline is checked
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

//! Holds sync work until open(): arrived() counts the work that reached the gate.
class Gate
{
public:
    void pass()
    {
        m_arrived.release();
        m_open.acquire();
        m_open.release();
    }
    bool waitArrived(int count = 1, int timeoutMs = 5000) { return m_arrived.tryAcquire(count, timeoutMs); }
    void open() { m_open.release(); }

private:
    QSemaphore m_arrived;
    QSemaphore m_open;
};

} // namespace afterwork::test
