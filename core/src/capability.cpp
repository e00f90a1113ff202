#include <iso/capability.h>

#include "counterblock.h"

#include <atomic>
#include <random>

namespace iso {

namespace {

// Drawn once per process, so ids differ between runs and cannot be predicted
// from a counter alone. Not a cryptographic secret: a capability is
// unforgeable because only its holder has its id, not because ids are secret.
std::uint64_t process_key() {
    static const std::uint64_t key = [] {
        std::random_device device;
        return (std::uint64_t{device()} << 32) ^ device();
    }();
    return key;
}

// splitmix64: key + n * gamma walks all 2^64 states (gamma is odd) and the
// finaliser is a bijection, so ids repeat only after 2^64 capabilities.
std::uint64_t splitmix64(std::uint64_t state) noexcept {
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

std::atomic<std::uint64_t> next_capability{0};

/// Every spawn makes two capabilities: a thread takes counter values a block at a time.
thread_local detail::CounterBlock<256> this_threads_block;

} // namespace

Capability::Capability() : id_(0) {
    const std::uint64_t key = process_key();
    // The finaliser maps only state 0 to id 0; skipping that one counter value
    // keeps 0, which zero-filled or default data decodes to, from naming a
    // capability that was really made.
    while (id_ == 0) {
        const std::uint64_t n = this_threads_block.take(next_capability);
        id_ = splitmix64(key + n * 0x9e3779b97f4a7c15ull);
    }
}

} // namespace iso
