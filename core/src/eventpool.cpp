#include "eventpool.h"

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
/// Free blocks a pool keeps (256 KB); beyond that they go back to the
/// general allocator, so that a burst does not keep its memory.
constexpr std::size_t kKeepLimit = 4096;

/// What a block holds while it is free.
struct FreeBlock {
    FreeBlock* next = nullptr;  // in a pool's list, or in a chain
    // A chain's head only:
    FreeBlock* next_chain = nullptr;  // the chain returned before it
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
    // The returning threads': chains, linked by their heads.
    alignas(64) std::atomic<FreeBlock*> returned{nullptr};
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
    while (b != nullptr) ::operator delete(std::exchange(b, b->next));
}

/// Blocks one thread gathers for one other thread's pool.
struct Chain {
    Pool* home = nullptr;
    FreeBlock* head = nullptr;
    FreeBlock* tail = nullptr;
    std::uint32_t length = 0;
};

void hand_back(Chain& chain) noexcept {
    if (chain.head != nullptr) {
        chain.head->tail = chain.tail;
        chain.head->length = chain.length;
        FreeBlock* top = chain.home->returned.load(std::memory_order_relaxed);
        do {
            chain.head->next_chain = top;
        } while (!chain.home->returned.compare_exchange_weak(top, chain.head, std::memory_order_release,
                                                              std::memory_order_relaxed));
    }
    chain = Chain{};
}

/// Takes what other threads handed back, up to what the pool keeps.
void take_returned(Pool& pool) noexcept {
    if (pool.returned.load(std::memory_order_relaxed) == nullptr) return;
    FreeBlock* chain = pool.returned.exchange(nullptr, std::memory_order_acquire);
    while (chain != nullptr) {
        FreeBlock* const older = chain->next_chain;
        if (pool.kept + chain->length <= kKeepLimit) {
            chain->tail->next = pool.free;
            pool.free = chain;
            pool.kept += chain->length;
        } else {
            delete_list(chain);
        }
        chain = older;
    }
}

// Pools outlive their threads, as blocks still on their way name them: a
// thread that ends leaves its pool for the next thread to start.
std::mutex abandoned_lock;
Pool* abandoned = nullptr;

Pool* adopt() {
    {
        std::lock_guard lock(abandoned_lock);
        if (abandoned != nullptr) return std::exchange(abandoned, abandoned->next_abandoned);
    }
    return new Pool;
}

void abandon(Pool* pool) noexcept {
    delete_list(std::exchange(pool->free, nullptr));
    pool->kept = 0;
    FreeBlock* chain = pool->returned.exchange(nullptr, std::memory_order_acquire);
    while (chain != nullptr) delete_list(std::exchange(chain, chain->next_chain));
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
    if (pool->free == nullptr) take_returned(*pool);
    FreeBlock* block = pool->free;
    if (block == nullptr) return make_block(pool);
    pool->free = block->next;
    --pool->kept;
    return block;
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
    Pool* const mine = tls_pool;
    auto* free = new (block) FreeBlock;
    if (home == mine) {
        if (mine->kept >= kKeepLimit) {
            ::operator delete(block);
            return;
        }
        free->next = mine->free;
        mine->free = free;
        ++mine->kept;
        return;
    }
    if (mine == nullptr && tls_ended) {
        Chain single{home, free, free, 1};
        hand_back(single);
        return;
    }
    Chain& chain = tls_chain;
    if (chain.home != home) {
        hand_back(chain);
        chain.home = home;
        // This thread must hand its chain back when it ends.
        this_thread_pool();
    }
    free->next = chain.head;
    chain.head = free;
    if (chain.tail == nullptr) chain.tail = free;
    if (++chain.length == kChainLength) hand_back(chain);
}

} // namespace iso::detail::event_pool
