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

/// What a run did, per lane (one isolate bearing one path), as replay needs it.
struct Run {
    std::map<LaneKey, std::vector<Delivery>> lanes;
    std::map<LaneKey, std::uint64_t> seeds;
    /// Sent to a lane's isolate and never handled there (dead letters, or
    /// still queued when the recording stopped).
    struct Unhandled {
        Value message;
        std::uint64_t cause = 0;  // the message being handled when it was sent
    };
    std::map<LaneKey, std::vector<Unhandled>> unhandled;
    /// Where each handled message was delivered: its lane and index there.
    std::unordered_map<std::uint64_t, std::pair<LaneKey, std::size_t>> delivered_at;
    /// Outside input, in recorded order: a spawn by entry name, or a message
    /// from a thread or isolate that is not replayed.
    struct Input {
        LaneKey to;
        bool spawn = false;
        std::string entry;  // spawn
        Value value;        // spawn: properties; message: the envelope
        std::uint64_t time = 0;
    };
    std::vector<Input> inputs;
    std::set<LaneKey> killed;
    std::set<LaneKey> cut;  // lanes that end at a delivery whose send is missing
    std::uint64_t gaps = 0;
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
    // Batches may deliver an event one batch late; time orders them.
    std::vector<const Event*> events;
    events.reserve(unordered.size());
    for (const Event& e : unordered) events.push_back(&e);
    std::stable_sort(events.begin(), events.end(), [](const Event* a, const Event* b) { return a->time < b->time; });

    Run run;
    // The lane of each isolate: its path, and how many isolates bore that
    // path before it (restarts, and spawns again after an end).
    std::unordered_map<std::uint64_t, LaneKey> keys;
    std::map<std::string, std::uint32_t, std::less<>> bearers;
    std::unordered_map<std::uint64_t, const Event*> spawns;    // isolate -> its Spawn
    std::unordered_map<std::uint64_t, const Event*> sends;     // message -> its Send
    std::unordered_map<std::uint64_t, std::uint64_t> handler;  // message -> isolate that handled it
    std::uint64_t cut_at = std::numeric_limits<std::uint64_t>::max();
    for (const Event* e : events) {
        switch (e->kind) {
        case Kind::Spawn: spawns[e->isolate] = e; break;
        case Kind::Send: sends.emplace(e->message, e); break;
        case Kind::Gap: run.gaps += e->peer; break;
        case Kind::Path: {
            const LaneKey key{std::string(e->field(0)), bearers[std::string(e->field(0))]++};
            keys[e->isolate] = key;
            run.lanes[key];
            try {
                run.seeds[key] = std::stoull(std::string(e->field(3)));
            } catch (const std::exception&) {
                run.seeds[key] = 0;
            }
            break;
        }
        case Kind::Handle:
            if (e->arg == static_cast<std::uint32_t>(HandleKind::Message) && e->message != 0)
                handler.emplace(e->message, e->isolate);
            break;
        default: break;
        }
    }
    if (recorded && run.gaps != 0)
        throw ReplayError("the recording lost " + std::to_string(run.gaps) + " events; it cannot be replayed");

