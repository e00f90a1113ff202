#include "messagecounters.h"

namespace iso::detail {

constinit thread_local unsigned tls_count_slot = kNoCountSlotYet;

namespace {

/// Bit i set: a live thread owns slot i.
std::atomic<std::uint64_t> owned_slots{0};
static_assert(kOwnedCountSlots == 64, "one bit a slot");

/// Gives the thread's slot back as the thread ends. Anything counted after
/// that, by a later thread_local's destructor, goes to the shared slot.
struct SlotLease {
    ~SlotLease() {
        const unsigned slot = tls_count_slot;
        tls_count_slot = kSharedCountSlot;
        // Release: the next owner's plain stores come after this thread's.
        if (slot < kOwnedCountSlots) owned_slots.fetch_and(~(std::uint64_t{1} << slot), std::memory_order_release);
    }
};

} // namespace

unsigned lease_count_slot() noexcept {
    thread_local SlotLease lease;
    std::uint64_t owned = owned_slots.load(std::memory_order_relaxed);
    unsigned slot = kSharedCountSlot;
    for (;;) {
        const std::uint64_t free = ~owned;
        if (free == 0) break;
        const auto candidate = static_cast<unsigned>(__builtin_ctzll(free));
        if (owned_slots.compare_exchange_weak(owned, owned | (std::uint64_t{1} << candidate),
                                              std::memory_order_acquire, std::memory_order_relaxed)) {
            slot = candidate;
            break;
        }
    }
    tls_count_slot = slot;
    return slot;
}

} // namespace iso::detail
