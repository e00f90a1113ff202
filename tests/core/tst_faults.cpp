// Failures made on purpose (Isolate::inject): each does what it says, only
// with the terminate capability, is traced, and a supervisor acts on it.
// Deterministic runtimes and manual polls: no timing but a lower bound.

#include "support.h"

#include <iso/observer.h>

#include <QtTest>

#include <algorithm>

using namespace iso;
using namespace std::chrono_literals;
using test::deterministic;
using test::listener;

namespace {

std::size_t dead_letters_for(const Runtime& rt, DeadLetterReason reason) {
    const auto letters = rt.recent_dead_letters();
    return static_cast<std::size_t>(
        std::count_if(letters.begin(), letters.end(), [&](const DeadLetter& d) { return d.reason == reason; }));
}

SpawnOptions forgiving() {
    SpawnOptions options;
    options.errors_are_fatal = false;
    return options;
}

} // namespace

class TestFaults : public QObject {
    Q_OBJECT

private slots:
    // The next message's handler throws instead of running; the one after runs.
    void throwOnTheNextMessage() {
        Runtime rt(deterministic());
        int handled = 0;
        auto [isolate, port] = listener(rt, [&handled](Value) { ++handled; }, forgiving());
        isolate.inject(Fault::throw_on_next_message());
        rt.run_until_idle();
        port.send(1);
        port.send(2);
        rt.run_until_idle();
        QCOMPARE(handled, 1);
        const auto info = rt.isolates();
        QCOMPARE(info.size(), std::size_t{1});
        QCOMPARE(info.front().errors, std::uint64_t{1});
    }

    // A crash ends the isolate even when errors are not fatal to it.
    void aCrashEndsItWhateverItsErrorsAre() {
        Runtime rt(deterministic());
        auto [isolate, port] = listener(rt, [](Value) {}, forgiving());
        isolate.inject(Fault::crash());
        rt.run_until_idle();
        QVERIFY(rt.isolates().empty());
    }

    // Dropped messages become dead letters; clearing lets the next through.
    void dropUntilCleared() {
        Runtime rt(deterministic());
        int handled = 0;
        auto [isolate, port] = listener(rt, [&handled](Value) { ++handled; });
        isolate.inject(Fault::drop());
        rt.run_until_idle();
        for (int i = 0; i < 3; ++i) port.send(i);
        rt.run_until_idle();
        QCOMPARE(handled, 0);
        QCOMPARE(dead_letters_for(rt, DeadLetterReason::Injected), std::size_t{3});
        isolate.inject(Fault::clear());
        rt.run_until_idle();
        port.send(4);
        rt.run_until_idle();
        QCOMPARE(handled, 1);
    }

    // Without the terminate capability an isolate cannot be broken.
    void needsTheTerminateCapability() {
        Runtime rt(deterministic());
        int handled = 0;
        auto [isolate, port] = listener(rt, [&handled](Value) { ++handled; });
        Isolate(isolate.control_port()).inject(Fault::crash());
        Isolate(isolate.control_port()).inject(Fault::drop());
        rt.run_until_idle();
        port.send(1);
        rt.run_until_idle();
        QCOMPARE(handled, 1);
        QCOMPARE(rt.isolates().size(), std::size_t{1});
    }

    // Each fault is an event of the trace, with what it does and who asked;
    // a slowed message's handling takes at least the delay.
    void faultsAreTraced() {
        Runtime rt(deterministic());
        ObserverOptions manual;
        manual.interval = 0ms;
        Observer observer(rt, manual);
        auto feed = observer.subscribe();
        auto [isolate, port] = listener(rt, [](Value) {});
        isolate.inject(Fault::slow(2ms));
        rt.run_until_idle();
        port.send(1);
        rt.run_until_idle();
        observer.poll();
        std::vector<trace::Event> faults;
        std::uint64_t longest = 0;
        for (const Batch& b : feed->take_all()) {
            for (const trace::Event& e : b.events) {
                if (e.kind == trace::Kind::Fault) faults.push_back(e);
                if (e.kind == trace::Kind::Handle && e.arg == static_cast<std::uint32_t>(trace::HandleKind::Message))
                    longest = std::max(longest, e.peer);
            }
        }
        QCOMPARE(faults.size(), std::size_t{1});
        QCOMPARE(faults.front().arg, static_cast<std::uint32_t>(Fault::Kind::Slow));
        QCOMPARE(std::string(faults.front().text), std::string("slow every message by 2 ms"));
        QCOMPARE(faults.front().peer, IsolateId{0});  // asked from outside isolates
        QVERIFY(longest >= 2'000'000);
    }

