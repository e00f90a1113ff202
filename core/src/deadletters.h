#pragma once
// The runtime's record of undeliverable messages.

#include "tracer.h"

#include <iso/deadletter.h>
#include <iso/value.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <vector>

namespace iso::detail {

/// @threadsafe
class DeadLetterLog {
public:
    DeadLetterLog(std::size_t history, Tracer& tracer) : history_(history), tracer_(tracer) {}

    /// `receiver` and `message_id`, where known, name the isolate that owns
    /// the port and the message, for tracing.
    void record(DeadLetterReason reason, NodeId node, PortId port, const Value& message, IsolateId receiver = 0,
                std::uint64_t message_id = 0);
    void record_path(DeadLetterReason reason, NodeId node, std::string path, const Value& message,
                     std::uint64_t message_id = 0);
    std::uint64_t count() const noexcept { return count_.load(std::memory_order_acquire); }
    /// Those whose message had reached its handler (Unread, NoRoute).
    std::uint64_t after_delivery() const noexcept { return after_delivery_.load(std::memory_order_acquire); }
    std::vector<DeadLetter> recent() const;

private:
    void add(DeadLetter letter, const Value& message);
    void trace(DeadLetterReason reason, PortId port, IsolateId receiver, std::uint64_t message_id,
               const Value& message);

    const std::size_t history_;
    Tracer& tracer_;
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> after_delivery_{0};
    mutable std::mutex mutex_;
    std::deque<DeadLetter> recent_;
};

} // namespace iso::detail
