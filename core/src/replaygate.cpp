#include "replaygate.h"

#include "isolatecore.h"
#include "portcell.h"
#include "runtimecore.h"

#include <algorithm>

namespace iso::detail {

bool equal_but_ports(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
    case Kind::SendPort:
    case Kind::Capability:
        return true;
    case Kind::List: {
        const List& x = a.as_list();
        const List& y = b.as_list();
        return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), equal_but_ports);
    }
    case Kind::Map: {
        const Map& x = a.as_map();
        const Map& y = b.as_map();
        return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), [](const auto& p, const auto& q) {
                   return p.first == q.first && equal_but_ports(p.second, q.second);
               });
    }
    default:
        return a == b;
    }
}

ReplayGate::~ReplayGate() {
    // What was never let in (the runs diverged) goes with the gate.
    for (auto& [key, lane] : lanes_)
        for (Event* e : lane.held) {
            runtime_->counters.count_dequeued();
            delete e;
        }
}

void ReplayGate::expect(const LaneKey& key, std::vector<Delivery> deliveries, std::uint64_t seed) {
    std::lock_guard lock(mutex_);
    Lane& lane = lanes_[key];
    lane.expected = std::move(deliveries);
    lane.seed = seed;
}

std::uint64_t ReplayGate::name(IsolateCore& isolate, const std::string& path, std::uint64_t fresh) {
    std::lock_guard lock(mutex_);
    const LaneKey key{path, bearers_[path]++};
    auto it = lanes_.find(key);
    if (it == lanes_.end()) return fresh;
    it->second.isolate = isolate.weak_from_this();
    keys_.insert_or_assign(isolate.id(), key);
    return it->second.seed;
}

std::vector<Value> ReplayGate::take_stale(const IsolateCore& isolate) {
    std::lock_guard lock(mutex_);
    std::vector<Value> out;
    auto named = keys_.find(isolate.id());
    if (named == keys_.end()) return out;
    const LaneKey& key = named->second;
    const Lane& lane = lanes_.at(key);
    // Only what this lane will deliver: the rest were dead letters of the
    // earlier bearer in the recording too, and stay where they are.
    auto expected_here = [&](const Value& v) {
        return std::any_of(lane.expected.begin() + static_cast<std::ptrdiff_t>(lane.next), lane.expected.end(),
                           [&](const Delivery& d) { return !d.timer && equal_but_ports(d.message, v); });
    };
    for (auto it = lanes_.lower_bound(LaneKey{key.path, 0}); it != lanes_.end() && it->first < key; ++it) {
        auto& held = it->second.held;
        for (auto e = held.begin(); e != held.end();) {
            if (!expected_here((*e)->value)) {
                ++e;
                continue;
            }
            out.push_back(std::move((*e)->value));
            runtime_->counters.count_dequeued();
            delete *e;
            e = held.erase(e);
        }
    }
    return out;
}

ReplayGate::Lane* ReplayGate::lane_of(const IsolateCore& isolate) {
    auto k = keys_.find(isolate.id());
    if (k == keys_.end()) return nullptr;
    return &lanes_.at(k->second);
}

bool ReplayGate::offer_message(IsolateCore& receiver, Event* message) {
    std::lock_guard lock(mutex_);
    Lane* lane = lane_of(receiver);
    if (lane == nullptr) return false;
    if (!runtime_) runtime_ = receiver.shared_runtime();
    lane->held.push_back(message);
    pump(*lane, receiver);
    return true;
}

bool ReplayGate::offer_timer(IsolateCore& owner, std::uint32_t ordinal, UniqueFunction& post) {
    std::lock_guard lock(mutex_);
    Lane* lane = lane_of(owner);
    if (lane == nullptr) return false;
    lane->held_timers.emplace_back(ordinal, std::move(post));
    pump(*lane, owner);
    return true;
}

// Lets in, in the recorded order, whatever is held for the next deliveries.
// A held message that matches none of them stays held: the recording never
// delivered it there.
void ReplayGate::pump(Lane& lane, IsolateCore& isolate) {
    while (lane.next < lane.expected.size()) {
        const Delivery& want = lane.expected[lane.next];
        if (want.timer) {
            auto it = std::find_if(lane.held_timers.begin(), lane.held_timers.end(),
                                   [&](const auto& t) { return t.first == want.timer_ordinal; });
            if (it == lane.held_timers.end()) return;
            auto* e = new Event;
            e->kind = Event::Kind::Task;
            e->task = std::move(it->second);
            lane.held_timers.erase(it);
            isolate.admit(e);
        } else {
            auto it = std::find_if(lane.held.begin(), lane.held.end(),
                                   [&](const Event* e) { return equal_but_ports(want.message, e->value); });
            if (it == lane.held.end()) return;
            Event* e = *it;
            lane.held.erase(it);
            isolate.admit(e);
        }
        ++lane.next;
    }
}

std::shared_ptr<IsolateCore> ReplayGate::live(const LaneKey& key) const {
    std::lock_guard lock(mutex_);
    auto it = lanes_.find(key);
    if (it == lanes_.end()) return nullptr;
    auto isolate = it->second.isolate.lock();
    return isolate && !isolate->dead() ? isolate : nullptr;
}

std::uint32_t ReplayGate::bearers(const std::string& path) const {
    std::lock_guard lock(mutex_);
    auto it = bearers_.find(path);
    return it == bearers_.end() ? 0 : it->second;
}

std::map<LaneKey, std::vector<Value>> ReplayGate::held() const {
    std::lock_guard lock(mutex_);
    std::map<LaneKey, std::vector<Value>> out;
    for (const auto& [key, lane] : lanes_)
        for (const Event* e : lane.held) out[key].push_back(e->value);
    return out;
}

bool ReplayGate::exhausted(const LaneKey& key) const {
    std::lock_guard lock(mutex_);
    auto it = lanes_.find(key);
    return it == lanes_.end() || it->second.next == it->second.expected.size();
}

} // namespace iso::detail
