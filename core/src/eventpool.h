#pragma once
// Memory for mailbox events, kept per thread. A message's event is made on
// the sender's thread and freed on the receiver's; with the general
// allocator every such free lands in another thread's arena, under its
// lock. Here a freed event goes back to the pool of the thread that made it,
// through a lock-free stack, and that thread takes the whole stack back at
// once when its own list runs dry.

#include <cstddef>

namespace iso::detail {

/// `size` must be the same for every call: one pool serves one type.
void* allocate_event(std::size_t size);
void free_event(void* memory) noexcept;

} // namespace iso::detail
