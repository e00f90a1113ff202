// isobench: the Savina actor benchmarks, plus skynet, spawn cost and idle
// memory, on libiso and on CAF (the C++ Actor Framework, as Debian packages
// it) in one run. After a warm-up of each, rounds alternate ours and
// theirs; the medians and their ratio are printed, with two physical
// references: a bare lock-free handoff between two threads, for pingpong,
// and a bare queue streaming events between them, for count; and how
// much processor time the hypervisor took meanwhile. Every benchmark
// checks its own result: a wrong one fails the run.
//
//   isobench [--rounds N] [--only NAME,...] [--json FILE] [--quick] [--ours-only]
//
// --ours-only skips CAF, for profiling ours (CAF's column and the ratio show
// a dash, and are null in the JSON).

#include "harness.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace {

using namespace isobench;

constexpr const char* usage = "usage: isobench [--rounds N] [--only NAME,...] [--json FILE] [--quick] [--ours-only]\n";

/// The processor's name and how many cores run threads, for the record.
std::string machine() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line, model = "unknown processor";
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    }
    return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " cores";
}

/// The machine's CPU time so far, in clock ticks: all of it, and what the
/// hypervisor gave to other guests while this one wanted it ("steal").
/// Zeros where /proc/stat says nothing (not Linux, or no such column).
struct CpuTicks {
    unsigned long long total = 0, stolen = 0;
};
CpuTicks cpuTicks() {
    std::ifstream stat("/proc/stat");
    std::string cpu;
    unsigned long long field[8] = {};
    if (!(stat >> cpu) || cpu != "cpu") return {};
    CpuTicks ticks;
    for (unsigned long long& f : field) {
        if (!(stat >> f)) return {};
        ticks.total += f;
    }
    ticks.stolen = field[7];
    return ticks;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

struct Result {
    std::string name;
    std::string unit;
    double ours = 0;
    double caf = 0;
    double ratio = 0;  ///< how many times better ours is
};

/// Runs one measurement, then lets the machine settle: a runtime's workers
/// go on looking for work for a while after a run (CAF's for tens of
/// milliseconds), and would take cores from the next run, whoever's it is.
double settled(const std::function<double()>& run) {
    const double figure = run();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return figure;
}

Result measure(const Benchmark& b, int rounds, bool withCaf) {
    settled(b.ours);  // a warm-up of each
    if (withCaf) settled(b.caf);
    std::vector<double> ours, caf;
    for (int r = 0; r < rounds; ++r) {
        ours.push_back(settled(b.ours));
        if (withCaf) caf.push_back(settled(b.caf));
    }
    Result result{b.name, b.unit, median(ours), withCaf ? median(caf) : 0, 0};
    if (withCaf) result.ratio = b.higherIsBetter ? result.ours / result.caf : result.caf / result.ours;
    return result;
}

/// Figures of very different sizes, each with the digits that matter.
std::string figure(double value) {
    char text[32];
    std::snprintf(text, sizeof text, value >= 1000 ? "%.0f" : value >= 10 ? "%.1f" : "%.3f", value);
    return text;
}

/// Every figure with all its digits; with --ours-only, CAF's and the ratio
/// are null rather than a zero that reads as a measurement.
void writeJson(const std::string& path, const std::vector<Result>& results, bool withCaf) {
    nlohmann::ordered_json benchmarks = nlohmann::ordered_json::array();
    for (const Result& r : results)
        benchmarks.push_back({{"name", r.name},
                              {"unit", r.unit},
                              {"ours", r.ours},
                              {"caf", withCaf ? nlohmann::ordered_json(r.caf) : nullptr},
                              {"ratio", withCaf ? nlohmann::ordered_json(r.ratio) : nullptr}});
    std::ofstream json(path);
    json << nlohmann::ordered_json{{"machine", machine()}, {"benchmarks", std::move(benchmarks)}}.dump(2) << '\n';
    if (!json) throw std::runtime_error("could not write " + path);
}

/// One physical reference, and `against`'s share of it when it ran.
void printReference(const char* what, double perSecond, const std::vector<Result>& results, std::string_view against) {
    std::printf("reference: %s, %s messages/s", what, figure(perSecond).c_str());
    const auto r = std::find_if(results.begin(), results.end(), [&](const Result& x) { return x.name == against; });
    if (r != results.end()) std::printf("; our %s is %.0f%% of it", r->name.c_str(), 100.0 * r->ours / perSecond);
    std::printf("\n");
}

std::vector<std::string> splitNames(const std::string& list) {
    std::vector<std::string> names;
    std::stringstream in(list);
    for (std::string name; std::getline(in, name, ',');) names.push_back(name);
    return names;
}

} // namespace

