#pragma once
// One entry of an isolate's mailbox.

#include "mpscqueue.h"

#include <iso/detail/unique_function.h>
#include <iso/value.h>

#include <atomic>
#include <coroutine>
#include <memory>

namespace iso::detail {

struct PortCell;

struct Event : MpscNode {
    enum class Kind : std::uint8_t {
        Message,  ///< `value` for `port`
        Task,     ///< run `task` (the entry, a continuation, a timer fire)
        Resume,   ///< resume the suspended coroutine `coroutine`
    };

    Kind kind = Kind::Task;
    /// Messages only: the id tracing gave it (0 when tracing was off).
    std::uint64_t message_id = 0;
    /// The event settles one unit of the isolate's keep-alive count.
    bool releases_keepalive = false;
    Value value;
    std::shared_ptr<PortCell> port;
    UniqueFunction task;
    std::coroutine_handle<> coroutine;
};

/// A queue of events in one pointer: the newest links back to the oldest.
/// For the running isolate's own tasks, so single-threaded.
class EventRing {
public:
    bool empty() const noexcept { return newest_ == nullptr; }
    void push(Event* e) noexcept {
        e->next.store(newest_ != nullptr ? newest_->next.load(std::memory_order_relaxed) : e, std::memory_order_relaxed);
        if (newest_ != nullptr) newest_->next.store(e, std::memory_order_relaxed);
        newest_ = e;
    }
    /// The oldest, or null.
    Event* pop() noexcept {
        if (newest_ == nullptr) return nullptr;
        auto* oldest = static_cast<Event*>(newest_->next.load(std::memory_order_relaxed));
        if (oldest == newest_)
            newest_ = nullptr;
        else
            newest_->next.store(oldest->next.load(std::memory_order_relaxed), std::memory_order_relaxed);
        return oldest;
    }

private:
    Event* newest_ = nullptr;
};

} // namespace iso::detail
