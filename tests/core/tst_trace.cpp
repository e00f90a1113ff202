// Trace events and the observer: what the runtime says about itself, the
// snapshot it keeps, and subscribers that fall behind.
// Deterministic runtimes and manual polls: no sleeps, no timing.

#include "support.h"

#include <iso/cluster.h>
#include <iso/observer.h>
#include <iso/supervision.h>
#include <iso/timer.h>

#include <QtTest>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <latch>
#include <thread>

using namespace iso;
using namespace std::chrono_literals;
using test::stepped;
using trace::Event;
using EventKind = trace::Kind;

namespace {

ObserverOptions manual(trace::PayloadCapture payload = trace::PayloadCapture::None) {
    ObserverOptions o;
    o.interval = 0ms;
    o.payload = payload;
    return o;
}

std::vector<Event> drain(Observer& observer, Subscription& subscription) {
    observer.poll();
    std::vector<Event> out;
    for (Batch& b : subscription.take_all())
        for (Event& e : b.events) out.push_back(std::move(e));
    return out;
}

std::vector<Event> of_kind(const std::vector<Event>& events, EventKind kind) {
    std::vector<Event> out;
    std::copy_if(events.begin(), events.end(), std::back_inserter(out), [&](const Event& e) { return e.kind == kind; });
    return out;
}

/// The isolate id a Path event gave `path`.
IsolateId id_of(const std::vector<Event>& events, std::string_view path) {
    for (const Event& e : events)
        if (e.kind == EventKind::Path && e.field(0) == path) return e.isolate;
    return 0;
}

/// Sends `each` messages from each of `senders` plain threads to one
/// isolate, which closes its port after the last; returns once that
/// isolate has ended, so that its last handling is traced.
void flood_one_isolate(Runtime& rt, int senders, int each) {
    int received = 0;                    // the receiving isolate's
    std::optional<RawReceivePort> port;  // the receiving isolate's
    Promise<SendPort> opened;
    auto port_ready = opened.future();
    rt.spawn([&](Value) {
        port.emplace([&](Value) {
            if (++received == senders * each) port->close();
        });
        opened.set_value(port->send_port());
    });
    const SendPort sink = port_ready.get();
    std::vector<std::thread> threads;
    for (int t = 0; t < senders; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < each; ++i) sink.send(i);
        });
    for (auto& t : threads) t.join();
    rt.wait_until_idle();
}

/// A server that answers every ask with its content plus one.
void adder(Context& context) {
    context.on_message([](const Envelope& m) { m.reply(m.content.as_int() + 1); });
}

/// A client that asks /server on every message and forwards the answer to /sink.
void client(Context& context) {
    context.on_message([&context](const Envelope& m) {
        (void)context.lookup(Path::parse("/server").value())->ask(m.content, 1s).then([&context](Value answer) {
            context.lookup(Path::parse("/sink").value())->send(answer);
        });
    });
}

} // namespace