    for (const Event* ep : events) {
        const Event& e = *ep;
        switch (e.kind) {
        case Kind::Path: {
            const LaneKey& key = keys.at(e.isolate);
            auto spawn = spawns.find(e.isolate);
            if (!recorded || e.arg != 0 || spawn == spawns.end() || spawn->second->peer != 0) break;
            if (e.field(2).empty())
                throw ReplayError(key.path + " was spawned from outside with an unnamed entry; replay needs entries "
                                  "registered by name (Cluster::register_entry) and spawned by that name");
            auto properties = Value::from_json(e.field(4));
            // In the order it was spawned, which may be well before it ran.
            run.inputs.push_back({key, true, std::string(e.field(2)), properties ? *properties : Value(Map{}),
                                  spawn->second->time});
            break;
        }
        case Kind::Handle: {
            auto key = keys.find(e.isolate);
            if (key == keys.end() || e.arg != static_cast<std::uint32_t>(HandleKind::Message) || e.message == 0) break;
            // A recording that stops can keep a handling whose send was
            // still in its thread's buffer: the lane ends there.
            auto send = sends.find(e.message);
            if (send == sends.end()) {
                run.cut.insert(key->second);
                cut_at = std::min(cut_at, e.time);
            }
            if (run.cut.contains(key->second)) break;
            run.delivered_at.emplace(e.message, std::make_pair(key->second, run.lanes[key->second].size()));
            run.lanes[key->second].push_back({false, 0, payload_of(*send->second, key->second), e.time});
            break;
        }
        case Kind::TimerFire:
            if (auto key = keys.find(e.isolate); key != keys.end() && !run.cut.contains(key->second))
                run.lanes[key->second].push_back({true, e.arg, Value(), e.time});
            break;
        case Kind::Kill:
            // Kills from isolates (supervisors, the cluster, handlers) replay
            // by themselves; those from outside the replay must make.
            if (auto key = keys.find(e.isolate); key != keys.end() && e.peer == 0) run.killed.insert(key->second);
            break;
        case Kind::Send: {
            // A handler's record is written when it ends: a recording that
            // stops can hold what a handler sent but not the handling
            // itself, and what came after the send may depend on it.
            if (e.cause != 0 && !handler.contains(e.cause)) cut_at = std::min(cut_at, e.time);
            auto by = handler.find(e.message);
            if (by == handler.end()) {
                // Never handled: the replay may send it too, and hold it.
                if (auto to = keys.find(e.peer); to != keys.end() && !e.text.empty())
                    if (auto v = Value::from_json(e.text)) run.unhandled[to->second].push_back({*v, e.cause});
                break;
            }
            // Sent by no replayed isolate (a plain thread, or the cluster's
            // own helpers), and handled by one: the replay must send it.
            if (!recorded || keys.contains(e.isolate)) break;
            auto to = keys.find(by->second);
            if (to == keys.end()) break;
            run.inputs.push_back({to->second, false, {}, payload_of(e, to->second), e.time});
            break;
        }
        default:
            break;
        }
    }
    // What came after the first such delivery may depend on what the
    // recording lacks: every lane ends there (a consistent cut).
    if (cut_at != std::numeric_limits<std::uint64_t>::max()) {
        for (auto& [key, lane] : run.lanes) {
            const auto late = std::find_if(lane.begin(), lane.end(), [&](const Delivery& d) { return d.time >= cut_at; });
            if (late == lane.end()) continue;
            lane.erase(late, lane.end());
            run.cut.insert(key);
        }
        std::erase_if(run.inputs, [&](const Run::Input& in) { return in.time >= cut_at; });
    }
    std::stable_sort(run.inputs.begin(), run.inputs.end(),
                     [](const Run::Input& a, const Run::Input& b) { return a.time < b.time; });
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

/// What the gate still holds for `key` that the replay sent differently:
/// not what the recording also sent to that path and never delivered (which
/// of its isolates a message sent by path meets depends on timing), and not what
/// was sent past the end of the recording (while the sender handled its
/// last recorded delivery, or from a task, whose sends a recording that
/// stops in the middle of things may not hold).
std::vector<Value> unexplained(const LaneKey& key, std::vector<Value> held, const Run& want, const Run& got) {
    static const std::vector<Run::Unhandled> none;
    auto of = [](const Run& run, const LaneKey& k) -> const std::vector<Run::Unhandled>& {
        auto it = run.unhandled.find(k);
        return it != run.unhandled.end() ? it->second : none;
    };
    for (auto lane = want.unhandled.lower_bound(LaneKey{key.path, 0});
         lane != want.unhandled.end() && lane->first.path == key.path; ++lane)
        for (const Run::Unhandled& u : lane->second) {
            auto it = std::find_if(held.begin(), held.end(),
                                   [&](const Value& h) { return detail::equal_but_ports(u.message, h); });
            if (it != held.end()) held.erase(it);
        }
    std::vector<Value> out;
    std::vector<bool> used(of(got, key).size(), false);
    for (Value& h : held) {
        const auto& sent = of(got, key);
        std::size_t i = 0;
        while (i < sent.size() && (used[i] || !detail::equal_but_ports(sent[i].message, h))) ++i;
        bool past_end = true;
        if (i < sent.size()) {
            used[i] = true;
            if (auto at = got.delivered_at.find(sent[i].cause); at != got.delivered_at.end()) {
                auto lane = want.lanes.find(at->second.first);
                past_end = want.cut.contains(at->second.first) || lane == want.lanes.end() ||
                           at->second.second + 1 >= lane->second.size();
            }
        }
        if (!past_end) out.push_back(std::move(h));
    }
    return out;
}

/// Installs the gate on a runtime for the scope, and takes it away again
/// however the scope ends: what it still holds must not stop a shutdown.
class GateScope {
public:
    GateScope(Runtime& runtime, detail::ReplayGate& gate) : runtime_(runtime) { runtime_.core().gate = &gate; }
    ~GateScope() { runtime_.core().gate = nullptr; }
    GateScope(const GateScope&) = delete;
    GateScope& operator=(const GateScope&) = delete;

private:
    Runtime& runtime_;
};

} // namespace

