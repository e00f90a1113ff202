#pragma once
/// A reference to a cluster isolate by path: what other isolates hold to
/// send to it (the seed package's `IsolateRef`).

#include <iso/future.h>
#include <iso/path.h>
#include <iso/sendport.h>
#include <iso/value.h>

#include <memory>
#include <optional>
#include <string>

namespace iso {

namespace detail {
struct ClusterCore;
}

/// How a message is labelled: `type` for routing by kind, a `reply_to` port
/// and a `correlation_id` to pair a reply with its request.
struct SendOptions {
    std::string type;
    std::optional<SendPort> reply_to;
    std::string correlation_id;
};

/// Names an isolate of a cluster by node and path. Sending goes by path, so a
/// ref stays good across restarts of the isolate behind it; a message to a
/// path with no isolate is a dead letter, and one sent after the cluster is
/// gone is dropped.
/// @threadsafe: a copyable value; every member may be called from any thread.
class IsolateRef {
public:
    const Path& path() const noexcept { return path_; }
    NodeId node() const noexcept { return node_; }
    /// The properties the isolate was spawned with (a map, maybe empty).
    const Value& properties() const noexcept { return properties_; }
    /// One property; null when absent.
    const Value& property(std::string_view key) const;

    void send(Value content, SendOptions options = {}) const;
    /// Sends with just a type, for type-routed isolates (see Dispatcher).
    void send(Value content, std::string_view type) const;
    /// Sends `content` with a fresh reply port and correlation id and
    /// completes with the first reply. After `timeout` it fails with
    /// TimeoutError, and a reply that comes later is a dead letter.
    /// Inside an isolate the answer arrives as an event of it.
    Future<Value> ask(Value content, Duration timeout, std::string type = {}) const;
    /// Messages queued for the isolate now: waiting for it to start, or in
    /// its mailbox. 0 when there is no such isolate.
    std::size_t mailbox_depth() const;

    friend bool operator==(const IsolateRef& a, const IsolateRef& b) noexcept {
        return a.node_ == b.node_ && a.path_ == b.path_;
    }

    /// For the cluster's own sources.
    IsolateRef(std::weak_ptr<detail::ClusterCore> cluster, Path path, NodeId node, Value properties);

private:
    friend Future<IsolateRef> start_child(const IsolateRef&, Value, Duration);

    std::weak_ptr<detail::ClusterCore> cluster_;
    Path path_;
    NodeId node_ = 0;
    Value properties_;
};

/// An `ask` got no reply in time.
class TimeoutError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace iso

template <> struct std::hash<iso::IsolateRef> {
    std::size_t operator()(const iso::IsolateRef& r) const noexcept {
        return std::hash<iso::Path>{}(r.path()) * 31 + std::hash<std::uint64_t>{}(r.node());
    }
};
