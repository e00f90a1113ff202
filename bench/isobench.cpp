// The Savina actor benchmarks, ours against CAF (the C++ Actor Framework,
// as Debian packages it) in one run: rounds alternate ours and theirs, each
// benchmark checks its own result, and the medians and their ratio are
// printed, with a physical reference, a bare lock-free handoff between two
// threads. Built only when CAF's headers and library are found.
//
//   isobench [--rounds N] [--json FILE] [--quick]

#include <iso/iso.h>

#include <caf/all.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <future>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// A wrong answer fails the whole run: a fast benchmark that computes the
/// wrong thing measures nothing. Handlers report a wrong answer as a
/// negative time, checked here, outside any actor.
double checked(double seconds, std::string_view what) {
    if (seconds < 0) throw std::runtime_error("wrong result: " + std::string(what));
    return seconds;
}

// ---- pingpong: two actors pass one message back and forth (Savina: 40,000 pings) ----

double pingpongOurs(long pings) {
    iso::Runtime runtime;
    std::promise<double> result;
    runtime.spawn([&result, pings](iso::Value) {
        iso::RawReceivePort port;
        port.set_handler([port, &result, pings, pong = iso::SendPort(), start = Clock::time_point(),
                          left = pings](iso::Value message) mutable {
            if (message.is_send_port()) {
                pong = message.as_send_port();
                start = Clock::now();
            } else if (--left == 0) {
                const double seconds = secondsSince(start);
                pong.send(-1);
                port.close();
                result.set_value(message.as_int() == pings ? seconds : -1);
                return;
            }
            pong.send(pings - left + 1);
        });
        iso::spawn(
            [](iso::Value back) {
                const iso::SendPort ping = back.as_send_port();
                iso::RawReceivePort port;
                port.set_handler([port, ping](iso::Value message) mutable {
                    if (message.as_int() < 0)
                        return port.close();
                    ping.send(std::move(message));
                });
                ping.send(port.send_port());
            },
            port.send_port());
    });
    const double seconds = checked(result.get_future().get(), "ours, pingpong: the last pong's count");
    runtime.wait_until_idle();
    return 2.0 * static_cast<double>(pings) / seconds;
}

double pingpongCaf(caf::actor_system& system, long pings) {
    auto pong = system.spawn([](caf::event_based_actor*) -> caf::behavior { return {[](long n) { return n; }}; });
    std::promise<double> result;
    const auto start = Clock::now();
    system.spawn([&result, pong, pings, start](caf::event_based_actor* self) -> caf::behavior {
        self->send(pong, 1L);
        return {[self, &result, pong, pings, start, sent = 1L](long n) mutable {
            if (n == pings || n != sent) {
                result.set_value(n == sent ? secondsSince(start) : -1);
                self->quit();
                return;
            }
            self->send(pong, ++sent);
        }};
    });
    const double seconds = checked(result.get_future().get(), "CAF, pingpong: a pong's count");
    caf::anon_send_exit(pong, caf::exit_reason::user_shutdown);
    return 2.0 * static_cast<double>(pings) / seconds;
}

// ---- the physical reference ------------------------------------------------------

/// Messages a second two threads pass back and forth through one atomic
/// word each way, spinning: what one core-to-core handoff costs here.
double handoffReference(long rounds) {
    std::atomic<long> ball{0};
    const auto start = Clock::now();
    std::thread other([&] {
        for (long i = 1; i <= rounds; i += 2) {
            while (ball.load(std::memory_order_acquire) != i) {
            }
            ball.store(i + 1, std::memory_order_release);
        }
    });
    for (long i = 0; i < rounds; i += 2) {
        while (ball.load(std::memory_order_acquire) != i) {
        }
        ball.store(i + 1, std::memory_order_release);
    }
    other.join();
    return static_cast<double>(rounds) / secondsSince(start);
}

// ---- the run ------------------------------------------------------------------------

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
    std::erase_if(model, [](char c) { return c == '"' || c == '\\'; });
    return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " cores";
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

struct Benchmark {
    std::string name;
    std::string unit;
    bool higherIsBetter = true;
    std::function<double()> ours;
    std::function<double()> caf;
};

struct Result {
    std::string name;
    std::string unit;
    double ours = 0;
    double caf = 0;
    double ratio = 0;  ///< how many times better ours is
};

} // namespace

int main(int argc, char* argv[]) {
    int rounds = 7;
    std::string jsonPath;
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--rounds" && i + 1 < argc) {
            rounds = std::max(1, std::atoi(argv[++i]));
        } else if (arg == "--json" && i + 1 < argc) {
            jsonPath = argv[++i];
        } else if (arg == "--quick") {
            quick = true;
            rounds = 1;
        } else {
            std::fprintf(stderr, "isobench: unknown option %s\nusage: isobench [--rounds N] [--json FILE] [--quick]\n",
                         argv[i]);
            return 2;
        }
    }
    const long scale = quick ? 10 : 1;
    caf::actor_system_config config;
    caf::actor_system system{config};

    const long pings = 40'000 * 10 / scale;  // Savina's default, ten times over: long enough to time
    const std::vector<Benchmark> benchmarks = {
        {"pingpong", "messages/s", true, [&] { return pingpongOurs(pings); }, [&] { return pingpongCaf(system, pings); }},
    };

    try {
        std::vector<Result> results;
        std::printf("%s; medians of %d rounds, ours and CAF alternating\n", machine().c_str(), rounds);
        std::printf("%-12s %-12s %14s %14s %8s\n", "benchmark", "unit", "ours", "CAF 0.17", "ratio");
        for (const Benchmark& b : benchmarks) {
            b.ours();  // warm-up, each
            b.caf();
            std::vector<double> ours, caf;
            for (int r = 0; r < rounds; ++r) {
                ours.push_back(b.ours());
                caf.push_back(b.caf());
            }
            Result result{b.name, b.unit, median(ours), median(caf), 0};
            result.ratio = b.higherIsBetter ? result.ours / result.caf : result.caf / result.ours;
            std::printf("%-12s %-12s %14.0f %14.0f %7.2fx\n", result.name.c_str(), result.unit.c_str(), result.ours,
                        result.caf, result.ratio);
            results.push_back(result);
        }
        // As noisy as the rest on a shared machine: a median too.
        std::vector<double> handoffs;
        for (int r = 0; r < std::max(3, rounds); ++r)
            handoffs.push_back(handoffReference(quick ? 200'000 : 2'000'000));
        const double handoff = median(handoffs);
        std::printf("reference: a lock-free handoff between two threads, %.0f messages/s; our pingpong is %.1f%% of it\n",
                    handoff, 100.0 * results.front().ours / handoff);
        if (!jsonPath.empty()) {
            std::ofstream json(jsonPath);
            json << "{\"machine\": \"" << machine() << "\", \"benchmarks\": [";
            for (std::size_t i = 0; i < results.size(); ++i) {
                const Result& r = results[i];
                json << (i ? ", " : "") << "{\"name\": \"" << r.name << "\", \"unit\": \"" << r.unit
                     << "\", \"ours\": " << r.ours << ", \"caf\": " << r.caf << ", \"ratio\": " << r.ratio << "}";
            }
            json << "]}\n";
            if (!json)
                throw std::runtime_error("could not write " + jsonPath);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "isobench: %s\n", e.what());
        return 1;
    }
    return 0;
}