int main(int argc, char* argv[]) {
    int rounds = 7;
    std::string jsonPath;
    std::vector<std::string> only;
    bool quick = false, withCaf = true;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const bool takesValue = arg == "--rounds" || arg == "--json" || arg == "--only";
        if (takesValue && i + 1 >= argc) {
            std::fprintf(stderr, "isobench: no value for %s\n%s", argv[i], usage);
            return 2;
        }
        if (arg == "--idle-memory" && i + 2 < argc) {  // the child of idle_memory
            return measureIdleMemory(argv[i + 1], std::atol(argv[i + 2]));
        } else if (arg == "--rounds") {
            const std::string_view value = argv[++i];
            long parsed = value.empty() ? -1 : 0;
            for (char c : value)
                parsed = std::isdigit(static_cast<unsigned char>(c)) && parsed >= 0 && parsed <= 10'000 ? parsed * 10 + (c - '0') : -1;
            rounds = static_cast<int>(parsed);
            if (parsed < 1 || parsed > 10'000) {
                std::fprintf(stderr, "isobench: --rounds takes a whole number from 1 to 10000, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (arg == "--json") {
            jsonPath = argv[++i];
        } else if (arg == "--only") {
            only = splitNames(argv[++i]);
        } else if (arg == "--ours-only") {
            withCaf = false;
        } else if (arg == "--quick") {
            quick = true;
            rounds = 1;
        } else {
            std::fprintf(stderr, "isobench: unknown option %s\n%s", argv[i], usage);
            return 2;
        }
    }

    // Found out now, not after minutes of measuring.
    if (!jsonPath.empty() && !std::ofstream(jsonPath, std::ios::app)) {
        std::fprintf(stderr, "isobench: cannot write %s\n", jsonPath.c_str());
        return 2;
    }

    Peers peers;
    peers.scale = quick ? 10 : 1;
    std::vector<Benchmark> benchmarks = {pingpong(peers),  count(peers), fjthrput(peers),
                                         fjcreate(peers),  threadring(peers), chameneos(peers),
                                         big(peers),       fib(peers),   skynet(peers),
                                         spawn(peers),     idleMemory(quick ? 100'000 : 1'000'000)};
    for (const std::string& name : only) {
        if (std::none_of(benchmarks.begin(), benchmarks.end(), [&](const Benchmark& b) { return b.name == name; })) {
            std::string names;
            for (const Benchmark& b : benchmarks) names += (names.empty() ? "" : ", ") + b.name;
            std::fprintf(stderr, "isobench: no benchmark '%s' (known: %s)\n%s", name.c_str(), names.c_str(), usage);
            return 2;
        }
    }
    if (!only.empty())
        std::erase_if(benchmarks, [&](const Benchmark& b) { return std::find(only.begin(), only.end(), b.name) == only.end(); });

    try {
        std::vector<Result> results;
        const CpuTicks before = cpuTicks();
        std::printf("%s; medians of %d rounds%s\n", machine().c_str(), rounds,
                    withCaf ? ", ours and CAF alternating" : ", ours only");
        std::printf("%-12s %-12s %12s %12s %8s\n", "benchmark", "unit", "ours", "CAF 0.17", "ratio");
        for (const Benchmark& b : benchmarks) {
            const Result r = measure(b, rounds, withCaf);
            char ratio[16] = "-";
            if (withCaf) std::snprintf(ratio, sizeof ratio, "%.2fx", r.ratio);
            std::printf("%-12s %-12s %12s %12s %8s\n", r.name.c_str(), r.unit.c_str(), figure(r.ours).c_str(),
                        withCaf ? figure(r.caf).c_str() : "-", ratio);
            std::fflush(stdout);
            results.push_back(r);
        }
        // As noisy as the rest on a shared machine: medians too.
        std::vector<double> handoffs, streams;
        for (int r = 0; r < std::max(3, rounds); ++r) {
            handoffs.push_back(handoffReference(quick ? 200'000 : 2'000'000));
            streams.push_back(streamReference(quick ? 100'000 : 1'000'000));
        }
        printReference("a lock-free handoff between two threads", median(handoffs), results, "pingpong");
        printReference("a bare queue streaming events between two threads", median(streams), results, "count");
        // On a virtual machine, other guests' load moves every figure: say how much there was.
        const CpuTicks after = cpuTicks();
        if (before.total != 0 && after.total > before.total)
            std::printf("the hypervisor took %.1f%% of this machine's processor time during the run\n",
                        100.0 * double(after.stolen - before.stolen) / double(after.total - before.total));
        if (!jsonPath.empty()) writeJson(jsonPath, results, withCaf);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "isobench: %s\n", e.what());
        return 1;
    }
    return 0;
}
