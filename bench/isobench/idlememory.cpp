// idle_memory: resident bytes per idle actor, from the growth of a process
// that spawns a million of them and waits until every one is up. Each
// measurement is a child process of its own, so that memory one runtime
// freed cannot hide the other's growth.

#include "harness.h"

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace isobench {

namespace {

long residentBytes() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * 4096;
}

/// Waits, without taking a core from the runtimes, until `up` reaches `count`.
void awaitUp(const std::atomic<long>& up, long count) {
    while (up.load(std::memory_order_relaxed) < count) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

/// Runs this program again to measure one runtime; returns bytes per actor.
double inChild(const std::string& which, long actors) {
    // Read here: in the shell popen starts, /proc/self/exe is the shell.
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    const std::string command = "'" + self + "' --idle-memory " + which + " " + std::to_string(actors);
    FILE* child = popen(command.c_str(), "r");
    if (!child) throw std::runtime_error("could not run " + command);
    double bytes = -1;
    const int read = std::fscanf(child, "%lf", &bytes);
    if (pclose(child) != 0 || read != 1 || bytes <= 0)
        throw std::runtime_error("idle_memory: " + command + " gave no figure");
    return bytes;
}

/// Prints the growth since `before` per actor and ends the process at once:
/// a million actors are not worth tearing down one by one.
[[noreturn]] void report(long before, long count) {
    std::printf("%.1f\n", static_cast<double>(residentBytes() - before) / static_cast<double>(count));
    std::fflush(stdout);
    std::_Exit(0);
}

} // namespace

int measureIdleMemory(std::string_view which, long count) {
    std::atomic<long> up{0};
    if (which == "ours") {
        iso::Runtime runtime;
        const long before = residentBytes();
        for (long a = 0; a < count; ++a)
            runtime.spawn([&up](iso::Value) {
                iso::RawReceivePort idle([](iso::Value) {});
                up.fetch_add(1, std::memory_order_relaxed);
            });
        awaitUp(up, count);
        report(before, count);
    } else if (which == "caf") {
        caf::actor_system_config config;
        caf::actor_system system{config};
        const long before = residentBytes();
        for (long a = 0; a < count; ++a)
            system.spawn([&up](caf::event_based_actor*) -> caf::behavior {
                up.fetch_add(1, std::memory_order_relaxed);
                return {[](long) {}};
            });
        awaitUp(up, count);
        report(before, count);
    }
    std::fprintf(stderr, "isobench: --idle-memory takes ours or caf, not %.*s\n", static_cast<int>(which.size()),
                 which.data());
    return 2;
}

Benchmark idleMemory(long actors) {
    return {"idle_memory", "bytes/actor", false, [actors] { return inChild("ours", actors); },
            [actors] { return inChild("caf", actors); }};
}

} // namespace isobench
