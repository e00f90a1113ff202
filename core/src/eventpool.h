#pragma once
// Where events live: each thread keeps a pool of the blocks it made them
// in, and the threads that free them hand them back in chains.
//
// An event is made on its sender's thread and freed on its receiver's.
// Freed one at a time into the general allocator, each block goes back
// with a compare-and-swap on a line that the sender's own allocations write
// too (mimalloc's page), and the sender then walks the returned blocks one
// by one to count them: streaming from one core to another, that was four
// tenths of each side's time (isobench count). Here the receiver gathers a
// sender's blocks into chains and hands each back with one compare-and-swap
// on a line only returns write. The sender takes every chain returned with
// one exchange when its own list runs out, and follows only their heads.
// A pool outlives its thread (blocks on their way name it): the next
// thread to start takes it up.

#include <cstddef>

namespace iso::detail::event_pool {

/// The most an object in a block may take; the rest of the block's 64
/// bytes names the pool it goes back to.
inline constexpr std::size_t kObjectSize = 56;

/// Under AddressSanitizer every block is the general allocator's own, so
/// that it sees each event's life: nothing is kept to be handed out again.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kPooled = false;
#elif defined(__has_feature)
inline constexpr bool kPooled = !__has_feature(address_sanitizer);
#else
inline constexpr bool kPooled = true;
#endif

/// Free blocks a pool keeps in its list (256 KB), and at most as many
/// handed back and not yet taken; beyond that they go back to the general
/// allocator, so that a burst does not keep its memory.
inline constexpr std::size_t kKeepLimit = 4096;

/// A block of kObjectSize bytes from this thread's pool.
void* allocate();
/// Back to the pool it came from: at once from the thread that owns the
/// pool, else in a chain. @threadsafe
void release(void* block) noexcept;
/// Free blocks this thread's pool holds: in its list, and handed back to
/// it. For tests and diagnostics.
std::size_t pooled_here() noexcept;

} // namespace iso::detail::event_pool
