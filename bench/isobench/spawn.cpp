// spawn: microseconds from asking for an actor to its first code running,
// over 200,000 actors spawned from outside both runtimes.

#include "harness.h"

#include <atomic>
#include <optional>

namespace isobench {

namespace {

double ours(Peers& peers, long actors) {
    std::atomic<long> running{0};
    std::optional<Finish> end;
    const double seconds = timed("ours, spawn: every entry ran", [&](Finish finish) {
        end = finish;
        for (long a = 0; a < actors; ++a)
            peers.runtime.spawn([&running, &end, actors](iso::Value) {
                if (running.fetch_add(1, std::memory_order_relaxed) + 1 == actors) (*end)(true);
            });
    });
    peers.runtime.wait_until_idle();
    return seconds * 1e6 / static_cast<double>(actors);
}

double caf(Peers& peers, long actors) {
    std::atomic<long> running{0};
    std::optional<Finish> end;
    const double seconds = timed("CAF, spawn: every actor ran", [&](Finish finish) {
        end = finish;
        for (long a = 0; a < actors; ++a)
            peers.system.spawn([&running, &end, actors](caf::event_based_actor*) -> caf::behavior {
                if (running.fetch_add(1, std::memory_order_relaxed) + 1 == actors) (*end)(true);
                return {};
            });
    });
    peers.system.await_all_actors_done();
    return seconds * 1e6 / static_cast<double>(actors);
}

} // namespace

Benchmark spawn(Peers& peers) {
    const long actors = 200'000 / peers.scale;
    return {"spawn", "us/actor", false, [&peers, actors] { return ours(peers, actors); },
            [&peers, actors] { return caf(peers, actors); }};
}

} // namespace isobench
