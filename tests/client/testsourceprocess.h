// SPDX-License-Identifier: MIT
#pragma once

// Drives afterwork_test_source (testsource/main.cpp): a real engine and publisher in a child
// process, which a test can command, stop cleanly or kill.

#include <QtCore/QDeadlineTimer>
#include <QtCore/QProcess>
#include <QtNetwork/QLocalServer>
#include <QtTest/QTest>

namespace afterwork::testing {

class TestSourceProcess
{
public:
    explicit TestSourceProcess(const QString &socketName) : m_socketName(socketName)
    {
        m_process.setProgram(QStringLiteral(AFTERWORK_TEST_SOURCE));
        m_process.setArguments({socketName});
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start();
    }
    ~TestSourceProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
        // A killed source leaves its socket file behind; the next test must not trip over it.
        if (m_process.exitStatus() == QProcess::CrashExit)
            QLocalServer::removeServer(m_socketName);
    }

    //! Waits for "ready <instance>"; returns the instance, empty on failure.
    QString waitUntilReady(int timeoutMs = 15000)
    {
        if (!waitForLine("ready ", timeoutMs))
            return {};
        const qsizetype at = m_out.indexOf("ready ");
        return QString::fromUtf8(m_out.mid(at + 6, m_out.indexOf('\n', at) - at - 6));
    }
    void command(const QByteArray &line)
    {
        m_process.write(line + '\n');
        m_process.waitForBytesWritten(5000);
    }
    //! Pumps this process's event loop while waiting (the test's own sockets keep working).
    bool waitForLine(const QByteArray &prefix, int timeoutMs = 15000)
    {
        QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            m_out += m_process.readAllStandardOutput();
            if (m_out.contains(prefix))
                return true;
            if (deadline.hasExpired() || m_process.state() == QProcess::NotRunning)
                return false;
            QTest::qWait(10);
        }
    }
    bool waitForExit(int timeoutMs = 15000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (m_process.state() != QProcess::NotRunning) {
            if (deadline.hasExpired())
                return false;
            QTest::qWait(10);
        }
        return true;
    }
    //! SIGKILL: the source dies without a word.
    void kill()
    {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    QProcess &process() { return m_process; }

private:
    QString m_socketName;
    QProcess m_process;
    QByteArray m_out;
};

} // namespace afterwork::testing
