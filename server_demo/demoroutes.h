// SPDX-License-Identifier: MIT
#pragma once

// The seed's examples as HTTP endpoints, plus /tasks/spawn, /tasks, /healthz and /deferred.

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
