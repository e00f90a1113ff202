#pragma once
// Pointers by id, for ids this table hands out itself, in pages of 64: a
// thread takes a page of ids at a time, so the ids it hands out sit side by
// side in one page, and adding or removing one touches memory it touched a
// moment ago. A hash table spreads them over the whole array instead, and
// each add and remove of a million-isolate run missed the cache. A page is
// freed when all 64 of its ids have been removed (or given back unused).

#include "idmap.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

namespace iso::detail {

/// @threadsafe
class IdPages {
public:
    static constexpr std::uint64_t kPageSize = 64;

    /// The ids one thread hands out next: take one per thread, and give its
    /// rest back with `release` when the thread is done.
    struct Block {
        std::uint64_t next = 0;
        std::uint64_t end = 0;
    };

    IdPages() = default;
    IdPages(const IdPages&) = delete;
    IdPages& operator=(const IdPages&) = delete;
    ~IdPages() {
        for (Shard& s : shards_) s.pages.for_each([](std::uint64_t, Page* page) { delete page; });
    }

    /// A new nonzero id, with `value` (not null) under it.
    std::uint64_t add(Block& block, void* value) {
        if (block.next == block.end) {
            const std::uint64_t page = next_page_.fetch_add(1, std::memory_order_relaxed);
            block = {page * kPageSize, (page + 1) * kPageSize};
        }
        const std::uint64_t id = block.next;
        Shard& s = shard(id);
        std::lock_guard lock(s.mutex);
        Page* page = s.pages.find(key(id));
        if (page == nullptr) {
            auto made = std::make_unique<Page>();
            s.pages.insert(key(id), made.get());  // may throw: then the id is not used up
            page = made.release();
        }
        page->slots[id % kPageSize] = value;
        ++block.next;
        return id;
    }

    /// Whether `id` was there.
    bool remove(std::uint64_t id) {
        Shard& s = shard(id);
        std::lock_guard lock(s.mutex);
        Page* page = s.pages.find(key(id));
        if (page == nullptr || page->slots[id % kPageSize] == nullptr) return false;
        page->slots[id % kPageSize] = nullptr;
        retire(s, id, 1);
        return true;
    }

    /// Gives back the ids of `block` not handed out.
    void release(Block& block) {
        if (block.next == block.end) return;
        Shard& s = shard(block.next);
        std::lock_guard lock(s.mutex);
        if (s.pages.find(key(block.next)) == nullptr) {
            // None of the page's ids was ever added: there is nothing to free.
        } else {
            retire(s, block.next, block.end - block.next);
        }
        block = {};
    }

    /// Calls `f` with the value under `id` (null if none), under the lock,
    /// so that whatever it points at cannot be removed meanwhile.
    template <typename F> auto with(std::uint64_t id, F&& f) {
        Shard& s = shard(id);
        std::lock_guard lock(s.mutex);
        const Page* page = s.pages.find(key(id));
        return f(page != nullptr ? page->slots[id % kPageSize] : nullptr);
    }

    /// Pages held now, for tests.
    std::size_t pages() {
        std::size_t n = 0;
        for (Shard& s : shards_) {
            std::lock_guard lock(s.mutex);
            n += s.pages.size();
        }
        return n;
    }

private:
    struct Page {
        std::array<void*, kPageSize> slots{};
        std::uint64_t retired = 0;  // ids removed or given back
    };
    struct alignas(64) Shard {
        std::mutex mutex;
        IdMap<Page> pages;  // by page number + 1 (IdMap keys are nonzero)
    };

    static std::uint64_t key(std::uint64_t id) noexcept { return id / kPageSize + 1; }
    Shard& shard(std::uint64_t id) noexcept { return shards_[(id / kPageSize) % shards_.size()]; }

    void retire(Shard& s, std::uint64_t id, std::uint64_t count) {
        Page* page = s.pages.find(key(id));
        page->retired += count;
        if (page->retired < kPageSize) return;
        s.pages.erase(key(id));
        delete page;
    }

    std::atomic<std::uint64_t> next_page_{1};  // page 0 would hold id 0, which means "no port"
    std::array<Shard, 16> shards_;
};

} // namespace iso::detail
