// isobench's fjthrput taken apart: how long the driver takes to send its
// 600,000 messages, and how much work is left when it has. A diagnostic for
// the runtime's own rounds (README, "fjthrput clears 1.5x ..."), not a
// comparison with a peer: isobench is that.
//
//   iso_fjthrput_phases [workers=2] [rounds=20]
//
// With one worker every message waits until the sending ends, so "left"
// is the time to drain the whole backlog.

#include "isobench/workload.h"

#include <iso/iso.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <future>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using isobench::kFjthrputMessages;
using isobench::kFjthrputWorkers;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Round {
    double sending;  // from the start until the driver's last send returned
    double left;     // from then until every receiver had its messages
};

Round run_round(iso::Runtime& runtime) {
    std::promise<double> sent;
    std::promise<bool> done;
    const auto start = Clock::now();
    runtime.spawn([&sent, &done, start](iso::Value) {
        isobench::fjthrputOurs(
            kFjthrputWorkers, kFjthrputMessages, [&sent, start] { sent.set_value(seconds_since(start)); },
            [&done](bool ok) { done.set_value(ok); });
    });
    const double sending = sent.get_future().get();
    const bool ok = done.get_future().get();
    const double total = seconds_since(start);
    runtime.wait_until_idle();
    if (!ok) throw std::runtime_error("a receiver counted the wrong number of messages");
    return {sending, total - sending};
}

bool parse(const char* text, long low, long high, long& out) {
    const std::string_view s(text);
    const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), out);
    return error == std::errc() && end == s.data() + s.size() && out >= low && out <= high;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
    long workers = 2, rounds = 20;
    if (argc > 3 || (argc > 1 && !parse(argv[1], 1, 64, workers)) || (argc > 2 && !parse(argv[2], 1, 1000, rounds))) {
        std::fprintf(stderr, "usage: %s [workers 1-64, default 2] [rounds 1-1000, default 20]\n", argv[0]);
        return 2;
    }
    iso::RuntimeOptions options;
    options.threads = static_cast<unsigned>(workers);
    options.max_threads = options.threads;  // no extra worker joins in the middle of a round
    iso::Runtime runtime(options);
    std::printf("%ld workers, %ld receivers, %ld messages each\n", workers, kFjthrputWorkers, kFjthrputMessages);
    std::printf("round  sending s  left s\n");
    std::vector<double> sending, left;
    for (long r = 1; r <= rounds; ++r) {
        Round round;
        try {
            round = run_round(runtime);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "round %ld: %s\n", r, e.what());
            return 1;
        }
        sending.push_back(round.sending);
        left.push_back(round.left);
        std::printf("%5ld  %9.4f  %6.4f\n", r, round.sending, round.left);
    }
    std::printf("median %9.4f  %6.4f\n", median(sending), median(left));
}
