// SPDX-License-Identifier: MIT
#pragma once

// Test helpers: a stand-in for the engine's EventPublisher that writes prepared lines, and a
// builder for protocol lines. Tests of the client, the CLI and the dashboard use them where no
// real engine is needed (and to craft streams a real engine never sends, or a publisher that
// vanishes like a killed process).

#include "socketnames.h"

#include <QtCore/QByteArray>
#include <QtCore/QCoreApplication>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

namespace afterwork::testing {

//! Builds protocol lines (docs/protocol.md) with an explicit seq.
struct Lines
{
    static QByteArray hello(quint64 seq, const QString &instance, qint64 tsUs = 1'000'000)
    {
        return QStringLiteral(R"({"v":1,"seq":%1,"ts_us":%2,"kind":"hello","source":{"app":"fake","pid":%3,"host":"h","instance":"%4","started_us":1}})")
            .arg(seq)
            .arg(tsUs)
            .arg(QCoreApplication::applicationPid())
            .arg(instance)
            .toUtf8();
    }
    static QByteArray snapshot(quint64 seq, const QList<QByteArray> &taskObjects, qint64 tsUs = 1'000'000)
    {
        QByteArray joined;
        for (const QByteArray &task : taskObjects)
            joined += (joined.isEmpty() ? "" : ",") + task;
        return QStringLiteral(R"({"v":1,"seq":%1,"ts_us":%2,"kind":"snapshot","tasks":[)")
                   .arg(seq)
                   .arg(tsUs)
                   .toUtf8()
            + joined + "]}";
    }
    //! The fields of one task, as in a snapshot entry; \a extra are more members (",...").
    static QByteArray taskObject(quint64 id, const char *phase, qint64 tsUs = 1'000'000, const QByteArray &extra = {})
    {
        return QStringLiteral(R"({"id":%1,"ts_us":%2,"name":"task-%1","phase":"%3","shielded":false,"mode":"immediate","work":"sync","attempt":1,"scheduled_us":%4)")
                   .arg(id)
                   .arg(tsUs)
                   .arg(QLatin1StringView(phase))
                   .arg(tsUs - 10)
                   .toUtf8()
            + extra + "}";
    }
    static QByteArray task(quint64 seq, quint64 id, const char *phase, qint64 tsUs = 1'000'000, const QByteArray &extra = {})
    {
        QByteArray object = taskObject(id, phase, tsUs, extra);
        object.remove(0, 1); // "{"
        return QStringLiteral(R"({"v":1,"seq":%1,"kind":"task",)").arg(seq).toUtf8() + object;
    }
    static QByteArray gap(quint64 seq, qint64 missed, qint64 tsUs = 1'000'000)
    {
        return QStringLiteral(R"({"v":1,"seq":%1,"ts_us":%2,"kind":"gap","missed":%3})").arg(seq).arg(tsUs).arg(missed).toUtf8();
    }
    static QByteArray shutdown(quint64 seq, const char *stage, qint64 tsUs = 1'000'000)
    {
        return QStringLiteral(R"({"v":1,"seq":%1,"ts_us":%2,"kind":"shutdown","stage":"%3","deadline_us":%4,"pending":0,"cancelled":0,"finished":0,"abandoned":0})")
            .arg(seq)
            .arg(tsUs)
            .arg(QLatin1StringView(stage))
            .arg(tsUs + 5'000'000)
            .toUtf8();
    }
    static QByteArray request(quint64 seq, quint64 requestId, const char *stage, qint64 tsUs = 1'000'000)
    {
        return QStringLiteral(R"({"v":1,"seq":%1,"ts_us":%2,"kind":"request","request":%3,"method":"GET","path":"/x","stage":"%4","status":200})")
            .arg(seq)
            .arg(tsUs)
            .arg(requestId)
            .arg(QLatin1StringView(stage))
            .toUtf8();
    }
    static QByteArray progress(quint64 seq, quint64 id, qint64 done, qint64 total, const char *message = nullptr,
                               qint64 tsUs = 1'000'000)
    {
        QString line = QStringLiteral(R"({"v":1,"seq":%1,"ts_us":%2,"kind":"progress","id":%3,"done":%4,"total":%5)")
                           .arg(seq)
                           .arg(tsUs)
                           .arg(id)
                           .arg(done)
                           .arg(total);
        if (message)
            line += QStringLiteral(R"(,"message":"%1")").arg(QLatin1StringView(message));
        return (line + u'}').toUtf8();
    }
    static QByteArray heartbeat(quint64 seq, qint64 tsUs = 1'000'000)
    {
        return QStringLiteral(R"({"v":1,"seq":%1,"ts_us":%2,"kind":"heartbeat","counters":{"scheduled":1},"live":0,"pool":{"busy":0,"max":2},"events_dropped":0,"subscribers":1})")
            .arg(seq)
            .arg(tsUs)
            .toUtf8();
    }
    static QByteArray bye(quint64 seq, qint64 tsUs = 1'000'000)
    {
        return QStringLiteral(R"({"v":1,"seq":%1,"ts_us":%2,"kind":"bye"})").arg(seq).arg(tsUs).toUtf8();
    }
    static QByteArray join(const QList<QByteArray> &lines)
    {
        QByteArray out;
        for (const QByteArray &line : lines)
            out += line + '\n';
        return out;
    }
};

//! A QLocalServer that greets every new connection with prepared bytes and can write more, end
//! its connections, stop listening, or vanish as a killed source would.
class FakePublisher : public QObject
{
    Q_OBJECT
public:
    explicit FakePublisher(QObject *parent = nullptr) : QObject(parent)
    {
        connect(&m_server, &QLocalServer::newConnection, this, [this] {
            while (QLocalSocket *socket = m_server.nextPendingConnection()) {
                m_clients.append(socket);
                socket->write(m_greeting);
                Q_EMIT clientConnected(socket);
            }
        });
    }
    ~FakePublisher() override { vanish(); }

    bool listen(const QString &name)
    {
        QLocalServer::removeServer(name);
        m_server.setSocketOptions(QLocalServer::UserAccessOption);
        return m_server.listen(name);
    }
    void setGreeting(const QByteArray &bytes) { m_greeting = bytes; }
    void writeToAll(const QByteArray &bytes)
    {
        for (const QPointer<QLocalSocket> &client : std::as_const(m_clients)) {
            if (client && client->state() == QLocalSocket::ConnectedState)
                client->write(bytes);
        }
    }
    //! Ends every connection after what was written has gone out.
    void disconnectAll()
    {
        for (const QPointer<QLocalSocket> &client : std::as_const(m_clients)) {
            if (client)
                client->disconnectFromServer();
        }
        m_clients.clear();
    }
    void close() { m_server.close(); }
    //! Goes away like a killed process: every connection aborted at once (no bye, nothing
    //! pending flushed), and no longer listening.
    void vanish()
    {
        for (const QPointer<QLocalSocket> &client : std::as_const(m_clients)) {
            if (client) {
                client->disconnect(this);
                client->abort();
            }
        }
        m_clients.clear();
        m_server.close();
    }
    int connectedClients() const
    {
        int count = 0;
        for (const QPointer<QLocalSocket> &client : m_clients)
            count += client && client->state() == QLocalSocket::ConnectedState;
        return count;
    }
    QLocalServer &server() { return m_server; }

Q_SIGNALS:
    void clientConnected(QLocalSocket *socket);

private:
    QLocalServer m_server;
    QByteArray m_greeting;
    QList<QPointer<QLocalSocket>> m_clients;
};

} // namespace afterwork::testing
