#pragma once
// The timer service: a heap of due times, on its own thread or on a manual
// clock.

#include <iso/detail/unique_function.h>
#include <iso/timer.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace iso::detail {

class IsolateCore;

struct TimerState {
    std::weak_ptr<IsolateCore> owner;
    bool owned = false;                // false: fires on the service thread
    Duration period{0};                // zero: one-shot
    std::chrono::nanoseconds due{0};
    std::uint64_t sequence = 0;        // ties on `due` fire in creation order
    std::uint32_t ordinal = 0;         // its number among its isolate's timers, for tracing
    std::atomic<bool> active{true};
    std::atomic<std::uint64_t> ticks{0};
    // Only the owner (or the service, for ownerless timers) calls these.
    std::function<void()> on_fire;
    std::function<void(Timer&)> on_periodic_fire;
    UniqueFunction on_free_fire;  // ownerless one-shot
};

class TimerService {
public:
    virtual ~TimerService() = default;
    virtual std::chrono::nanoseconds now() const = 0;
    /// Arms `timer` for `timer->due`. @threadsafe
    virtual void arm(std::shared_ptr<TimerState> timer) = 0;
    virtual void stop() = 0;
    /// Manual clock only: fire what is due up to now() + by, earliest first,
    /// calling `settle` after each fire so its events can run in order.
    virtual void advance(Duration by, const std::function<void()>& settle);
    /// Manual clock only: jump to the earliest timer and fire it.
    virtual bool advance_to_next(const std::function<void()>& settle);
};

std::unique_ptr<TimerService> make_thread_timer_service();
std::unique_ptr<TimerService> make_manual_timer_service();

/// Hands a due timer to its isolate (or runs an ownerless one). Used by both services.
void fire(const std::shared_ptr<TimerState>& timer);

} // namespace iso::detail
