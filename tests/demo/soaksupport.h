// SPDX-License-Identifier: MIT
#pragma once

// The actors of tst_soak: HTTP clients that keep afterwork-demo busy, clients that drop their
// connection in the middle of a request, a subscriber of the event stream that stops reading, and
// a reader of the growing recording. All of them run on the test's event loop (the stalled
// subscriber, once it reads again, on a thread of its own), driven by signals and timers.

#include <afterwork/client/lineparser.h>

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QMap>
#include <QtCore/QMutex>
#include <QtCore/QRandomGenerator>
#include <QtCore/QSet>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace afterwork::test {

//! One request of the mix, and the statuses it may be answered with.
struct SoakRequest
{
    SoakRequest() = default;
    SoakRequest(QByteArray method_, QByteArray target_, QByteArray body_ = {}, int expectedStatus_ = 200)
        : method(std::move(method_)), target(std::move(target_)), body(std::move(body_)), expectedStatus(expectedStatus_)
    {
    }

    QByteArray method;
    QByteArray target;
    QByteArray body;
    int expectedStatus = 200;
};

//! What the load clients saw, summed over all of them.
struct LoadStats
{
    qint64 sent = 0;
    qint64 answered = 0;
    QMap<int, qint64> byStatus;
    //! Set when SIGTERM is sent: from then on a 503 ("Server is shutting down") is expected.
    bool shutdownSignalled = false;
    //! Answers with a status the request did not expect.
    QStringList unexpected;
    //! Requests still unanswered when their connection ended, or after the reply timeout.
    QStringList unanswered;
    //! Ids of the tasks the server said it scheduled (POST /tasks/spawn, /reports/export).
    QSet<qint64> reportedIds;
    qint64 reportedTasks = 0; //!< the same, counted with repetitions (must equal reportedIds.size())
};

//! The mix of requests: every task-scheduling route of afterwork-demo in every timing mode, fast
//! and slow, failing tasks, failing routes, progress, deferred answers, a few reads and bad input.
//! Shielded work stays short, so that a drain within the demo's deadline always completes it.
inline SoakRequest pickRequest(QRandomGenerator &random)
{
    static const QByteArray modes[] = {"immediate", "after_route", "after_response"};
    const auto mode = [&] { return modes[random.bounded(3)]; };
    const auto work = [&] { return QByteArray(random.bounded(2) ? "async" : "sync"); };
    const auto number = [&](int low, int high) { return QByteArray::number(random.bounded(low, high + 1)); };
    const int roll = random.bounded(100);
    if (roll < 30) {
        return {"POST", "/tasks/spawn?name=soak_fast&count=" + number(1, 20) + "&ms=" + number(0, 30) + "&mode=" + mode()
                            + "&work=" + work() + (random.bounded(10) == 0 ? "&fail=1" : "")
                            + (random.bounded(5) == 0 ? "&shield=1" : "")};
    }
    if (roll < 36) { // unshielded and slow: some still run at the drain, which cancels them
        return {"POST", "/tasks/spawn?name=soak_slow&count=" + number(1, 2) + "&ms=" + number(300, 3000) + "&mode="
                            + mode() + "&work=" + work()};
    }
    if (roll < 40) {
        return {"POST", "/tasks/spawn?name=soak_slow_shielded&shield=1&ms=" + number(100, 1000) + "&mode=" + mode()
                            + "&work=" + work()};
    }
    if (roll < 46) { // the route raises after scheduling: 500, its after-batches are dropped
        return {"POST", "/tasks/spawn?name=soak_route_fail&route_fail=1&count=" + number(1, 5) + "&ms=" + number(0, 20)
                            + "&mode=" + mode() + "&work=" + work(),
                {}, 500};
    }
    if (roll < 52)
        return {"POST", "/reports/export?steps=" + number(2, 15) + "&ms=" + number(5, 50)};
    switch (roll) {
    case 52: case 53: return {"POST", "/notify?email=soak@example.org"};
    case 54: case 55: return {"POST", "/process/" + number(1, 99)};
    case 56: return {"POST", "/critical"};
    case 57: return {"POST", "/payments?payment_id=" + number(1, 999) + "&amount=9.5"};
    case 58: return {"POST", "/payments?payment_id=" + number(1, 999) + "&amount=5&flow=process&decline=" + number(0, 1)};
    case 59: case 60: return {"POST", "/order", R"({"item":"book","qty":1})"};
    case 61: case 62: return {"POST", "/risky"};
    case 63: return {"POST", "/process", R"({"user_id":42})"};
    case 64: return {"POST", "/process", R"({"plan":"pro"})"}; // fails: no numeric user_id
    case 65: case 66: return {"POST", "/flaky?backoff_ms=10&fail_times=" + number(0, 4)};
    case 67: return {"POST", "/flaky?retry=policy&backoff_ms=10&fail_times=" + number(0, 4)};
    case 68: case 69: return {"POST", "/comprehensive"};
    case 70: return {"POST", "/task?fail=" + number(0, 1)};
    case 71: return {"POST", "/tasks?fail=task1,task4"};
    case 72: case 73: case 74: case 75: return {"POST", "/deferred?ms=" + number(0, 300)};
    case 76: return {"GET", "/tasks"};
    case 77: return {"GET", "/metrics"};
    case 78: return {"GET", "/healthz"};
    case 79: return {"POST", "/tasks/spawn?count=0", {}, 422};
    default:
        return {"POST", "/tasks/spawn?name=soak_mixed&count=" + number(1, 5) + "&ms=" + number(0, 150) + "&mode=" + mode()
                            + "&work=" + work()};
    }
}

