// What tracing costs in message throughput: two workloads on a threaded
// runtime, each with tracing off, on (a subscriber discarding batches) and
// recording to a file. Rounds interleave the modes, so drift on the machine
// (other builds, frequency changes) hits every mode alike; the median of the
// rounds is reported.
//
//   trace_overhead [--rounds N] [--messages N] [--quick]

#include <iso/iso.h>
#include <iso/observer.h>
#include <iso/tracefile.h>

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr long fan_out_workers = 64;

// ---- workloads ------------------------------------------------------------------

/// Timed inside the isolates, from the first message to the last reply.
struct Run {
    long messages = 0;
    Clock::duration elapsed{};
};

/// Sends each int back to the port it was spawned with; a negative one ends it.
void echo(iso::Value spawn_message) {
    const iso::SendPort back = spawn_message.as_send_port();
    iso::RawReceivePort port;
    port.set_handler([port, back](iso::Value message) mutable {
        if (message.as_int() < 0) {
            port.close();
            return;
        }
        back.send(std::move(message));
    });
    back.send(port.send_port());
}

/// Two isolates bounce one message until `messages` have been sent.
Run ping_pong(iso::Runtime& runtime, long messages) {
    std::promise<Run> result;
    runtime.spawn([&result, messages](iso::Value) {
        iso::RawReceivePort port;
        port.set_handler([port, &result, messages, pong = iso::SendPort(), start = Clock::time_point(),
                          sent = 0L](iso::Value message) mutable {
            if (message.is_send_port()) {
                pong = message.as_send_port();
                start = Clock::now();
            } else if (sent + 1 >= messages) {  // the reply just received is the last message
                const auto elapsed = Clock::now() - start;
                pong.send(-1);
                port.close();
                result.set_value({sent + 1, elapsed});
                return;
            } else {
                ++sent;  // the reply
            }
            pong.send(1);
            ++sent;
        });
        iso::spawn(echo, port.send_port());
    });
    Run run = result.get_future().get();
    runtime.wait_until_idle();
    return run;
}

/// One isolate sends to `fan_out_workers` workers, waits for every reply, and
/// again, until `messages` (requests and replies) have been sent.
Run fan_out(iso::Runtime& runtime, long messages) {
    std::promise<Run> result;
    runtime.spawn([&result, messages](iso::Value) {
        iso::RawReceivePort port;
        port.set_handler([port, &result, messages, workers = std::vector<iso::SendPort>(),
                          start = Clock::time_point(), sent = 0L, awaited = 0L](iso::Value message) mutable {
            if (message.is_send_port()) {
                workers.push_back(message.as_send_port());
                if (static_cast<long>(workers.size()) < fan_out_workers) return;
                start = Clock::now();
            } else {
                ++sent;  // the reply
                if (--awaited > 0) return;
                if (sent >= messages) {
                    const auto elapsed = Clock::now() - start;
                    for (const iso::SendPort& w : workers) w.send(-1);
                    port.close();
                    result.set_value({sent, elapsed});
                    return;
                }
            }
            for (const iso::SendPort& w : workers) w.send(1);
            sent += fan_out_workers;
            awaited = fan_out_workers;
        });
        for (long i = 0; i < fan_out_workers; ++i) iso::spawn(echo, port.send_port());
    });
    Run run = result.get_future().get();
    runtime.wait_until_idle();
    return run;
}

struct Workload {
    const char* name;
    Run (*run)(iso::Runtime&, long);
};
constexpr std::array workloads{Workload{"ping-pong", ping_pong}, Workload{"fan-out 64", fan_out}};

// ---- modes --------------------------------------------------------------------------

enum class Mode { Off, Idle, Traced, Recording, Whole };
constexpr std::array modes{Mode::Off, Mode::Idle, Mode::Traced, Mode::Recording, Mode::Whole};

/// How long a producer waits for room in its buffer in Mode::Whole.
constexpr std::chrono::milliseconds whole_wait{1000};

