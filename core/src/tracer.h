#pragma once
// The producer side of tracing: per-thread buffers and the emit calls the
// runtime makes at every observable step.

#include <iso/path.h>
#include <iso/trace.h>
#include <iso/value.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace iso::detail {

class IsolateCore;

/// One producing thread's records: a single-producer, single-consumer ring.
/// A record's text follows it in whole slots.
class ThreadBuffer {
public:
    ThreadBuffer(std::uint16_t index, std::size_t capacity);

    /// Producer only: `record` stamped with `time` and `flags` added; false,
    /// writing nothing, if there is no room.
    bool try_write(const trace::Record& record, std::uint64_t time, std::uint8_t flags,
                   std::string_view text) noexcept;
    /// Producer only: an event that found no room.
    void count_drop() noexcept { dropped_.fetch_add(1, std::memory_order_relaxed); }
    // Consumer only: records are read in place, from position begin() up
    // to end() as it was when asked, then released for the producer.
    std::uint64_t begin() const noexcept { return tail_.load(std::memory_order_relaxed); }
    std::uint64_t end() const noexcept { return head_.load(std::memory_order_acquire); }
    const trace::Record& record(std::uint64_t at) const noexcept { return slots_[at & (capacity_ - 1)].record; }
    /// The record at `at` with its text into `out`; the next record's position.
    std::uint64_t read(std::uint64_t at, trace::Event& out) const;
    void release(std::uint64_t to) noexcept { tail_.store(to, std::memory_order_release); }
    /// Consumer only: records dropped since the last call.
    std::uint64_t take_dropped() noexcept;
    std::size_t capacity() const noexcept { return capacity_; }  ///< in records
    std::size_t capacity_bytes() const noexcept { return capacity_ * sizeof(trace::Record); }

    const std::uint16_t index;
    const std::thread::id producer = std::this_thread::get_id();
    /// Its thread has ended: once drained, the buffer can go.
    std::atomic<bool> retired{false};
    /// Consumer only: nothing left to drain.
    bool empty() const noexcept {
        return head_.load(std::memory_order_acquire) == tail_.load(std::memory_order_relaxed);
    }

private:
    const std::size_t capacity_;  // a power of two
    // One record per cache line; unaligned, each would touch two.
    struct alignas(64) Slot {
        trace::Record record;
    };
    std::unique_ptr<Slot[]> slots_;
    alignas(64) std::atomic<std::uint64_t> head_{0};  // written by the producer
    std::uint64_t cached_tail_ = 0;                   // producer's view of tail_
    std::atomic<std::uint64_t> dropped_{0};
    alignas(64) std::atomic<std::uint64_t> tail_{0};  // written by the consumer
};

/// A runtime's tracing switches and buffers. Producers call the emit
/// functions only after on() said yes: the one branch tracing costs when off.
class Tracer {
public:
    Tracer();
    ~Tracer();
    Tracer(const Tracer&) = delete;
    Tracer& operator=(const Tracer&) = delete;

    bool on() const noexcept { return on_.load(std::memory_order_relaxed); }
    /// Whether a filter is set: a new isolate starts untraced until the
    /// cluster names it.
    bool filtered() const noexcept { return filtered_.load(std::memory_order_relaxed); }
    /// One observer drains the buffers; false if there is one already.
    bool attach() noexcept { return !observed_.exchange(true); }
    void detach() noexcept { observed_.store(false); }

    // Switches; an Observer sets these. @threadsafe
    void set_on(bool on) noexcept { on_.store(on, std::memory_order_relaxed); }
    void set_payload(trace::PayloadCapture capture, std::size_t limit) noexcept;
    trace::PayloadCapture payload() const noexcept { return payload_.load(std::memory_order_relaxed); }
    void set_buffer_records(std::size_t records) noexcept { buffer_records_.store(records); }
    /// How long a producer with a full buffer waits for room (0: drops at
    /// once); it asks the consumer to drain meanwhile.
    void set_full_wait(std::chrono::nanoseconds wait) noexcept {
        full_wait_ns_.store(static_cast<std::uint64_t>(wait.count()), std::memory_order_relaxed);
    }
    /// Prefixes of traced paths (empty: all). The caller then re-applies
    /// traced() to every live isolate.
    void set_filter(std::vector<Path> prefixes);
    /// The cluster names its isolates here, so the filter can find them;
    /// sets the isolate's traced bit under the filter's lock.
    void name_isolate(IsolateCore& isolate, const Path& path);
    /// Sets the traced bit of `isolate` by the current filter.
    void apply_filter(IsolateCore& isolate) const;
    void forget_isolate(std::uint64_t id);

