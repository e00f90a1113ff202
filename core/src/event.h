#pragma once
// One entry of an isolate's mailbox.

#include "eventpool.h"
#include "mpscqueue.h"

#include <iso/detail/unique_function.h>
#include <iso/fwd.h>
#include <iso/value.h>

#include <coroutine>
#include <memory>

namespace iso::detail {

struct Event : MpscNode {
    enum class Kind : std::uint8_t {
        Message,  ///< `value` for the port `port`
        Task,     ///< run `task` (the entry, a continuation, a timer fire)
        Resume,   ///< resume the suspended coroutine `coroutine()`
    };

    Kind kind = Kind::Task;
    /// The event settles one unit of the isolate's keep-alive count.
    bool releases_keepalive = false;
    // A line at most each: a stream of messages that waits in a mailbox is
    // read back from memory, a line or less an event.
    union {
        /// Messages only: the id tracing gave it (0 when tracing was off).
        std::uint64_t message_id = 0;
        /// Resume only: the suspended coroutine's frame (a handle's
        /// address, as a handle is no trivial union member).
        void* coroutine_frame;
    };
    Value value;
    /// Messages only: the port's address, found among the receiver's open
    /// ports when it is handled. An address, not a counted reference: a
    /// count raised by the sender and dropped by the receiver crossed
    /// cores twice for every message.
    PortId port = 0;
    UniqueFunction task;

    std::coroutine_handle<> coroutine() const noexcept { return std::coroutine_handle<>::from_address(coroutine_frame); }

    // In the pool of the thread that made it (eventpool.h).
    static void* operator new(std::size_t) { return event_pool::allocate(); }
    static void operator delete(void* block) noexcept { event_pool::release(block); }
};
static_assert(sizeof(Event) <= event_pool::kObjectSize);

/// A queue of events in one pointer: the newest links back to the oldest.
/// For the running isolate's own tasks, so single-threaded.
class EventRing {
public:
    bool empty() const noexcept { return newest_ == nullptr; }
    void push(Event* e) noexcept {
        e->next = newest_ != nullptr ? newest_->next : e;
        if (newest_ != nullptr) newest_->next = e;
        newest_ = e;
    }
    /// The oldest, or null.
    Event* pop() noexcept {
        if (newest_ == nullptr) return nullptr;
        auto* oldest = static_cast<Event*>(newest_->next);
        if (oldest == newest_)
            newest_ = nullptr;
        else
            newest_->next = oldest->next;
        return oldest;
    }

private:
    Event* newest_ = nullptr;
};

} // namespace iso::detail
