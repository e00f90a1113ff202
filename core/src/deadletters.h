#pragma once
// The runtime's record of undeliverable messages.

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
    explicit DeadLetterLog(std::size_t history) : history_(history) {}

    void record(DeadLetterReason reason, NodeId node, PortId port, const Value& message);
    void record_path(DeadLetterReason reason, NodeId node, std::string path, const Value& message);
    std::uint64_t count() const noexcept { return count_.load(std::memory_order_acquire); }
    /// Those whose message had reached its handler (Unread, NoRoute).
    std::uint64_t after_delivery() const noexcept { return after_delivery_.load(std::memory_order_acquire); }
    std::vector<DeadLetter> recent() const;

private:
    void add(DeadLetter letter, const Value& message);

    const std::size_t history_;
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> after_delivery_{0};
    mutable std::mutex mutex_;
    std::deque<DeadLetter> recent_;
};

} // namespace iso::detail