inline QByteArray requestBytes(const SoakRequest &request)
{
    QByteArray bytes = request.method + ' ' + request.target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (request.method == "POST")
        bytes += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(request.body.size()) + "\r\n";
    return bytes + "\r\n" + request.body;
}

//! POSTs \a target on a connection of its own and returns the answer's JSON body (empty when
//! there was no 200 answer within \a timeoutMs). The event loop runs meanwhile.
inline QJsonObject postForJson(quint16 port, const QByteArray &target, int timeoutMs = 10000)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, timeoutMs))
        return {};
    socket.write(requestBytes({"POST", target}));
    QByteArray answer;
    qsizetype headerEnd = -1;
    qint64 length = -1;
    const bool complete = QTest::qWaitFor(
        [&] {
            answer += socket.readAll();
            headerEnd = answer.indexOf("\r\n\r\n");
            if (headerEnd >= 0 && length < 0) {
                const qsizetype at = answer.toLower().indexOf("content-length:");
                length = at < 0 ? 0 : answer.mid(at + 15, answer.indexOf("\r\n", at) - at - 15).trimmed().toLongLong();
            }
            return headerEnd >= 0 && answer.size() >= headerEnd + 4 + length;
        },
        timeoutMs);
    if (!complete || !answer.startsWith("HTTP/1.1 200"))
        return {};
    return QJsonDocument::fromJson(answer.mid(headerEnd + 4, length)).object();
}

//! One keep-alive connection: a request, its whole answer, a random pause, the next request.
//! Reconnects when the server closes the connection, until stop().
class LoadClient : public QObject
{
public:
    //! \a next picks each request; \a gate, when set, must be true before one is sent (checked
    //! again every 20 ms): back-pressure for the flood.
    LoadClient(quint16 port, quint32 seed, LoadStats *stats, int maxPauseMs,
               std::function<SoakRequest(QRandomGenerator &)> next = pickRequest, std::function<bool()> gate = {})
        : m_port(port), m_random(seed), m_stats(stats), m_maxPauseMs(maxPauseMs), m_next(std::move(next)),
          m_gate(std::move(gate))
    {
        m_pause.setSingleShot(true);
        m_replyTimeout.setSingleShot(true);
        m_replyTimeout.setInterval(30000);
        connect(&m_pause, &QTimer::timeout, this, &LoadClient::sendNext);
        connect(&m_replyTimeout, &QTimer::timeout, this, [this] {
            m_stats->unanswered << QStringLiteral("%1 %2: no answer within 30 s")
                                       .arg(QString::fromLatin1(m_current.method), QString::fromLatin1(m_current.target));
            m_waiting = false;
            m_socket.abort();
        });
        connect(&m_socket, &QTcpSocket::connected, this, &LoadClient::sendNext);
        connect(&m_socket, &QTcpSocket::readyRead, this, &LoadClient::onReadyRead);
        connect(&m_socket, &QTcpSocket::disconnected, this, &LoadClient::onDisconnected);
        m_socket.connectToHost(QHostAddress::LocalHost, m_port);
    }

    //! Sends nothing more; the request in flight, if any, is still read.
    void stop()
    {
        m_stopping = true;
        m_pause.stop();
    }
    bool idle() const { return !m_waiting; }

private:
    void sendNext()
    {
        if (m_stopping || m_socket.state() != QAbstractSocket::ConnectedState)
            return;
        if (m_gate && !m_gate()) {
            m_pause.start(20);
            return;
        }
        m_current = m_next(m_random);
        m_waiting = true;
        ++m_stats->sent;
        m_replyTimeout.start();
        m_socket.write(requestBytes(m_current));
    }

