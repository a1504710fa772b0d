// SPDX-License-Identifier: MIT
#pragma once

// fastapi-tasks' guide examples as HTTP endpoints (docs/http.md), plus /tasks/spawn, /tasks, /healthz and /deferred.

#include <afterwork/http/taskrouter.h>
#include <afterwork/taskengine.h>

#include <atomic>

namespace demo {

struct DemoCounters
{
    std::atomic<quint64> globalHandlerCalls{0};
};

void addSeedRoutes(afterwork::http::TaskRouter &router);
void addSpawnRoute(afterwork::http::TaskRouter &router);
void addStatusRoutes(afterwork::http::TaskRouter &router, afterwork::TaskEngine &engine, const DemoCounters &counters);

} // namespace demo