const char* mode_name(Mode mode) {
    switch (mode) {
    case Mode::Off: return "off (no observer)";
    case Mode::Idle: return "observer, tracing off";
    case Mode::Traced: return "tracing, discarded";
    case Mode::Recording: return "tracing, recorded";
    case Mode::Whole: return "recorded, waits";
    }
    return "";
}

/// A subscriber that takes every batch on a thread of its own and drops it:
/// the least a live consumer (the workbench) costs.
class Discarder {
public:
    explicit Discarder(iso::Observer& observer) : subscription_(observer.subscribe()) {
        thread_ = std::jthread([this](std::stop_token stop) {
            while (!stop.stop_requested() && !subscription_->closed())
                if (auto batch = subscription_->next(std::chrono::milliseconds(20))) events_ += batch->events.size();
        });
    }
    /// Counts what is left after a final observer.poll().
    void stop() {
        thread_.request_stop();
        thread_.join();
        for (const iso::Batch& batch : subscription_->take_all()) events_ += batch.events.size();
    }
    std::uint64_t events() const { return events_; }

private:
    std::shared_ptr<iso::Subscription> subscription_;
    std::uint64_t events_ = 0;  // the thread's until stop() joined it
    std::jthread thread_;
};

struct Sample {
    double messages_per_second = 0;
    double cpu_ns_per_message = 0;   ///< every thread of the process, consumers included
    double seconds = 0;
    long messages = 0;
    std::uint64_t events = 0;        ///< traced events consumed (written, when recording)
    std::uint64_t file_bytes = 0;
    std::uint64_t buffer_lost = 0;   ///< dropped by full thread buffers
    std::uint64_t consumer_lost = 0; ///< missed by the subscriber or recorder
};

