// SPDX-License-Identifier: MIT
#pragma once

// fastapi-tasks' guide examples as HTTP endpoints (docs/http.md), plus /tasks/spawn, /reports/export, /tasks,
// /errors, /healthz and /deferred.

#include "demostate.h"

#include <afterwork/http/taskrouter.h>
#include <afterwork/taskengine.h>

namespace demo {

//! The query parameter \a name, one of \a allowed (absent: \a fallback); otherwise FastAPI's 422
//! `enum` error, "Input should be 'a', 'b' or 'c'".
QString oneOf(const afterwork::http::Request &req, const QString &name, const QStringList &allowed,
              const QString &fallback);

void addSeedRoutes(afterwork::http::TaskRouter &router, DemoState &state);
void addSpawnRoute(afterwork::http::TaskRouter &router);
void addReportsRoute(afterwork::http::TaskRouter &router);
//! The engine's counters as GET /tasks and the shutdown's last lines show them.
QJsonObject countersJson(const afterwork::EngineCounters &counters);

void addStatusRoutes(afterwork::http::TaskRouter &router, afterwork::TaskEngine &engine, const DemoState &state);

} // namespace demo
