// Spawn cost and idle memory of an isolate, beside an OS thread as the
// reference a C++ developer would otherwise reach for.
//
//   footprint [isolates=100000] [threads=1000]

#include <iso/iso.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

long resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * 4096;
}

double micros_per(Clock::duration d, long n) {
    return std::chrono::duration<double, std::micro>(d).count() / static_cast<double>(n);
}

struct Result {
    double spawn_us;
    double bytes_each;
};

/// Spawns `n` isolates that open a port and then wait idle.
Result measure_isolates(long n) {
    iso::Runtime rt;
    std::atomic<long> up{0};
    const long rss_before = resident_bytes();
    const auto start = Clock::now();
    for (long i = 0; i < n; ++i)
        rt.spawn([&up](iso::Value) {
            iso::RawReceivePort idle([](iso::Value) {});
            up.fetch_add(1, std::memory_order_relaxed);
        });
    while (up.load(std::memory_order_relaxed) < n) std::this_thread::yield();
    const auto elapsed = Clock::now() - start;
    const long rss_after = resident_bytes();
    return {micros_per(elapsed, n), static_cast<double>(rss_after - rss_before) / static_cast<double>(n)};
}

/// Starts `n` threads that each wait on a condition variable.
Result measure_threads(long n) {
    std::mutex m;
    std::condition_variable cv;
    bool release = false;
    std::atomic<long> up{0};
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(n));
    const long rss_before = resident_bytes();
    const auto start = Clock::now();
    for (long i = 0; i < n; ++i)
        threads.emplace_back([&] {
            up.fetch_add(1);
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return release; });
        });
    while (up.load() < n) std::this_thread::yield();
    const auto elapsed = Clock::now() - start;
    const long rss_after = resident_bytes();
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    for (auto& t : threads) t.join();
    return {micros_per(elapsed, n), static_cast<double>(rss_after - rss_before) / static_cast<double>(n)};
}

} // namespace

int main(int argc, char** argv) {
    const long isolates = argc > 1 ? std::stol(argv[1]) : 100000;
    const long threads = argc > 2 ? std::stol(argv[2]) : 1000;
    // Threads first: memory the isolates' allocator gives back to the
    // system a little after they end would otherwise count against them.
    const Result peer = measure_threads(threads);
    measure_isolates(1000);  // warm-up: the pool, the allocator
    const Result ours = measure_isolates(isolates);
    std::printf("%-28s %12s %12s %10s\n", "", "isolate", "std::thread", "ratio");
    std::printf("%-28s %12.3f %12.3f %9.1fx\n", "spawn to running (us each)", ours.spawn_us, peer.spawn_us,
                peer.spawn_us / ours.spawn_us);
    std::printf("%-28s %12.0f %12.0f %9.1fx\n", "idle resident bytes each", ours.bytes_each, peer.bytes_each,
                peer.bytes_each / ours.bytes_each);
    std::printf("(%ld isolates, %ld threads, %u hardware threads)\n", isolates, threads,
                std::thread::hardware_concurrency());
    return 0;
}
