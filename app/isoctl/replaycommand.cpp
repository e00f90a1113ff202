// isoctl trace replay FILE [--verify]: re-executes a recording of a
// built-in scenario and compares what every isolate was delivered.

#include "chunks.h"
#include "command.h"

#include "../scenarios/scenarios.h"

#include <iso/replay.h>
#include <iso/tracefile.h>

#include <cstdio>
#include <iostream>

namespace isoctl {
namespace {

using namespace iso::trace;

constexpr Option replay_options[] = {
    {"--verify", 0, {}, "exit with status 1 if the replay differs from the recording"},
};

int run_replay(const Arguments& args) {
    const std::string& file = args.operand(0);
    const FileReader reader(file);
    const iso::scenarios::Scenario* scenario = iso::scenarios::find(reader.info().program);
    if (scenario == nullptr)
        throw std::runtime_error(file + ": recorded from '" + reader.info().program +
                                 "', which isoctl cannot run; replay it in that program with iso::trace::replay");
    std::vector<Event> events;
    const std::size_t damaged = for_each_chunk(reader, std::cerr, [&](std::vector<Event>&& chunk) {
        events.insert(events.end(), std::make_move_iterator(chunk.begin()), std::make_move_iterator(chunk.end()));
    });
    if (damaged != 0) throw std::runtime_error(file + ": damaged chunks; a replay needs the whole recording");
    ReplayOptions options;
    options.setup = scenario->setup;
    const ReplayResult result = replay(events, options);
    if (result.cut_lanes != 0)
        std::printf("note: the recording stopped with messages in flight; %zu of its isolates are compared "
                    "up to those\n",
                    result.cut_lanes);
    if (result.identical()) {
        std::printf("replayed %s: %zu isolates, %zu deliveries, identical to the recording\n",
                    std::string(scenario->name).c_str(), result.isolates, result.deliveries);
        return 0;
    }
    std::printf("replayed %s: %zu isolates, %zu deliveries; first difference: %s\n",
                std::string(scenario->name).c_str(), result.isolates, result.deliveries,
                result.divergence->describe().c_str());
    return args.has("--verify") ? 1 : 0;
}

} // namespace

const Command trace_replay_command = {
    "trace replay",
    "FILE",
    "re-execute a recorded scenario in the recorded order and compare",
    replay_options,
    run_replay,
};

} // namespace isoctl
