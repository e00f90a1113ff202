// isoctl trace record SCENARIO -o FILE: runs a built-in scenario with
// recording on, so that there is a trace to look at, export and replay.

#include "command.h"

#include "../scenarios/scenarios.h"

#include <iso/observer.h>
#include <iso/tracefile.h>

#include <chrono>
#include <random>
#include <cstdio>
#include <thread>

namespace isoctl {
namespace {

using namespace iso::trace;

constexpr Option record_options[] = {
    {"--output", 'o', "FILE", "the trace file to write (replaced if it exists)"},
    {"--duration", 'd', "SECONDS", "how long to record (default 2)"},
    {"--payload", 0, "CAPTURE", "none, prefix or whole (the default; replay needs whole)"},
};

PayloadCapture payload_capture(const std::string& name) {
    if (name == "none") return PayloadCapture::None;
    if (name == "prefix") return PayloadCapture::Prefix;
    if (name == "whole") return PayloadCapture::Whole;
    throw UsageError("trace record: --payload must be none, prefix or whole, not '" + name + "'");
}

std::chrono::milliseconds duration(const std::string& text) {
    std::size_t used = 0;
    double seconds = 0;
    try {
        seconds = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || !(seconds > 0 && seconds <= 3600))
        throw UsageError("trace record: --duration must be a number of seconds between 0 and 3600, not '" + text + "'");
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

std::string known_scenarios() {
    std::string names;
    for (const auto& s : iso::scenarios::all()) names += (names.empty() ? "" : ", ") + std::string(s.name);
    return names;
}

int run_record(const Arguments& args) {
    const iso::scenarios::Scenario* scenario = iso::scenarios::find(args.operand(0));
    if (scenario == nullptr)
        throw UsageError("trace record: no scenario '" + args.operand(0) + "' (known: " + known_scenarios() + ")");
    if (!args.has("--output") || args.value("--output").empty()) throw UsageError("trace record: missing --output FILE");
    const auto how_long = duration(args.value("--duration", "2"));
    iso::ObserverOptions observing;
    observing.payload = payload_capture(args.value("--payload", "whole"));
    // A recording with gaps cannot be replayed: the scenario slows down
    // rather than lose events.
    observing.full_wait = std::chrono::seconds(1);

    // The seed is chosen here, so that the recording can say which it was.
    iso::ClusterOptions cluster_options;
    cluster_options.random_seed = std::random_device{}() | 1ull << 32;
    auto cluster = iso::Cluster::single_node(cluster_options);
    iso::Observer observer(cluster.runtime(), observing);
    FileInfo info;
    info.program = scenario->name;
    info.payload = observing.payload;
    info.run_seed = cluster_options.random_seed;
    Recorder recorder(observer, args.value("--output"), info);
    scenario->setup(cluster);
    scenario->start(cluster);
    std::this_thread::sleep_for(how_long);
    observer.poll();
    const RecorderStats stats = recorder.stop();
    const double seconds = std::chrono::duration<double>(how_long).count();
    std::printf("recorded %s for %.1f s: %llu events (%.0f per second), %llu bytes (%.1f per event), %llu lost\n",
                std::string(scenario->name).c_str(), seconds, static_cast<unsigned long long>(stats.events),
                static_cast<double>(stats.events) / seconds, static_cast<unsigned long long>(stats.bytes),
                stats.events ? static_cast<double>(stats.bytes) / static_cast<double>(stats.events) : 0.0,
                static_cast<unsigned long long>(stats.missed_events + observer.snapshot().events_lost));
    return 0;
}

} // namespace

const Command trace_record_command = {
    "trace record",
    "SCENARIO",
    "run a built-in scenario (see isoscope --list-scenarios) and record it",
    record_options,
    run_record,
};

} // namespace isoctl
