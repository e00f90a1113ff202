#include "eventpool.h"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

namespace iso::detail {

namespace {

/// A pool keeps at most this many free blocks; more go back to the
/// allocator, so a burst of a million queued messages is not kept for ever.
constexpr std::size_t kKept = 4096;

struct Pool;

/// In front of every block: the pool it goes back to.
struct alignas(std::max_align_t) Header {
    Pool* home;
};

struct FreeBlock {
    FreeBlock* next;
};

struct Pool {
    FreeBlock* local = nullptr;  // the owning thread's
    std::size_t local_count = 0;
    /// Blocks other threads freed: they push, the owner takes them all.
    std::atomic<FreeBlock*> returned{nullptr};

    void give_back(FreeBlock* block) noexcept {
        FreeBlock* head = returned.load(std::memory_order_relaxed);
        do {
            block->next = head;
        } while (!returned.compare_exchange_weak(head, block, std::memory_order_release, std::memory_order_relaxed));
    }

    /// Keeps `block` on the local list, or frees it when the list is full.
    void keep(FreeBlock* block) noexcept {
        if (local_count >= kKept) {
            std::free(reinterpret_cast<Header*>(block) - 1);
            return;
        }
        block->next = local;
        local = block;
        ++local_count;
    }

    FreeBlock* take() noexcept {
        if (local == nullptr) {
            // A whole stack at once: one atomic operation for many blocks.
            for (FreeBlock* b = returned.exchange(nullptr, std::memory_order_acquire); b != nullptr;) {
                FreeBlock* next = b->next;
                keep(b);
                b = next;
            }
            if (local == nullptr) return nullptr;
        }
        FreeBlock* block = local;
        local = block->next;
        --local_count;
        return block;
    }

    void release_all() noexcept {
        while (FreeBlock* b = take()) std::free(reinterpret_cast<Header*>(b) - 1);
    }
};

/// Pools outlive their threads: blocks a thread made may still be in
/// mailboxes after it ends, and are then freed into its pool. A pool whose
/// thread ended waits here for the next thread that needs one.
struct Orphans {
    std::mutex mutex;
    std::vector<Pool*> pools;
};
Orphans& orphans() {
    static Orphans* o = new Orphans;  // never destroyed: threads end after static destruction
    return *o;
}

/// Set when this thread's pool has gone (its thread-locals are being
/// destroyed): what it allocates and frees after that bypasses pools.
/// Trivially destructible, so it can still be read then.
thread_local bool pool_gone = false;

struct ThisThreadsPool {
    Pool* pool = nullptr;
    Pool& get() {
        if (pool == nullptr) {
            Orphans& o = orphans();
            std::lock_guard lock(o.mutex);
            if (!o.pools.empty()) {
                pool = o.pools.back();
                o.pools.pop_back();
            } else {
                pool = new Pool;
            }
        }
        return *pool;
    }
    ~ThisThreadsPool() {
        if (pool == nullptr) return;
        pool->release_all();
        pool_gone = true;
        Pool* orphan = std::exchange(pool, nullptr);
        Orphans& o = orphans();
        std::lock_guard lock(o.mutex);
        o.pools.push_back(orphan);
    }
};

thread_local ThisThreadsPool this_thread;

} // namespace

void* allocate_event(std::size_t size) {
    if (pool_gone) {
        auto* header = static_cast<Header*>(std::malloc(sizeof(Header) + size));
        if (header == nullptr) throw std::bad_alloc();
        header->home = nullptr;
        return header + 1;
    }
    Pool& pool = this_thread.get();
    Header* header = nullptr;
    if (FreeBlock* block = pool.take())
        header = reinterpret_cast<Header*>(block) - 1;
    else if ((header = static_cast<Header*>(std::malloc(sizeof(Header) + size))) == nullptr)
        throw std::bad_alloc();
    header->home = &pool;
    return header + 1;
}

void free_event(void* memory) noexcept {
    if (memory == nullptr) return;
    Header* header = static_cast<Header*>(memory) - 1;
    Pool* home = header->home;
    auto* block = static_cast<FreeBlock*>(memory);
    if (home == nullptr)
        std::free(header);
    else if (!pool_gone && home == this_thread.pool)
        home->keep(block);
    else
        home->give_back(block);
}

} // namespace iso::detail
