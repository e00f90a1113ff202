#pragma once
// An intrusive lock-free stack whose consumer takes everything at once:
// the event pool's chains handed back (eventpool.cpp).
//
// Producers push with one compare-and-swap each; the consumer takes the
// whole stack with one exchange, newest first, and owns the nodes after.
// So a node is only ever written by its producer before it is published,
// and by the consumer after it is taken.

#include <atomic>

namespace iso::detail {

struct MpscNode {
    MpscNode* next = nullptr;
};

/// push and take_all: @threadsafe, with one thread taking.
class MpscStack {
    using Node = MpscNode;

public:
    MpscStack() noexcept = default;
    MpscStack(const MpscStack&) = delete;
    MpscStack& operator=(const MpscStack&) = delete;

    void push(Node* node) noexcept {
        Node* top = newest_.load(std::memory_order_relaxed);
        do {
            node->next = top;
        } while (!newest_.compare_exchange_weak(top, node, std::memory_order_release, std::memory_order_relaxed));
    }

    /// Everything pushed so far, newest first, linked by `next`.
    Node* take_all() noexcept {
        // A load first: an empty stack's consumer leaves the producers' line alone.
        if (newest_.load(std::memory_order_relaxed) == nullptr) return nullptr;
        return newest_.exchange(nullptr, std::memory_order_acquire);
    }

private:
    std::atomic<Node*> newest_{nullptr};
};

} // namespace iso::detail
