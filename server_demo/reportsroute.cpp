// SPDX-License-Identifier: MIT
// POST /reports/export: a task that works in `steps` steps of `ms` milliseconds and reports its
// progress after each one, so `afterwork tail` and the dashboard have a progress bar to show.
#include "demoroutes.h"
#include "simulatedwork.h"

using namespace afterwork;
using namespace afterwork::http;

namespace demo {

namespace {

void exportReport(const CancellationToken &token, int steps, int ms)
{
    for (int step = 1; step <= steps; ++step) {
        simulateWork(token, std::chrono::milliseconds(ms)); // throws TaskCancelled once cancelled
        token.reportProgress(step, steps, QStringLiteral("section %1 of %2").arg(step).arg(steps));
    }
}

} // namespace

void addReportsRoute(TaskRouter &router)
{
    router.post("/reports/export", [](const Request &req, Tasks &tasks) {
        // Validated before anything is scheduled: a bad value is a 422 and no task.
        const int steps = req.query<int>("steps", 10, {.ge = 1, .le = 1000});
        const int ms = req.query<int>("ms", 100, {.ge = 0, .le = 60000});
        const Task task = tasks.task({.name = QStringLiteral("export_report")})
                              .schedule(named(QStringLiteral("exportReport"), exportReport), steps, ms);
        return Json{{"id", qint64(task.id())}, {"steps", steps}, {"ms", ms}, {"request", qint64(tasks.requestId())}};
    });
}

} // namespace demo
