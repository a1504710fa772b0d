// SPDX-License-Identifier: MIT
#include <afterwork/task.h>

#include "enginecore.h"
#include "logging.h"

#include <QtCore/QFutureWatcher>
#include <QtCore/QPromise>
#include <QtCore/QThread>

#include <algorithm>
#include <stdexcept>

namespace afterwork {

namespace {
const TaskConfig &emptyConfig()
{
    static const TaskConfig config;
    return config;
}
} // namespace

QString detail::TaskState::name() const
{
    if (config->name)
        return *config->name;
    int state = m_nameState.load(std::memory_order_acquire);
    if (state == Built)
        return m_generatedName;
    // One allocation of the exact size, written in place: label, '#', the id's digits.
    char16_t digits[20];
    qsizetype count = 0;
    for (quint64 rest = id; count == 0 || rest != 0; rest /= 10)
        digits[count++] = char16_t(u'0' + rest % 10);
    const qsizetype labelSize = work.label.size();
    QString text(labelSize + 1 + count, Qt::Uninitialized);
    QChar *out = text.data();
    std::copy_n(work.label.constData(), labelSize, out);
    out[labelSize] = u'#';
    for (qsizetype i = 0; i < count; ++i)
        out[labelSize + 1 + i] = QChar(digits[count - 1 - i]);
    if (state == Unbuilt && m_nameState.compare_exchange_strong(state, Building, std::memory_order_acquire)) {
        m_generatedName = text;
        m_nameState.store(Built, std::memory_order_release);
    }
    return text; // (another thread is building the same text: ours is equal)
}

quint64 Task::id() const { return d ? d->id : 0; }
QString Task::name() const { return d ? d->name() : QString(); }
const TaskConfig &Task::config() const { return d ? *d->config : emptyConfig(); }
QString Task::functionLabel() const { return d ? d->work.label : QString(); }
QStringList Task::arguments() const { return d ? d->work.arguments : QStringList(); }

int Task::argumentCount() const { return d ? int(d->work.arguments.size()) : 0; }

const void *Task::argumentAddress(int index, const std::type_info &type) const
{
    return d ? d->work.argument(index, type) : nullptr;
}

QString Task::argumentsText() const
{
    return QLatin1Char('(') + arguments().join(QLatin1String(", ")) + QLatin1Char(')');
}

Phase Task::phase() const { return d ? d->phase.load(std::memory_order_acquire) : Phase::Scheduled; }
Mode Task::mode() const { return d ? d->mode : Mode::Immediate; }
WorkKind Task::work() const { return d ? d->work.kind : WorkKind::Sync; }
bool Task::isShielded() const { return d && d->isShielded(); }
int Task::attempt() const { return d ? d->attempt.load(std::memory_order_relaxed) : 0; }
quint64 Task::requestId() const { return d ? d->requestId : 0; }
std::optional<TaskError> Task::error() const { return d ? d->errorCopy() : std::nullopt; }
std::optional<TaskProgress> Task::progress() const { return d ? d->latestProgress() : std::nullopt; }

CancellationToken Task::cancellationToken() const { return d ? d->cancel.token() : CancellationToken(); }

QFuture<TaskOutcome> Task::outcome() const
{
    QPromise<TaskOutcome> ended;
    ended.start();
    if (d) {
        QMutexLocker lock(&d->mutex);
        if (d->settled) {
            ended.addResult(d->outcomeWhileLocked());
        } else if (!d->core.expired()) {
            if (!d->outcomePromise) { // the first follower: one promise per task, however many follow
                d->outcomePromise = std::make_unique<QPromise<TaskOutcome>>();
                d->outcomePromise->start();
            }
            return d->outcomePromise->future();
        }
    }
    ended.finish(); // (without a result: an invalid handle, or an engine gone before the task ended)
    return ended.future();
}

void Task::whenEnded(const QObject *context, std::function<void(const TaskOutcome &)> fn) const
{
    if (!context || !fn || !d) {
        qCWarning(lcTask) << "Task::whenEnded() needs a valid task, a context object and a function; ignored";
        return;
    }
    QThread *contextThread = context->thread();
    // A QFutureWatcher on the context's thread: the future's notifications reach it safely from the
    // engine thread, and it is deleted with the context or after delivering.
    auto *watcher = new QFutureWatcher<TaskOutcome>;
    QObject::connect(watcher, &QFutureWatcherBase::finished, context, [watcher, fn = std::move(fn)] {
        const QFuture<TaskOutcome> ended = watcher->future();
        watcher->deleteLater();
        if (ended.resultCount() == 0)
            return; // the engine was destroyed before it could end the task
        try {
            fn(ended.result());
        } catch (...) {
            qCWarning(lcTask) << "a whenEnded() function of task" << ended.result().taskId << "threw; ignored";
        }
    });
    QObject::connect(context, &QObject::destroyed, watcher, &QObject::deleteLater);
    watcher->setFuture(outcome()); // (a finished future's notice is posted, and moves with the watcher)
    if (watcher->thread() != contextThread)
        watcher->moveToThread(contextThread);
}

QFuture<void> Task::rerun() const
{
    auto promise = std::make_shared<QPromise<void>>();
    QFuture<void> future = promise->future();
    promise->start();
    auto state = d; // the work's closure must outlive the rerun, even if the task ends first
    auto fail = [promise, state](std::exception_ptr error) {
        if (error)
            promise->setException(error);
        promise->finish();
    };
    auto core = d ? d->core.lock() : nullptr;
    if (!core) {
        fail(std::make_exception_ptr(EngineShutDownError("the task's engine is gone")));
        return future;
    }
    if (d->work.kind == WorkKind::Sync) {
        const bool started = core->runOnPool([state, fail] {
            std::exception_ptr error;
            try {
                state->work.runSync(state->cancel.token());
            } catch (...) {
                error = std::current_exception();
            }
            fail(error);
        });
        if (!started)
            fail(std::make_exception_ptr(EngineShutDownError("the task's engine has shut down")));
    } else if (!core->runOnEngineThread([state, fail] {
                   try {
                       state->work.startAsync(state->cancel.token(),
                                              AsyncDone([fail](std::exception_ptr error, QVariant *) { fail(error); }));
                   } catch (...) {
                       fail(std::current_exception());
                   }
               })) {
        fail(std::make_exception_ptr(EngineShutDownError("the task's engine is gone")));
    }
    return future;
}

void Task::rerunHere() const
{
    if (!d)
        throw std::logic_error("rerunHere() on an invalid afterwork::Task");
    if (d->work.kind != WorkKind::Sync)
        throw std::logic_error("rerunHere() runs sync work only; use rerun() for async work");
    d->work.runSync(d->cancel.token());
}

} // namespace afterwork
