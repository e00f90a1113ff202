#pragma once
// Where every message of a runtime is (MessageStats), counted without a
// shared cache line: each thread counts in a slot of its own, and a reader
// adds the slots up. One counter that every send and every delivery
// changes would bounce between the cores on every message.

#include <array>
#include <atomic>
#include <cstdint>

namespace iso::detail {

/// Which counting slot the calling thread owns: one of kOwnedCountSlots,
/// held for the thread's life and then given back, or kSharedCountSlot
/// when all are taken. A slot owned is written by its thread alone, so a
/// count is a plain store, not a locked add that drains the store buffer.
/// 64: a pool has a worker a core, and the workers of a big machine must
/// not all meet in the shared slot (4 KB a runtime).
inline constexpr unsigned kOwnedCountSlots = 64;
inline constexpr unsigned kSharedCountSlot = kOwnedCountSlots;
inline constexpr unsigned kNoCountSlotYet = ~0u;
// constinit: read with no check that the thread has initialised it.
extern constinit thread_local unsigned tls_count_slot;
unsigned lease_count_slot() noexcept;
inline unsigned count_slot() noexcept {
    const unsigned slot = tls_count_slot;
    return slot != kNoCountSlotYet ? slot : lease_count_slot();
}

/// @threadsafe
class MessageCounters {
public:
    [[gnu::always_inline]] void count_sent() noexcept { bump(count_slot(), &Slot::sent); }
    /// Into a mailbox (or held on its way there).
    [[gnu::always_inline]] void count_enqueued() noexcept { bump(count_slot(), &Slot::enqueued); }
    /// Out of a mailbox, not handled.
    [[gnu::always_inline]] void count_dequeued() noexcept { bump(count_slot(), &Slot::dequeued); }
    /// Out of a mailbox and handed to a handler. Out of the mailbox is
    /// counted first: a reader that sees it delivered then sees it out of
    /// the queue too, and never counts it twice.
    [[gnu::always_inline]] void count_delivered() noexcept {
        const unsigned slot = count_slot();
        bump(slot, &Slot::dequeued);
        bump(slot, &Slot::delivered);
    }

    // Sums; read them in the order a message moves backwards (delivered,
    // queued, sent), so that one in flight is counted at most once, and
    // what a reader sees never adds up to more than was sent.
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

    // A release store (a release add in the shared slot) orders each count
    // after the counts of the steps before it, as the readers need.
    [[gnu::always_inline]] void bump(unsigned slot, std::atomic<std::uint64_t> Slot::*counter) noexcept {
        std::atomic<std::uint64_t>& c = slots_[slot].*counter;
        if (slot == kSharedCountSlot) [[unlikely]]
            c.fetch_add(1, std::memory_order_acq_rel);
        else
            c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }
    std::uint64_t sum(std::atomic<std::uint64_t> Slot::*counter) const noexcept {
        std::uint64_t total = 0;
        for (const Slot& s : slots_) total += (s.*counter).load(std::memory_order_acquire);
        return total;
    }

    std::array<Slot, kOwnedCountSlots + 1> slots_;
};

} // namespace iso::detail
