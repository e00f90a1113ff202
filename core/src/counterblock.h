#pragma once
// Values of a shared counter, taken by each thread a block at a time.

#include <atomic>
#include <cstdint>

namespace iso::detail {

/// One thread's block of a shared counter's values: threads taking values
/// side by side (capability ids, isolate ids) bump the counter once a
/// block instead of passing its line between their cores with every value.
/// Keep one per thread and counter; a thread's values are consecutive
/// within a block, and no two threads ever get the same one.
template <std::uint64_t kSize> struct CounterBlock {
    static_assert(kSize > 0);
    std::uint64_t next = 0;
    std::uint64_t end = 0;

    std::uint64_t take(std::atomic<std::uint64_t>& counter) noexcept {
        if (next == end) {
            next = counter.fetch_add(kSize, std::memory_order_relaxed);
            end = next + kSize;
        }
        return next++;
    }
};

} // namespace iso::detail
