// SPDX-License-Identifier: MIT
#include <afterwork/http/taskmetrics.h>

#include <afterwork/http/taskrouter.h>
#include <afterwork/taskengine.h>

#include "metricsregistry.h"

namespace afterwork::http {

namespace detail {

//! What a TaskMetrics and the routes serving it share: the counts and the engine they read.
class MetricsState
{
public:
    MetricsState(TaskEngine *engine, int maxNames) : m_engine(engine), m_registry(maxNames) {}

    void record(const TaskEvent &event) { m_registry.record(event); }
    QByteArray render() const { return m_registry.render(readEngine(*m_engine)); }
    int nameCount() const { return m_registry.nameCount(); }

private:
    TaskEngine *const m_engine; // Not owned; outlives every TaskMetrics and router using it.
    MetricsRegistry m_registry;
};

} // namespace detail

TaskMetrics::TaskMetrics(TaskEngine *engine, MetricsOptions options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , d(std::make_shared<detail::MetricsState>(engine, options.maxNames))
{
    Q_ASSERT(engine);
    // Direct: counted inside the emission on the engine thread, with no queued copy of the event;
    // the registry's one writer is therefore always that thread.
    connect(engine, &TaskEngine::taskEvent, this,
            [state = d.get()](const TaskEvent &event) { state->record(event); }, Qt::DirectConnection);
}

TaskMetrics::~TaskMetrics() = default;

QByteArray TaskMetrics::render() const
{
    return d->render();
}

int TaskMetrics::nameCount() const
{
    return d->nameCount();
}

void serveMetrics(TaskRouter *router, const TaskMetrics *metrics, const QString &path)
{
    router->get(path, [state = metrics->d] {
        return Response::raw(state->render(), QByteArray(prometheusContentType));
    });
}

} // namespace afterwork::http