    void onReadyRead()
    {
        m_buffer += m_socket.readAll();
        for (;;) {
            const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
            if (headerEnd < 0)
                return;
            qint64 length = 0;
            bool close = false;
            for (const QByteArray &line : m_buffer.left(headerEnd).split('\n')) {
                const QByteArray lower = line.trimmed().toLower();
                if (lower.startsWith("content-length:"))
                    length = lower.mid(15).trimmed().toLongLong();
                else if (lower == "connection: close")
                    close = true;
            }
            if (m_buffer.size() < headerEnd + 4 + length)
                return;
            const int status = m_buffer.mid(9, 3).toInt();
            const QByteArray body = m_buffer.mid(headerEnd + 4, length);
            m_buffer.remove(0, headerEnd + 4 + length);
            onAnswer(status, body);
            if (close) {
                m_socket.disconnectFromHost();
                return;
            }
        }
    }

    void onAnswer(int status, const QByteArray &body)
    {
        m_replyTimeout.stop();
        if (!m_waiting) {
            m_stats->unexpected << QStringLiteral("an answer (%1) to no request").arg(status);
            return;
        }
        m_waiting = false;
        ++m_stats->answered;
        ++m_stats->byStatus[status];
        const bool shuttingDown = m_stats->shutdownSignalled && status == 503;
        if (status != m_current.expectedStatus && !shuttingDown) {
            m_stats->unexpected << QStringLiteral("%1 %2: %3 %4")
                                       .arg(QString::fromLatin1(m_current.method), QString::fromLatin1(m_current.target))
                                       .arg(status)
                                       .arg(QString::fromUtf8(body.left(200)));
        }
        if (status == 200) {
            const QJsonObject json = QJsonDocument::fromJson(body).object();
            if (m_current.target.startsWith("/tasks/spawn")) {
                for (const QJsonValue &id : json.value("ids").toArray()) {
                    m_stats->reportedIds.insert(id.toInteger());
                    ++m_stats->reportedTasks;
                }
            } else if (m_current.target.startsWith("/reports/export")) {
                m_stats->reportedIds.insert(json.value("id").toInteger());
                ++m_stats->reportedTasks;
            }
        }
        if (!m_stopping)
            m_pause.start(m_maxPauseMs > 0 ? int(m_random.bounded(m_maxPauseMs + 1)) : 0);
    }

    void onDisconnected()
    {
        if (m_waiting) {
            m_replyTimeout.stop();
            m_waiting = false;
            m_stats->unanswered << QStringLiteral("%1 %2: the connection ended first")
                                       .arg(QString::fromLatin1(m_current.method), QString::fromLatin1(m_current.target));
        }
        m_buffer.clear();
        if (!m_stopping) // the server closed it (Connection: close): a new one
            m_socket.connectToHost(QHostAddress::LocalHost, m_port);
    }

    QTcpSocket m_socket;
    quint16 m_port;
    QRandomGenerator m_random;
    LoadStats *m_stats;
    int m_maxPauseMs;
    std::function<SoakRequest(QRandomGenerator &)> m_next;
    std::function<bool()> m_gate;
    QTimer m_pause;
    QTimer m_replyTimeout;
    QByteArray m_buffer;
    SoakRequest m_current;
    bool m_waiting = false;
    bool m_stopping = false;
};

//! Clients that leave in the middle: every few tens of milliseconds a new connection that sends
//! part of a request's headers, or part of its body, or all of it, and then aborts the connection
//! (at once, or a moment later) without reading a byte of the answer. The kinds take turns.
class DisconnectingClients : public QObject
{
public:
    enum Kind { PartialHeaders, PartialBody, FullRequestAbortAtOnce, FullRequestAbortLater, KindCount };

    DisconnectingClients(quint16 port, quint32 seed) : m_port(port), m_random(seed)
    {
        m_next.setSingleShot(true);
        connect(&m_next, &QTimer::timeout, this, &DisconnectingClients::openOne);
        m_next.start(0);
    }
    void stop()
    {
        m_stopping = true;
        m_next.stop();
        for (QTcpSocket *socket : findChildren<QTcpSocket *>())
            socket->abort();
    }

    qint64 counts[KindCount] = {};

private:
    void openOne()
    {
        if (m_stopping)
            return;
        const Kind kind = Kind(m_turn++ % KindCount);
        auto *socket = new QTcpSocket(this);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QAbstractSocket::errorOccurred, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::connected, socket, [this, socket, kind] { misbehave(socket, kind); });
        socket->connectToHost(QHostAddress::LocalHost, m_port);
        m_next.start(int(m_random.bounded(20, 200)));
    }

    void misbehave(QTcpSocket *socket, Kind kind)
    {
        ++counts[kind];
        QByteArray bytes;
        switch (kind) {
        case PartialHeaders: {
            const QByteArray whole = requestBytes(pickRequest(m_random));
            const qsizetype headers = whole.indexOf("\r\n\r\n");
            bytes = whole.left(1 + m_random.bounded(int(headers)));
            break;
        }
        case PartialBody: {
            const QByteArray body = R"({"item":"book","qty":1,"note":"the rest of this body never comes"})";
            bytes = requestBytes({"POST", "/order", body}).chopped(int(1 + m_random.bounded(int(body.size()) - 1)));
            break;
        }
        case FullRequestAbortAtOnce:
        case FullRequestAbortLater: {
            // A deferred answer half of the time, so that the client is gone before it comes.
            const SoakRequest request = m_random.bounded(2) ? SoakRequest{"POST", "/deferred?ms=" + QByteArray::number(m_random.bounded(20, 400))}
                                                            : pickRequest(m_random);
            bytes = requestBytes(request);
            break;
        }
        case KindCount: break;
        }
        socket->write(bytes);
        socket->flush(); // handed to the kernel now: the server gets exactly these bytes
        if (kind == FullRequestAbortLater)
            QTimer::singleShot(int(m_random.bounded(1, 100)), socket, [socket] { socket->abort(); });
        else
            socket->abort();
    }

    quint16 m_port;
    QRandomGenerator m_random;
    QTimer m_next;
    int m_turn = 0;
    bool m_stopping = false;
};

