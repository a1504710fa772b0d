// SPDX-License-Identifier: MIT
#pragma once

//! \file
//! The engine's tasks as Prometheus metrics, served at `GET /metrics` (docs/metrics.md):
//! \code
//! afterwork::TaskEngine engine;
//! afterwork::http::TaskMetrics metrics(&engine);          // on the engine thread, right after it
//! afterwork::http::TaskRouter router(&server, &engine);
//! afterwork::http::serveMetrics(&router, &metrics);       // GET /metrics
//! \endcode

#include <QtCore/QByteArray>
#include <QtCore/QObject>
#include <QtCore/QString>

#include <memory>

namespace afterwork {
class TaskEngine;
}

namespace afterwork::http {

class TaskRouter;
class TaskMetrics;

namespace detail {
class MetricsState;
}

//! The Content-Type of the Prometheus text exposition format, version 0.0.4, which
//! TaskMetrics::render() writes and serveMetrics() answers with.
inline constexpr char prometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

//! How a TaskMetrics is built; the second argument of its constructor.
struct MetricsOptions
{
    //! How many distinct task names get a `name` label value of their own. Every name first seen
    //! once that many have one is counted under `name="other"`, so that a name with an id in it
    //! (`process_user_42`) cannot make the number of series grow without bound. 0 or less counts
    //! every task under "other". Each name costs 41 series (5 outcomes, two histograms of 18).
    int maxNames = 200;
};

//! Counts a TaskEngine's tasks for Prometheus: how they ended by name and outcome, how long they
//! waited and ran (histograms by name), what is live now, and the engine's pool.
//!
//! It listens to TaskEngine::taskEvent() and counts each task once, at its terminal event: one
//! hash look-up of its name and a few counter increments, with no lock and no allocation (except
//! the first time a name is seen, up to MetricsOptions::maxNames). Tasks that ended before it
//! was created are not in `afterwork_tasks_total` or the histograms: create it right after the
//! engine. A task without a configured name is counted under its function's label
//! (`criticalOperation`, not the generated `criticalOperation#12`).
//!
//! Threads: create and destroy it on the engine thread (it counts there, inside the engine's
//! signal, and must not be destroyed while an event is being counted). render() may be called
//! from any thread at any time; it reads the counters without stopping the engine, so each
//! counter is exact but a scrape is not one atomic snapshot across counters. No lock is held while
//! user code runs (none runs here). The engine must outlive it.
class TaskMetrics final : public QObject
{
    Q_OBJECT
public:
    //! Starts counting \a engine's tasks (not owned; it must outlive this object).
    explicit TaskMetrics(TaskEngine *engine, MetricsOptions options = {}, QObject *parent = nullptr);
    ~TaskMetrics() override;

    const MetricsOptions &options() const { return m_options; } //!< as given to the constructor

    //! Every metric in the Prometheus text format 0.0.4 (`# HELP`, `# TYPE`, one sample a line;
    //! label values escaped), ready to serve as prometheusContentType. Any thread. Its cost grows
    //! with the number of names (capped) and of live tasks (TaskEngine::liveTasks() is read once).
    QByteArray render() const;

    //! How many task names have a label value of their own so far (at most
    //! MetricsOptions::maxNames; "other" is not counted). Any thread.
    int nameCount() const;

private:
    friend void serveMetrics(TaskRouter *router, const TaskMetrics *metrics, const QString &path);
    MetricsOptions m_options;
    std::shared_ptr<detail::MetricsState> d; // Owning (shared with the routes that serve it).
};

//! Answers `GET` \a path on \a router with \a metrics' render(), as prometheusContentType: the
//! endpoint Prometheus scrapes. A plain route of the router (it runs on the server's thread, is
//! counted in TaskRouter::inFlight() and reported in its request events), written by the router
//! itself like every answer, so it is the same on every Qt version. The route keeps what it
//! serves alive: destroying \a metrics first freezes its counts, it does not break the route.
void serveMetrics(TaskRouter *router, const TaskMetrics *metrics, const QString &path = QStringLiteral("/metrics"));

} // namespace afterwork::http