/// CPU time of every thread: unlike throughput, it hardly depends on what
/// else the machine runs, and it charges the monitor and recorder threads.
std::chrono::nanoseconds process_cpu_time() {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

/// Jiffies of all CPUs from /proc/stat: busy and idle, and stolen by the
/// hypervisor for other guests, which a virtual machine's figures hide.
struct CpuTimes {
    unsigned long long total = 0;
    unsigned long long steal = 0;
};

CpuTimes machine_cpu_times() {
    std::ifstream stat("/proc/stat");
    std::string cpu;
    unsigned long long fields[8] = {};
    stat >> cpu;
    for (unsigned long long& f : fields) stat >> f;
    CpuTimes t;
    for (unsigned long long f : fields) t.total += f;
    t.steal = fields[7];
    return t;
}

std::filesystem::path trace_path() {
    return std::filesystem::temp_directory_path() /
           ("iso_trace_overhead_" + std::to_string(::getpid()) + ".isotrace");
}

Sample measure(const Workload& workload, Mode mode, long messages) {
    iso::Runtime runtime;
    std::optional<iso::Observer> observer;
    if (mode != Mode::Off)
        observer.emplace(runtime, iso::ObserverOptions{.tracing = mode != Mode::Idle,
                                                       .full_wait = mode == Mode::Whole ? std::chrono::microseconds(whole_wait) : std::chrono::microseconds(0)});
    std::optional<Discarder> discarder;
    std::optional<iso::trace::Recorder> recorder;
    if (mode == Mode::Traced) discarder.emplace(*observer);
    if (mode == Mode::Recording || mode == Mode::Whole)
        recorder.emplace(*observer, trace_path(), iso::trace::FileInfo{.program = "trace_overhead"});

    const std::chrono::nanoseconds cpu_before = process_cpu_time();
    const Run run = workload.run(runtime, messages);
    const std::chrono::nanoseconds cpu = process_cpu_time() - cpu_before;

    Sample s;
    s.messages = run.messages;
    s.seconds = std::chrono::duration<double>(run.elapsed).count();
    s.messages_per_second = static_cast<double>(run.messages) / s.seconds;
    s.cpu_ns_per_message = static_cast<double>(cpu.count()) / static_cast<double>(run.messages);
    std::uint64_t published = 0;
    if (observer) {
        observer->poll();
        const iso::ClusterSnapshot snapshot = observer->snapshot();
        s.buffer_lost = snapshot.events_lost;
        published = snapshot.events_total;
    }
    if (discarder) {
        discarder->stop();
        s.events = discarder->events();
    }
    if (recorder) {
        const iso::trace::RecorderStats stats = recorder->stop();
        s.events = stats.events;
        s.file_bytes = stats.bytes;
        std::filesystem::remove(trace_path());
    }
    // Counted from what was published rather than from gap markers: batches
    // dropped at the very end are followed by none that would report them.
    if (discarder || recorder) s.consumer_lost = published > s.events ? published - s.events : 0;
    return s;
}

// ---- report ---------------------------------------------------------------------------

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Series {
    std::vector<Sample> samples;

    double rate() const { return median(values(&Sample::messages_per_second)); }
    double cpu_per_message() const { return median(values(&Sample::cpu_ns_per_message)); }
    /// (max - min) / median of the rates: how far one round can be trusted.
    double spread() const {
        const auto r = values(&Sample::messages_per_second);
        return (*std::max_element(r.begin(), r.end()) - *std::min_element(r.begin(), r.end())) / rate();
    }
    double per_second(std::uint64_t Sample::*field) const {
        std::vector<double> v;
        for (const Sample& s : samples) v.push_back(static_cast<double>(s.*field) / s.seconds);
        return median(v);
    }
    double per_message(std::uint64_t Sample::*field) const {
        std::vector<double> v;
        for (const Sample& s : samples) v.push_back(static_cast<double>(s.*field) / static_cast<double>(s.messages));
        return median(v);
    }
    long total_messages() const {
        long sum = 0;
        for (const Sample& s : samples) sum += s.messages;
        return sum;
    }
    std::uint64_t total(std::uint64_t Sample::*field) const {
        std::uint64_t sum = 0;
        for (const Sample& s : samples) sum += s.*field;
        return sum;
    }

private:
    std::vector<double> values(double Sample::*field) const {
        std::vector<double> v;
        for (const Sample& s : samples) v.push_back(s.*field);
        return v;
    }
};

struct Options {
    int rounds = 5;
    long messages = 2'000'000;
};

long parse_number(std::string_view option, std::string_view text) {
    long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value <= 0)
        throw std::invalid_argument(std::string(option) + " wants a positive number, not '" + std::string(text) + "'");
    return value;
}

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--quick") {
            options.rounds = 1;
            options.messages = 4'000;
        } else if ((arg == "--rounds" || arg == "--messages") && i + 1 < argc) {
            const long value = parse_number(arg, argv[++i]);
            if (arg == "--rounds") options.rounds = static_cast<int>(value);
            else options.messages = value;
        } else {
            throw std::invalid_argument("usage: trace_overhead [--rounds N] [--messages N] [--quick]");
        }
    }
    return options;
}

void print_workload(const Workload& workload, const std::array<Series, modes.size()>& series) {
    const Series& off = series[0];
    for (std::size_t m = 0; m < modes.size(); ++m)
        std::printf("%-11s %-22s %12.0f %8.1f%% %8.3f %10.0f %8.2f\n", m == 0 ? workload.name : "",
                    mode_name(modes[m]), series[m].rate(), 100 * series[m].spread(), series[m].rate() / off.rate(),
                    series[m].cpu_per_message(), series[m].cpu_per_message() / off.cpu_per_message());
}

/// Lost events as a share of all the runtime produced.
double lost_share(std::uint64_t lost, std::uint64_t kept) {
    return kept + lost == 0 ? 0 : 100.0 * static_cast<double>(lost) / static_cast<double>(kept + lost);
}

