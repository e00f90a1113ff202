#pragma once
/// The sending end of a port: a copyable address that can itself be sent.

#include <iso/fwd.h>

#include <compare>
#include <functional>
#include <memory>

namespace iso {

/// A `SendPort` names a port by node and port id. Sending to it is O(1) and
/// never blocks. A message to a closed port or to a dead isolate is counted as
/// a dead letter by the runtime, never silently dropped.
/// @threadsafe: every member may be called from any thread.
class SendPort {
public:
    /// An invalid port; sending to it records a dead letter.
    SendPort() = default;

    /// An address only, as decoded from bytes or JSON; it is resolved against
    /// the process's port table on first send.
    SendPort(NodeId node, PortId id) noexcept : node_(node), id_(id) {}

    NodeId node() const noexcept { return node_; }
    PortId id() const noexcept { return id_; }
    bool valid() const noexcept { return id_ != 0; }

    /// Sends `message` to the port. Values are immutable, so this shares the
    /// message's heap parts instead of copying them.
    void send(Value message) const;

    friend bool operator==(const SendPort& a, const SendPort& b) noexcept {
        return a.node_ == b.node_ && a.id_ == b.id_;
    }
    friend std::strong_ordering operator<=>(const SendPort& a, const SendPort& b) noexcept {
        if (auto c = a.node_ <=> b.node_; c != 0) return c;
        return a.id_ <=> b.id_;
    }

private:
    friend class ReceivePort;
    friend class RawReceivePort;
    friend struct detail::PortCell;
    friend struct detail::PortAccess;
    explicit SendPort(std::shared_ptr<detail::PortCell> cell) noexcept;
    /// `message_id` not 0: the send was traced already, under that id.
    void send(Value message, std::uint64_t message_id) const;

    std::shared_ptr<detail::PortCell> cell_;  // cached target; null until resolved
    NodeId node_ = 0;
    PortId id_ = 0;
};

} // namespace iso

template <> struct std::hash<iso::SendPort> {
    std::size_t operator()(const iso::SendPort& p) const noexcept {
        return std::hash<std::uint64_t>{}(p.id() * 0x9E3779B97F4A7C15ull ^ p.node());
    }
};