    /// A process-unique message id (never 0), without contention.
    static std::uint64_t next_message_id() noexcept;
    /// Steady-clock nanoseconds, for trace records. Once the TSC has been
    /// measured against the steady clock (0.2 s after the first call), the
    /// TSC scaled, within a part per million. @threadsafe
    static std::uint64_t now() noexcept {
#if defined(__x86_64__)
        // clock_gettime orders its TSC read with rdtscp, which is half of its
        // cost; an event's time needs no such fence.
        if (const TscScale* scale = tsc_scale_.load(std::memory_order_acquire)) [[likely]]
            return scale->ns + static_cast<std::uint64_t>(static_cast<std::int64_t>(
                                   static_cast<double>(static_cast<std::int64_t>(__builtin_ia32_rdtsc() - scale->tsc)) *
                                   scale->ns_per_tick));
#endif
        return steady_now();
    }

    /// Writes one record (time and thread are filled in) to this thread's
    /// buffer. @threadsafe
    void emit(const trace::Record& record, std::string_view text = {}) noexcept;
    /// Emits a record carrying `payload` as far as payload capture says.
    void emit_with_payload(const trace::Record& record, const Value& payload) noexcept;

    /// The consumer sleeps here between drains, up to `timeout`; a producer
    /// that waits for room, or wake_consumer(), ends the sleep.
    void sleep_until_drain_wanted(std::chrono::microseconds timeout);
    void wake_consumer() noexcept;

    /// Consumer side: every buffer made so far. @threadsafe
    std::vector<std::shared_ptr<ThreadBuffer>> buffers() const;
    /// Consumer side, after a drain: frees the empty buffers of threads that
    /// have ended.
    void free_retired();
    /// The runtime's bytes in trace buffers.
    std::size_t buffer_bytes() const;

private:
    /// The TSC as steady-clock time: ns at tsc, and the slope between them.
    struct TscScale {
        std::uint64_t tsc = 0;
        std::uint64_t ns = 0;
        double ns_per_tick = 0;
    };
    /// Null until the TSC has been measured against the steady clock.
    static inline std::atomic<const TscScale*> tsc_scale_{nullptr};
    /// The steady clock itself; measures the TSC once enough time has passed.
    static std::uint64_t steady_now() noexcept;

    ThreadBuffer* local_buffer() noexcept;
    /// Waits up to `wait_ns` for room in `buffer`, then writes the record.
    bool write_when_room(ThreadBuffer& buffer, const trace::Record& record, std::uint8_t flags,
                         std::string_view text, std::uint64_t wait_ns) noexcept;

    // On a cache line of its own: every send and handler reads it, and
    // the mutex below is written by every cluster isolate's start.
    alignas(64) std::atomic<bool> on_{false};
    std::atomic<bool> observed_{false};
    std::atomic<bool> filtered_{false};
    std::atomic<trace::PayloadCapture> payload_{trace::PayloadCapture::None};
    std::atomic<std::size_t> payload_limit_{256};
    std::atomic<std::size_t> buffer_records_{1 << 16};
    std::atomic<std::uint64_t> full_wait_ns_{0};
    const std::uint64_t serial_;  // tells a thread's cached buffer from another tracer's

    std::mutex drain_mutex_;
    std::condition_variable drain_wanted_;
    bool drain_requested_ = false;  // under drain_mutex_

    alignas(64) mutable std::mutex mutex_;
    // Shared with the producing threads, which retire them when they end.
    std::vector<std::shared_ptr<ThreadBuffer>> buffers_;
    std::vector<Path> filter_;
    std::unordered_map<std::uint64_t, Path> paths_;  // cluster isolates by id
};

} // namespace iso::detail
