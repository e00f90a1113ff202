#include "timers.h"

#include "isolatecore.h"
#include "replaygate.h"
#include "runtimecore.h"

#include <condition_variable>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace iso::detail {

namespace {

struct LaterFirst {
    bool operator()(const std::shared_ptr<TimerState>& a, const std::shared_ptr<TimerState>& b) const {
        if (a->due != b->due) return a->due > b->due;
        return a->sequence > b->sequence;
    }
};
using TimerHeap = std::priority_queue<std::shared_ptr<TimerState>, std::vector<std::shared_ptr<TimerState>>, LaterFirst>;

/// Runs on the owning isolate: the callback, then re-arming a periodic timer.
/// The callback is moved out while it runs, so that it may cancel its own
/// timer (which drops the callback) without destroying itself.
void trace_fire(IsolateCore& core, const TimerState& timer) {
    trace::Record r;
    r.kind = trace::Kind::TimerFire;
    r.isolate = core.id();
    r.arg = timer.ordinal;
    r.peer = timer.ticks.load(std::memory_order_relaxed);
    core.runtime().tracer.emit(r);
}

void run_on_owner(const std::shared_ptr<TimerState>& timer) {
    if (!timer->active.load(std::memory_order_acquire)) return;
    IsolateCore& core = *IsolateCore::current();
    const bool tracing = core.runtime().tracer.on() && core.traced();
    if (timer->period.count() == 0) {
        timer->active.store(false, std::memory_order_release);
        timer->ticks.store(1, std::memory_order_relaxed);
        if (tracing) [[unlikely]] trace_fire(core, *timer);
        auto fn = std::move(timer->on_fire);
        core.forget_timer(timer.get());
        if (fn) fn();
        return;
    }
    // A periodic timer that fell behind counts the ticks it missed, as Dart's does.
    TimerService& service = *core.runtime().timers;
    const auto now = service.now();
    const auto behind = now > timer->due ? (now - timer->due) / timer->period : 0;
    timer->ticks.fetch_add(1 + static_cast<std::uint64_t>(behind), std::memory_order_relaxed);
    timer->due += timer->period * (1 + behind);
    if (tracing) [[unlikely]] trace_fire(core, *timer);
    // Re-armed even when the callback throws: the error is reported and the
    // timer goes on, as in Dart.
    struct Rearm {
        const std::shared_ptr<TimerState>& timer;
        TimerService& service;
        std::function<void(Timer&)> fn;
        ~Rearm() {
            if (!timer->active.load(std::memory_order_acquire)) return;
            timer->on_periodic_fire = std::move(fn);
            service.arm(timer);
        }
    } rearm{timer, service, std::move(timer->on_periodic_fire)};
    Timer handle(timer);
    rearm.fn(handle);
}

class ThreadTimerService final : public TimerService {
public:
    ThreadTimerService() : start_(std::chrono::steady_clock::now()), thread_([this] { loop(); }) {}
    ~ThreadTimerService() override { stop(); }

    std::chrono::nanoseconds now() const override { return std::chrono::steady_clock::now() - start_; }

    void arm(std::shared_ptr<TimerState> timer) override {
        {
            std::lock_guard lock(mutex_);
            timer->sequence = next_sequence_++;
            heap_.push(std::move(timer));
        }
        wake_.notify_one();
    }

    void stop() override {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            stopping_ = true;
        }
        wake_.notify_one();
        thread_.join();
        heap_ = {};
    }

private:
    void loop() {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            if (heap_.empty()) {
                wake_.wait(lock);
                continue;
            }
            auto due = heap_.top()->due;
            if (due > now()) {
                wake_.wait_until(lock, start_ + due);
                continue;
            }
            auto timer = heap_.top();
            heap_.pop();
            lock.unlock();
            fire(timer);
            lock.lock();
        }
    }

    const std::chrono::steady_clock::time_point start_;
    std::mutex mutex_;
    std::condition_variable wake_;
    TimerHeap heap_;
    std::uint64_t next_sequence_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

class ManualTimerService final : public TimerService {
public:
    std::chrono::nanoseconds now() const override {
        std::lock_guard lock(mutex_);
        return now_;
    }

    void arm(std::shared_ptr<TimerState> timer) override {
        std::lock_guard lock(mutex_);
        timer->sequence = next_sequence_++;
        heap_.push(std::move(timer));
    }

    void stop() override {
        std::lock_guard lock(mutex_);
        heap_ = {};
    }

    void advance(Duration by, const std::function<void()>& settle) override {
        const auto target = now() + by;
        while (auto timer = pop_due(target)) {
            fire(timer);
            settle();
        }
        std::lock_guard lock(mutex_);
        now_ = target;
    }

