// SPDX-License-Identifier: MIT
#pragma once

// Running the real `afterwork` binary (its path comes from CMake) and waiting for what it prints.

#include <QtCore/QByteArray>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QStringList>
#include <QtTest/QTest>

#include <csignal>

namespace afterwork::testing {

struct CliResult
{
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QByteArray out;
    QByteArray err;
};

//! An `afterwork` process: started with arguments, read while it runs, stopped by signal.
class Cli
{
public:
    explicit Cli(QStringList arguments, const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
    {
        m_process.setProcessEnvironment(environment);
        m_process.setProgram(QStringLiteral(AFTERWORK_CLI));
        m_process.setArguments(arguments);
        m_process.start();
    }
    ~Cli()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    bool started() { return m_process.waitForStarted(10000); }
    //! Writes \a bytes to its standard input, a pipe, and closes it: the end of its input.
    void writeInput(const QByteArray &bytes)
    {
        m_process.write(bytes);
        m_process.closeWriteChannel();
    }
    //! Everything printed to stdout so far (reads what is pending first).
    const QByteArray &out()
    {
        m_out += m_process.readAllStandardOutput();
        return m_out;
    }
    const QByteArray &err()
    {
        m_err += m_process.readAllStandardError();
        return m_err;
    }
    //! Waits until stdout (or stderr) holds \a text. Runs this process's event loop meanwhile:
    //! the test's own servers must keep serving the child.
    bool waitForOutput(const QByteArray &text, int timeoutMs = 10000, bool onStderr = false)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!(onStderr ? err() : out()).contains(text)) {
            if (deadline.hasExpired())
                return false;
            if (m_process.state() == QProcess::NotRunning) {
                m_process.waitForReadyRead(0);
                return (onStderr ? err() : out()).contains(text);
            }
            QTest::qWait(10);
        }
        return true;
    }
    bool waitForError(const QByteArray &text, int timeoutMs = 10000) { return waitForOutput(text, timeoutMs, true); }
    void signal(int number) { ::kill(pid_t(m_process.processId()), number); }
    CliResult finish(int timeoutMs = 15000)
    {
        CliResult result;
        QDeadlineTimer deadline(timeoutMs);
        while (m_process.state() != QProcess::NotRunning && !deadline.hasExpired()) {
            out();
            err();
            QTest::qWait(10); // serve the child (see waitForOutput)
        }
        if (m_process.state() != QProcess::NotRunning) {
            qWarning("afterwork %s did not finish in time: killed", qPrintable(m_process.arguments().join(u' ')));
            m_process.kill();
            m_process.waitForFinished(5000);
        }
        result.exitCode = m_process.exitCode();
        result.exitStatus = m_process.exitStatus();
        result.out = out();
        result.err = err();
        return result;
    }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
};

//! Runs `afterwork` to completion.
inline CliResult runCli(const QStringList &arguments, int timeoutMs = 15000)
{
    Cli cli(arguments);
    return cli.finish(timeoutMs);
}

inline QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

inline bool writeAll(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

} // namespace afterwork::testing
