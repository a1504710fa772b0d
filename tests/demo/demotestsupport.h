// SPDX-License-Identifier: MIT
#pragma once

// afterwork-demo as a child process, and a subscriber to its event stream that reads on its own
// thread (so a busy test loop never makes it lag behind the publisher).

#include <QtCore/QCoreApplication>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QMutex>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QThread>
#include <QtCore/QUuid>
#include <QtNetwork/QLocalSocket>
#include <QtTest/QTest>

#include <csignal>
#include <functional>

namespace afterwork::test {

class DemoProcess
{
public:
    explicit DemoProcess(QStringList extraArguments = {})
    {
        eventsName = QStringLiteral("aw-demo-test-%1-%2")
                         .arg(QCoreApplication::applicationPid())
                         .arg(QUuid::createUuid().toString(QUuid::Id128).left(12));
        arguments = QStringList{"--port", "0", "--events", eventsName, "--threads", "2"} + extraArguments;
    }
    ~DemoProcess()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
            // A killed demo cannot remove its socket file (a stopped one does): the test does.
            if (!eventsPath.isEmpty())
                QFile::remove(eventsPath);
        }
    }

    //! Starts it and waits for the lines saying where it listens and publishes.
    [[nodiscard]] bool start()
    {
        process.setProgram(QStringLiteral(AFTERWORK_DEMO_PATH));
        process.setArguments(arguments);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process,
                         [this] { stdoutText += QString::fromUtf8(process.readAllStandardOutput()); });
        QObject::connect(&process, &QProcess::readyReadStandardError, &process,
                         [this] { stderrText += QString::fromUtf8(process.readAllStandardError()); });
        process.start();
        static const QRegularExpression listening(QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"));
        static const QRegularExpression publishing(QStringLiteral("publishing events on (\\S+)"));
        const bool ready = QTest::qWaitFor(
            [&] { return stdoutText.contains(publishing) || process.state() == QProcess::NotRunning; }, 10000);
        const auto portMatch = listening.match(stdoutText);
        const auto pathMatch = publishing.match(stdoutText);
        if (!ready || !portMatch.hasMatch() || !pathMatch.hasMatch())
            return false;
        port = quint16(portMatch.captured(1).toUInt());
        eventsPath = pathMatch.captured(1);
        return true;
    }

    void signal(int signalNumber) { ::kill(pid_t(process.processId()), signalNumber); }

    [[nodiscard]] bool waitForOutput(const QString &text, int timeoutMs = 10000)
    {
        return QTest::qWaitFor([&] { return stdoutText.contains(text); }, timeoutMs);
    }
    [[nodiscard]] bool waitFinished(int timeoutMs)
    {
        return QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, timeoutMs);
    }
    QString diagnostics() const { return "stdout:\n" + stdoutText + "\nstderr (tail):\n" + stderrText.right(3000); }

    QProcess process;
    QStringList arguments;
    QString eventsName;
    QString eventsPath;
    QString stdoutText;
    QString stderrText;
    quint16 port = 0;
};

//! Collects the stream's lines on a thread of its own; the test parses them on demand.
class StreamReader
{
public:
    explicit StreamReader(const QString &serverPath)
    {
        m_socket = new QLocalSocket;
        m_socket->moveToThread(&m_thread);
        QObject::connect(m_socket, &QLocalSocket::readyRead, m_socket, [this] {
            const QByteArray data = m_socket->readAll();
            QMutexLocker lock(&m_mutex);
            m_raw += data;
        });
        QObject::connect(m_socket, &QLocalSocket::disconnected, m_socket, [this] {
            QMutexLocker lock(&m_mutex);
            m_disconnected = true;
        });
        QObject::connect(&m_thread, &QThread::finished, m_socket, &QObject::deleteLater);
        m_thread.start();
        QMetaObject::invokeMethod(m_socket, [this, serverPath] { m_socket->connectToServer(serverPath); });
    }
    ~StreamReader()
    {
        m_thread.quit();
        m_thread.wait();
    }

    //! Every complete line so far, parsed.
    const QList<QJsonObject> &lines()
    {
        QByteArray raw;
        {
            QMutexLocker lock(&m_mutex);
            const qsizetype end = m_raw.lastIndexOf('\n');
            if (end >= 0) {
                raw = m_raw.left(end + 1);
                m_raw.remove(0, end + 1);
            }
        }
        for (const QByteArray &line : raw.split('\n')) {
            if (!line.isEmpty())
                m_lines << QJsonDocument::fromJson(line).object();
        }
        return m_lines;
    }
    bool isDisconnected()
    {
        QMutexLocker lock(&m_mutex);
        return m_disconnected;
    }
    //! Waits for the `hello` and `snapshot`: from then on every event arrives as its own line.
    [[nodiscard]] bool waitSubscribed(int timeoutMs = 10000)
    {
        return waitFor([](const QList<QJsonObject> &lines) {
            return lines.size() >= 2 && lines[0].value("kind") == QLatin1String("hello")
                && lines[1].value("kind") == QLatin1String("snapshot");
        }, timeoutMs);
    }
    [[nodiscard]] bool waitFor(const std::function<bool(const QList<QJsonObject> &)> &condition, int timeoutMs = 10000)
    {
        return QTest::qWaitFor([&] { return condition(lines()); }, timeoutMs);
    }

    //! Task lines (and snapshot entries are not included) of the task named \a name.
    QList<QJsonObject> taskLines(const QString &name)
    {
        QList<QJsonObject> result;
        for (const QJsonObject &line : lines()) {
            if (line.value("kind") == QLatin1String("task") && line.value("name") == name)
                result << line;
        }
        return result;
    }
    //! The first task line of \a name in \a phase, or an empty object.
    QJsonObject taskLine(const QString &name, const QString &phase)
    {
        for (const QJsonObject &line : taskLines(name)) {
            if (line.value("phase") == phase)
                return line;
        }
        return {};
    }
    bool hasTaskLine(const QString &name, const QString &phase) { return !taskLine(name, phase).isEmpty(); }

private:
    QThread m_thread;
    QLocalSocket *m_socket; // Lives on m_thread; deleted when it finishes.
    QMutex m_mutex;
    QByteArray m_raw;
    bool m_disconnected = false;
    QList<QJsonObject> m_lines;
};

} // namespace afterwork::test
