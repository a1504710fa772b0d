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

//! The query parameter \a name, one of \a allowed (absent: \a fallback); otherwise FastAPI's 422
//! `enum` error, "Input should be 'a', 'b' or 'c'".
QString oneOf(const afterwork::http::Request &req, const QString &name, const QStringList &allowed,
              const QString &fallback);

void addSeedRoutes(afterwork::http::TaskRouter &router);
void addSpawnRoute(afterwork::http::TaskRouter &router);
void addStatusRoutes(afterwork::http::TaskRouter &router, afterwork::TaskEngine &engine, const DemoCounters &counters);

} // namespace demo
