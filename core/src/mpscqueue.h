#pragma once
// Intrusive multi-producer single-consumer queue, as a mailbox needs it.
//
// Producers push onto a lock-free stack, one compare-and-swap each. The
// consumer takes the whole stack with one exchange when its own list runs
// out, and reverses it, oldest first. So a node is only ever written by its
// producer before it is published, and by the consumer after it is taken.
// A linked queue (Vyukov's) has each producer write its link into the node
// before, which a consumer right behind the producer is reading: every
// message then moves that node's line between the cores twice. Streaming
// one thread's messages to another, the stack moves 3-5 times as many
// (isobench's stream references).

#include <atomic>

namespace iso::detail {

struct MpscNode {
    MpscNode* next = nullptr;
};

/// The queue is the producers' end; the consumer's end is a Reader kept
/// apart, so that its owner can place it on a cache line the producers do
/// not write.
/// push: @threadsafe. pop: the single consumer only.
class MpscQueue {
    using Node = MpscNode;

public:
    class Reader {
    private:
        friend MpscQueue;
        Node* taken_ = nullptr;  // taken from the stack, oldest first
    };

    MpscQueue() noexcept = default;
    MpscQueue(const MpscQueue&) = delete;
    MpscQueue& operator=(const MpscQueue&) = delete;

    void push(Node* node) noexcept {
        Node* top = newest_.load(std::memory_order_relaxed);
        do {
            node->next = top;
        } while (!newest_.compare_exchange_weak(top, node, std::memory_order_release, std::memory_order_relaxed));
    }

    /// The oldest node, or nullptr when empty. A count kept beside the
    /// queue, as a mailbox's depth, may already include a node whose push
    /// has not finished; the caller then finds it on a later call.
    Node* pop(Reader& reader) noexcept {
        if (reader.taken_ == nullptr) {
            Node* newest = take_all();
            if (newest == nullptr) return nullptr;
            Node* oldest = nullptr;
            while (newest != nullptr) {
                Node* older = newest->next;
                newest->next = oldest;
                oldest = newest;
                newest = older;
            }
            reader.taken_ = oldest;
        }
        Node* node = reader.taken_;
        reader.taken_ = node->next;
        return node;
    }

    /// Everything pushed so far, newest first, linked by `next`; for a
    /// consumer that needs no order (it owns the nodes after). Not mixed
    /// with pop() on one queue.
    Node* take_all() noexcept {
        // A load first: an empty queue's consumer leaves the producers' line alone.
        if (newest_.load(std::memory_order_relaxed) == nullptr) return nullptr;
        return newest_.exchange(nullptr, std::memory_order_acquire);
    }

private:
    std::atomic<Node*> newest_{nullptr};
};

} // namespace iso::detail
