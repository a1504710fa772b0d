// SPDX-License-Identifier: MIT
#include "shutdowncoordinator.h"

#include "demoroutes.h"

#include <afterwork/http/taskrouter.h>
#include <afterwork/taskengine.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

using namespace std::chrono;

namespace demo {

namespace {
//! In-flight responses get at most this much of the deadline; the engine gets the rest.
constexpr milliseconds maxResponseWait{5000};
}

ShutdownCoordinator::ShutdownCoordinator(afterwork::http::TaskRouter *router, afterwork::TaskEngine *engine,
                                         milliseconds deadline, std::FILE *console, QObject *parent)
    : QObject(parent)
    , m_router(router)
    , m_engine(engine)
    , m_deadline(deadline)
    , m_console(console)
{
    m_responseWait.setSingleShot(true);
    connect(&m_responseWait, &QTimer::timeout, this, [this] {
        say(QStringLiteral("%1 responses still in flight; draining the engine anyway").arg(m_router->inFlight()));
        drainEngine();
    });
    connect(m_router, &afterwork::http::TaskRouter::idle, this, [this] {
        if (isShuttingDown() && !m_draining)
            drainEngine();
    });
    connect(m_engine, &afterwork::TaskEngine::shutdownProgress, this, &ShutdownCoordinator::printProgress);
    connect(m_engine, &afterwork::TaskEngine::shutdownFinished, this, [this](const afterwork::ShutdownReport &report) {
        printReport(report);
        Q_EMIT finished(report.abandoned > 0 ? ExitAbandoned : ExitClean);
    });
}

void ShutdownCoordinator::onSignal(const char *signalName)
{
    if (isShuttingDown()) {
        const afterwork::EngineCounters counters = m_engine->counters();
        say(QStringLiteral("%1 again: already shutting down (%2 tasks live, %3 ms of the deadline left); "
                           "the report follows. SIGKILL stops at once, without it.")
                .arg(QLatin1String(signalName))
                .arg(counters.live)
                .arg(remaining().count()));
        return;
    }
    m_clock.start();
    say(QStringLiteral("%1: shutting down (deadline %2 ms): no new connections")
            .arg(QLatin1String(signalName))
            .arg(m_deadline.count()));
    m_router->stopAccepting();
    if (m_router->inFlight() == 0) {
        drainEngine();
        return;
    }
    say(QStringLiteral("waiting for %1 responses in flight").arg(m_router->inFlight()));
    m_responseWait.start(std::min(maxResponseWait, m_deadline));
}

void ShutdownCoordinator::onDrainCommand(std::chrono::milliseconds deadline)
{
    if (!isShuttingDown()) // never longer than the operator's --shutdown-deadline
        m_deadline = std::min(m_deadline, deadline);
    onSignal("a subscriber's drain command");
}

void ShutdownCoordinator::drainEngine()
{
    if (m_draining)
        return;
    m_draining = true;
    m_responseWait.stop();
    const afterwork::EngineCounters counters = m_engine->counters();
    say(QStringLiteral("draining the engine: %1 live tasks; unshielded ones are cancelled, shielded ones "
                       "have %2 ms to finish")
            .arg(counters.live)
            .arg(remaining().count()));
    m_engine->startShutdown(remaining());
}

void ShutdownCoordinator::printProgress(const afterwork::ShutdownProgress &progress)
{
    if (progress.pending == m_lastProgress.pending && progress.finished == m_lastProgress.finished
        && progress.cancelled == m_lastProgress.cancelled && progress.abandoned == m_lastProgress.abandoned)
        return;
    m_lastProgress = progress;
    say(QStringLiteral("drain: pending=%1 finished=%2 cancelled=%3 abandoned=%4")
            .arg(progress.pending)
            .arg(progress.finished)
            .arg(progress.cancelled)
            .arg(progress.abandoned));
}

void ShutdownCoordinator::printReport(const afterwork::ShutdownReport &report)
{
    const QJsonObject json{{"finished", report.finished},
                           {"cancelled", report.cancelled},
                           {"abandoned", report.abandoned},
                           {"dropped", report.dropped},
                           {"deadline_reached", report.deadlineReached},
                           {"elapsed_ms", qint64(report.elapsedMs)}};
    say(QStringLiteral("shutdown report: ") + QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact)));
    // The engine has stopped: no task can be scheduled any more, so these are its final counts,
    // to compare with what a recording of the stream saw.
    say(QStringLiteral("engine counters: ")
        + QString::fromUtf8(QJsonDocument(countersJson(m_engine->counters())).toJson(QJsonDocument::Compact)));
}

milliseconds ShutdownCoordinator::remaining() const
{
    return std::max(0ms, m_deadline - milliseconds(m_clock.elapsed()));
}

void ShutdownCoordinator::say(const QString &line)
{
    std::fprintf(m_console, "afterwork-demo: %s\n", line.toUtf8().constData());
    std::fflush(m_console);
}

} // namespace demo
