// SPDX-License-Identifier: MIT
// POST /tasks/spawn: `count` tasks of `ms` milliseconds in any mode and kind, for load and demos.
#include "demoroutes.h"
#include "simulatedwork.h"

#include <afterwork/qcoro.h>

#include <stdexcept>

using namespace afterwork;
using namespace afterwork::http;

namespace demo {

namespace {

template<typename Enum>
Enum choice(const Request &req, const QString &name, Enum fallback, Enum last,
            std::optional<Enum> (*parse)(QStringView))
{
    const std::optional<QString> text = req.queryText(name);
    if (!text)
        return fallback;
    if (const std::optional<Enum> value = parse(*text); value && int(*value) <= int(last))
        return *value;
    // Not one of the protocol's spellings ('immediate', 'after_route' or 'after_response'):
    // oneOf() answers 422 listing them. The list is built only on this path, not for every request.
    QStringList names;
    for (int i = 0; i <= int(last); ++i)
        names.append(QString(wireName(Enum(i))));
    return *parse(oneOf(req, name, names, QString(wireName(fallback))));
}

void spawnedSync(const CancellationToken &token, int ms, bool fail)
{
    simulateWork(token, std::chrono::milliseconds(ms));
    if (fail)
        throw std::runtime_error("spawned task failed on purpose (fail=1)");
}

QCoro::Task<> spawnedAsync(CancellationToken token, int ms, bool fail)
{
    co_await simulateWorkAsync(token, std::chrono::milliseconds(ms));
    if (fail)
        throw std::runtime_error("spawned task failed on purpose (fail=1)");
}

} // namespace

void addSpawnRoute(TaskRouter &router)
{
    router.post("/tasks/spawn", [](const Request &req, Tasks &tasks) {
        // Everything is validated before anything is scheduled, as FastAPI validates first.
        QString name = req.query<QString>("name", QStringLiteral("spawned"));
        if (name.isEmpty())
            name = QStringLiteral("spawned");
        const int ms = req.query<int>("ms", 100, {.ge = 0, .le = 600000});
        const int count = req.query<int>("count", 1, {.ge = 1, .le = 1000});
        const bool fail = req.query<bool>("fail", false);
        const bool routeFail = req.query<bool>("route_fail", false);
        const Mode mode = choice<Mode>(req, QStringLiteral("mode"), Mode::Immediate, Mode::AfterResponse, &modeFromWireName);
        const WorkKind work = choice<WorkKind>(req, QStringLiteral("work"), WorkKind::Sync, WorkKind::Async, &workFromWireName);
        TaskConfig config{.name = name};
        if (req.queryText("shield"))
            config.shield = req.query<bool>("shield"); // absent: inherit (--global-shield)

        const Scheduler scheduler = mode == Mode::AfterRoute      ? tasks.afterRoute().task(config)
                                    : mode == Mode::AfterResponse ? tasks.afterResponse().task(config)
                                                                  : tasks.task(config);
        QList<qint64> ids;
        ids.reserve(count);
        for (int i = 0; i < count; ++i) {
            const Task task = work == WorkKind::Async
                ? scheduler.schedule(named(QStringLiteral("spawned_async"), spawnedAsync), ms, fail)
                : scheduler.schedule(named(QStringLiteral("spawned_sync"), spawnedSync), ms, fail);
            ids.append(qint64(task.id()));
        }
        if (routeFail)
            throw std::runtime_error("route_fail=1: the route raised after scheduling");
        return Json{{"ids", ids},
                    {"count", count},
                    {"mode", wireName(mode)},
                    {"work", wireName(work)},
                    {"request", tasks.requestId()}};
    });
}

} // namespace demo
