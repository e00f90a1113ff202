#pragma once
// Demonstration programs built on registered entries, so that a recording
// of one can be replayed by anything that links this library (isoctl, the
// workbench).

#include <iso/cluster.h>

#include <span>
#include <string_view>

namespace iso::scenarios {

struct Scenario {
    std::string_view name;
    std::string_view summary;
    /// Registers the scenario's entries by name: all a replay needs.
    void (*setup)(Cluster& cluster);
    /// Spawns the scenario's isolates by entry name and sends them their
    /// first messages, from outside (the replay does this part itself).
    void (*start)(Cluster& cluster);
};

std::span<const Scenario> all();
/// The scenario called `name`, or null.
const Scenario* find(std::string_view name);

} // namespace iso::scenarios
