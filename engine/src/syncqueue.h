// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QThreadPool>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>

namespace afterwork::detail {

struct TaskState;

//! A lock for critical sections of a few instructions (a deque push or pop): QMutex sleeps in
//! the kernel on every collision, and the pushing thread and a lingering runner collide often.
class SpinLock
{
public:
    void lock() noexcept
    {
        for (int spins = 0; m_locked.test_and_set(std::memory_order_acquire); ++spins) {
            if (spins >= 16)
                yieldThread(); // the holder may have been preempted
        }
    }
    void unlock() noexcept { m_locked.clear(std::memory_order_release); }

private:
    static void yieldThread() noexcept; // out of line: keeps <QThread> out of this header
    std::atomic_flag m_locked = ATOMIC_FLAG_INIT;
};

//! Runs that attempt of the task's sync work (TaskState::runAttempt, kept out of this header).
void runSyncAttempt(std::shared_ptr<TaskState> task, int attempt);

//! The engine's own FIFO of sync work in front of its QThreadPool: task attempts, sync error
//! handlers and reruns, in the order they were queued. Any thread may push.
//!
//! Why not QThreadPool::start() per item: a pool thread that has just finished one tiny task
//! goes to sleep on a condition variable, and the next start() pays a futex wake, two context
//! switches and (on a VM) an inter-processor interrupt: most of the system time of an HTTP route
//! that schedules a task per request (docs/performance.md). Here at most maxThreadCount()
//! runners, each one pool runnable, take items until the queue stays empty for a short linger,
//! during which they yield the CPU rather than sleep; a push while a runner is around costs no
//! wake-up at all. (A timed wait would put the runner to sleep and bring the wake-up back; the
//! price of yielding is up to 50 µs of CPU per runner after each burst.)
//!
//! Runners are counted from the moment they are queued on the pool, so QThreadPool::clear() or
//! tryTake() on the engine's pool would lose them (TaskEngine::threadPool() says not to).
//!
//! The lock is a template parameter only so that the benchmark and the tests can run the same
//! queue with QMutex and std::mutex (syncqueue_impl.h); the engine uses SyncQueue.
template<typename Lock>
class BasicSyncQueue : public std::enable_shared_from_this<BasicSyncQueue<Lock>>
{
public:
    explicit BasicSyncQueue(QThreadPool *pool) : m_pool(pool) {}
    Q_DISABLE_COPY_MOVE(BasicSyncQueue)

    void push(std::shared_ptr<TaskState> task, int attempt); //!< that attempt of the task's sync work
    void push(std::function<void()> job);       //!< other sync work (an error handler, a rerun)

    //! Runners queued on the pool or running, lingering ones included (for tests).
    int runners() const;

private:
    struct Item
    {
        std::shared_ptr<TaskState> task; //!< an attempt, or
        std::function<void()> job;       //!< anything else
        int attempt = 0;
    };

    void enqueue(Item &&item);
    bool take(Item &item);     //!< false when empty
    void runUntilIdle();       //!< a runner, on a pool thread

    QThreadPool *const m_pool; // Not owning: the engine's, which outlives every runner
    mutable Lock m_lock;
    std::deque<Item> m_items;        // guarded by m_lock
    int m_runners = 0;               // guarded by m_lock
    std::atomic<int> m_pending{0};   //!< m_items.size(), readable without the lock
    std::atomic<int> m_lingering{0}; //!< runners waiting for work
};

using SyncQueue = BasicSyncQueue<SpinLock>;
extern template class BasicSyncQueue<SpinLock>; // syncqueue.cpp

} // namespace afterwork::detail
