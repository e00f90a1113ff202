#include "eventpool.h"

#include "mpscqueue.h"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
#include <utility>

namespace iso::detail::event_pool {

namespace {

constexpr std::size_t kBlockSize = 64;
/// Blocks a receiver gathers before handing them back: one
/// compare-and-swap for as many messages.
constexpr std::uint32_t kChainLength = 64;

/// What a block holds while it is free. A chain's head is also a node of
/// its pool's returned chains, linked by MpscNode::next to the chain
/// returned before it.
struct FreeBlock : MpscNode {
    FreeBlock* next_free = nullptr;  // in a pool's list, or in a chain
    // A chain's head only:
    FreeBlock* tail = nullptr;
    std::uint32_t length = 0;
};
static_assert(sizeof(FreeBlock) <= kObjectSize);
static_assert(kObjectSize + sizeof(void*) == kBlockSize, "a block: the object, then its pool");

struct alignas(64) Pool {
    // The owning thread's.
    FreeBlock* free = nullptr;
    std::size_t kept = 0;  // blocks in `free`
    Pool* next_abandoned = nullptr;  // under abandoned_lock, while no thread owns it
    // The returning threads': the chains' heads (the mailbox's own
    // stack, taken whole), and at least how many blocks the chains hold
    // (counted before a chain is pushed).
    alignas(64) MpscQueue returned;
    std::atomic<std::size_t> returned_blocks{0};
    /// No thread owns it: what comes back goes to the general allocator.
    std::atomic<bool> abandoned{false};
};

// A block's last bytes name its pool (null: a plain block, made after its
// thread gave its pool up), set when the block is made and never changed.
Pool* home_of(const void* block) noexcept {
    Pool* pool;
    std::memcpy(&pool, static_cast<const char*>(block) + kObjectSize, sizeof pool);
    return pool;
}
void* make_block(Pool* home) {
    void* block = ::operator new(kBlockSize);
    std::memcpy(static_cast<char*>(block) + kObjectSize, &home, sizeof home);
    return block;
}
void delete_list(FreeBlock* b) noexcept {
    while (b != nullptr) ::operator delete(std::exchange(b, b->next_free));
}

/// Blocks one thread gathers for one other thread's pool.
struct Chain {
    Pool* home = nullptr;
    FreeBlock* head = nullptr;
    FreeBlock* tail = nullptr;
    std::uint32_t length = 0;
};

/// Pushes the chain onto its pool's returned chains. Past what a pool
/// keeps, or to a pool no thread owns, the blocks go to the general
/// allocator instead: a thread that stops allocating must not hold them.
void hand_back(Chain& chain) noexcept {
    if (chain.head != nullptr) {
        Pool& home = *chain.home;
        bool keep = false;
        if (!home.abandoned.load(std::memory_order_relaxed)) {
            keep = home.returned_blocks.fetch_add(chain.length, std::memory_order_relaxed) + chain.length <= kKeepLimit;
            if (!keep) home.returned_blocks.fetch_sub(chain.length, std::memory_order_relaxed);
        }
        if (keep) {
            chain.head->tail = chain.tail;
            chain.head->length = chain.length;
            home.returned.push(chain.head);
        } else {
            delete_list(chain.head);
        }
    }
    chain = Chain{};
}

/// Takes every chain handed back, as one list: their heads, not every block.
/// Returns the list's length.
std::size_t take_returned(Pool& pool, FreeBlock*& list) noexcept {
    auto* chain = static_cast<FreeBlock*>(pool.returned.take_all());
    std::size_t taken = 0;
    while (chain != nullptr) {
        auto* const older = static_cast<FreeBlock*>(chain->next);
        chain->tail->next_free = list;
        list = chain;
        taken += chain->length;
        chain = older;
    }
    if (taken != 0) pool.returned_blocks.fetch_sub(taken, std::memory_order_relaxed);
    return taken;
}

// Pools outlive their threads, as blocks still on their way name them: a
// thread that ends leaves its pool for the next thread to start.
std::mutex abandoned_lock;
Pool* abandoned = nullptr;

Pool* adopt() {
    {
        std::lock_guard lock(abandoned_lock);
        if (abandoned != nullptr) {
            Pool* pool = std::exchange(abandoned, abandoned->next_abandoned);
            pool->abandoned.store(false, std::memory_order_relaxed);
            return pool;
        }
    }
    return new Pool;
}

void abandon(Pool* pool) noexcept {
    pool->abandoned.store(true, std::memory_order_relaxed);
    FreeBlock* list = std::exchange(pool->free, nullptr);
    pool->kept = 0;
    take_returned(*pool, list);
    delete_list(list);
    std::lock_guard lock(abandoned_lock);
    pool->next_abandoned = std::exchange(abandoned, pool);
}

thread_local Pool* tls_pool = nullptr;
thread_local Chain tls_chain;
thread_local bool tls_ended = false;  // after the pool was given up, blocks are plain

/// Gives the thread's pool up as the thread ends. Events a later
/// thread_local's destructor frees go back one at a time.
struct PoolLease {
    ~PoolLease() {
        hand_back(tls_chain);
        tls_ended = true;
        abandon(std::exchange(tls_pool, nullptr));
    }
};

Pool* this_thread_pool() {
    if (tls_pool != nullptr) [[likely]]
        return tls_pool;
    if (tls_ended) return nullptr;
    thread_local PoolLease lease;
    tls_pool = adopt();
    return tls_pool;
}

} // namespace

void* allocate() {
    if constexpr (!kPooled) return ::operator new(kObjectSize);
    Pool* pool = this_thread_pool();
    if (pool == nullptr) [[unlikely]]
        return make_block(nullptr);
    if (pool->free == nullptr) pool->kept += take_returned(*pool, pool->free);
    FreeBlock* block = pool->free;
    if (block == nullptr) return make_block(pool);
    pool->free = block->next_free;
    --pool->kept;
    return block;
}

std::size_t pooled_here() noexcept {
    const Pool* pool = tls_pool;
    return pool == nullptr ? 0 : pool->kept + pool->returned_blocks.load(std::memory_order_relaxed);
}

void release(void* block) noexcept {
    if constexpr (!kPooled) {
        ::operator delete(block);
        return;
    }
    Pool* const home = home_of(block);
    if (home == nullptr) {
        ::operator delete(block);
        return;
    }
    // A thread's first release takes up a pool too, whose lease hands the
    // thread's chain back when it ends. Null: it has ended.
    Pool* const mine = this_thread_pool();
    auto* free = new (block) FreeBlock;
    if (home == mine) {
        if (mine->kept >= kKeepLimit) {
            ::operator delete(block);
            return;
        }
        free->next_free = mine->free;
        mine->free = free;
        ++mine->kept;
        return;
    }
    if (mine == nullptr) {
        Chain single{home, free, free, 1};
        hand_back(single);
        return;
    }
    Chain& chain = tls_chain;
    if (chain.home != home) {
        hand_back(chain);
        chain.home = home;
    }
    free->next_free = chain.head;
    chain.head = free;
    if (chain.tail == nullptr) chain.tail = free;
    if (++chain.length == kChainLength) hand_back(chain);
}

} // namespace iso::detail::event_pool
