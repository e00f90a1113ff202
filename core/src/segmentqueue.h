#pragma once
// The mailbox's multi-producer single-consumer queue: pointers to the
// nodes, in order, in segments of slots.
//
// A linked stack (mpscstack.h) publishes a node with one compare-and-swap,
// but its consumer must follow the links to reverse it: one dependent load
// per node. While a receiver keeps up that node is still in cache. Once it
// falls behind (one sender, many receivers: isobench fjthrput), thousands
// of nodes wait in memory, and every load is a miss that the next cannot
// start before: the reversal alone took two fifths of the time. Here the
// consumer reads the nodes' addresses from consecutive slots, eight to a
// line, and the processor fetches the nodes themselves ahead of it.
//
// A producer claims a slot with one compare-and-swap on the tail word (the
// segment's address, the slot, the segment's size), then writes its node
// into the slot. The producer that finds the segment full makes the next,
// with its node already in the first slot, and links it on. A producer
// touches a segment only after its claim succeeded, and the consumer frees
// a segment only after reading every slot and the link: so no producer
// can hold a segment the consumer has freed, and a tail word seen again
// after the address was reused still claims a free slot.
//
// When the consumer has taken every slot of the segment and no producer
// has made the next, it empties the slots and winds the tail back to the
// first, so a queue that drains as fast as it fills keeps one segment,
// warm in cache, and an empty queue is found with one load of a slot. A
// queue's first segment, made with it, is small: most isolates never hold
// more than a message or two.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