/// `whole`: the producers wait rather than drop, so any loss means the
/// recording did not keep up.
void print_recording(const char* name, const Series& recorded, bool whole) {
    const std::uint64_t written = recorded.total(&Sample::events);
    const std::uint64_t lost = recorded.total(&Sample::buffer_lost) + recorded.total(&Sample::consumer_lost);
    std::printf("%-11s %s: %.0f events/s written, %.1f bytes per event in the file; lost %llu in thread "
                "buffers, %llu by the recorder (%.1f%%)\n",
                "", name, recorded.per_second(&Sample::events),
                static_cast<double>(recorded.total(&Sample::file_bytes)) /
                    static_cast<double>(std::max<std::uint64_t>(written, 1)),
                static_cast<unsigned long long>(recorded.total(&Sample::buffer_lost)),
                static_cast<unsigned long long>(recorded.total(&Sample::consumer_lost)), lost_share(lost, written));
    if (whole && lost > 0)
        std::printf("%-11s RECORDING DID NOT KEEP UP: %llu of %llu events lost\n", "",
                    static_cast<unsigned long long>(lost), static_cast<unsigned long long>(written + lost));
}

void print_consumers(const Workload& workload, const std::array<Series, modes.size()>& series) {
    const Series& traced = series[2];
    const Series& recorded = series[3];
    const std::uint64_t traced_lost = traced.total(&Sample::buffer_lost) + traced.total(&Sample::consumer_lost);
    const std::uint64_t traced_kept = traced.total(&Sample::events);
    std::printf("%-11s discarded: %.2f events per message, %.0f events/s taken; lost %llu in thread buffers, "
                "%llu by the subscriber (%.1f%%)\n",
                workload.name,
                static_cast<double>(traced_kept + traced_lost) / static_cast<double>(traced.total_messages()),
                traced.per_second(&Sample::events), static_cast<unsigned long long>(traced.total(&Sample::buffer_lost)),
                static_cast<unsigned long long>(traced.total(&Sample::consumer_lost)),
                lost_share(traced_lost, traced_kept));
    print_recording("recorded", recorded, false);
    print_recording("waits", series[4], true);
}

using Results = std::array<std::array<Series, modes.size()>, workloads.size()>;

/// Every workload in every mode, once per round, the modes interleaved.
Results measure_all(const Options& options) {
    // Warm-up: the pool, the allocator, the file system.
    for (const Workload& w : workloads)
        for (Mode m : modes) measure(w, m, std::min(options.messages, 100'000L));
    Results results;
    for (int round = 0; round < options.rounds; ++round)
        for (std::size_t w = 0; w < workloads.size(); ++w)
            for (std::size_t m = 0; m < modes.size(); ++m)
                results[w][m].samples.push_back(measure(workloads[w], modes[m], options.messages));
    return results;
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    try {
        options = parse_options(argc, argv);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
    Results results;
    const CpuTimes cpu_before = machine_cpu_times();
    try {
        results = measure_all(options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "trace_overhead: %s\n", e.what());
        return 1;
    }

    std::printf("%-11s %-22s %12s %9s %8s %10s %8s\n", "workload", "mode", "msgs/s", "spread", "vs off", "CPU ns/msg",
                "vs off");
    for (std::size_t w = 0; w < workloads.size(); ++w) print_workload(workloads[w], results[w]);
    std::printf("\n");
    for (std::size_t w = 0; w < workloads.size(); ++w) print_consumers(workloads[w], results[w]);
    const CpuTimes cpu_after = machine_cpu_times();
    std::printf("(median of %d rounds of %ld messages, %u hardware threads; spread: (max - min) / median of msgs/s)\n",
                options.rounds, options.messages, std::thread::hardware_concurrency());
    if (const auto total = cpu_after.total - cpu_before.total; total > 0)
        std::printf("(the hypervisor took %.0f%% of the CPUs' time meanwhile; more than a few percent makes every "
                    "figure here shaky)\n",
                    100.0 * static_cast<double>(cpu_after.steal - cpu_before.steal) / static_cast<double>(total));
    return 0;
}
