#pragma once
// Memory for the runtime's small objects that one thread makes and another
// frees: a message's event (made by the sender, freed by the receiver), an
// isolate and its ports (made by the spawner, freed by whichever worker ran
// them last), a task's callable (UniqueFunction: made where it is posted,
// freed where it ran).
//
// glibc's malloc frees such a block into the arena of the thread that made
// it, under that arena's lock: a thread spawning isolates and the workers
// ending them queue on one lock, and each wait is a system call. mimalloc
// gives the block back to its page's owner through a lock-free list, and
// rounds less for these sizes than a pool with a header per block would.
// Debian's mimalloc also replaces malloc and new for the whole process, so
// the calls here name it only to say so, and to keep working with a build
// of it that does not. The sanitizer builds use the standard allocator,
// which the sanitizers see (ISO_MIMALLOC off).

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

#if ISO_MIMALLOC
#include <mimalloc.h>
#endif

namespace iso::detail {

#if ISO_MIMALLOC
template <typename T> using ObjectAllocator = mi_stl_allocator<T>;

inline void* allocate_object(std::size_t size) {
    if (void* memory = mi_malloc(size)) return memory;
    throw std::bad_alloc();
}
inline void free_object(void* memory) noexcept { mi_free(memory); }
#else
template <typename T> using ObjectAllocator = std::allocator<T>;

inline void* allocate_object(std::size_t size) { return ::operator new(size); }
inline void free_object(void* memory) noexcept { ::operator delete(memory); }
#endif

/// std::make_shared, with the object and its counts in one block from the
/// objects' allocator.
template <typename T, typename... Args> std::shared_ptr<T> make_object(Args&&... args) {
    return std::allocate_shared<T>(ObjectAllocator<T>(), std::forward<Args>(args)...);
}

} // namespace iso::detail
