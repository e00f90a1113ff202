#pragma once
// The shared state of one port: what a SendPort points at.

#include <iso/fwd.h>
#include <iso/receiveport.h>
#include <iso/value.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace iso::detail {

class IsolateCore;
class Tracer;

/// The process's port table: every open port by id, so that an address
/// decoded from bytes or JSON finds its port. @threadsafe
PortId register_control_port(IsolateCore* isolate);
void unregister_port(PortId id);
/// The isolate whose control port this is, if it still runs.
std::shared_ptr<IsolateCore> find_control_port(NodeId node, PortId id);

/// For the cluster's sources: the cell behind a RawReceivePort.
struct PortAccess {
    static PortCell& cell(RawReceivePort& port);
    /// Sends what was traced as sent earlier, as message `message_id`.
    static void send(const SendPort& port, Value message, std::uint64_t message_id) {
        port.send(std::move(message), message_id);
    }
};
/// Traces a send to `port` (its cell, if it exists) with the payload as
/// captured, and returns the message's new id. Call only while tracing is on.
std::uint64_t trace_send(Tracer& tracer, const PortCell* cell, PortId port, const Value& message);

/// Every idle isolate has one, so every byte counts: its node is its
/// owner's runtime's, and the flags sit together.
struct PortCell : std::enable_shared_from_this<PortCell> {
    explicit PortCell(std::shared_ptr<IsolateCore> owner);
    ~PortCell();
    PortCell(const PortCell&) = delete;
    PortCell& operator=(const PortCell&) = delete;

    /// Resolves an address against the process's port table; null if none.
    /// @threadsafe
    static std::shared_ptr<PortCell> find(NodeId node, PortId id);

    const PortId id;
    const std::shared_ptr<IsolateCore> owner;
    std::atomic<bool> closed{false};
    /// Waits for the reply to one ask: what comes after it closed is late.
    std::atomic<bool> awaits_reply{false};

    // Only the owning isolate touches these.
    bool keeps_alive = true;
    std::function<void(Value)> handler;
    /// Runs once when the port closes; `isolate_ending` when the isolate
    /// died. Only a ReceivePort has one: a pointer costs the others less.
    std::unique_ptr<std::function<void(bool isolate_ending)>> on_close;
};

} // namespace iso::detail
