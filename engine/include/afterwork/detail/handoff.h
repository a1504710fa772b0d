// SPDX-License-Identifier: MIT
#pragma once

// Hand-offs through Qt made visible to ThreadSanitizer. Internal.
//
// A function object given to QThreadPool::start() or to a queued QMetaObject::invokeMethod() is
// written on one thread and run on another. Qt orders the two (a QMutex around its queues), but
// Debian's Qt is not built with ThreadSanitizer and QMutex is a futex on Linux, so TSan sees
// neither side of that lock and reports the function object's members as a data race. Wrapping
// the function object in handedOff() says what Qt guarantees, at Afterwork's own boundary: what
// the sending thread wrote before the hand-off happens before the receiving thread runs it.
// Without ThreadSanitizer, handedOff() returns the function object itself and costs nothing.
// docs/building.md, "ThreadSanitizer", says how the suite runs under it.

#include <afterwork/detail/tsan.h>

#include <type_traits>
#include <utility>

#ifdef AFTERWORK_TSAN
extern "C" void __tsan_acquire(void *address); // the ThreadSanitizer runtime's annotations
extern "C" void __tsan_release(void *address);
#endif

namespace afterwork::detail {

//! Says that everything this thread wrote so far is handed over at \a address: a thread that then
//! calls markReceipt(\a address) sees it. For a hand-off in the other direction than handedOff()
//! covers (a result written by the receiver of a blocking queued call). Nothing without
//! ThreadSanitizer.
inline void markHandOff([[maybe_unused]] void *address) noexcept
{
#ifdef AFTERWORK_TSAN
    __tsan_release(address);
#endif
}

//! Receives what was handed over at \a address (markHandOff()). Nothing without ThreadSanitizer.
inline void markReceipt([[maybe_unused]] void *address) noexcept
{
#ifdef AFTERWORK_TSAN
    __tsan_acquire(address);
#endif
}

#ifdef AFTERWORK_TSAN
//! The receiving side's proof of a hand-off: constructing (or copying, or moving) it hands over
//! at its own address everything the sending thread wrote so far; arrived() and the destructor
//! receive it there. Kept as the last member of what is handed off, so that it is made after the
//! rest is written and destroyed before the rest is.
class HandOffMark
{
public:
    HandOffMark() noexcept { markHandOff(this); }
    HandOffMark(const HandOffMark &) noexcept { markHandOff(this); }
    HandOffMark(HandOffMark &&) noexcept { markHandOff(this); }
    HandOffMark &operator=(const HandOffMark &) noexcept
    {
        markHandOff(this);
        return *this;
    }
    HandOffMark &operator=(HandOffMark &&) noexcept
    {
        markHandOff(this);
        return *this;
    }
    ~HandOffMark() { arrived(); }

    //! Called first by the receiving thread.
    void arrived() noexcept { markReceipt(this); }
};

//! \a Function, handed to another thread through Qt (see handedOff()).
template<typename Function>
class HandedOff
{
public:
    explicit HandedOff(Function function) : m_function(std::move(function)) {}

    //! Runs the function on the receiving thread, after acquiring what the sender released.
    decltype(auto) operator()()
    {
        m_mark.arrived();
        return m_function();
    }

private:
    Function m_function;
    HandOffMark m_mark; // Last: see HandOffMark.
};

//! \a function, ready to be given to QThreadPool::start() or a queued invokeMethod() so that
//! ThreadSanitizer sees the hand-off Qt makes.
template<typename Function>
HandedOff<std::decay_t<Function>> handedOff(Function &&function)
{
    return HandedOff<std::decay_t<Function>>(std::forward<Function>(function));
}
#else
//! \a function, ready to be given to QThreadPool::start() or a queued invokeMethod() so that
//! ThreadSanitizer sees the hand-off Qt makes; without ThreadSanitizer, \a function itself.
template<typename Function>
decltype(auto) handedOff(Function &&function)
{
    return std::forward<Function>(function);
}
#endif

} // namespace afterwork::detail
