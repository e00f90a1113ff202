#pragma once
/// Routing helpers: groups of isolate refs, and dispatch by message type.

#include <iso/context.h>
#include <iso/isolateref.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace iso {

enum class Routing : std::uint8_t {
    RoundRobin,   ///< each send goes to the next member in turn
    Broadcast,    ///< each send goes to every member
    Random,       ///< each send goes to a member chosen at random
    LeastLoaded,  ///< each send goes to the member with the fewest queued messages
};

/// A fixed set of refs that sends by a routing rule (Akka's routers, the
/// seed's pool and load-balancer patterns).
/// @threadsafe
class IsolateRefGroup {
public:
    IsolateRefGroup(std::vector<IsolateRef> members, Routing routing);

    const std::vector<IsolateRef>& members() const noexcept { return members_; }
    Routing routing() const noexcept { return routing_; }

    /// Sends by the routing rule; with no members the message is a dead letter.
    void send(Value content, SendOptions options = {});
    /// The member the next send would go to (any member for Broadcast).
    std::optional<IsolateRef> pick();

private:
    std::vector<IsolateRef> members_;
    Routing routing_;
    std::atomic<std::uint64_t> turn_{0};
};

/// Routes envelopes to handlers by their type; `otherwise` takes the rest.
/// A type with no handler and no `otherwise` is a dead letter.
/// Pass it to Context::on_message.
class Dispatcher {
public:
    using Handler = std::function<void(const Envelope&)>;
    Dispatcher& on(std::string type, Handler handler);
    Dispatcher& otherwise(Handler handler);
    void operator()(const Envelope& envelope) const;

private:
    std::map<std::string, Handler, std::less<>> handlers_;
    Handler otherwise_;
};

} // namespace iso
