#include "clustercore.h"
#include "runtimecore.h"

#include <iso/routing.h>

#include <random>

namespace iso {

IsolateRefGroup::IsolateRefGroup(std::vector<IsolateRef> members, Routing routing)
    : members_(std::move(members)), routing_(routing) {}

std::optional<IsolateRef> IsolateRefGroup::pick() {
    if (members_.empty()) return std::nullopt;
    switch (routing_) {
    case Routing::RoundRobin:
    case Routing::Broadcast:
        return members_[turn_.fetch_add(1, std::memory_order_relaxed) % members_.size()];
    case Routing::Random: {
        thread_local std::minstd_rand random{std::random_device{}()};
        return members_[std::uniform_int_distribution<std::size_t>(0, members_.size() - 1)(random)];
    }
    case Routing::LeastLoaded: {
        // Ties go round-robin, so that equally idle members share the work.
        const std::size_t start = turn_.fetch_add(1, std::memory_order_relaxed) % members_.size();
        std::size_t best = start;
        std::size_t best_depth = std::numeric_limits<std::size_t>::max();
        for (std::size_t k = 0; k < members_.size(); ++k) {
            const std::size_t i = (start + k) % members_.size();
            const std::size_t depth = members_[i].mailbox_depth();
            if (depth < best_depth) {
                best = i;
                best_depth = depth;
            }
        }
        return members_[best];
    }
    }
    return std::nullopt;
}

void IsolateRefGroup::send(Value content, SendOptions options) {
    if (members_.empty()) {
        Runtime::current().core().dead_letters.record(DeadLetterReason::NoRoute, 0, 0, content);
        return;
    }
    if (routing_ == Routing::Broadcast) {
        for (const auto& member : members_) member.send(content, options);
        return;
    }
    pick()->send(std::move(content), std::move(options));
}

Dispatcher& Dispatcher::on(std::string type, Handler handler) {
    handlers_.insert_or_assign(std::move(type), std::move(handler));
    return *this;
}

Dispatcher& Dispatcher::otherwise(Handler handler) {
    otherwise_ = std::move(handler);
    return *this;
}

void Dispatcher::operator()(const Envelope& envelope) const {
    if (auto it = handlers_.find(envelope.type); it != handlers_.end()) {
        it->second(envelope);
    } else if (otherwise_) {
        otherwise_(envelope);
    } else {
        Runtime::current().core().dead_letters.record(DeadLetterReason::NoRoute, 0, 0, envelope.content);
    }
}

} // namespace iso
