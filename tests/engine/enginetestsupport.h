// SPDX-License-Identifier: MIT
#pragma once

// Helpers shared by the engine tests: how long to wait, a small pool, ready futures, a log of lifecycle events, a gate that holds sync work
// "running" until the test lets it go (a condition handshake, never a sleep), a thread-safe log
// of error-handler calls, and a capture of log messages. They lock with std::mutex rather than
// QMutex so that ThreadSanitizer, which cannot see inside an uninstrumented Qt, understands them.

#include <afterwork/taskengine.h>

#include <QtCore/QFuture>
#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QPromise>
#include <QtCore/QThread>
#include <QtTest/QTest>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

namespace afterwork::test {

//! How long a test waits for what takes milliseconds (QTRY_*_WITH_TIMEOUT, waitForDone, a
//! semaphore) before it fails: generous, so that a loaded machine or a sanitizer build passes.
inline constexpr int waitMs = 5000;
//! The same for runs of tens of thousands of tasks from several threads (tst_stress).
inline constexpr int longWaitMs = 30000;

//! Engine options with a pool of \a threads; \a destroyWait as EngineOptions has it unless given.
inline EngineOptions poolOf(int threads, std::chrono::milliseconds destroyWait = EngineOptions{}.destroyWait)
{
    return EngineOptions{.maxThreads = threads, .destroyWait = destroyWait};
}

//! Qt Test rows for every mix of sync and async work in the three modes: columns immediateKind,
//! afterRouteKind and afterResponseKind (WorkKind), rows named like "sync/async/sync".
inline void addWorkMixRows()
{
    QTest::addColumn<WorkKind>("immediateKind");
    QTest::addColumn<WorkKind>("afterRouteKind");
    QTest::addColumn<WorkKind>("afterResponseKind");
    for (int mix = 0; mix < 8; ++mix) {
        const auto kindOf = [mix](int bit) { return (mix >> bit) & 1 ? WorkKind::Async : WorkKind::Sync; };
        const QString row = QStringList{wireName(kindOf(2)), wireName(kindOf(1)), wireName(kindOf(0))}.join('/');
        QTest::newRow(qPrintable(row)) << kindOf(2) << kindOf(1) << kindOf(0);
    }
}

//! A finished future holding \a value. (QtFuture::makeReadyFuture is deprecated from Qt 6.6 on,
//! and its replacements do not exist in 6.4; QPromise is the same on both.)
template<typename T>
QFuture<T> readyFuture(T value)
{
    QPromise<T> promise;
    promise.start();
    promise.addResult(std::move(value));
    promise.finish();
    return promise.future();
}

//! A finished QFuture<void>.
inline QFuture<void> readyFuture()
{
    QPromise<void> promise;
    promise.start();
    promise.finish();
    return promise.future();
}

//! Holds sync work inside its callable until open() (or until the work's token is cancelled).
//! Share it with std::shared_ptr so it outlives work that an engine may leave behind.
class Gate
{
public:
    //! Called by work: announce arrival, then wait until the gate is open.
    void pass()
    {
        std::unique_lock lock(m_mutex);
        arriveLocked();
        m_changed.wait(lock, [this] { return m_open; });
        ++m_left;
    }

    //! Called by work: announce arrival, then wait until the gate is open or \a token is
    //! cancelled. Returns true when it was the cancellation that let the work through.
    bool pass(const CancellationToken &token)
    {
        // Registered before locking: onCancel() runs the callback at once if already cancelled.
        const quint64 callback = token.onCancel([this] {
            std::lock_guard lock(m_mutex);
            m_changed.notify_all();
        });
        std::unique_lock lock(m_mutex);
        arriveLocked();
        m_changed.wait(lock, [&] { return m_open || token.isCancelled(); });
        const bool byCancellation = !m_open;
        ++m_left;
        lock.unlock();
        token.removeCallback(callback);
        return byCancellation;
    }

    void open()
    {
        std::lock_guard lock(m_mutex);
        m_open = true;
        m_changed.notify_all();
    }

    int arrived() const
    {
        std::lock_guard lock(m_mutex);
        return m_arrived;
    }
    int left() const
    {
        std::lock_guard lock(m_mutex);
        return m_left;
    }

