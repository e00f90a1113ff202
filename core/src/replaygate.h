#pragma once
// The replay gate: holds each replayed isolate's messages and timer fires
// and lets them into its mailbox in the recorded order.

#include "event.h"

#include <iso/detail/unique_function.h>
#include <iso/path.h>
#include <iso/value.h>

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace iso::detail {

struct RuntimeCore;

class IsolateCore;

/// Equal, but for port addresses and capabilities, which differ between runs.
bool equal_but_ports(const Value& a, const Value& b);

/// One isolate of a cluster path: the path, and how many isolates bore it
/// before (restarts, spawns after an end). The same in the recording and
/// the replay, whatever ids the runs gave.
struct LaneKey {
    std::string path;
    std::uint32_t incarnation = 0;
    auto operator<=>(const LaneKey&) const = default;
};

/// One delivery on an isolate: a message's content, or a timer's fire.
struct Delivery {
    bool timer = false;
    std::uint32_t timer_ordinal = 0;
    Value message;
    std::uint64_t time = 0;  // when the recording delivered it
};

/// @threadsafe. Installed on a runtime before its first isolate is spawned.
class ReplayGate {
public:
    ~ReplayGate();

    /// What `key` must be delivered, in order, and the seed its random used.
    void expect(const LaneKey& key, std::vector<Delivery> deliveries, std::uint64_t seed);

    // Called by the runtime.
    /// The cluster gave an isolate its path; returns the seed it must use
    /// (the recorded one, or `fresh` for an isolate the recording did not have).
    std::uint64_t name(IsolateCore& isolate, const std::string& path, std::uint64_t fresh);
    /// Messages held for earlier bearers of `isolate`'s path that none of
    /// them took: in the recording they waited for this one (a restart), so
    /// the cluster sends them to it again.
    std::vector<Value> take_stale(const IsolateCore& isolate);
    /// True if the gate took the message; it enters the mailbox in its turn.
    bool offer_message(IsolateCore& receiver, Event* message);
    /// True if the gate took the timer's fire (and `post`, which then runs
    /// in its turn).
    bool offer_timer(IsolateCore& owner, std::uint32_t ordinal, UniqueFunction& post);

    // For the replayer.
    /// The live isolate of `key`, if it runs now.
    std::shared_ptr<IsolateCore> live(const LaneKey& key) const;
    /// How many isolates have borne `path` so far.
    std::uint32_t bearers(const std::string& path) const;
    /// Whether every expected delivery of `key` has been let in.
    bool exhausted(const LaneKey& key) const;
    /// What each lane still holds: messages the recording never delivered there.
    std::map<LaneKey, std::vector<Value>> held() const;

private:
    struct Lane {
        std::vector<Delivery> expected;
        std::size_t next = 0;
        std::uint64_t seed = 0;
        std::weak_ptr<IsolateCore> isolate;
        std::vector<Event*> held;
        std::vector<std::pair<std::uint32_t, UniqueFunction>> held_timers;
    };
    Lane* lane_of(const IsolateCore& isolate);
    void pump(Lane& lane, IsolateCore& isolate);

    mutable std::mutex mutex_;
    std::map<LaneKey, Lane> lanes_;
    std::unordered_map<std::uint64_t, LaneKey> keys_;  // isolate id -> lane
    std::map<std::string, std::uint32_t, std::less<>> bearers_;  // isolates named per path
    /// Its runtime, whose counts the held messages it drops leave: taken
    /// with the first one held, and kept, as the runtime may end first.
    std::shared_ptr<RuntimeCore> runtime_;
};

} // namespace iso::detail
