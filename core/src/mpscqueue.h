#pragma once
// Intrusive multi-producer single-consumer queue (Vyukov): a push is one
// atomic exchange and never waits, which is what a mailbox needs.

#include <atomic>

namespace iso::detail {

struct MpscNode {
    std::atomic<MpscNode*> next{nullptr};
};

/// The queue is the producers' end; the consumer's end is a Reader kept
/// apart, so that its owner can place it on a cache line the producers do
/// not write: were the two ends together, every message would move that
/// line from core to core twice.
/// push: @threadsafe. pop: the single consumer only.
class MpscQueue {
    using Node = MpscNode;

public:
    class Reader {
    public:
        explicit Reader(MpscQueue& queue) noexcept : tail_(&queue.sentinel_) {}

    private:
        friend MpscQueue;
        std::atomic<Node*> tail_;  // atomic so that tools see no race on reuse
    };

    MpscQueue() noexcept : head_(&sentinel_) {}
    MpscQueue(const MpscQueue&) = delete;
    MpscQueue& operator=(const MpscQueue&) = delete;

    void push(Node* node) noexcept {
        node->next.store(nullptr, std::memory_order_relaxed);
        Node* prev = head_.exchange(node, std::memory_order_acq_rel);
        prev->next.store(node, std::memory_order_release);
    }

    /// The oldest node, or nullptr when empty or when a producer is between
    /// its two steps (a count kept beside the queue, as a mailbox's depth,
    /// then still says there is one, so the caller retries later).
    Node* pop(Reader& reader) noexcept {
        std::atomic<Node*>& tail_ = reader.tail_;
        Node* tail = tail_.load(std::memory_order_relaxed);
        Node* next = tail->next.load(std::memory_order_acquire);
        if (tail == &sentinel_) {
            if (next == nullptr) return nullptr;
            tail_.store(next, std::memory_order_relaxed);
            tail = next;
            next = next->next.load(std::memory_order_acquire);
        }
        if (next != nullptr) {
            tail_.store(next, std::memory_order_relaxed);
            return tail;
        }
        if (tail != head_.load(std::memory_order_acquire)) return nullptr;
        push(&sentinel_);
        next = tail->next.load(std::memory_order_acquire);
        if (next != nullptr) {
            tail_.store(next, std::memory_order_relaxed);
            return tail;
        }
        return nullptr;
    }

private:
    std::atomic<Node*> head_;
    Node sentinel_;
};

} // namespace iso::detail