    //! Waits (processing events, so the engine thread keeps working) until \a count works arrived.
    [[nodiscard]] bool waitArrived(int count, int timeoutMs = 10000) const
    {
        return QTest::qWaitFor([&] { return arrived() >= count; }, timeoutMs);
    }
    [[nodiscard]] bool waitLeft(int count, int timeoutMs = 10000) const
    {
        return QTest::qWaitFor([&] { return left() >= count; }, timeoutMs);
    }

private:
    void arriveLocked()
    {
        ++m_arrived;
        m_changed.notify_all();
    }

    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_open = false;
    int m_arrived = 0;
    int m_left = 0;
};

//! Opens its gates when it goes out of scope, so a failing test never leaves work blocked on the
//! pool. Declare it after the engine, so it runs before the engine is destroyed.
class OpenOnExit
{
public:
    OpenOnExit(std::initializer_list<std::shared_ptr<Gate>> gates) : m_gates(gates) {}
    ~OpenOnExit()
    {
        for (const std::shared_ptr<Gate> &gate : m_gates)
            gate->open();
    }
    OpenOnExit(const OpenOnExit &) = delete;
    OpenOnExit &operator=(const OpenOnExit &) = delete;

private:
    QList<std::shared_ptr<Gate>> m_gates;
};

//! Every TaskEngine::taskEvent, in emission order. Also checks that each one arrives on the
//! engine thread (the thread that created the log, which must be the engine's).
class EventLog
{
public:
    explicit EventLog(TaskEngine &engine)
        : m_engineThread(engine.thread())
    {
        m_connection = QObject::connect(&engine, &TaskEngine::taskEvent, &engine,
                                        [this](const TaskEvent &event) { record(event); });
    }
    ~EventLog() { QObject::disconnect(m_connection); }
    EventLog(const EventLog &) = delete;
    EventLog &operator=(const EventLog &) = delete;

    //! Called for each event after it is recorded (on the engine thread).
    std::function<void(const TaskEvent &)> onEvent;

    const QList<TaskEvent> &all() const { return m_events; }
    int offThreadEvents() const { return m_offThread; }

    QList<TaskEvent> events(quint64 taskId) const
    {
        QList<TaskEvent> result;
        for (const TaskEvent &event : m_events) {
            if (event.taskId == taskId)
                result.append(event);
        }
        return result;
    }

    QList<Phase> phases(quint64 taskId) const
    {
        QList<Phase> result;
        for (const TaskEvent &event : m_events) {
            if (event.taskId == taskId)
                result.append(event.phase);
        }
        return result;
    }

    //! The task's phases by wire name ("scheduled", "started", ...), readable in a failed QCOMPARE.
    QStringList phaseNames(quint64 taskId) const { return names(phases(taskId)); }

    static QStringList names(const QList<Phase> &phases)
    {
        QStringList result;
        for (Phase phase : phases)
            result.append(QString(wireName(phase)));
        return result;
    }

    bool has(quint64 taskId, Phase phase) const { return phases(taskId).contains(phase); }
    int terminalCount(quint64 taskId) const { return m_terminals.value(taskId); }
    bool hasTerminal(quint64 taskId) const { return m_terminals.value(taskId) > 0; }
    int totalTerminals() const { return m_totalTerminals; }
    int count(Phase phase) const { return m_perPhase.value(phase); }

    //! The task's terminal phase, or Phase::Scheduled (never terminal) while it has none; made
    //! for QTRY_COMPARE.
    Phase terminalPhase(quint64 taskId) const
    {
        const std::optional<TaskEvent> event = terminal(taskId);
        return event ? event->phase : Phase::Scheduled;
    }

    std::optional<TaskEvent> terminal(quint64 taskId) const
    {
        for (auto it = m_events.crbegin(); it != m_events.crend(); ++it) {
            if (it->taskId == taskId && isTerminal(it->phase))
                return *it;
        }
        return std::nullopt;
    }

    //! Empty if the task's events form one valid life: Scheduled first, exactly one terminal
    //! phase and it comes last, consistent identity fields, time never going backwards.
    QString lifecycleProblem(quint64 taskId) const
    {
        const QList<TaskEvent> life = events(taskId);
        if (life.isEmpty())
            return QStringLiteral("task %1 has no events").arg(taskId);
        if (life.first().phase != Phase::Scheduled)
            return QStringLiteral("task %1 starts with %2").arg(taskId).arg(int(life.first().phase));
        int terminals = 0;
        for (qsizetype i = 0; i < life.size(); ++i) {
            const TaskEvent &event = life.at(i);
            if (isTerminal(event.phase))
                ++terminals;
            if (event.name != life.first().name || event.mode != life.first().mode
                || event.work != life.first().work || event.shielded != life.first().shielded)
                return QStringLiteral("task %1 changes identity at event %2").arg(taskId).arg(i);
            if (i > 0 && event.timestampUs < life.at(i - 1).timestampUs)
                return QStringLiteral("task %1 goes back in time at event %2").arg(taskId).arg(i);
        }
        if (terminals != 1)
            return QStringLiteral("task %1 has %2 terminal phases").arg(taskId).arg(terminals);
        if (!isTerminal(life.last().phase))
            return QStringLiteral("task %1 has events after its terminal phase").arg(taskId);
        return {};
    }

private:
    void record(const TaskEvent &event)
    {
        if (QThread::currentThread() != m_engineThread)
            ++m_offThread;
        m_events.append(event);
        ++m_perPhase[event.phase];
        if (isTerminal(event.phase)) {
            ++m_terminals[event.taskId];
            ++m_totalTerminals;
        }
        if (onEvent)
            onEvent(event);
    }

