#pragma once
// A runtime's live isolates: what snapshots list, shutdown kills and
// wait_until_idle waits out.

#include "spinlock.h"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace iso::detail {

/// How many isolate ids a thread takes at a time (RuntimeCore::take_isolate_id).
inline constexpr std::uint64_t kIsolateIdsPerBlock = 256;

/// Intrusive lists, sharded by block of isolate ids: a spawn and a death
/// each lock one shard for a few stores, and the isolates one worker
/// spawns share its shard, so workers spawning and ending isolates side by
/// side neither meet on a lock nor pass its line between them. `Node` has
/// `registry_prev`, `registry_next` and `id()`. @threadsafe
template <typename Node> class Registry {
public:
    void add(Node& node) {
        // Counted first: a parent that spawns and then dies never lets the
        // count touch zero in between.
        live_.fetch_add(1, std::memory_order_seq_cst);
        Shard& s = shard(node);
        std::lock_guard lock(s.lock);
        node.registry_next = s.head;
        if (s.head != nullptr) s.head->registry_prev = &node;
        s.head = &node;
    }

    void remove(Node& node) {
        {
            Shard& s = shard(node);
            std::lock_guard lock(s.lock);
            if (node.registry_prev != nullptr)
                node.registry_prev->registry_next = node.registry_next;
            else
                s.head = node.registry_next;
            if (node.registry_next != nullptr) node.registry_next->registry_prev = node.registry_prev;
            node.registry_prev = node.registry_next = nullptr;
        }
        if (live_.fetch_sub(1, std::memory_order_seq_cst) == 1) {
            // Under the mutex: a waiter that saw a nonzero count is asleep
            // by now, or has not looked yet and will see zero.
            std::lock_guard lock(empty_mutex_);
            empty_.notify_all();
        }
    }

    std::size_t size() const noexcept { return live_.load(std::memory_order_seq_cst); }

    /// Calls `f` on each live isolate, a shard at a time with its lock held:
    /// `f` must not spawn, and must be brief. An isolate spawned or ended
    /// meanwhile may or may not be seen.
    template <typename F> void for_each(F&& f) const {
        for (const Shard& s : shards_) {
            std::lock_guard lock(s.lock);
            for (Node* n = s.head; n != nullptr; n = n->registry_next) f(*n);
        }
    }

    /// Blocks until no isolate lives; true if so, false if `timeout` passed first.
    bool wait_empty(std::chrono::milliseconds timeout = std::chrono::milliseconds::max()) {
        std::unique_lock lock(empty_mutex_);
        const auto empty = [&] { return size() == 0; };
        if (timeout == std::chrono::milliseconds::max()) {
            empty_.wait(lock, empty);
            return true;
        }
        return empty_.wait_for(lock, timeout, empty);
    }

private:
    static constexpr std::size_t kShards = 16;
    struct alignas(64) Shard {
        mutable SpinLock lock;
        Node* head = nullptr;
    };
    // Ids start at 1, and so does each block: 1-256, 257-512...
    Shard& shard(const Node& node) noexcept { return shards_[(node.id() - 1) / kIsolateIdsPerBlock % kShards]; }

    std::array<Shard, kShards> shards_;
    std::atomic<std::size_t> live_{0};
    std::mutex empty_mutex_;
    std::condition_variable empty_;
};

} // namespace iso::detail
