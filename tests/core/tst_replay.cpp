// Deterministic replay: a run recorded on a threaded runtime, where two
// senders race into one accumulator that crashes and is restarted, is
// re-executed and must deliver the same messages in the same order.

#include "support.h"

#include <iso/cluster.h>
#include <iso/observer.h>
#include <iso/replay.h>
#include <iso/supervision.h>

#include <QtTest>

using namespace iso;
using namespace std::chrono_literals;
using trace::Event;

namespace {

constexpr int kPerSender = 40;

/// Folds every number into its state, order-dependently and with random
/// draws, and reports the state to /sink; 13 makes it crash.
ClusterEntry accumulator(std::int64_t factor) {
    return [factor](Context& context) {
        auto state = std::make_shared<std::int64_t>(1);
        context.on_message([&context, state, factor](const Envelope& m) {
            const std::int64_t x = m.content.as_int();
            if (x == 13) throw std::runtime_error("unlucky number");
            *state = (*state * factor + x + static_cast<std::int64_t>(context.random() % 3)) % 1'000'003;
            context.lookup(Path::of("/sink"))->send(*state);
            m.reply(*state);
        });
    };
}

Future<void> send_numbers(Context& context, std::int64_t first) {
    auto acc = context.lookup(Path::of("/sup/acc"));
    for (std::int64_t i = first; i < first + kPerSender; ++i) {
        try {
            (void)co_await acc->ask(i, 300ms);
        } catch (const std::exception&) {
            // The accumulator crashed on it; the timeout says so. Go on.
        }
    }
    context.lookup(Path::of("/sink"))->send("end");
}

/// Entries as the recorded program registers them; `factor` changes the
/// accumulator to make a replay diverge on purpose.
void register_entries(Cluster& cluster, std::int64_t factor, std::shared_ptr<Promise<void>> finished = {}) {
    ChildSpec acc;
    acc.name = "acc";
    acc.entry = accumulator(factor);
    cluster.register_entry("sup", supervisor({}, {acc}));
    cluster.register_entry("sender", [](Context& context) {
        context.on_message([&context](const Envelope& m) { (void)send_numbers(context, m.content.as_int()); });
    });
    cluster.register_entry("sink", [finished](Context& context) {
        auto ends = std::make_shared<int>(0);
        context.on_message([finished, ends](const Envelope& m) {
            if (m.content == Value("end") && ++*ends == 2 && finished) finished->set_value();
        });
    });
}

/// Runs the program on a threaded cluster with recording on; returns its events.
std::vector<Event> record_run(trace::PayloadCapture capture = trace::PayloadCapture::Whole) {
    auto cluster = Cluster::single_node();
    ObserverOptions o;
    o.payload = capture;
    Observer observer(cluster.runtime(), o);
    auto sub = observer.subscribe(std::numeric_limits<std::size_t>::max());
    auto finished = std::make_shared<Promise<void>>();
    auto done = finished->future();
    register_entries(cluster, 31, finished);
    cluster.runtime().block_on(cluster.spawn_isolate("/sink", "sink"));
    cluster.runtime().block_on(cluster.spawn_isolate("/sup", "sup"));
    auto a = cluster.runtime().block_on(cluster.spawn_isolate("/a", "sender"));
    auto b = cluster.runtime().block_on(cluster.spawn_isolate("/b", "sender"));
    a.send(0);
    b.send(100);
    done.get();
    observer.poll();
    std::vector<Event> events;
    for (Batch& batch : sub->take_all())
        for (Event& e : batch.events) events.push_back(std::move(e));
    return events;
}

/// Runs `drive` on a stepped cluster with recording on; returns its events.
template <typename Setup, typename Drive> std::vector<Event> record_stepped(Setup setup, Drive drive) {
    auto cluster = Cluster::single_node(test::stepped());
    ObserverOptions o;
    o.interval = 0ms;
    o.payload = trace::PayloadCapture::Whole;
    Observer observer(cluster.runtime(), o);
    auto sub = observer.subscribe(std::numeric_limits<std::size_t>::max());
    setup(cluster);
    drive(cluster);
    cluster.runtime().run_until_idle();
    observer.poll();
    std::vector<Event> events;
    for (Batch& batch : sub->take_all())
        for (Event& e : batch.events) events.push_back(std::move(e));
    return events;
}

/// An isolate that forwards what it gets to /sink, with `tag` added.
void register_forwarder(Cluster& cluster, std::string tag, bool extra = false) {
    cluster.register_entry("forward", [tag, extra](Context& context) {
        context.on_message([&context, tag, extra](const Envelope& m) {
            auto sink = context.lookup(Path::of("/sink"));
            if (!sink) return;
            sink->send(Value::list({m.content, Value(tag)}));
            if (extra) sink->send("EXTRA");
        });
    });
    cluster.register_entry("sink", [](Context& context) { context.on_message([](const Envelope&) {}); });
}

trace::ReplayResult replay_with(const std::vector<Event>& events, std::function<void(Cluster&)> setup) {
    trace::ReplayOptions options;
    options.setup = std::move(setup);
    return trace::replay(events, options);
}

std::size_t count(const std::vector<Event>& events, trace::Kind kind) {
    return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](const Event& e) { return e.kind == kind; }));
}

} // namespace

