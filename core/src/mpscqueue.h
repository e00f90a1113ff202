#pragma once
// Intrusive multi-producer single-consumer queue (Vyukov): a push is one
// atomic exchange and never waits, which is what a mailbox needs.

#include <atomic>

namespace iso::detail {

struct MpscNode {
    std::atomic<MpscNode*> next{nullptr};
};

/// push: @threadsafe. pop, empty: the single consumer only.
class MpscQueue {
    using Node = MpscNode;


public:
    MpscQueue() noexcept : head_(&sentinel_), tail_(&sentinel_) {}
    MpscQueue(const MpscQueue&) = delete;
    MpscQueue& operator=(const MpscQueue&) = delete;

    void push(Node* node) noexcept {
        node->next.store(nullptr, std::memory_order_relaxed);
        Node* prev = head_.exchange(node, std::memory_order_acq_rel);
        prev->next.store(node, std::memory_order_release);
    }

    /// The oldest node, or nullptr when empty or when a producer is between
    /// its two steps (empty() then still says false, so the caller retries).
    Node* pop() noexcept {
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

    bool empty() const noexcept {
        Node* tail = tail_.load(std::memory_order_relaxed);
        if (tail->next.load(std::memory_order_acquire) != nullptr) return false;
        return head_.load(std::memory_order_seq_cst) == tail;
    }

private:
    std::atomic<Node*> head_;
    std::atomic<Node*> tail_;  // the consumer's only; atomic so that tools see no race on reuse
    Node sentinel_;
};

} // namespace iso::detail
