// SPDX-License-Identifier: MIT
#pragma once

// The graceful shutdown: stop accepting, let in-flight responses finish (their after-response
// tasks get scheduled), then drain the engine within what is left of the deadline. Never blocks
// the event loop, so a second signal is still seen (and reported) during the drain.

#include <afterwork/enginestatus.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <chrono>
#include <cstdio>

namespace afterwork {
class TaskEngine;
namespace http {
class TaskRouter;
}
} // namespace afterwork

namespace demo {

//! Exit codes of afterwork-demo (also in --help and docs/http.md).
enum ExitCode : int {
    ExitClean = 0,      //!< shut down; every task finished, was cancelled or dropped
    ExitFailure = 1,    //!< could not start (port or socket name taken, ...)
    ExitUsage = 2,      //!< bad command line
    ExitAbandoned = 3,  //!< shut down, but tasks were still running at the deadline (abandoned)
};

class ShutdownCoordinator final : public QObject
{
    Q_OBJECT
public:
    ShutdownCoordinator(afterwork::http::TaskRouter *router, afterwork::TaskEngine *engine,
                        std::chrono::milliseconds deadline, std::FILE *console, QObject *parent = nullptr);

    //! The first call starts the shutdown; later ones are reported and change nothing.
    void onSignal(const char *signalName);
    //! A subscriber's `drain` command: the same shutdown as a signal's, within \a deadline or the
    //! configured deadline, whichever is shorter.
    void onDrainCommand(std::chrono::milliseconds deadline);
    bool isShuttingDown() const { return m_clock.isValid(); }

Q_SIGNALS:
    //! The drain is over and its report printed; \a exitCode is one of ExitCode.
    void finished(int exitCode);

private:
    void drainEngine();
    void printProgress(const afterwork::ShutdownProgress &progress);
    void printReport(const afterwork::ShutdownReport &report);
    std::chrono::milliseconds remaining() const;
    void say(const QString &line);

    afterwork::http::TaskRouter *m_router;
    afterwork::TaskEngine *m_engine;
    std::chrono::milliseconds m_deadline;
    std::FILE *m_console;
    QElapsedTimer m_clock;
    QTimer m_responseWait;
    bool m_draining = false;
    afterwork::ShutdownProgress m_lastProgress;
};

} // namespace demo
