// SPDX-License-Identifier: MIT
// GET /tasks (live tasks and counters), GET /errors (the error tracker) and GET /healthz.
#include "demoroutes.h"

#include <QtCore/QJsonArray>

using namespace afterwork;
using namespace afterwork::http;

namespace demo {

namespace {

QJsonObject taskJson(const TaskEvent &task)
{
    QJsonObject object{{"id", qint64(task.taskId)},
                       {"name", task.name},
                       {"phase", QString(wireName(task.phase))},
                       {"shielded", task.shielded},
                       {"mode", QString(wireName(task.mode))},
                       {"work", QString(wireName(task.work))},
                       {"attempt", task.attempt},
                       {"function", task.functionLabel},
                       {"scheduled_us", task.scheduledUs}};
    if (task.requestId != 0)
        object.insert("request", qint64(task.requestId));
    if (task.startedUs != 0)
        object.insert("started_us", task.startedUs);
    return object;
}

} // namespace

QJsonObject countersJson(const EngineCounters &c)
{
    return {{"scheduled", qint64(c.scheduled)},   {"started", qint64(c.started)},
            {"retried", qint64(c.retried)},       {"succeeded", qint64(c.succeeded)},
            {"failed", qint64(c.failed)},         {"cancelled", qint64(c.cancelled)},
            {"abandoned", qint64(c.abandoned)},   {"dropped", qint64(c.dropped)},
            {"handler_errors", qint64(c.handlerErrors)}, {"live", c.live},
            {"pool_active", c.poolActive},        {"pool_max", c.poolMax}};
}

void addStatusRoutes(TaskRouter &router, TaskEngine &engine, const DemoState &state)
{
    router.get("/tasks", [&engine, &state, &router] {
        QJsonArray live;
        for (const TaskEvent &task : engine.liveTasks())
            live.append(taskJson(task));
        return Json{{"live", live},
                    {"counters", countersJson(engine.counters())},
                    {"requests_in_flight", router.inFlight()},
                    {"global_handler_calls", qint64(state.globalHandlerCalls.load())},
                    {"handler_calls", state.handlerCalls.toJson()},
                    {"retries", state.retries.toJson()}};
    });
    router.get("/errors", [&state] { return Json{{"errors", state.errorTracker.toJson()}}; });
    // The answer never changes: built once, as a constant answer would be in any server (the bare
    // QHttpServer program the benchmarks compare with answers a literal).
    router.get("/healthz", [healthy = Response(Json{{"status", "ok"}})] { return healthy; });
}

} // namespace demo
