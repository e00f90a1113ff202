#pragma once
// What every isobench benchmark shares: the two runtimes, the clock, a
// handle that ends a timed run, and the benchmark's description.

#include "workload.h"

#include <iso/iso.h>

#include <caf/all.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace isobench {

using Clock = std::chrono::steady_clock;

/// Ours and the peer, each made once and shared by every round, so that
/// neither pays for starting its threads inside a measurement.
struct Peers {
    iso::Runtime runtime;
    caf::actor_system_config config;
    caf::actor_system system{config};
    /// 1 for the full parameters; --quick divides the work by 10.
    long scale = 1;
};

/// Ends a timed run from inside an actor: `finish(ok)` records the moment
/// and whether the run computed the right answer. Copies share one end.
class Finish {
public:
    Finish() : end_(std::make_shared<std::promise<End>>()) {}
    void operator()(bool ok) const { end_->set_value({Clock::now(), ok}); }

private:
    friend double timed(std::string_view, const std::function<void(Finish)>&);
    struct End {
        Clock::time_point at;
        bool ok;
    };
    std::shared_ptr<std::promise<End>> end_;
};

/// Seconds from calling `start` to its run's finish. A wrong answer throws:
/// a fast benchmark that computes the wrong thing measures nothing.
double timed(std::string_view what, const std::function<void(Finish)>& start);

/// `timed`, with `entry` run in a fresh isolate; returns once every isolate
/// of the run has ended.
double timeOurs(Peers& peers, std::string_view what, std::function<void(Finish)> entry);
/// `timed`, with `start` spawning CAF actors; returns once every actor of
/// the run has ended.
double timeCaf(Peers& peers, std::string_view what, const std::function<void(Finish)>& start);

struct Benchmark {
    std::string name;  ///< Savina's name, or skynet, spawn, idle_memory
    std::string unit;
    bool higherIsBetter = true;
    std::function<double()> ours;
    std::function<double()> caf;
};


// One function a benchmark, each in a file of its name.
Benchmark pingpong(Peers& peers);
Benchmark count(Peers& peers);
Benchmark fjthrput(Peers& peers);
Benchmark fjcreate(Peers& peers);
Benchmark threadring(Peers& peers);
Benchmark chameneos(Peers& peers);
Benchmark big(Peers& peers);
Benchmark fib(Peers& peers);
Benchmark skynet(Peers& peers);
Benchmark spawn(Peers& peers);
/// Measured in a child process each (this program, run again), so that
/// neither runtime's freed memory hides the other's growth.
Benchmark idleMemory(long actors);
/// The child's side of idleMemory: prints the bytes per idle actor.
int measureIdleMemory(std::string_view which, long count);

/// Messages a second two threads pass back and forth through one atomic
/// word each way, spinning: what one core-to-core handoff costs here.
double handoffReference(long rounds);
/// Messages a second one thread streams to another through the mailbox's
/// own lock-free queue, bare: an event for each, made by the sender and
/// freed by the receiver as the runtime does it, the receiver spinning. The
/// most a mailbox that holds each message in its own block can move
/// between two cores here, and so the ceiling for count.
double streamReference(long messages);

} // namespace isobench
