// The clock trace records are stamped with: steady-clock nanoseconds, read
// from the steady clock itself until the TSC has been measured against it,
// then from the TSC. Unlike the other trace suites this one takes real time:
// the measuring happens 0.2 s after the process first asks for the time.

#include "tracer.h"

#include <QtTest>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

using iso::detail::Tracer;

namespace {

std::uint64_t steady_ns() {
    return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

/// What one thread saw while reading both clocks side by side.
struct Seen {
    std::uint64_t steps_back = 0;   ///< readings earlier than the one before
    std::uint64_t disagreement = 0; ///< the most a reading fell outside the steady clock's bracket
};

Seen follow(std::chrono::nanoseconds span) {
    Seen seen;
    std::uint64_t last = 0;
    const std::uint64_t end = steady_ns() + static_cast<std::uint64_t>(span.count());
    for (std::uint64_t before = steady_ns(); before < end; before = steady_ns()) {
        const std::uint64_t t = Tracer::now();
        const std::uint64_t after = steady_ns();
        if (t < last) ++seen.steps_back;
        last = t;
        const std::uint64_t outside = t < before ? before - t : t > after ? t - after : 0;
        seen.disagreement = std::max(seen.disagreement, outside);
    }
    return seen;
}

} // namespace

class TestTraceClock : public QObject {
    Q_OBJECT

private slots:
    // Several threads read the clock through its switch from the steady
    // clock to the TSC: a step back would turn a handler's duration into
    // nearly 2^64 ns; a wrong scale would put events out of place.
    void followsTheSteadyClockThroughCalibration() {
        const std::uint64_t first = Tracer::now();
        QVERIFY(first > 0);
        std::vector<Seen> seen(4);
        std::vector<std::thread> threads;
        for (Seen& s : seen) threads.emplace_back([&s] { s = follow(std::chrono::milliseconds(500)); });
        for (std::thread& t : threads) t.join();
        for (const Seen& s : seen) {
            QCOMPARE(s.steps_back, std::uint64_t{0});
            // Half a second at the measured slope's worst error is 0.2 µs.
            QVERIFY2(s.disagreement < 20'000, qPrintable(QString::number(s.disagreement)));
        }
    }
};

QTEST_APPLESS_MAIN(TestTraceClock)
#include "tst_traceclock.moc"
