// SPDX-License-Identifier: MIT
#pragma once

// BasicSyncQueue's members, for syncqueue.cpp (the engine's std::mutex queue) and for the
// benchmark (bench_syncqueue) that instantiates it with other locks. Nothing else includes it.

#include "logging.h"
#include "syncqueue.h"

#include <afterwork/detail/handoff.h>

#include <QtCore/QThread>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

namespace afterwork::detail {

namespace syncqueue {
// How long a runner waits for more work before it gives its thread back to the pool: long
// enough to bridge the gap between two requests of a busy server, short enough not to matter.
inline constexpr auto kLinger = std::chrono::microseconds(50);
} // namespace syncqueue

template<typename Lock>
void BasicSyncQueue<Lock>::push(std::shared_ptr<TaskState> task, int attempt)
{
    enqueue(Item{std::move(task), {}, attempt});
}

template<typename Lock>
void BasicSyncQueue<Lock>::push(std::function<void()> job)
{
    enqueue(Item{nullptr, std::move(job), 0});
}

template<typename Lock>
int BasicSyncQueue<Lock>::runners() const
{
    std::lock_guard lock(m_lock);
    return m_runners;
}

template<typename Lock>
int BasicSyncQueue<Lock>::maxRunners() const
{
    return std::max(1, m_pool->maxThreadCount());
}

template<typename Lock>
void BasicSyncQueue<Lock>::enqueue(Item &&item)
{
    const int most = maxRunners(); // outside m_lock: the pool takes its own
    int start = 0;
    Linger linger = Linger::Yes;
    {
        std::lock_guard lock(m_lock);
        m_items.push_back(std::move(item));
        m_pending.fetch_add(1, std::memory_order_release);
        // Only the holder's pushes are held: other threads' work is not tied to its burst.
        const bool held = std::this_thread::get_id() == m_holder; // no thread has the default id
        if (held) {
            linger = Linger::No;
            if (m_heldWakeUpSpent)
                return; // waits for a runner that is up, or for releaseWakeUps()
        }
        start = claimRunnersNeeded(most, 1); // one per push: the next push may add one
        if (held)
            m_heldWakeUpSpent = start > 0; // the first work starts at once, as if nothing were held
    }
    startRunners(start, linger);
}

template<typename Lock>
void BasicSyncQueue<Lock>::holdWakeUps()
{
    std::lock_guard lock(m_lock);
    m_holder = std::this_thread::get_id();
}

template<typename Lock>
void BasicSyncQueue<Lock>::releaseWakeUps()
{
    const int most = maxRunners();
    int start = 0;
    {
        std::lock_guard lock(m_lock);
        if (m_holder == std::thread::id())
            return; // not held
        m_holder = std::thread::id();
        m_heldWakeUpSpent = false;
        start = claimRunnersNeeded(most, most); // nothing else will start them
    }
    // Held work comes in bursts, one per pass of the event loop: a wake-up per burst costs less
    // than yielding in between (docs/performance.md, "4a, 4c, 4f").
    startRunners(start, Linger::No);
}

template<typename Lock>
int BasicSyncQueue<Lock>::claimRunnersNeeded(int maxRunners, int atMost)
{
    // Another runner only where the lingering ones cannot take everything that waits.
    const int wanted = int(m_items.size()) - m_lingering.load(std::memory_order_acquire);
    const int start = std::clamp(wanted, 0, std::clamp(maxRunners - m_runners, 0, atMost));
    m_runners += start;
    return start;
}

template<typename Lock>
void BasicSyncQueue<Lock>::startRunners(int count, Linger linger)
{
    for (int i = 0; i < count; ++i)
        m_pool->start(handedOff([self = this->shared_from_this(), linger] { self->runUntilIdle(linger); }));
}

template<typename Lock>
bool BasicSyncQueue<Lock>::take(Item &item)
{
    if (m_pending.load(std::memory_order_acquire) == 0)
        return false;
    std::lock_guard lock(m_lock);
    if (m_items.empty())
        return false;
    item = std::move(m_items.front());
    m_items.pop_front();
    m_pending.fetch_sub(1, std::memory_order_relaxed);
    return true;
}

template<typename Lock>
void BasicSyncQueue<Lock>::runUntilIdle(Linger linger)
{
    using Clock = std::chrono::steady_clock;
    for (;;) {
        Item item;
        if (!take(item)) {
            // Linger: yield while the queue stays empty, then leave, under the lock so that a
            // push that finds us gone starts another runner.
            if (linger == Linger::Yes) {
                m_lingering.fetch_add(1, std::memory_order_acq_rel);
                const auto until = Clock::now() + syncqueue::kLinger;
                while (m_pending.load(std::memory_order_acquire) == 0 && Clock::now() < until)
                    QThread::yieldCurrentThread();
                m_lingering.fetch_sub(1, std::memory_order_acq_rel);
            }
            if (!take(item)) {
                std::lock_guard lock(m_lock);
                if (m_items.empty()) {
                    --m_runners;
                    return;
                }
                continue;
            }
        }
        try {
            if (item.task)
                runSyncAttempt(std::move(item.task), item.attempt);
            else
                item.job();
        } catch (...) {
            // User code is caught inside; what is left is the engine's own (out of memory while
            // reporting). Never into QThreadPool: keep the runner, and its count, alive.
            qCCritical(lcEngine, "sync work of the engine threw past its own handler; ignored");
        }
        // The pool may have been made smaller meanwhile: give the thread back if we are extra.
        if (m_pending.load(std::memory_order_acquire) > 0) {
            std::lock_guard lock(m_lock);
            if (m_runners > maxRunners()) {
                --m_runners;
                return;
            }
        }
    }
}

} // namespace afterwork::detail