//! A subscriber of the event stream that connects and then reads nothing, so that the publisher's
//! queue for it overflows. resume() makes it read again, on a thread of its own, to the end.
class StalledSubscriber
{
public:
    ~StalledSubscriber()
    {
        if (m_thread.isRunning()) {
            m_thread.quit();
            m_thread.wait();
        }
        if (!m_socket && m_fd >= 0)
            ::close(m_fd);
    }

    //! A plain Unix socket, so that nothing reads it behind the test's back.
    bool connectTo(const QString &path)
    {
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0)
            return false;
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const QByteArray encoded = QFile::encodeName(path);
        if (encoded.size() >= qsizetype(sizeof(address.sun_path)))
            return false;
        std::memcpy(address.sun_path, encoded.constData(), encoded.size());
        return ::connect(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) == 0;
    }

    void resume()
    {
        m_socket = new QLocalSocket;
        m_socket->moveToThread(&m_thread);
        QObject::connect(m_socket, &QLocalSocket::readyRead, m_socket, [this] {
            const QByteArray data = m_socket->readAll();
            QMutexLocker lock(&m_mutex);
            m_raw += data;
        });
        QObject::connect(m_socket, &QLocalSocket::disconnected, m_socket, [this] {
            const QByteArray data = m_socket->readAll();
            QMutexLocker lock(&m_mutex);
            m_raw += data;
            m_disconnected = true;
        });
        QObject::connect(&m_thread, &QThread::finished, m_socket, &QObject::deleteLater);
        m_thread.start();
        QMetaObject::invokeMethod(m_socket, [this] {
            if (!m_socket->setSocketDescriptor(m_fd)) {
                QMutexLocker lock(&m_mutex);
                m_disconnected = true;
            }
        });
    }

    QByteArray received()
    {
        QMutexLocker lock(&m_mutex);
        return m_raw;
    }
    bool isDisconnected()
    {
        QMutexLocker lock(&m_mutex);
        return m_disconnected;
    }

private:
    int m_fd = -1;
    QThread m_thread;
    QLocalSocket *m_socket = nullptr; // lives on m_thread once resumed, deleted when it finishes
    QMutex m_mutex;
    QByteArray m_raw;
    bool m_disconnected = false;
};

//! Follows the recording as the recorder writes it: its size and the latest heartbeat.
class RecordingTail
{
public:
    explicit RecordingTail(QString path) { m_file.setFileName(std::move(path)); }

    //! Reads what was appended since the last call.
    void poll()
    {
        if (!m_file.isOpen() && !m_file.open(QIODevice::ReadOnly))
            return;
        const QByteArray data = m_file.readAll();
        bytes += data.size();
        m_partial += data;
        const qsizetype end = m_partial.lastIndexOf('\n');
        if (end < 0)
            return;
        const QByteArray complete = m_partial.left(end);
        m_partial.remove(0, end + 1);
        for (const QByteArray &line : complete.split('\n')) {
            ++lines;
            if (!line.contains("\"kind\":\"heartbeat\""))
                continue;
            const auto parsed = client::parseLine(line);
            if (const auto *event = std::get_if<client::StreamEvent>(&parsed)) {
                if (const auto *heartbeat = event->as<client::HeartbeatEvent>()) {
                    ++heartbeats;
                    subscribers = heartbeat->subscribers;
                    live = heartbeat->live;
                    eventsDropped = qMax(eventsDropped, heartbeat->eventsDropped);
                }
            }
        }
    }

    qint64 bytes = 0;
    qint64 lines = 0;
    qint64 heartbeats = 0;
    qint64 subscribers = -1; //!< of the latest heartbeat
    qint64 live = 0;         //!< of the latest heartbeat
    qint64 eventsDropped = 0;

private:
    QFile m_file;
    QByteArray m_partial;
};

} // namespace afterwork::test