class TestReplay : public QObject {
    Q_OBJECT

private slots:
    void replaysARunWithACrashAndRestart() {
        const auto events = record_run();
        QCOMPARE(count(events, trace::Kind::Restart), std::size_t{1});
        QCOMPARE(count(events, trace::Kind::Error), std::size_t{1});
        QVERIFY(count(events, trace::Kind::TimerFire) >= 1);  // the ask that met the crash timed out
        trace::ReplayOptions options;
        options.setup = [](Cluster& cluster) { register_entries(cluster, 31); };
        const auto result = trace::replay(events, options);
        QVERIFY2(result.identical(), result.divergence ? result.divergence->describe().c_str() : "");
        QVERIFY(result.isolates >= 6);  // sink, sup, acc twice, a, b
        QVERIFY(result.deliveries >= 2 * kPerSender * 2);
    }

    // A recording that stops while a handler runs holds what the handler
    // sent (and its receiver's handling) but not the handling itself, which
    // is written when it ends: the replay stops all lanes at that send.
    void aHandlingCutShortEndsTheReplayAtItsSends() {
        auto events = record_run();
        std::unordered_map<std::uint64_t, std::size_t> handle_of;  // message -> index of its Handle
        for (std::size_t i = 0; i < events.size(); ++i)
            if (events[i].kind == trace::Kind::Handle && events[i].message != 0) handle_of[events[i].message] = i;
        // The latest send made by a handled message and itself handled.
        std::size_t send = events.size();
        for (std::size_t i = 0; i < events.size(); ++i)
            if (events[i].kind == trace::Kind::Send && handle_of.contains(events[i].cause) &&
                handle_of.contains(events[i].message) && (send == events.size() || events[i].time > events[send].time))
                send = i;
        QVERIFY(send < events.size());
        events.erase(events.begin() + static_cast<std::ptrdiff_t>(handle_of.at(events[send].cause)));
        trace::ReplayOptions options;
        options.setup = [](Cluster& cluster) { register_entries(cluster, 31); };
        const auto result = trace::replay(events, options);
        QVERIFY2(result.identical(), result.divergence ? result.divergence->describe().c_str() : "");
        QVERIFY(result.cut_lanes > 0);
    }

    void namesTheFirstDivergence() {
        const auto events = record_run();
        trace::ReplayOptions options;
        options.setup = [](Cluster& cluster) { register_entries(cluster, 37); };
        const auto result = trace::replay(events, options);
        QVERIFY(!result.identical());
        // The accumulator's own deliveries are the same; what it sends on differs first.
        const auto& d = *result.divergence;
        QVERIFY2(d.path == "/sink" || d.path == "/a" || d.path == "/b", d.describe().c_str());
        QVERIFY(!d.recorded.empty());
        QVERIFY(d.recorded != d.replayed);
        QVERIFY(d.describe().find(d.path) == 0);
    }

    // Sent while the receiver was still starting: the message waits in the
    // cluster, and the replay must send it again all the same.
    void outsideSendToAStartingIsolate() {
        auto setup = [](Cluster& c) { register_forwarder(c, "x"); };
        const auto events = record_stepped(setup, [](Cluster& c) {
            (void)c.spawn_isolate("/sink", "sink");
            (void)c.spawn_isolate("/f", "forward");
            c.lookup(Path::of("/f"))->send(1);  // nothing has run yet
        });
        const auto result = replay_with(events, setup);
        QVERIFY2(result.identical(), result.divergence ? result.divergence->describe().c_str() : "");
        QCOMPARE(result.deliveries, std::size_t{2});
    }