    bool advance_to_next(const std::function<void()>& settle) override {
        auto timer = pop_due(std::chrono::nanoseconds::max());
        if (!timer) return false;
        fire(timer);
        settle();
        return true;
    }

private:
    /// The earliest active timer due by `limit`, with the clock moved to it.
    std::shared_ptr<TimerState> pop_due(std::chrono::nanoseconds limit) {
        std::lock_guard lock(mutex_);
        while (!heap_.empty()) {
            auto timer = heap_.top();
            if (timer->due > limit) return nullptr;
            heap_.pop();
            if (!timer->active.load(std::memory_order_acquire)) continue;
            now_ = std::max(now_, timer->due);
            return timer;
        }
        return nullptr;
    }

    mutable std::mutex mutex_;
    std::chrono::nanoseconds now_{0};
    TimerHeap heap_;
    std::uint64_t next_sequence_ = 0;
};

std::shared_ptr<TimerState> make_owned_timer(Duration delay, Duration period) {
    IsolateCore* core = IsolateCore::current();
    if (core == nullptr) throw StateError("iso::Timer can only be made inside an isolate");
    auto timer = std::make_shared<TimerState>();
    timer->owner = core->shared_from_this();
    timer->owned = true;
    timer->ordinal = core->next_timer_ordinal();
    timer->period = period;
    timer->due = core->runtime().timers->now() + std::max(delay, Duration::zero());
    core->add_timer(timer);
    return timer;
}

} // namespace

void TimerService::advance(Duration, const std::function<void()>&) {
    throw StateError("iso::Runtime::advance_time needs a deterministic runtime");
}

bool TimerService::advance_to_next(const std::function<void()>&) {
    throw StateError("iso::Runtime::advance_to_next_timer needs a deterministic runtime");
}

void fire(const std::shared_ptr<TimerState>& timer) {
    if (!timer->active.load(std::memory_order_acquire)) return;
    if (!timer->owned) {
        // Claimed, not just marked: a held message's isolate claims its
        // timer when it dies (IsolateCore::die), and only one may have it.
        if (!timer->active.exchange(false, std::memory_order_acq_rel)) return;
        timer->ticks.store(1, std::memory_order_relaxed);
        if (auto fn = std::move(timer->on_free_fire)) fn();
        return;
    }
    auto owner = timer->owner.lock();
    if (!owner) return;
    UniqueFunction run = [timer] { run_on_owner(timer); };
    if (ReplayGate* gate = owner->runtime().gate; gate != nullptr && gate->offer_timer(*owner, timer->ordinal, run))
        return;
    owner->post_task(std::move(run), false);
}

std::unique_ptr<TimerService> make_thread_timer_service() { return std::make_unique<ThreadTimerService>(); }
std::unique_ptr<TimerService> make_manual_timer_service() { return std::make_unique<ManualTimerService>(); }

} // namespace iso::detail

namespace iso {

using detail::IsolateCore;
using detail::TimerState;

Timer Timer::once(Duration delay, std::function<void()> callback) {
    auto timer = detail::make_owned_timer(delay, Duration::zero());
    timer->on_fire = std::move(callback);
    IsolateCore::current()->runtime().timers->arm(timer);
    return Timer(timer);
}

Timer Timer::periodic(Duration period, std::function<void(Timer&)> callback) {
    if (period <= Duration::zero()) throw std::invalid_argument("iso::Timer::periodic: the period must be positive");
    auto timer = detail::make_owned_timer(period, period);
    timer->on_periodic_fire = std::move(callback);
    IsolateCore::current()->runtime().timers->arm(timer);
    return Timer(timer);
}

void Timer::cancel() {
    if (!state_ || !state_->owned) return;
    IsolateCore* core = IsolateCore::current();
    if (core == nullptr || state_->owner.lock().get() != core)
        throw StateError("iso::Timer::cancel may only be called by the isolate that made the timer");
    if (!state_->active.exchange(false, std::memory_order_acq_rel)) return;
    core->forget_timer(state_.get());
}

bool Timer::is_active() const { return state_ && state_->active.load(std::memory_order_acquire); }

std::uint64_t Timer::tick() const { return state_ ? state_->ticks.load(std::memory_order_relaxed) : 0; }

Future<void> delay(Duration d) {
    Promise<void> promise;
    Future<void> result = promise.future();
    if (IsolateCore::current() != nullptr) {
        auto p = std::make_shared<Promise<void>>(std::move(promise));
        Timer::once(d, [p] { p->set_value(); });
        return result;
    }
    auto timer = std::make_shared<TimerState>();
    auto& service = *Runtime::global().core().timers;
    timer->due = service.now() + std::max(d, Duration::zero());
    timer->on_free_fire = [promise = std::move(promise)]() mutable { promise.set_value(); };
    service.arm(timer);
    return result;
}

} // namespace iso
