#include "clustercore.h"
#include "replaygate.h"
#include "runtimecore.h"

#include <iso/observer.h>
#include <iso/replay.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

namespace iso::trace {

using detail::Delivery;
using detail::LaneKey;

namespace {

/// What a run did, per isolate incarnation, as replay needs it.
struct Run {
    std::map<LaneKey, std::vector<Delivery>> lanes;
    std::map<LaneKey, std::uint64_t> seeds;
    struct Spawn {
        std::string path;
        std::string entry;
        Value properties;
    };
    std::vector<Spawn> spawns;  // made from outside isolates, in order
    struct Inject {
        LaneKey to;
        Value envelope;
    };
    std::vector<Inject> injects;  // messages from outside the replayed isolates
    std::set<LaneKey> killed;
    std::set<LaneKey> cut;  // lanes that end at a delivery whose send is missing
};

Value payload_of(const Event& send, const LaneKey& to) {
    auto where = [&] { return "message " + std::to_string(send.message) + " to " + to.path; };
    if (send.has(Flag::PayloadTruncated) || (send.text.empty() && send.text_size == 0))
        throw ReplayError(where() + " was recorded without its whole payload; record with payload capture 'whole'");
    auto value = Value::from_json(send.text);
    if (!value) throw ReplayError(where() + ": its payload is not valid JSON: " + value.error().message());
    return std::move(value).value();
}

/// Reads a run from its events. `recorded`: the run to replay, which must
/// say everything replay needs; otherwise the replay's own, for comparison.
Run read_run(std::span<const Event> unordered, bool recorded) {
    // Batches may deliver an event one batch late; each isolate's own
    // events are in time order (it runs on one thread at a time).
    std::vector<const Event*> events;
    events.reserve(unordered.size());
    for (const Event& e : unordered) events.push_back(&e);
    std::stable_sort(events.begin(), events.end(), [](const Event* a, const Event* b) { return a->time < b->time; });
    Run run;
    std::unordered_map<std::uint64_t, LaneKey> keys;       // isolate -> lane
    std::unordered_map<std::uint64_t, std::uint64_t> spawner;  // isolate -> who spawned it
    std::unordered_map<std::uint64_t, const Event*> sends;  // message -> its Send
    std::unordered_map<std::uint64_t, std::uint64_t> handler;  // message -> isolate that handled it
    for (const Event* ep : events) {
        const Event& e = *ep;
        if (e.kind == Kind::Spawn) spawner[e.isolate] = e.peer;
        if (e.kind == Kind::Send) sends.emplace(e.message, &e);
        if (e.kind == Kind::HandleBegin && e.arg == static_cast<std::uint32_t>(HandleKind::Message) && e.message != 0)
            handler.emplace(e.message, e.isolate);
    }
    for (const Event* ep : events) {
        const Event& e = *ep;
        switch (e.kind) {
        case Kind::Path: {
            const LaneKey key{std::string(e.field(0)), e.arg};
            keys[e.isolate] = key;
            run.lanes[key];
            try {
                run.seeds[key] = std::stoull(std::string(e.field(4)));
            } catch (const std::exception&) {
                run.seeds[key] = 0;
            }
            auto who = spawner.find(e.isolate);
            if (!recorded || e.arg != 0 || who == spawner.end() || who->second != 0) break;
            if (e.field(2).empty())
                throw ReplayError(key.path + " was spawned from outside with an unnamed entry; replay needs entries "
                                  "registered by name (Cluster::register_entry) and spawned by that name");
            auto properties = Value::from_json(e.field(3));
            run.spawns.push_back({key.path, std::string(e.field(2)), properties ? *properties : Value(Map{})});
            break;
        }
        case Kind::HandleBegin: {
            auto key = keys.find(e.isolate);
            if (key == keys.end() || e.arg != static_cast<std::uint32_t>(HandleKind::Message) || e.message == 0) break;
            // A recording that stops can keep a handling whose send was
            // still in its thread's buffer: the lane ends there.
            auto send = sends.find(e.message);
            if (send == sends.end()) run.cut.insert(key->second);
            if (run.cut.contains(key->second)) break;
            run.lanes[key->second].push_back({false, 0, payload_of(*send->second, key->second), e.time});
            break;
        }
        case Kind::TimerFire:
            if (auto key = keys.find(e.isolate); key != keys.end() && !run.cut.contains(key->second))
                run.lanes[key->second].push_back({true, e.arg, Value(), e.time});
            break;
        case Kind::Kill:
            if (auto key = keys.find(e.isolate); key != keys.end()) run.killed.insert(key->second);
            break;
        case Kind::Send: {
            // Sent by no replayed isolate (a plain thread, or the cluster's
            // own helpers), and handled by one: the replay must send it.
            if (!recorded || keys.contains(e.isolate)) break;
            auto by = handler.find(e.message);
            if (by == handler.end()) break;
            auto to = keys.find(by->second);
            if (to == keys.end()) break;
            run.injects.push_back({to->second, payload_of(e, to->second)});
            break;
        }
        default:
            break;
        }
    }
    return run;
}

/// Ports of the recorded run mean nothing here: what replies to them is a
/// dead letter, as it would be to any port of a finished run.
Value without_ports(const Value& v) {
    switch (v.kind()) {
    case iso::Kind::SendPort:
        return Value(SendPort());
    case iso::Kind::List: {
        List out;
        for (const Value& item : v.as_list()) out.push_back(without_ports(item));
        return Value(std::move(out));
    }
    case iso::Kind::Map: {
        Map out;
        for (const auto& [k, item] : v.as_map()) out.emplace_back(k, without_ports(item));
        return Value(std::move(out));
    }
    default:
        return v;
    }
}

std::string describe_delivery(const std::vector<Delivery>& lane, std::size_t index) {
    if (index >= lane.size()) return {};
    const Delivery& d = lane[index];
    return d.timer ? "the fire of timer " + std::to_string(d.timer_ordinal) : d.message.to_json();
}

bool same(const Delivery& a, const Delivery& b) {
    if (a.timer != b.timer) return false;
    return a.timer ? a.timer_ordinal == b.timer_ordinal : detail::equal_but_ports(a.message, b.message);
}

} // namespace

std::string Divergence::describe() const {
    auto or_nothing = [](const std::string& s) { return s.empty() ? std::string("nothing") : s; };
    return path + " (incarnation " + std::to_string(incarnation) + "), delivery " + std::to_string(index) +
           ": recorded " + or_nothing(recorded) + ", replayed " + or_nothing(replayed);
}

ReplayResult replay(std::span<const Event> recorded, const ReplayOptions& options) {
    const Run want = read_run(recorded, true);
    if (want.spawns.empty())
        throw ReplayError("nothing to replay: the recording has no isolate spawned from outside by entry name");

    detail::ReplayGate gate;  // outlives the cluster, which may still offer it messages
    for (const auto& [key, lane] : want.lanes) gate.expect(key, lane, want.seeds.at(key));

    ClusterOptions cluster_options;
    cluster_options.runtime_options.deterministic = true;
    auto cluster = Cluster::single_node(cluster_options);
    Runtime& runtime = cluster.runtime();
    runtime.core().gate = &gate;

    ObserverOptions observing;
    observing.interval = std::chrono::milliseconds(0);
    observing.payload = PayloadCapture::Whole;
    std::vector<Event> replayed;
    {
        Observer observer(runtime, observing);
        auto batches = observer.subscribe(std::numeric_limits<std::size_t>::max());
        auto collect = [&] {
            observer.poll();
            for (Batch& b : batches->take_all()) std::move(b.events.begin(), b.events.end(), std::back_inserter(replayed));
        };
        if (options.setup) options.setup(cluster);
        for (const auto& s : want.spawns) {
            auto spawned = cluster.spawn_isolate(s.path, s.entry, s.properties);
            if (spawned.is_ready() && spawned.state()->has_error()) {
                try {
                    std::move(spawned).get();
                } catch (const std::exception& e) {
                    throw ReplayError("cannot spawn " + s.path + " with entry '" + s.entry + "': " + e.what());
                }
            }
        }
        std::vector<bool> injected(want.injects.size(), false);
        std::set<LaneKey> killed;
        std::size_t events_run = 0;
        for (;;) {
            // Drained as it goes: the trace buffers hold a bounded number of events.
            std::size_t ran = 0;
            while (runtime.run_once())
                if (++ran % 4096 == 0) collect();
            events_run += ran;
            bool progress = ran > 0;
            for (std::size_t i = 0; i < want.injects.size(); ++i) {
                if (injected[i] || !gate.live(want.injects[i].to)) continue;
                cluster.core().deliver(Path::of(want.injects[i].to.path), without_ports(want.injects[i].envelope));
                injected[i] = progress = true;
            }
            // Killed from outside (or by a supervisor, which would do it anyway):
            // once it has had everything the recording gave it.
            for (const LaneKey& key : want.killed)
                if (!killed.contains(key) && gate.live(key) && gate.exhausted(key)) {
                    cluster.kill(Path::of(key.path));
                    killed.insert(key);
                    progress = true;
                }
            collect();
            if (events_run > options.event_limit)
                throw ReplayError("the replay ran more than " + std::to_string(options.event_limit) +
                                  " events without finishing; it diverged into a loop");
            if (progress) continue;
            const bool all_in = std::all_of(want.lanes.begin(), want.lanes.end(),
                                            [&](const auto& lane) { return gate.exhausted(lane.first); });
            if (all_in && std::all_of(injected.begin(), injected.end(), [](bool b) { return b; })) break;
            if (!runtime.advance_to_next_timer()) break;
        }
        collect();
    }
    runtime.core().gate = nullptr;  // what is still held stays held; the shutdown must not wait for it

    for (const Event& e : replayed)
        if (e.kind == Kind::Gap)
            throw ReplayError("the replay's own trace lost " + std::to_string(e.peer) + " events; it cannot be compared");
    const Run got = read_run(replayed, false);
    ReplayResult result;
    result.cut_lanes = want.cut.size();
    std::uint64_t first_time = std::numeric_limits<std::uint64_t>::max();
    auto diverged = [&](const LaneKey& key, std::size_t index, const std::vector<Delivery>& w,
                        const std::vector<Delivery>& g, std::uint64_t when) {
        if (when >= first_time) return;
        first_time = when;
        result.divergence = Divergence{key.path, key.incarnation, index, describe_delivery(w, index),
                                       describe_delivery(g, index)};
    };
    static const std::vector<Delivery> none;
    for (const auto& [key, w] : want.lanes) {
        auto it = got.lanes.find(key);
        const std::vector<Delivery>& g = it != got.lanes.end() ? it->second : none;
        ++result.isolates;
        result.deliveries += w.size();
        for (std::size_t i = 0; i < std::max(w.size(), g.size()); ++i) {
            if (i < w.size() && i < g.size() && same(w[i], g[i])) continue;
            diverged(key, i, w, g, i < w.size() ? w[i].time : (w.empty() ? 0 : w.back().time));
            break;
        }
    }
    for (const auto& [key, g] : got.lanes)
        if (!want.lanes.contains(key) && !g.empty()) diverged(key, 0, none, g, 0);
    (void)cluster.shutdown(std::chrono::seconds(1));
    return result;
}

} // namespace iso::trace
