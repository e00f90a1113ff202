#pragma once
/// Timers that fire as events of the isolate that made them.

#include <iso/fwd.h>
#include <iso/future.h>

#include <chrono>
#include <functional>
#include <memory>

namespace iso {

/// One-shot or periodic timer (Dart's `Timer`). The callback runs as an
/// ordinary event of the creating isolate, so it waits while the isolate is
/// paused. An active timer keeps its isolate alive. Destroying the handle does
/// not cancel it.
/// @threadsafe: only the creating isolate may call cancel(); the rest is safe anywhere.
class Timer {
public:
    /// Throws StateError outside isolates.
    static Timer once(Duration delay, std::function<void()> callback);
    static Timer periodic(Duration period, std::function<void(Timer&)> callback);

    /// A fire already due but not yet handled will not run.
    void cancel();
    bool is_active() const;
    /// How many times a periodic timer has fired (once: 0 or 1).
    std::uint64_t tick() const;

    explicit Timer(std::shared_ptr<detail::TimerState> state) noexcept : state_(std::move(state)) {}

private:
    std::shared_ptr<detail::TimerState> state_;
};

/// Completes after `delay` (Dart's `Future.delayed`). Inside an isolate the
/// continuation runs on it; outside, on the runtime's timer thread.
Future<void> delay(Duration delay);

} // namespace iso