    QThread *m_engineThread;
    QMetaObject::Connection m_connection;
    QList<TaskEvent> m_events;
    QHash<quint64, int> m_terminals;
    QHash<Phase, int> m_perPhase;
    int m_totalTerminals = 0;
    int m_offThread = 0;
};

//! One call of an error handler, as the handler saw it.
struct HandlerCall
{
    Task task;
    TaskError error;
    int attemptSeen = 0;
    QThread *thread = nullptr;
};

//! A thread-safe record of error-handler calls; handler() makes a sync handler that records.
class HandlerLog : public std::enable_shared_from_this<HandlerLog>
{
public:
    static std::shared_ptr<HandlerLog> create() { return std::make_shared<HandlerLog>(); }

    void record(const Task &task, const TaskError &error)
    {
        std::lock_guard lock(m_mutex);
        m_calls.append({task, error, task.attempt(), QThread::currentThread()});
    }
    int count() const
    {
        std::lock_guard lock(m_mutex);
        return int(m_calls.size());
    }
    QList<HandlerCall> calls() const
    {
        std::lock_guard lock(m_mutex);
        return m_calls;
    }
    QStringList messages() const
    {
        QStringList result;
        for (const HandlerCall &call : calls())
            result.append(call.error.message);
        return result;
    }

    //! Weak on purpose: the log keeps Task handles, whose configs keep this handler.
    ErrorHandler handler()
    {
        return [weak = weak_from_this()](const Task &task, const TaskError &error) {
            if (const std::shared_ptr<HandlerLog> self = weak.lock())
                self->record(task, error);
        };
    }

private:
    mutable std::mutex m_mutex;
    QList<HandlerCall> m_calls;
};

//! Captures every log message while alive (Qt's message handler is process-wide, so one at a
//! time). Messages from every thread are kept, in order, with their category.
class MessageCapture
{
public:
    struct Message
    {
        QtMsgType type;
        QString category;
        QString text;
    };

    MessageCapture()
    {
        std::lock_guard lock(mutex());
        messages().clear();
        m_previous = qInstallMessageHandler(&MessageCapture::handle);
    }
    ~MessageCapture() { qInstallMessageHandler(m_previous); }
    MessageCapture(const MessageCapture &) = delete;
    MessageCapture &operator=(const MessageCapture &) = delete;

    //! Adds a marker to the same timeline (e.g. "handler ran"), to check ordering against logs.
    static void mark(const QString &text)
    {
        std::lock_guard lock(mutex());
        messages().append({QtInfoMsg, QStringLiteral("<mark>"), text});
    }

    QList<Message> all() const
    {
        std::lock_guard lock(mutex());
        return messages();
    }

    //! Messages of \a category whose text contains \a needle.
    QList<Message> matching(const QString &category, const QString &needle) const
    {
        QList<Message> result;
        for (const Message &message : all()) {
            if (message.category == category && message.text.contains(needle))
                result.append(message);
        }
        return result;
    }

    //! Index in the timeline of the first message of \a category containing \a needle, or -1.
    qsizetype indexOf(const QString &category, const QString &needle) const
    {
        const QList<Message> timeline = all();
        for (qsizetype i = 0; i < timeline.size(); ++i) {
            if (timeline.at(i).category == category && timeline.at(i).text.contains(needle))
                return i;
        }
        return -1;
    }

private:
    static void handle(QtMsgType type, const QMessageLogContext &context, const QString &text)
    {
        std::lock_guard lock(mutex());
        messages().append({type, QString::fromUtf8(context.category ? context.category : "default"), text});
    }
    static std::mutex &mutex()
    {
        static std::mutex instance;
        return instance;
    }
    static QList<Message> &messages()
    {
        static QList<Message> instance;
        return instance;
    }

    QtMessageHandler m_previous = nullptr;
};

} // namespace afterwork::test