    // A supervisor restarts a child that was made to crash.
    void aSupervisorRestartsACrashedChild() {
        auto cluster = Cluster::single_node(test::stepped());
        ChildSpec worker;
        worker.name = std::string("w");  // assigned from a literal, g++ 12 warns wrongly (-Wrestrict)
        worker.entry = [](Context& context) { context.on_message([](const Envelope&) {}); };
        cluster.runtime().block_on(cluster.spawn_isolate("/sup", supervisor({}, {worker})));
        cluster.runtime().run_until_idle();
        const auto before = cluster.describe(Path::of("/sup/w"));
        QVERIFY(before.has_value());
        auto first = cluster.runtime().find_isolate(before->isolate);
        QVERIFY(first.has_value());
        first->inject(Fault::crash());
        cluster.runtime().run_until_idle();
        const auto after = cluster.describe(Path::of("/sup/w"));
        QVERIFY(after.has_value());
        QCOMPARE(after->incarnation, std::uint32_t{1});
        QVERIFY(after->isolate != before->isolate);
    }

    // A delayed message waits on the clock, not on a worker: nothing is
    // handled until the delay has passed, then everything is, in order;
    // clearing lets the next one through at once.
    void delayHoldsMessagesUntilTheirTime() {
        Runtime rt(deterministic());
        std::vector<std::int64_t> handled;
        auto [isolate, port] = listener(rt, [&handled](Value v) { handled.push_back(v.as_int()); });
        isolate.inject(Fault::delay(50ms));
        rt.run_until_idle();
        for (int i = 1; i <= 3; ++i) port.send(i);
        rt.run_until_idle();
        QVERIFY(handled.empty());
        rt.advance_time(49ms);
        QVERIFY(handled.empty());
        rt.advance_time(1ms);
        QCOMPARE(handled, (std::vector<std::int64_t>{1, 2, 3}));
        isolate.inject(Fault::clear());
        rt.run_until_idle();
        port.send(4);
        rt.run_until_idle();
        QCOMPARE(handled.back(), std::int64_t{4});
    }

    // A message held for an isolate that ends meanwhile is a dead letter.
    void aDelayedMessageToAnEndedIsolateIsADeadLetter() {
        Runtime rt(deterministic());
        auto [isolate, port] = listener(rt, [](Value) {});
        isolate.inject(Fault::delay(10ms));
        rt.run_until_idle();
        port.send(1);
        rt.run_until_idle();
        isolate.kill(Priority::Immediate);
        rt.run_until_idle();
        rt.advance_time(10ms);
        QCOMPARE(dead_letters_for(rt, DeadLetterReason::IsolateDead), std::size_t{1});
    }

    // ...and is one as soon as the isolate ends, in the order sent, not when
    // its delay would have passed: nothing stays counted as queued for a
    // mailbox that is gone, nor is lost when the runtime stops first.
    void aDelayedMessageIsADeadLetterWhenItsIsolateEnds() {
        Runtime rt(deterministic());
        auto [isolate, port] = listener(rt, [](Value) {});
        isolate.inject(Fault::delay(1h));
        rt.run_until_idle();
        port.send(1);
        port.send(2);
        rt.run_until_idle();
        QCOMPARE(rt.message_stats().queued, std::uint64_t{2});
        isolate.kill(Priority::Immediate);
        rt.run_until_idle();
        const auto letters = rt.recent_dead_letters();
        QCOMPARE(letters.size(), std::size_t{2});
        QCOMPARE(letters[0].reason, DeadLetterReason::IsolateDead);
        QCOMPARE(letters[0].preview, std::string("1"));
        QCOMPARE(letters[1].preview, std::string("2"));
        QCOMPARE(rt.message_stats().queued, std::uint64_t{0});
        rt.advance_time(1h);  // the timers fire, and find nothing to let in
        QCOMPARE(rt.recent_dead_letters().size(), std::size_t{2});
    }

    // A pattern breaks every isolate it matches, and only those.
    void aPatternInjectsIntoEveryMatch() {
        auto cluster = Cluster::single_node(test::stepped());
        for (const char* path : {"/pool/a", "/pool/b", "/other"})
            cluster.runtime().block_on(cluster.spawn_isolate(path, [](Context& c) { c.on_message([](const Envelope&) {}); }));
        cluster.runtime().run_until_idle();
        QCOMPARE(cluster.inject(PathPattern::of("/pool/*"), Fault::crash()), std::size_t{2});
        cluster.runtime().run_until_idle();
        QVERIFY(!cluster.lookup(Path::of("/pool/a")));
        QVERIFY(!cluster.lookup(Path::of("/pool/b")));
        QVERIFY(cluster.lookup(Path::of("/other")));
        QCOMPARE(cluster.inject(PathPattern::of("/nothing/*"), Fault::crash()), std::size_t{0});
    }

    void describesItself() {
        QCOMPARE(Fault::delay(30ms).describe(), std::string("delay every message by 30 ms"));
        QCOMPARE(Fault::hang(200ms).describe(), std::string("hang for 200 ms"));
        QCOMPARE(fault_kind_name(Fault::Kind::ThrowOnNextMessage), std::string_view("throw"));
    }
};

QTEST_MAIN(TestFaults)
#include "tst_faults.moc"
