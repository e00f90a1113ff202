#pragma once
// Where every message of a runtime is (MessageStats), counted without a
// shared cache line: each thread counts in a slot of its own, and a reader
// adds the slots up. One counter that every send and every delivery
// changes would bounce between the cores on every message.

#include <array>
#include <atomic>
#include <cstdint>

namespace iso::detail {

/// @threadsafe
class MessageCounters {
public:
    void count_sent() noexcept { mine().sent.fetch_add(1, std::memory_order_acq_rel); }
    /// Into a mailbox (or held on its way there).
    void count_enqueued() noexcept { mine().enqueued.fetch_add(1, std::memory_order_acq_rel); }
    /// Out of a mailbox, handled or not.
    void count_dequeued() noexcept { mine().dequeued.fetch_add(1, std::memory_order_acq_rel); }
    /// Handed to a handler; counted before it is dequeued, so that a reader
    /// never misses it.
    void count_delivered() noexcept { mine().delivered.fetch_add(1, std::memory_order_acq_rel); }

    // Sums; read them in the order a message moves backwards (delivered,
    // queued, sent), so that one in flight is counted at least once.
    std::uint64_t delivered() const noexcept { return sum(&Slot::delivered); }
    std::uint64_t queued() const noexcept {
        const std::uint64_t out = sum(&Slot::dequeued);
        return sum(&Slot::enqueued) - out;
    }
    std::uint64_t sent() const noexcept { return sum(&Slot::sent); }

private:
    struct alignas(64) Slot {
        std::atomic<std::uint64_t> sent{0};
        std::atomic<std::uint64_t> enqueued{0};
        std::atomic<std::uint64_t> dequeued{0};
        std::atomic<std::uint64_t> delivered{0};
    };
    static constexpr unsigned kSlots = 16;

    /// Threads take slots in turn as they first count; past 16 threads
    /// they share, which the atomics allow.
    Slot& mine() noexcept {
        static std::atomic<unsigned> threads{0};
        thread_local const unsigned slot = threads.fetch_add(1, std::memory_order_relaxed) % kSlots;
        return slots_[slot];
    }
    std::uint64_t sum(std::atomic<std::uint64_t> Slot::*counter) const noexcept {
        std::uint64_t total = 0;
        for (const Slot& s : slots_) total += (s.*counter).load(std::memory_order_acquire);
        return total;
    }

    std::array<Slot, kSlots> slots_;
};

} // namespace iso::detail
