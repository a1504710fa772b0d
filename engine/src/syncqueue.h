// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QThreadPool>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace afterwork::detail {

struct TaskState;

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
//! price of yielding is up to 50 µs of CPU per runner after each burst.) Work pushed while
//! wake-ups are held (holdWakeUps()) comes in bursts instead, one per pass of the engine thread's
//! event loop: the runners a held batch starts do not linger, since one wake-up per burst costs
//! less than yielding from one burst to the next.
//!
//! Runners are counted from the moment they are queued on the pool, so QThreadPool::clear() or
//! tryTake() on the engine's pool would lose them (TaskEngine::threadPool() says not to).
//!
//! The lock is a template parameter only so that bench_syncqueue can run the same queue with
//! other locks (syncqueue_impl.h); the engine uses SyncQueue.
template<typename Lock>
class BasicSyncQueue : public std::enable_shared_from_this<BasicSyncQueue<Lock>>
{
public:
    explicit BasicSyncQueue(QThreadPool *pool) : m_pool(pool) {}
    Q_DISABLE_COPY_MOVE(BasicSyncQueue)

    void push(std::shared_ptr<TaskState> task, int attempt); //!< that attempt of the task's sync work
    void push(std::function<void()> job);       //!< other sync work (an error handler, a rerun)

    //! Until releaseWakeUps(), of the pushes from the calling thread only the first that needs a
    //! runner starts one; the rest wait in the queue for a runner that is already up, or for the
    //! release, which starts what they need. Pushes from other threads are not held. What this is
    //! for: TaskEngine::batchPoolWakeUps().
    void holdWakeUps();
    //! Ends holdWakeUps(): starts the runners that the work queued meanwhile needs.
    void releaseWakeUps();

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
    int maxRunners() const; //!< the pool's maxThreadCount(), at least 1
    //! How many more runners (up to \a atMost) the queued work needs, counted as started; under m_lock.
    int claimRunnersNeeded(int maxRunners, int atMost);
    enum class Linger : bool { No, Yes };
    void startRunners(int count, Linger linger);
    bool take(Item &item);     //!< false when empty
    void runUntilIdle(Linger linger); //!< a runner, on a pool thread

    QThreadPool *const m_pool; // Not owning: the engine's, which outlives every runner
    mutable Lock m_lock;
    std::deque<Item> m_items;        // guarded by m_lock
    int m_runners = 0;               // guarded by m_lock
    bool m_heldWakeUpSpent = false;  //!< the held batch has started its one runner; guarded by m_lock
    std::thread::id m_holder;        //!< whose pushes are held; none (the default id) when not held; guarded by m_lock
    std::atomic<int> m_pending{0};   //!< m_items.size(), readable without the lock
    std::atomic<int> m_lingering{0}; //!< runners waiting for work
};

//! std::mutex guards a deque push or pop. It was a spin lock, on the theory that a mutex sleeps
//! in the kernel whenever the pushing thread and a runner collide; measured side by side
//! (docs/performance.md, "The sync queue's lock") both QMutex and std::mutex did better, in jobs
//! per second and in CPU per job, than a spin lock (with or without test-and-test-and-set) once
//! the cores are shared: a spinner burns the time slice of a holder that was preempted. Of the two
//! mutexes std::mutex, because ThreadSanitizer sees it (it cannot see inside an uninstrumented Qt).
using SyncQueue = BasicSyncQueue<std::mutex>;
extern template class BasicSyncQueue<std::mutex>; // syncqueue.cpp

} // namespace afterwork::detail
