#include <iso/capability.h>

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

/// Counter values a thread takes a block at a time: every spawn makes two
/// capabilities, and one counter that every core bumps would bounce its line.
struct CounterBlock {
    static constexpr std::uint64_t kSize = 256;
    std::uint64_t next = 0;
    std::uint64_t end = 0;

    std::uint64_t take() noexcept {
        if (next == end) {
            next = next_capability.fetch_add(kSize, std::memory_order_relaxed);
            end = next + kSize;
        }
        return next++;
    }
};
thread_local CounterBlock this_threads_block;

} // namespace

Capability::Capability() : id_(0) {
    const std::uint64_t key = process_key();
    // The finaliser maps only state 0 to id 0; skipping that one counter value
    // keeps 0, which zero-filled or default data decodes to, from naming a
    // capability that was really made.
    while (id_ == 0) {
        const std::uint64_t n = this_threads_block.take();
        id_ = splitmix64(key + n * 0x9e3779b97f4a7c15ull);
    }
}

} // namespace iso