    // A replay that sends something the recording never had is caught, and
    // the report shows what it sent. (What is sent while handling a lane's
    // last recorded delivery may be past a recording's end: not counted.)
    void extraMessagesAreADivergence() {
        const auto events = record_stepped([](Cluster& c) { register_forwarder(c, "x"); }, [](Cluster& c) {
            c.runtime().block_on(c.spawn_isolate("/sink", "sink"));
            auto f = c.runtime().block_on(c.spawn_isolate("/f", "forward"));
            f.send(1);
            f.send(2);
        });
        const auto result = replay_with(events, [](Cluster& c) { register_forwarder(c, "x", true); });
        QVERIFY(!result.identical());
        QCOMPARE(result.divergence->path, std::string("/sink"));
        QCOMPARE(result.divergence->index, std::size_t{2});
        QVERIFY2(result.divergence->replayed.find("EXTRA") != std::string::npos, result.divergence->describe().c_str());
        // Different content: the report names both.
        const auto changed = replay_with(events, [](Cluster& c) { register_forwarder(c, "y"); });
        QVERIFY(!changed.identical());
        QVERIFY(changed.divergence->recorded.find("\"x\"") != std::string::npos);
        QVERIFY2(changed.divergence->replayed.find("\"y\"") != std::string::npos,
                 changed.divergence->describe().c_str());
    }

    // One path borne by two isolates in turn (spawned again after the
    // first ended): two lanes, replayed in their order.
    void aPathSpawnedAgain() {
        auto setup = [](Cluster& c) { register_forwarder(c, "x"); };
        const auto events = record_stepped(setup, [](Cluster& c) {
            c.runtime().block_on(c.spawn_isolate("/sink", "sink"));
            c.runtime().block_on(c.spawn_isolate("/f", "forward")).send(1);
            c.runtime().run_until_idle();
            QVERIFY(c.kill(Path::of("/f")));
            c.runtime().run_until_idle();
            c.runtime().block_on(c.spawn_isolate("/f", "forward")).send(2);
        });
        const auto result = replay_with(events, setup);
        QVERIFY2(result.identical(), result.divergence ? result.divergence->describe().c_str() : "");
        QCOMPARE(result.isolates, std::size_t{3});
    }

    // Outside messages to different isolates go in in the recorded order.
    void outsideInputKeepsItsOrderAcrossIsolates() {
        auto setup = [](Cluster& c) {
            register_forwarder(c, "x");
            c.register_entry("parent", [](Context& context) -> Future<void> {
                co_await context.spawn_child("c", "forward");
                context.on_message([&context](const Envelope&) { context.shutdown_isolate(); });
            });
        };
        const auto events = record_stepped(setup, [](Cluster& c) {
            c.runtime().block_on(c.spawn_isolate("/sink", "sink"));
            c.runtime().block_on(c.spawn_isolate("/p", "parent"));
            c.lookup(Path::of("/p/c"))->send(1);
            c.runtime().run_until_idle();
            c.lookup(Path::of("/p"))->send("end");  // ends /p, and with it /p/c
        });
        const auto result = replay_with(events, setup);
        QVERIFY2(result.identical(), result.divergence ? result.divergence->describe().c_str() : "");
    }

    void needsWholePayloads() {
        const auto events = record_run(trace::PayloadCapture::None);
        trace::ReplayOptions options;
        options.setup = [](Cluster& cluster) { register_entries(cluster, 31); };
        try {
            (void)trace::replay(events, options);
            QFAIL("a recording without whole payloads replayed");
        } catch (const trace::ReplayError& e) {
            QVERIFY2(std::string(e.what()).find("whole") != std::string::npos, e.what());
        }
    }

    void needsNamedEntries() {
        auto cluster = Cluster::single_node(test::stepped());
        ObserverOptions o;
        o.interval = 0ms;
        o.payload = trace::PayloadCapture::Whole;
        Observer observer(cluster.runtime(), o);
        auto sub = observer.subscribe();
        auto ref = cluster.runtime().block_on(
            cluster.spawn_isolate("/anon", [](Context& c) { c.on_message([](const Envelope&) {}); }));
        ref.send(1);
        cluster.runtime().run_until_idle();
        observer.poll();
        std::vector<Event> events;
        for (Batch& b : sub->take_all())
            for (Event& e : b.events) events.push_back(std::move(e));
        QVERIFY_THROWS_EXCEPTION(trace::ReplayError, trace::replay(events, {}));
        try {
            (void)trace::replay(std::vector<Event>{}, {});
            QFAIL("an empty recording replayed");
        } catch (const trace::ReplayError& e) {
            QVERIFY2(std::string(e.what()).find("holds no events") != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestReplay)
#include "tst_replay.moc"
