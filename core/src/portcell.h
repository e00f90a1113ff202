#pragma once
// The shared state of one port: what a SendPort points at.

#include <iso/fwd.h>
#include <iso/value.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace iso::detail {

class IsolateCore;

struct PortCell : std::enable_shared_from_this<PortCell> {
    PortCell(std::shared_ptr<IsolateCore> owner, NodeId node, bool control);
    ~PortCell();
    PortCell(const PortCell&) = delete;
    PortCell& operator=(const PortCell&) = delete;

    /// Resolves an address against the process's port table; null if none.
    /// @threadsafe
    static std::shared_ptr<PortCell> find(NodeId node, PortId id);

    const PortId id;
    const NodeId node;
    const bool control;  ///< the isolate's control port: takes control messages only
    const std::shared_ptr<IsolateCore> owner;
    std::atomic<bool> closed{false};

    // Only the owning isolate touches these.
    std::function<void(Value)> handler;
    /// Runs once when the port closes; `isolate_ending` when the isolate died.
    std::function<void(bool isolate_ending)> on_close;
    bool keeps_alive = true;
    std::string debug_name;
};

} // namespace iso::detail
