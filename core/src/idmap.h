#pragma once
// A map from nonzero 64-bit ids to pointers, in one flat array: open
// addressing with linear probing, at most three quarters full, and deletion
// by shifting the run back, so that no tombstones pile up. An insert or erase touches a cache line or two
// and never allocates, except to grow or shrink the array; a node-based map
// would allocate and free a node for each, which is what the port table did
// for every port of every isolate.

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace iso::detail {

/// Not thread-safe: callers lock around it.
template <typename T> class IdMap {
public:
    /// `id` must be nonzero and not present.
    void insert(std::uint64_t id, T* value) {
        if (4 * (size_ + 1) > 3 * slots_.size()) resize(slots_.empty() ? kMinCapacity : 2 * slots_.size());
        std::size_t i = home(id);
        while (slots_[i].id != 0) i = (i + 1) & mask();
        slots_[i] = {id, value};
        ++size_;
    }

    /// Whether `id` was present.
    bool erase(std::uint64_t id) {
        if (slots_.empty()) return false;
        std::size_t i = home(id);
        while (slots_[i].id != id) {
            if (slots_[i].id == 0) return false;
            i = (i + 1) & mask();
        }
        // Shift back every later entry of the run that may sit in the hole:
        // one whose home is not cyclically within (hole, its slot].
        std::size_t hole = i;
        for (std::size_t j = (i + 1) & mask(); slots_[j].id != 0; j = (j + 1) & mask()) {
            const std::size_t h = home(slots_[j].id);
            const bool stays = hole < j ? (hole < h && h <= j) : (hole < h || h <= j);
            if (stays) continue;
            slots_[hole] = slots_[j];
            hole = j;
        }
        slots_[hole] = {};
        --size_;
        if (slots_.size() > kMinCapacity && 16 * size_ < 3 * slots_.size()) {
            // Best effort: erasing runs in destructors, and must not throw.
            try {
                resize(slots_.size() / 2);
            } catch (const std::bad_alloc&) {
            }
        }
        return true;
    }

    T* find(std::uint64_t id) const {
        if (slots_.empty()) return nullptr;
        for (std::size_t i = home(id); slots_[i].id != 0; i = (i + 1) & mask())
            if (slots_[i].id == id) return slots_[i].value;
        return nullptr;
    }

    /// Calls `f(id, value)` for every entry.
    template <typename F> void for_each(F&& f) const {
        for (const Slot& slot : slots_)
            if (slot.id != 0) f(slot.id, slot.value);
    }

    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return slots_.size(); }

private:
    struct Slot {
        std::uint64_t id = 0;  // 0: empty
        T* value = nullptr;
    };
    static constexpr std::size_t kMinCapacity = 16;

    std::size_t mask() const noexcept { return slots_.size() - 1; }
    /// Fibonacci hashing: ids that count up spread over the whole array.
    std::size_t home(std::uint64_t id) const noexcept {
        return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ull) >> shift_);
    }

    void resize(std::size_t capacity) {
        std::vector<Slot> old(capacity);
        old.swap(slots_);
        shift_ = 64;
        for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
        for (const Slot& s : old) {
            if (s.id == 0) continue;
            std::size_t i = home(s.id);
            while (slots_[i].id != 0) i = (i + 1) & mask();
            slots_[i] = s;
        }
    }

    std::vector<Slot> slots_;
    std::size_t size_ = 0;
    unsigned shift_ = 64;
};

} // namespace iso::detail