namespace iso::detail {

/// A queue of `Node*`, which it does not own.
/// push: @threadsafe. pop: the single consumer only.
template <typename Node> class SegmentQueue {
    struct Segment {
        std::atomic<Segment*> next{nullptr};
        const std::uint32_t capacity;
        explicit Segment(std::uint32_t capacity) noexcept : capacity(capacity) {}
        /// `capacity` of them, after the header in the same allocation.
        std::atomic<Node*>* slots() noexcept { return std::launder(reinterpret_cast<std::atomic<Node*>*>(this + 1)); }
    };
    static_assert(sizeof(Segment) % alignof(std::atomic<Node*>) == 0);

public:
    static constexpr std::uint32_t kFirstCapacity = 2;   // a 32-byte segment
    static constexpr std::uint32_t kLaterCapacity = 62;  // 512 bytes

private:

    // The tail word: the segment's address in the low 48 bits, the next
    // free slot in the 8 above, the segment's capacity in the top 8.
    static constexpr int kSlotShift = 48;
    static constexpr int kCapacityShift = 56;
    static constexpr std::uint64_t kAddressMask = (std::uint64_t{1} << kSlotShift) - 1;
    static constexpr std::uint64_t kOneSlot = std::uint64_t{1} << kSlotShift;

    static Segment* segment_of(std::uint64_t tail) noexcept { return reinterpret_cast<Segment*>(tail & kAddressMask); }
    static std::uint32_t slot_of(std::uint64_t tail) noexcept { return (tail >> kSlotShift) & 0xff; }
    static std::uint32_t capacity_of(std::uint64_t tail) noexcept { return static_cast<std::uint32_t>(tail >> kCapacityShift); }
    static std::uint64_t tail_word(Segment* s, std::uint32_t slot, std::uint32_t capacity) noexcept {
        return reinterpret_cast<std::uint64_t>(s) | std::uint64_t{slot} << kSlotShift | std::uint64_t{capacity} << kCapacityShift;
    }

    static Segment* make_segment(std::uint32_t capacity, Node* first) {
        void* block = ::operator new(sizeof(Segment) + capacity * sizeof(std::atomic<Node*>));
        auto* s = new (block) Segment(capacity);
        auto* slots = reinterpret_cast<std::atomic<Node*>*>(s + 1);
        new (slots) std::atomic<Node*>(first);
        for (std::uint32_t i = 1; i < capacity; ++i) new (slots + i) std::atomic<Node*>(nullptr);
        return s;
    }
    static void free_segment(Segment* s) noexcept { ::operator delete(s); }

public:
    /// The consumer's end, kept apart so that its owner can place it on a
    /// cache line the producers do not write.
    /// Twelve bytes, so that it leaves room on that line.
#pragma pack(push, 4)
    class Reader {
    private:
        friend SegmentQueue;
        Segment* segment = nullptr;  // the oldest segment not yet freed
        std::uint32_t slot = 0;      // the next to read
    };
#pragma pack(pop)

    SegmentQueue() : tail_(tail_word(make_segment(kFirstCapacity, nullptr), 0, kFirstCapacity)) {}
    SegmentQueue(const SegmentQueue&) = delete;
    SegmentQueue& operator=(const SegmentQueue&) = delete;

    /// The consumer's end, before anything was popped.
    Reader reader() const noexcept {
        Reader r;
        r.segment = segment_of(tail_.load(std::memory_order_relaxed));
        return r;
    }

    void push(Node* node) {
        std::uint64_t tail = tail_.load(std::memory_order_relaxed);
        for (;;) {
            Segment* const s = segment_of(tail);
            const std::uint32_t slot = slot_of(tail);
            if (slot < capacity_of(tail)) {
                // Acquire: a wound-back segment's emptied slots.
                if (tail_.compare_exchange_weak(tail, tail + kOneSlot, std::memory_order_acquire, std::memory_order_relaxed)) {
                    s->slots()[slot].store(node, std::memory_order_release);
                    return;
                }
                continue;
            }
            // Full: the next segment, with the node in its first slot.
            // Release: the producers that claim its other slots see them
            // empty. Acquire: the full segment, made by another producer.
            Segment* const fresh = make_segment(kLaterCapacity, node);
            if (tail_.compare_exchange_strong(tail, tail_word(fresh, 1, kLaterCapacity), std::memory_order_acq_rel,
                                              std::memory_order_relaxed)) {
                s->next.store(fresh, std::memory_order_release);
                return;
            }
            free_segment(fresh);
        }
    }

    /// The oldest node, or nullptr when empty. A count kept beside the
    /// queue, as a mailbox's depth, may already include a node whose push
    /// has not finished; the caller then finds it on a later call.
    Node* pop(Reader& r) noexcept {
        for (;;) {
            Segment* const s = r.segment;
            if (r.slot < s->capacity) {
                Node* const node = s->slots()[r.slot].load(std::memory_order_acquire);
                if (node != nullptr) ++r.slot;
                return node;
            }
            if (Segment* const next = s->next.load(std::memory_order_acquire)) {
                free_segment(s);
                r.segment = next;
                r.slot = 0;
                continue;
            }
            if (!wind_back(r)) return nullptr;
        }
    }

    /// Frees the segments: for the owner's destructor, once every node was
    /// popped and no producer can push any more.
    void destroy(Reader& r) noexcept {
        Segment* s = r.segment;
        while (s != nullptr) {
            Segment* const next = s->next.load(std::memory_order_relaxed);
            free_segment(s);
            s = next;
        }
        r = Reader{};
        tail_.store(0, std::memory_order_relaxed);
    }

private:
    /// Every slot was taken and no next segment is linked: empties the
    /// slots and moves the tail back to the first, unless a producer has
    /// made the next. False when there is nothing to look at again (the
    /// queue is empty, or the next segment's link is still being written).
    bool wind_back(Reader& r) noexcept {
        Segment* const s = r.segment;
        std::uint64_t full = tail_word(s, s->capacity, s->capacity);
        if (tail_.load(std::memory_order_relaxed) != full) return false;
        std::atomic<Node*>* const slots = s->slots();
        for (std::uint32_t i = 0; i < s->capacity; ++i) slots[i].store(nullptr, std::memory_order_relaxed);
        // Release: a producer that claims a slot again sees it empty.
        if (tail_.compare_exchange_strong(full, tail_word(s, 0, s->capacity), std::memory_order_release,
                                          std::memory_order_relaxed))
            r.slot = 0;
        return true;
    }

    std::atomic<std::uint64_t> tail_{0};
};

} // namespace iso::detail
