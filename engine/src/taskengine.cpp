// SPDX-License-Identifier: MIT
#include <afterwork/taskengine.h>

#include "enginecore.h"

namespace afterwork {

namespace {
void registerMetaTypes()
{
    static const bool registered = [] {
        qRegisterMetaType<TaskEvent>();
        qRegisterMetaType<TaskProgress>();
        qRegisterMetaType<TaskError>();
        qRegisterMetaType<Task>();
        qRegisterMetaType<EngineCounters>();
        qRegisterMetaType<ShutdownProgress>();
        qRegisterMetaType<ShutdownReport>();
        return true;
    }();
    Q_UNUSED(registered);
}
} // namespace

TaskEngine::TaskEngine(TaskConfig globalConfig, EngineOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_shared<detail::EngineCore>(this, std::move(globalConfig), options))
{
    registerMetaTypes();
    d->attach();
}

TaskEngine::~TaskEngine()
{
    d->destroy();
}

const TaskConfig &TaskEngine::globalConfig() const { return *d->globalConfig(); }

Scheduler TaskEngine::task(const TaskConfig &config) const
{
    return Scheduler(d, nullptr, Mode::Immediate, config);
}

Scheduler TaskEngine::immediate() const { return Scheduler(d, nullptr, Mode::Immediate, {}); }

TaskScope TaskEngine::openScope(quint64 requestId) const
{
    return TaskScope(d, std::make_shared<detail::ScopeState>(requestId));
}

Task TaskEngine::submitImmediate(detail::Work &&work)
{
    return d->submit(d->globalConfig(), Mode::Immediate, nullptr, std::move(work));
}

void TaskEngine::connectNotify(const QMetaMethod &signal)
{
    if (signal == QMetaMethod::fromSignal(&TaskEngine::taskEvent))
        d->noteEventReceiver();
    QObject::connectNotify(signal);
}

bool TaskEngine::cancel(quint64 taskId) { return d->cancel(taskId); }

std::optional<Task> TaskEngine::find(quint64 taskId) const
{
    if (auto state = d->find(taskId))
        return Task(state);
    return std::nullopt;
}

QList<TaskEvent> TaskEngine::liveTasks() const { return d->liveTasks(); }
EngineCounters TaskEngine::counters() const { return d->counters(); }
EngineState TaskEngine::state() const { return d->state(); }
QThreadPool *TaskEngine::threadPool() const { return d->pool(); }
void TaskEngine::batchPoolWakeUps() { d->batchPoolWakeUps(); }

ShutdownReport TaskEngine::shutdown(std::chrono::milliseconds deadline) { return d->shutdown(deadline); }
void TaskEngine::startShutdown(std::chrono::milliseconds deadline) { d->startShutdown(deadline); }

} // namespace afterwork