class TestTrace : public QObject {
    Q_OBJECT

private slots:
    void histogramQuantiles() {
        Histogram h;
        QCOMPARE(h.quantile(0.5), std::uint64_t{0});
        for (std::uint64_t v = 1; v <= 1000; ++v) h.add(v * 1000);  // 1 µs .. 1 ms
        QCOMPARE(h.count(), std::uint64_t{1000});
        QCOMPARE(h.max(), std::uint64_t{1'000'000});
        // Log-linear buckets: within a quarter of the truth, never below it.
        for (auto [q, truth] : {std::pair{0.5, 500'000.0}, {0.9, 900'000.0}, {0.99, 990'000.0}}) {
            const double got = static_cast<double>(h.quantile(q));
            QVERIFY2(got >= truth && got <= truth * 1.25, qPrintable(QString("q%1: %2").arg(q).arg(got)));
        }
        QCOMPARE(h.quantile(1.0), std::uint64_t{1'000'000});
        Histogram small;
        small.add(0);
        small.add(3);
        QCOMPARE(small.quantile(0.5), std::uint64_t{0});
        QCOMPARE(small.quantile(1.0), std::uint64_t{3});
    }

    // Two isolates' histograms merged hold both; a later copy less an
    // earlier one holds what came between, with the quantiles of that alone.
    void histogramMergeAndSince() {
        Histogram fast, slow;
        for (int i = 0; i < 90; ++i) fast.add(1'000);
        for (int i = 0; i < 10; ++i) slow.add(1'000'000);
        Histogram both = fast;
        both.merge(slow);
        QCOMPARE(both.count(), std::uint64_t{100});
        QCOMPARE(both.max(), std::uint64_t{1'000'000});
        QVERIFY(both.quantile(0.9) < 1'250);
        QVERIFY(both.quantile(0.91) >= 1'000'000);

        const Histogram earlier = both;
        for (int i = 0; i < 4; ++i) both.add(20'000);
        const Histogram recent = both.since(earlier);
        QCOMPARE(recent.count(), std::uint64_t{4});
        QVERIFY(recent.quantile(0.5) >= 20'000 && recent.quantile(0.5) <= 25'000);
        QVERIFY(recent.max() >= 20'000 && recent.max() <= 25'000);
        QCOMPARE(both.since(both).count(), std::uint64_t{0});
        QCOMPARE(both.since(both).quantile(0.99), std::uint64_t{0});
        // Not an earlier copy: what it has more of counts nothing.
        QCOMPARE(fast.since(both).count(), std::uint64_t{0});
    }

    // Every message of an ask chain: its send, enqueue and handling, with
    // the cause of each send being the message whose handling sent it.
    void messagesCarryIdsAndCauses() {
        auto cluster = Cluster::single_node(stepped());
        Observer observer(cluster.runtime(), manual(trace::PayloadCapture::Whole));
        auto sub = observer.subscribe();
        std::vector<Value> sunk;
        cluster.runtime().block_on(cluster.spawn_isolate("/server", adder));
        cluster.runtime().block_on(cluster.spawn_isolate("/sink", [&sunk](Context& c) {
            c.on_message([&sunk](const Envelope& m) { sunk.push_back(m.content); });
        }));
        auto c = cluster.runtime().block_on(cluster.spawn_isolate("/client", client));
        c.send(41);
        cluster.runtime().run_until_idle();
        QCOMPARE(sunk, std::vector<Value>{Value(42)});
        const auto events = drain(observer, *sub);

        const IsolateId server = id_of(events, "/server"), sink = id_of(events, "/sink"), cli = id_of(events, "/client");
        QVERIFY(server != 0 && sink != 0 && cli != 0);
        std::map<std::uint64_t, Event> sends;
        for (const Event& e : of_kind(events, EventKind::Send)) {
            QVERIFY(e.message != 0);
            QVERIFY2(sends.emplace(e.message, e).second, "message ids are unique");
        }
        // Every handled message was sent into its receiver's mailbox (by
        // the Send, or by an Enqueue after it), and handled after that.
        std::map<std::uint64_t, std::uint64_t> enqueued_at;
        for (const Event& e : of_kind(events, EventKind::Enqueue)) enqueued_at[e.message] = e.time;
        for (const auto& [id, e] : sends)
            if (e.arg != 0) QVERIFY2(enqueued_at.emplace(id, e.time).second, "enqueued once");
        int handled = 0;
        for (const Event& e : of_kind(events, EventKind::Handle)) {
            if (e.arg != static_cast<std::uint32_t>(trace::HandleKind::Message)) continue;
            ++handled;
            QVERIFY(sends.contains(e.message));
            QCOMPARE(sends[e.message].peer, e.isolate);
            QVERIFY(enqueued_at.contains(e.message));
            QVERIFY(enqueued_at[e.message] >= sends[e.message].time && e.time >= enqueued_at[e.message]);
        }
        QVERIFY(handled >= 3);
        // The chain: outside -> client (41) -> server (ask) -> reply -> sink (42).
        auto to = [&](IsolateId who) {
            std::vector<Event> out;
            for (const auto& [id, e] : sends)
                if (e.peer == who) out.push_back(e);
            return out;
        };
        const auto to_client = to(cli);
        auto first = std::find_if(to_client.begin(), to_client.end(), [](const Event& e) { return e.isolate == 0; });
        QVERIFY2(first != to_client.end(), "the outside send to /client");
        QVERIFY(first->text.find("41") != std::string::npos);
        const auto to_server = to(server);
        QCOMPARE(to_server.size(), std::size_t{1});
        QCOMPARE(to_server[0].isolate, cli);
        QCOMPARE(to_server[0].cause, first->message);
        const auto to_sink = to(sink);
        QCOMPARE(to_sink.size(), std::size_t{1});
        QCOMPARE(to_sink[0].isolate, cli);
        QVERIFY(to_sink[0].text.find("42") != std::string::npos);
        // The reply (server -> client's reply port) caused the forward to the sink.
        const Event& reply = sends.at(to_sink[0].cause);
        QCOMPARE(reply.isolate, server);
        QCOMPARE(reply.cause, to_server[0].message);
        // A Handle is written when its handler ends, but comes out where it
        // began: one thread's events, in time order.
        QVERIFY(std::is_sorted(events.begin(), events.end(),
                               [](const Event& a, const Event& b) { return a.time < b.time; }));
        const auto sent_by_server = std::find_if(sends.begin(), sends.end(), [&](const auto& s) {
            return s.second.isolate == server;
        });
        QVERIFY(sent_by_server != sends.end());
        const auto handles = of_kind(events, EventKind::Handle);
        QVERIFY(std::any_of(handles.begin(), handles.end(), [&](const Event& h) {
            const Event& send = sent_by_server->second;
            return h.isolate == server && h.message == send.cause && h.time < send.time &&
                   send.time <= h.time + h.peer;
        }));
    }

    // A subscriber that takes only some kinds gets just those, in the same
    // batches, while another still gets everything.
    void aSubscriberTakesOnlyTheKindsItAsksFor() {
        auto cluster = Cluster::single_node(stepped());
        Observer observer(cluster.runtime(), manual());
        auto everything = observer.subscribe();
        auto lifecycles = observer.subscribe(1 << 20, false, trace::KindSet::all().without({EventKind::Send, EventKind::Handle}));
        cluster.runtime().block_on(cluster.spawn_isolate("/server", adder));
        cluster.runtime().block_on(cluster.spawn_isolate("/sink", [](Context& c) { c.on_message([](const Envelope&) {}); }));
        auto c = cluster.runtime().block_on(cluster.spawn_isolate("/client", client));
        c.send(41);
        cluster.runtime().run_until_idle();
        observer.poll();
        std::vector<Event> all, some;
        std::size_t batches_all = 0, batches_some = 0;
        for (Batch& b : everything->take_all()) ++batches_all, all.insert(all.end(), b.events.begin(), b.events.end());
        for (Batch& b : lifecycles->take_all()) ++batches_some, some.insert(some.end(), b.events.begin(), b.events.end());
        QCOMPARE(batches_some, batches_all);
        QVERIFY(!of_kind(all, EventKind::Send).empty());
        QVERIFY(!of_kind(all, EventKind::Handle).empty());
        QVERIFY(of_kind(some, EventKind::Send).empty());
        QVERIFY(of_kind(some, EventKind::Handle).empty());
        QCOMPARE(of_kind(some, EventKind::Path).size(), of_kind(all, EventKind::Path).size());
        QCOMPARE(some.size(), all.size() - of_kind(all, EventKind::Send).size() - of_kind(all, EventKind::Handle).size());
    }

    void offCostsNothingButTheSnapshotStillSeesIsolates() {
        auto cluster = Cluster::single_node(stepped());
        ObserverOptions o = manual();
        o.tracing = false;
        Observer observer(cluster.runtime(), o);
        auto sub = observer.subscribe();
        auto ref = cluster.runtime().block_on(cluster.spawn_isolate("/server", adder));
        for (int i = 0; i < 10; ++i) ref.send(i);
        cluster.runtime().run_until_idle();
        QVERIFY(drain(observer, *sub).empty());
        const auto snap = observer.snapshot();
        QVERIFY(std::any_of(snap.isolates.begin(), snap.isolates.end(),
                            [](const IsolateMetrics& m) { return m.name == "/server"; }));
        // Switched on at run time, it sees what comes next.
        observer.set_tracing(true);
        ref.send(1);
        cluster.runtime().run_until_idle();
        QCOMPARE(of_kind(drain(observer, *sub), EventKind::Handle).size(), std::size_t{1});
    }

    // With tracing off no Error event comes, yet the snapshot and a late
    // subscriber's full delta still count the error the runtime counted.
    void errorsCountWithTracingOff() {
        Runtime rt(test::deterministic());
        ObserverOptions o = manual();
        o.tracing = false;
        Observer observer(rt, o);
        SpawnOptions forgiving;
        forgiving.errors_are_fatal = false;
        forgiving.debug_name = "thrower";
        // It fails later, on a timer, between two polls that both find it
        // idle with an empty mailbox: only its error count changes.
        rt.spawn([](Value) {
            RawReceivePort keep_alive([](Value) {});
            (void)Timer::once(10ms, [] { throw std::runtime_error("no"); });
        }, {}, forgiving);
        rt.run_until_idle();
        observer.poll();
        rt.advance_time(10ms);
        rt.run_until_idle();
        observer.poll();
        const auto errors_of = [](const std::vector<IsolateMetrics>& isolates) {
            for (const IsolateMetrics& m : isolates)
                if (m.name == "thrower") return m.errors;
            return std::uint64_t{99};
        };
        QCOMPARE(errors_of(observer.snapshot().isolates), std::uint64_t{1});
        auto late = observer.subscribe();
        observer.poll();
        const std::vector<Batch> batches = late->take_all();
        QVERIFY(!batches.empty() && batches.front().delta.full);
        QCOMPARE(errors_of(batches.front().delta.changed), std::uint64_t{1});
    }

    // The snapshot follows the deltas: an isolate that ends is listed once
    // as exited, then not at all; the list stays in id order; and a late
    // subscriber's full delta lists what the snapshot lists.
    void theSnapshotFollowsTheDeltas() {
        Runtime rt(test::deterministic());
        Observer observer(rt, manual());
        std::vector<Isolate> spawned;
        for (const char* name : {"a", "b", "c"}) {
            SpawnOptions named;
            named.debug_name = name;
            // An open port keeps each alive.
            spawned.push_back(rt.spawn([](Value) { RawReceivePort([](Value) {}); }, {}, named));
        }
        rt.run_until_idle();
        observer.poll();
        const auto listed = [](const std::vector<IsolateMetrics>& isolates) {
            std::vector<std::string> out;
            for (const IsolateMetrics& m : isolates)
                out.push_back(m.name + (m.state == IsolateState::Exited ? " (exited)" : ""));
            return out;
        };
        const auto in_id_order = [](const std::vector<IsolateMetrics>& isolates) {
            return std::is_sorted(isolates.begin(), isolates.end(),
                                  [](const IsolateMetrics& x, const IsolateMetrics& y) { return x.id < y.id; });
        };
        QCOMPARE(listed(observer.snapshot().isolates), (std::vector<std::string>{"a", "b", "c"}));

        spawned[1].kill(Priority::Immediate);
        rt.run_until_idle();
        observer.poll();
        QCOMPARE(listed(observer.snapshot().isolates), (std::vector<std::string>{"a", "b (exited)", "c"}));
        observer.poll();
        const ClusterSnapshot snap = observer.snapshot();
        QCOMPARE(listed(snap.isolates), (std::vector<std::string>{"a", "c"}));
        QVERIFY(in_id_order(snap.isolates));

        auto late = observer.subscribe();
        observer.poll();
        const std::vector<Batch> batches = late->take_all();
        QVERIFY(!batches.empty() && batches.front().delta.full);
        QCOMPARE(listed(batches.front().delta.changed), (std::vector<std::string>{"a", "c"}));
    }

    // An isolate there before the observer, first heard of through the
    // events of a message, still gets its debug name.
    void isolatesFromBeforeTheObserverHaveTheirNames() {
        auto cluster = Cluster::single_node(stepped());
        auto ref = cluster.runtime().block_on(cluster.spawn_isolate("/server", adder));
        Observer observer(cluster.runtime(), manual());
        auto sub = observer.subscribe();
        ref.send(1);
        cluster.runtime().run_until_idle();
        observer.poll();
        const auto snap = observer.snapshot();
        QVERIFY(std::any_of(snap.isolates.begin(), snap.isolates.end(),
                            [](const IsolateMetrics& m) { return m.name == "/server" && m.messages_in == 1; }));
    }

    void filterByPathPrefix() {
        auto cluster = Cluster::single_node(stepped());
        Observer observer(cluster.runtime(), manual());
        auto sub = observer.subscribe();
        observer.set_filter({Path::parse("/a").value()});
        auto a = cluster.runtime().block_on(cluster.spawn_isolate("/a/x", adder));
        auto b = cluster.runtime().block_on(cluster.spawn_isolate("/b", adder));
        a.send(1);
        b.send(1);
        cluster.runtime().run_until_idle();
        auto events = drain(observer, *sub);
        const IsolateId ax = id_of(events, "/a/x");
        QVERIFY(ax != 0);
        QCOMPARE(id_of(events, "/b"), IsolateId{0});
        for (const Event& e : of_kind(events, EventKind::Handle)) QCOMPARE(e.isolate, ax);
        // Changing the filter applies to isolates that already run.
        observer.set_filter({Path::parse("/b").value()});
        a.send(2);
        b.send(2);
        cluster.runtime().run_until_idle();
        events = drain(observer, *sub);
        const auto begins = of_kind(events, EventKind::Handle);
        QVERIFY(!begins.empty());
        for (const Event& e : begins) QVERIFY(e.isolate != ax);
        observer.set_filter({});
        a.send(3);
        cluster.runtime().run_until_idle();
        events = drain(observer, *sub);
        QCOMPARE(of_kind(events, EventKind::Handle).size(), std::size_t{1});
    }

    void payloadCapture() {
        auto cluster = Cluster::single_node(stepped());
        Observer observer(cluster.runtime(), manual());
        auto sub = observer.subscribe();
        auto ref = cluster.runtime().block_on(
            cluster.spawn_isolate("/sink", [](Context& c) { c.on_message([](const Envelope&) {}); }));
        const std::string long_text(1000, 'x');
        auto sent_text = [&] {
            ref.send(long_text);
            cluster.runtime().run_until_idle();
            for (const Event& e : of_kind(drain(observer, *sub), EventKind::Send))
                if (e.isolate == 0) return e;
            return Event{};
        };
        const Event none = sent_text();
        QVERIFY(none.message != 0);
        QVERIFY(none.text.empty());
        observer.set_payload_capture(trace::PayloadCapture::Prefix, 40);
        Event prefix = sent_text();
        QCOMPARE(prefix.text.size(), std::size_t{40});
        QVERIFY(prefix.has(trace::Flag::PayloadTruncated));
        observer.set_payload_capture(trace::PayloadCapture::Whole);
        Event whole = sent_text();
        QVERIFY(!whole.has(trace::Flag::PayloadTruncated));
        QVERIFY(whole.text.find(long_text) != std::string::npos);
        const auto parsed = Value::from_json(whole.text);
        QVERIFY(parsed.has_value());
    }

    // Errors, restarts, kills, pauses, timers and dead letters are events,
    // and the snapshot's metrics count them.
    void lifecycleEventsAndMetrics() {
        auto cluster = Cluster::single_node(stepped());
        Observer observer(cluster.runtime(), manual());
        auto sub = observer.subscribe();
        ChildSpec worker;
        worker.name = "w";
        worker.entry = [](Context& c) {
            c.on_message([](const Envelope& m) {
                if (m.content == Value("crash")) throw std::runtime_error("told to crash");
            });
        };
        cluster.runtime().block_on(cluster.spawn_isolate("/sup", supervisor({}, {worker})));
        auto w = cluster.lookup(Path::parse("/sup/w").value()).value();
        w.send("hello");
        w.send("crash");
        cluster.runtime().run_until_idle();
        auto events = drain(observer, *sub);
        QCOMPARE(of_kind(events, EventKind::Error).size(), std::size_t{1});
        QCOMPARE(of_kind(events, EventKind::Error)[0].field(0), std::string_view("told to crash"));
        QCOMPARE(of_kind(events, EventKind::Down).size(), std::size_t{1});
        QCOMPARE(of_kind(events, EventKind::Restart).size(), std::size_t{1});
        QCOMPARE(of_kind(events, EventKind::Restart)[0].text, std::string("/sup/w"));
        QVERIFY(!of_kind(events, EventKind::Exit).empty());
        // Two incarnations of /sup/w, the second numbered 1, supervised by /sup.
        std::vector<Event> paths;
        for (const Event& e : of_kind(events, EventKind::Path))
            if (e.field(0) == "/sup/w") paths.push_back(e);
        QCOMPARE(paths.size(), std::size_t{2});
        QCOMPARE(paths[1].arg, std::uint32_t{1});
        QCOMPARE(paths[1].field(1), std::string_view("/sup"));

        auto snap = observer.snapshot();
        const IsolateMetrics* now = snap.find(paths[1].isolate);
        QVERIFY(now != nullptr);
        QCOMPARE(now->restarts, std::uint64_t{1});
        QCOMPARE(now->path, std::string("/sup/w"));
        QCOMPARE(now->supervisor, id_of(events, "/sup"));
        // Kill and dead letters.
        w.send("again");
        cluster.runtime().run_until_idle();
        QVERIFY(cluster.kill(Path::parse("/sup/w").value()));
        cluster.runtime().run_until_idle();
        events = drain(observer, *sub);
        QCOMPARE(of_kind(events, EventKind::Kill).size(), std::size_t{1});
        QCOMPARE(of_kind(events, EventKind::Kill)[0].isolate, paths[1].isolate);
        QCOMPARE(of_kind(events, EventKind::Kill)[0].peer, std::uint64_t{0});  // from outside isolates
        snap = observer.snapshot();
        const IsolateMetrics* killed = snap.find(paths[1].isolate);
        QVERIFY(killed == nullptr || killed->state == IsolateState::Exited);
        const IsolateMetrics* third = nullptr;
        for (const auto& m : snap.isolates)
            if (m.path == "/sup/w" && m.state != IsolateState::Exited) third = &m;
        QVERIFY(third != nullptr);
        QCOMPARE(third->restarts, std::uint64_t{2});
    }

    void metricsCountMessagesAndTime() {
        auto cluster = Cluster::single_node(stepped());
        Observer observer(cluster.runtime(), manual());
        auto sub = observer.subscribe();
        auto ref = cluster.runtime().block_on(cluster.spawn_isolate("/server", adder));
        for (int i = 0; i < 50; ++i) ref.send(i);  // no reply_to: 50 replies are dead letters
        cluster.runtime().run_until_idle();
        observer.poll();
        const auto snap = observer.snapshot();
        const IsolateMetrics* m = nullptr;
        for (const auto& i : snap.isolates)
            if (i.path == "/server") m = &i;
        QVERIFY(m != nullptr);
        QCOMPARE(m->messages_in, std::uint64_t{50});
        QCOMPARE(m->messages_out, std::uint64_t{50});
        QCOMPARE(m->dead_letters, std::uint64_t{50});
        QVERIFY(m->handle_time.count() >= 50);
        QVERIFY(m->handle_time.quantile(0.5) <= m->handle_time.quantile(0.99));
        QVERIFY(m->handle_time.quantile(0.99) <= m->handle_time.max());
        QVERIFY(m->busy_ns > 0);
        QCOMPARE(m->mailbox_depth, std::size_t{0});
        QCOMPARE(m->state, IsolateState::Idle);
        QVERIFY(snap.messages_total >= 50);
        QVERIFY(snap.rss_bytes > 0);
        QVERIFY(snap.runtime_bytes > 0);
        QVERIFY(!snap.threads.empty());
        for (const auto& t : snap.threads) QVERIFY(t.utilisation >= 0 && t.utilisation <= 1);
        (void)sub;
    }

    // A subscriber that stops reading is told what it missed, gets a full
    // snapshot again, and never holds the runtime up.
    void slowSubscriberGetsAGapMarker() {
        auto cluster = Cluster::single_node(stepped());
        Observer observer(cluster.runtime(), manual());
        auto slow = observer.subscribe(20);
        auto fast = observer.subscribe();
        auto ref = cluster.runtime().block_on(cluster.spawn_isolate("/server", adder));
        observer.poll();
        auto first = slow->take_all();
        QVERIFY(!first.empty());
        QVERIFY(first[0].delta.full);
        QCOMPARE(first[0].missed_batches, std::uint64_t{0});
        std::size_t fast_events = 0;
        for (auto& b : fast->take_all()) fast_events += b.events.size();
        std::size_t produced = 0;
        for (int round = 0; round < 5; ++round) {
            for (int i = 0; i < 10; ++i) ref.send(i);
            cluster.runtime().run_until_idle();
            observer.poll();
        }
        for (auto& b : fast->take_all()) produced += b.events.size();
        QVERIFY(produced > 100);
        auto queued = slow->take_all();
        QCOMPARE(queued.size(), std::size_t{1});  // the first batch fits; the rest were dropped
        ref.send(0);
        cluster.runtime().run_until_idle();
        observer.poll();
        auto after = slow->take_all();
        QCOMPARE(after.size(), std::size_t{1});
        QCOMPARE(after[0].missed_batches, std::uint64_t{4});
        std::size_t kept = queued[0].events.size();
        QCOMPARE(after[0].missed_events + kept, produced);
        QVERIFY(after[0].delta.full);
        QVERIFY(std::any_of(after[0].delta.changed.begin(), after[0].delta.changed.end(),
                            [](const IsolateMetrics& m) { return m.path == "/server"; }));
        (void)fast_events;
    }

    // A producer whose buffer is full loses events, never waits, and the
    // loss is reported as a gap.
    void fullThreadBufferBecomesAGap() {
        auto cluster = Cluster::single_node(stepped());
        ObserverOptions o = manual();
        o.thread_buffer_records = 1024;
        Observer observer(cluster.runtime(), o);
        auto sub = observer.subscribe();
        auto ref = cluster.runtime().block_on(cluster.spawn_isolate("/server", adder));
        for (int i = 0; i < 2000; ++i) ref.send(i);
        cluster.runtime().run_until_idle();
        const auto events = drain(observer, *sub);
        const auto gaps = of_kind(events, EventKind::Gap);
        QCOMPARE(gaps.size(), std::size_t{1});
        QVERIFY(gaps[0].peer > 0);
        QCOMPARE(gaps[0].arg, static_cast<std::uint32_t>(trace::GapSource::ThreadBuffer));
        QCOMPARE(observer.snapshot().events_lost, gaps[0].peer);
    }

    // Threads that send and end leave no buffer behind once it is drained.
    void buffersOfEndedThreadsAreFreed() {
        Runtime rt(test::deterministic());
        Observer observer(rt, manual());
        std::vector<Value> inbox;
        const SendPort sink = test::probe(rt, inbox);
        constexpr int threads = 8;
        std::vector<std::thread> senders;
        std::latch sent(threads), release(1);
        for (int t = 0; t < threads; ++t)
            senders.emplace_back([&] {
                sink.send(1);
                sent.count_down();
                release.wait();  // all alive at once: a buffer each
            });
        sent.wait();
        observer.poll();
        QVERIFY(observer.snapshot().threads.size() >= std::size_t{threads});
        release.count_down();
        for (auto& s : senders) s.join();
        rt.run_until_idle();
        observer.poll();  // drains what the ended threads wrote, then frees their buffers
        observer.poll();
        QCOMPARE(inbox.size(), std::size_t{threads});
        QVERIFY2(observer.snapshot().threads.size() <= 2, qPrintable(QString::number(observer.snapshot().threads.size())));
    }

    void oneObserverPerRuntime() {
        Runtime rt(test::deterministic());
        Observer first(rt, manual());
        QVERIFY_THROWS_EXCEPTION(StateError, Observer(rt, manual()));
    }

    // Producers on several threads, a monitor thread draining: every
    // event of every thread arrives once (run under TSan for the races).
    void monitorThreadDrainsManyProducers() {
        Runtime rt(RuntimeOptions{});
        ObserverOptions o;
        o.interval = 1ms;
        Observer observer(rt, o);
        auto sub = observer.subscribe();
        constexpr int senders = 4, each = 2000;
        flood_one_isolate(rt, senders, each);
        observer.poll();
        std::set<std::uint64_t> handled;
        std::size_t lost = 0;
        for (auto& b : sub->take_all())
            for (auto& e : b.events) {
                if (e.kind == EventKind::Handle && e.message != 0) QVERIFY(handled.insert(e.message).second);
                if (e.kind == EventKind::Gap) lost += e.peer;
            }
        QVERIFY(lost > 0 || handled.size() == std::size_t{senders * each});
        QVERIFY(handled.size() > 0);
    }

    // Buffers far too small for the burst, drained only every 50 ms: with
    // full_wait the producers wait for the monitor instead of dropping, and
    // every message shows, sent once and handled once.
    void producersWaitForRoomWhenAsked() {
        Runtime rt(RuntimeOptions{.threads = 2});
        ObserverOptions o;
        o.interval = 50ms;
        o.thread_buffer_records = 1024;
        o.full_wait = std::chrono::seconds(30);
        Observer observer(rt, o);
        auto sub = observer.subscribe(std::size_t(1) << 24);
        constexpr int senders = 3, each = 20'000;
        flood_one_isolate(rt, senders, each);
        observer.poll();
        std::set<std::uint64_t> sent, handled;
        for (auto& b : sub->take_all()) {
            QCOMPARE(b.missed_events, std::uint64_t{0});
            // Made of many drains of three threads' buffers, and in order.
            QVERIFY(std::is_sorted(b.events.begin(), b.events.end(),
                                   [](const Event& x, const Event& y) { return x.time < y.time; }));
            for (auto& e : b.events) {
                QVERIFY2(e.kind != EventKind::Gap, "no event was dropped");
                if (e.kind == EventKind::Send) QVERIFY(sent.insert(e.message).second);
                if (e.kind == EventKind::Handle && e.message != 0) QVERIFY(handled.insert(e.message).second);
            }
        }
        QCOMPARE(observer.snapshot().events_lost, std::uint64_t{0});
        QCOMPARE(sent.size(), std::size_t{senders * each});
        QCOMPARE(handled, sent);
    }

    // A whole subscriber with room for a thousand events, which reads
    // nothing until the flood's ninety thousand messages were all sent,
    // misses none of their events: the monitor waits for it rather than
    // dropping its batches, and the receiver's worker waits for the monitor.
    void wholeSubscribersMissNothing() {
        Runtime rt(RuntimeOptions{.threads = 2});
        ObserverOptions o;
        o.interval = 1ms;
        o.full_wait = std::chrono::seconds(30);
        Observer observer(rt, o);
        auto sub = observer.subscribe(1000, true);
        constexpr int senders = 3, each = 30'000;  // a sender's records fit its buffer
        std::uint64_t missed = 0, handles = 0;
        auto take = [&](const Batch& batch) {
            missed += batch.missed_events;
            for (const Event& e : batch.events) handles += e.kind == EventKind::Handle && e.message != 0;
        };
        std::jthread reader([&](std::stop_token stop) {
            while (rt.message_stats().sent < senders * each) std::this_thread::yield();
            while (!stop.stop_requested())
                if (auto batch = sub->next(10ms)) take(*batch);
            for (const Batch& batch : sub->take_all()) take(batch);
        });
        flood_one_isolate(rt, senders, each);
        observer.poll();
        reader.request_stop();
        reader.join();
        observer.unsubscribe(sub);
        QCOMPARE(missed, std::uint64_t{0});
        QCOMPARE(handles, std::uint64_t{senders * each});
    }
};

QTEST_GUILESS_MAIN(TestTrace)
#include "tst_trace.moc"