std::string Divergence::describe() const {
    auto or_nothing = [](const std::string& s) { return s.empty() ? std::string("nothing") : s; };
    return path + " (incarnation " + std::to_string(incarnation) + "), delivery " + std::to_string(index) +
           ": recorded " + or_nothing(recorded) + ", replayed " + or_nothing(replayed);
}

ReplayResult replay(std::span<const Event> recorded, const ReplayOptions& options) {
    if (recorded.empty()) throw ReplayError("nothing to replay: the recording holds no events");
    const Run want = read_run(recorded, true);
    if (std::none_of(want.inputs.begin(), want.inputs.end(), [](const Run::Input& i) { return i.spawn; }))
        throw ReplayError("nothing to replay: the recording has no isolate spawned from outside by entry name");

    detail::ReplayGate gate;  // outlives the cluster, which may still offer it messages
    for (const auto& [key, lane] : want.lanes) gate.expect(key, lane, want.seeds.at(key));

    ClusterOptions cluster_options;
    cluster_options.runtime_options.deterministic = true;
    auto cluster = Cluster::single_node(cluster_options);
    Runtime& runtime = cluster.runtime();

    ObserverOptions observing;
    observing.interval = std::chrono::milliseconds(0);
    observing.payload = PayloadCapture::Whole;
    std::vector<Event> replayed;
    std::map<LaneKey, std::vector<Value>> held;
    {
        GateScope scope(runtime, gate);
        Observer observer(runtime, observing);
        auto batches = observer.subscribe(std::numeric_limits<std::size_t>::max());
        auto collect = [&] {
            observer.poll();
            for (Batch& b : batches->take_all()) std::move(b.events.begin(), b.events.end(), std::back_inserter(replayed));
        };
        if (options.setup) options.setup(cluster);

        // Outside input goes in one item at a time, in recorded order, each
        // once the replay has done all it can with the ones before.
        std::size_t next_input = 0;
        auto give_input = [&]() -> bool {
            if (next_input == want.inputs.size()) return false;
            const Run::Input& in = want.inputs[next_input];
            if (in.spawn) {
                if (cluster.lookup(Path::of(in.to.path))) return false;  // its previous bearer still runs
                auto spawned = cluster.spawn_isolate(in.to.path, in.entry, in.value);
                if (spawned.is_ready() && spawned.state()->has_error()) {
                    try {
                        std::move(spawned).get();
                    } catch (const std::exception& e) {
                        throw ReplayError("cannot spawn " + in.to.path + " with entry '" + in.entry + "': " + e.what());
                    }
                }
            } else {
                // To its bearer, or to the path while that bearer starts (the
                // cluster holds it), as in the recording.
                const std::uint32_t bearers = gate.bearers(in.to.path);
                const bool ready = bearers == in.to.incarnation + 1
                                       ? gate.live(in.to) != nullptr
                                       : bearers == in.to.incarnation && cluster.lookup(Path::of(in.to.path));
                if (!ready) return false;
                cluster.core().deliver(Path::of(in.to.path), without_ports(in.value));
            }
            ++next_input;
            return true;
        };
        std::set<LaneKey> killed;
        std::size_t events_run = 0;
        for (;;) {
            // Drained as it goes: the trace buffers hold a bounded number of events.
            bool progress = false;
            while (runtime.run_once()) {
                progress = true;
                if (++events_run % 4096 == 0) collect();
                if (events_run > options.event_limit)
                    throw ReplayError("the replay ran more than " + std::to_string(options.event_limit) +
                                      " events without finishing; it diverged into a loop");
            }
            collect();
            if (give_input()) continue;
            // Killed in the recording: once it has had everything it was given.
            for (const LaneKey& key : want.killed)
                if (!killed.contains(key) && !want.cut.contains(key) && gate.live(key) && gate.exhausted(key)) {
                    cluster.kill(Path::of(key.path));
                    killed.insert(key);
                    progress = true;
                }
            if (progress) continue;
            const bool all_in = std::all_of(want.lanes.begin(), want.lanes.end(),
                                            [&](const auto& lane) { return gate.exhausted(lane.first); });
            if (all_in && next_input == want.inputs.size()) break;
            if (!runtime.advance_to_next_timer()) break;
        }
        collect();
        held = gate.held();
    }

    for (const Event& e : replayed)
        if (e.kind == Kind::Gap)
            throw ReplayError("the replay's own trace lost " + std::to_string(e.peer) + " events; it cannot be compared");
    const Run got = read_run(replayed, false);
    ReplayResult result;
    result.cut_lanes = want.cut.size();
    std::uint64_t first_time = std::numeric_limits<std::uint64_t>::max();
    auto diverged = [&](const LaneKey& key, std::size_t index, std::string recorded_text, std::string replayed_text,
                        std::uint64_t when) {
        if (when >= first_time) return;
        first_time = when;
        result.divergence = Divergence{key.path, key.incarnation, index, std::move(recorded_text),
                                       std::move(replayed_text)};
    };
    static const std::vector<Delivery> none;
    for (const auto& [key, w] : want.lanes) {
        auto it = got.lanes.find(key);
        const std::vector<Delivery>& g = it != got.lanes.end() ? it->second : none;
        ++result.isolates;
        result.deliveries += w.size();
        // What the gate still holds for this lane, beyond what the recording
        // also left undelivered there, is what the replay sent differently.
        const auto h = held.find(key);
        const std::vector<Value> extra =
            want.cut.contains(key) || h == held.end() ? std::vector<Value>{} : unexplained(key, h->second, want, got);
        const std::string held_text = extra.empty() ? std::string() : extra.front().to_json();
        bool differs = false;
        for (std::size_t i = 0; i < std::max(w.size(), g.size()); ++i) {
            if (i < w.size() && i < g.size() && same(w[i], g[i])) continue;
            diverged(key, i, describe_delivery(w, i), i < g.size() ? describe_delivery(g, i) : held_text,
                     i < w.size() ? w[i].time : (w.empty() ? 0 : w.back().time));
            differs = true;
            break;
        }
        if (!differs && !extra.empty()) diverged(key, w.size(), {}, held_text, w.empty() ? 0 : w.back().time);
    }
    for (const auto& [key, g] : got.lanes)
        if (!want.lanes.contains(key) && !g.empty()) diverged(key, 0, {}, describe_delivery(g, 0), 0);
    (void)cluster.shutdown(std::chrono::seconds(1));
    return result;
}

} // namespace iso::trace
