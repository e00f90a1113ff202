// Supervision: strategies, restart types, intensity and escalation, backoff,
// messages waiting through a restart, shutdown order. Deterministic runtimes.

#include "support.h"

#include <iso/cluster.h>
#include <iso/observer.h>
#include <iso/supervision.h>

#include <QtTest>

#include <map>

using namespace iso;
using namespace std::chrono_literals;
using test::stepped;

namespace {

/// What the children below did. Declared before the cluster in each test:
/// the cluster's shutdown at the end still writes to it.
struct Journal {
    std::map<std::string, int> starts;
    std::vector<std::string> handled;
    std::vector<std::string> stopped;
};

/// A child that counts its starts, records what it handles, and crashes on
/// "crash" or quits on "quit".
ChildSpec child(Journal& journal, std::string name, RestartType restart = RestartType::Permanent) {
    ChildSpec spec;
    spec.name = name;
    spec.restart = restart;
    spec.entry = [&journal, name](Context& context) {
        ++journal.starts[name];
        context.on_message([&journal, &context, name](const Envelope& m) {
            if (m.content == Value("crash")) throw Exception(name + " crashed");
            if (m.content == Value("quit")) return context.shutdown_isolate();
            journal.handled.push_back(name + ":" + m.content.to_string());
        });
        context.on_shutdown_request([&journal, &context, name] {
            journal.stopped.push_back(name);
            context.shutdown_isolate();
        });
    };
    return spec;
}

IsolateRef ref(Cluster& cluster, const std::string& path) { return *cluster.lookup(Path::of(path)); }

IsolateDescription described(Cluster& cluster, const std::string& path) {
    auto d = cluster.describe(Path::of(path));
    if (!d) throw std::logic_error("nothing at " + path);
    return *d;
}

/// A child that ignores shutdown requests, noting each in `journal.stopped`.
ChildSpec stubborn(Journal& journal, Duration shutdown_timeout) {
    ChildSpec spec;
    spec.name = "stubborn";
    spec.restart = RestartType::Temporary;
    spec.shutdown_timeout = shutdown_timeout;
    spec.entry = [&journal](Context& context) {
        context.on_shutdown_request([&journal] { journal.stopped.push_back("ignored"); });
    };
    return spec;
}

} // namespace

class TestSupervision : public QObject {
    Q_OBJECT

private slots:
    void oneForOneRestartsOnlyTheFailedChild() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        cluster.runtime().block_on(cluster.spawn_isolate(
            "/sup", supervisor({}, {child(j, "a"), child(j, "b"), child(j, "c")})));
        QCOMPARE(j.starts, (std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}}));
        ref(cluster, "/sup/b").send("crash");
        cluster.runtime().run_until_idle();
        QCOMPARE(j.starts, (std::map<std::string, int>{{"a", 1}, {"b", 2}, {"c", 1}}));
    }

    void messagesWaitForTheNextIncarnation() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        SupervisorSpec spec;
        spec.backoff.min = 50ms;
        spec.backoff.max = 50ms;
        cluster.runtime().block_on(cluster.spawn_isolate("/sup", supervisor(spec, {child(j, "w")})));
        auto w = ref(cluster, "/sup/w");
        w.send("crash");
        cluster.runtime().run_until_idle();
        w.send("during the restart");
        cluster.runtime().run_until_idle();
        QCOMPARE(j.starts["w"], 1);  // the backoff holds the restart
        QVERIFY(j.handled.empty());
        cluster.runtime().advance_time(50ms);
        QCOMPARE(j.starts["w"], 2);
        QCOMPARE(j.handled, std::vector<std::string>{"w:during the restart"});
        QCOMPARE(cluster.runtime().dead_letter_count(), std::uint64_t(0));
    }

    void restartTypes() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        cluster.runtime().block_on(cluster.spawn_isolate(
            "/sup", supervisor({}, {child(j, "perm", RestartType::Permanent), child(j, "trans", RestartType::Transient),
                                    child(j, "temp", RestartType::Temporary)})));
        for (auto name : {"perm", "trans", "temp"}) ref(cluster, std::string("/sup/") + name).send("quit");
        cluster.runtime().run_until_idle();
        QCOMPARE(j.starts["perm"], 2);   // permanent: even a normal exit
        QCOMPARE(j.starts["trans"], 1);  // transient: not after a normal exit
        QCOMPARE(j.starts["temp"], 1);
        QVERIFY(!cluster.lookup(Path::of("/sup/trans")).has_value());
        ref(cluster, "/sup/perm").send("crash");
        cluster.runtime().run_until_idle();
        QCOMPARE(j.starts["perm"], 3);
    }

    void transientRestartsAfterAFailure() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        cluster.runtime().block_on(
            cluster.spawn_isolate("/sup", supervisor({}, {child(j, "t", RestartType::Transient)})));
        ref(cluster, "/sup/t").send("crash");
        cluster.runtime().run_until_idle();
        QCOMPARE(j.starts["t"], 2);
    }

    void oneForAllRestartsEveryone() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        SupervisorSpec spec;
        spec.strategy = RestartStrategy::OneForAll;
        cluster.runtime().block_on(
            cluster.spawn_isolate("/sup", supervisor(spec, {child(j, "a"), child(j, "b"), child(j, "c")})));
        ref(cluster, "/sup/b").send("crash");
        cluster.runtime().run_until_idle();
        QCOMPARE(j.starts, (std::map<std::string, int>{{"a", 2}, {"b", 2}, {"c", 2}}));
        QCOMPARE(j.stopped, (std::vector<std::string>{"c", "a"}));  // newest first
    }

    void restForOneRestartsTheLaterOnes() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        SupervisorSpec spec;
        spec.strategy = RestartStrategy::RestForOne;
        cluster.runtime().block_on(
            cluster.spawn_isolate("/sup", supervisor(spec, {child(j, "a"), child(j, "b"), child(j, "c")})));
        ref(cluster, "/sup/b").send("crash");
        cluster.runtime().run_until_idle();
        QCOMPARE(j.starts, (std::map<std::string, int>{{"a", 1}, {"b", 2}, {"c", 2}}));
        QCOMPARE(j.stopped, std::vector<std::string>{"c"});
    }

    void tooManyRestartsEscalate() {
        Journal j;
        std::vector<DownReason> downs;
        auto cluster = Cluster::single_node(stepped());
        cluster.runtime().block_on(cluster.spawn_isolate("/watcher", [&downs](Context& context) {
            context.on_isolate_down([&downs](const IsolateRef& r, const DownReason& why) {
                if (r.path() == Path::of("/sup")) downs.push_back(why);
            });
        }));
        SupervisorSpec spec;
        spec.max_restarts = 2;
        spec.within = 1s;
        cluster.runtime().block_on(cluster.spawn_isolate("/sup", supervisor(spec, {child(j, "a"), child(j, "b")})));
        for (int i = 0; i < 3; ++i) {
            ref(cluster, "/sup/a").send("crash");
            cluster.runtime().run_until_idle();
        }
        QCOMPARE(j.starts["a"], 3);  // two restarts, then the supervisor gives up
        QVERIFY(!cluster.lookup(Path::of("/sup")).has_value());
        QVERIFY(!cluster.lookup(Path::of("/sup/a")).has_value());  // the one that kept failing, too
        QVERIFY(!cluster.lookup(Path::of("/sup/b")).has_value());
        QCOMPARE(j.stopped, std::vector<std::string>{"b"});
        QCOMPARE(downs.size(), std::size_t(1));
        QCOMPARE(downs[0].kind, DownReason::Kind::Failed);
        QVERIFY2(downs[0].error.find("more than 2 restarts") != std::string::npos, downs[0].error.c_str());
    }

    void restartsSpreadOverTimeDoNotEscalate() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        SupervisorSpec spec;
        spec.max_restarts = 1;
        spec.within = 100ms;
        cluster.runtime().block_on(cluster.spawn_isolate("/sup", supervisor(spec, {child(j, "a")})));
        for (int i = 0; i < 4; ++i) {
            ref(cluster, "/sup/a").send("crash");
            cluster.runtime().run_until_idle();
            cluster.runtime().advance_time(200ms);
        }
        QCOMPARE(j.starts["a"], 5);
        QVERIFY(cluster.lookup(Path::of("/sup")).has_value());
    }

    void backoffDoublesUpToItsMaximum() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        SupervisorSpec spec;
        spec.max_restarts = 10;
        spec.within = 10s;
        spec.backoff.min = 10ms;
        spec.backoff.max = 40ms;
        cluster.runtime().block_on(cluster.spawn_isolate("/sup", supervisor(spec, {child(j, "a")})));
        std::vector<std::int64_t> waited;
        for (int i = 0; i < 4; ++i) {
            ref(cluster, "/sup/a").send("crash");
            cluster.runtime().run_until_idle();
            const auto before = cluster.runtime().now();
            const int starts = j.starts["a"];
            while (j.starts["a"] == starts) QVERIFY(cluster.runtime().advance_to_next_timer());
            waited.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(cluster.runtime().now() - before).count());
        }
        QCOMPARE(waited, (std::vector<std::int64_t>{10, 20, 40, 40}));
    }

    void shutdownDuringABackoffIsClean() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        SupervisorSpec spec;
        spec.backoff.min = 500ms;
        spec.backoff.max = 500ms;
        cluster.runtime().block_on(cluster.spawn_isolate("/sup", supervisor(spec, {child(j, "a")})));
        ref(cluster, "/sup/a").send("crash");
        cluster.runtime().run_until_idle();  // /sup/a now waits out its backoff
        const auto before = cluster.runtime().now();
        QVERIFY(cluster.shutdown(2s));
        QVERIFY(cluster.runtime().now() - before < 500ms);
        QCOMPARE(j.starts["a"], 1);
    }

    void backoffResetsAfterAQuietPeriodAndJitters() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        SupervisorSpec spec;
        spec.max_restarts = 100;
        spec.within = 1s;
        spec.backoff = {.min = 100ms, .max = 1s, .jitter = 0.5, .reset_after = 2s};
        cluster.runtime().block_on(cluster.spawn_isolate("/sup", supervisor(spec, {child(j, "a")})));
        auto crash_and_wait = [&] {
            ref(cluster, "/sup/a").send("crash");
            cluster.runtime().run_until_idle();
            const auto before = cluster.runtime().now();
            const int starts = j.starts["a"];
            while (j.starts["a"] == starts) cluster.runtime().advance_to_next_timer();
            return cluster.runtime().now() - before;
        };
        const auto first = crash_and_wait();
        QVERIFY(first >= 50ms && first <= 150ms);   // 100 ms, ±50%
        const auto second = crash_and_wait();
        QVERIFY(second >= 100ms && second <= 300ms);  // doubled
        cluster.runtime().advance_time(3s);           // quiet for longer than reset_after
        const auto third = crash_and_wait();
        QVERIFY(third >= 50ms && third <= 150ms);   // back to the minimum
    }

    void aChildThatIgnoresShutdownIsKilledAfterItsTimeout() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        ChildSpec stubborn;
        stubborn.name = "stubborn";
        stubborn.shutdown_timeout = 300ms;
        stubborn.entry = [&j](Context& context) {
            context.on_shutdown_request([&j] { j.stopped.push_back("ignored"); });
        };
        cluster.runtime().block_on(cluster.spawn_isolate("/sup", supervisor({}, {stubborn})));
        const auto before = cluster.runtime().now();
        QVERIFY(!cluster.shutdown(5s));  // not clean: the child had to be killed
        QCOMPARE(j.stopped, std::vector<std::string>{"ignored"});
        QVERIFY(cluster.lookup_all(Path()).empty());
        QVERIFY(cluster.runtime().now() - before >= 300ms);
    }

    void messagesWaitingForARestartAreBounded() {
        Journal j;
        auto options = stepped();
        options.pending_limit = 2;
        auto cluster = Cluster::single_node(options);
        SupervisorSpec spec;
        spec.backoff = {.min = 1s, .max = 1s};
        cluster.runtime().block_on(cluster.spawn_isolate("/sup", supervisor(spec, {child(j, "w")})));
        ref(cluster, "/sup/w").send("crash");
        cluster.runtime().run_until_idle();
        for (int i = 0; i < 5; ++i) ref(cluster, "/sup/w").send(i);
        QCOMPARE(cluster.runtime().dead_letter_count(), std::uint64_t(3));
        QCOMPARE(cluster.runtime().recent_dead_letters().back().reason, DeadLetterReason::Overflow);
        cluster.runtime().advance_time(1s);
        QCOMPARE(j.handled, (std::vector<std::string>{"w:0", "w:1"}));
    }

    void supervisorStopsItsChildrenNewestFirst() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        cluster.runtime().block_on(
            cluster.spawn_isolate("/sup", supervisor({}, {child(j, "a"), child(j, "b"), child(j, "c")})));
        QVERIFY(cluster.shutdown(1s));
        QCOMPARE(j.stopped.size(), std::size_t(3));
        QCOMPARE(j.starts, (std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}}));
    }

    void rootPolicyRestartsTopLevelIsolates() {
        auto options = stepped();
        options.top_level_restart = RestartType::Permanent;
        Journal j;
        auto cluster = Cluster::single_node(options);
        cluster.runtime().block_on(cluster.spawn_isolate("/top", child(j, "top").entry));
        ref(cluster, "/top").send("crash");
        cluster.runtime().run_until_idle();
        QCOMPARE(j.starts["top"], 2);
    }

    void dynamicChildrenOfOneKind() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        SupervisorSpec spec;
        spec.dynamic_child = child(j, "worker");
        std::vector<Value> seen;
        spec.dynamic_child->entry = [&seen, inner = spec.dynamic_child->entry](Context& context) {
            seen.push_back(context.property("shard"));
            return inner(context);
        };
        auto pool = cluster.runtime().block_on(cluster.spawn_isolate("/pool", supervisor(spec, {})));
        std::vector<IsolateRef> started;
        for (int shard = 0; shard < 3; ++shard)
            started.push_back(cluster.runtime().block_on(start_child(pool, Value::map({{"shard", shard}}))));
        QCOMPARE(started[0].path().str(), std::string("/pool/c1"));
        QCOMPARE(started[2].path().str(), std::string("/pool/c3"));
        QCOMPARE(started[1].property("shard"), Value(1));
        QCOMPARE(seen, (std::vector<Value>{0, 1, 2}));
        started[1].send("crash");
        cluster.runtime().run_until_idle();
        QCOMPARE(seen.size(), std::size_t(4));  // c2 again, with its own properties
        QCOMPARE(seen.back(), Value(1));
    }

    void aDynamicSupervisorNeedsOneForOne() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        SupervisorSpec spec;
        spec.strategy = RestartStrategy::OneForAll;
        spec.dynamic_child = child(j, "worker");
        QVERIFY_THROWS_EXCEPTION(RemoteError, cluster.runtime().block_on(cluster.spawn_isolate("/pool", supervisor(spec, {}))));
    }

    void aKilledSupervisorTakesItsChildrenAndStartsThemAfresh() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        ChildSpec inner;
        inner.name = "inner";
        inner.entry = supervisor({}, {child(j, "a"), child(j, "b")});
        cluster.runtime().block_on(cluster.spawn_isolate("/outer", supervisor({}, {inner})));
        QVERIFY(cluster.kill(Path::of("/outer/inner")));
        cluster.runtime().run_until_idle();
        QCOMPARE(j.starts, (std::map<std::string, int>{{"a", 2}, {"b", 2}}));
        QCOMPARE(cluster.lookup_all(Path::of("/outer")).size(), std::size_t(4));
    }

    void childrenDoNotOutliveTheirParent() {
        Journal j;
        std::vector<std::string> downs;
        auto cluster = Cluster::single_node(stepped());
        cluster.runtime().block_on(cluster.spawn_isolate("/watcher", [&downs](Context& context) {
            context.on_isolate_down([&downs](const IsolateRef& r, const DownReason& why) {
                downs.push_back(r.path().str() + " " + std::string(kind_name(why.kind)));
            });
        }));
        cluster.runtime().block_on(cluster.spawn_isolate("/parent", [](Context& context) {
            (void)context.spawn_child("kid", [](Context&) {});
            context.on_message([&context](const Envelope&) { context.shutdown_isolate(); });
        }));
        cluster.runtime().run_until_idle();
        QVERIFY(cluster.lookup(Path::of("/parent/kid")).has_value());
        cluster.lookup(Path::of("/parent"))->send("quit");
        cluster.runtime().run_until_idle();
        QVERIFY(!cluster.lookup(Path::of("/parent/kid")).has_value());
        QCOMPARE(downs, (std::vector<std::string>{"/parent/kid killed", "/parent normal"}));
    }

    void clusterStopAsksAndTheSupervisorActs() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        cluster.runtime().block_on(cluster.spawn_isolate(
            "/sup", supervisor({}, {child(j, "perm"), child(j, "temp", RestartType::Temporary)})));
        QVERIFY(cluster.stop(Path::of("/sup/temp")));
        cluster.runtime().run_until_idle();
        QCOMPARE(j.stopped, std::vector<std::string>{"temp"});  // its shutdown handler ran
        QVERIFY(!cluster.lookup(Path::of("/sup/temp")).has_value());
        QVERIFY(cluster.stop(Path::of("/sup/perm")));
        cluster.runtime().run_until_idle();
        QCOMPARE(j.stopped, (std::vector<std::string>{"temp", "perm"}));
        QCOMPARE(j.starts["perm"], 2);  // permanent: started again, as after any end on request
        QVERIFY(!cluster.stop(Path::of("/sup/none")));
    }

    void clusterStopKillsAfterTheShutdownTimeout() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        cluster.runtime().block_on(cluster.spawn_isolate("/sup", supervisor({}, {stubborn(j, 300ms)})));
        QVERIFY(cluster.stop(Path::of("/sup/stubborn")));
        cluster.runtime().run_until_idle();
        QCOMPARE(j.stopped, std::vector<std::string>{"ignored"});
        cluster.runtime().advance_time(299ms);
        QVERIFY(cluster.lookup(Path::of("/sup/stubborn")).has_value());
        cluster.runtime().advance_time(1ms);
        QVERIFY(!cluster.lookup(Path::of("/sup/stubborn")).has_value());
    }

    void clusterStopOfATopLevelIsolateWaitsTheDefaultTimeout() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        cluster.runtime().block_on(cluster.spawn_isolate("/top", stubborn(j, 1ms).entry));
        QCOMPARE(described(cluster, "/top").shutdown_timeout, default_shutdown_timeout);
        QVERIFY(cluster.stop(Path::of("/top")));
        cluster.runtime().advance_time(default_shutdown_timeout - 1ms);
        QVERIFY(cluster.lookup(Path::of("/top")).has_value());
        cluster.runtime().advance_time(1ms);
        QVERIFY(!cluster.lookup(Path::of("/top")).has_value());
    }

    void clusterRestartStartsANewIncarnationWhateverItsType() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        ObserverOptions manual;
        manual.interval = 0ms;
        Observer observer(cluster.runtime(), manual);
        auto events = observer.subscribe();
        SupervisorSpec spec;
        spec.strategy = RestartStrategy::OneForAll;
        spec.max_restarts = 0;
        cluster.runtime().block_on(
            cluster.spawn_isolate("/sup", supervisor(spec, {child(j, "a"), child(j, "temp", RestartType::Temporary)})));
        const IsolateDescription before = described(cluster, "/sup/temp");
        QVERIFY(cluster.restart(Path::of("/sup/temp")));
        cluster.runtime().run_until_idle();
        QCOMPARE(j.stopped, std::vector<std::string>{"temp"});
        QCOMPARE(j.starts, (std::map<std::string, int>{{"a", 1}, {"temp", 2}}));  // one-for-all left "a" alone
        const IsolateDescription after = described(cluster, "/sup/temp");
        QCOMPARE(after.incarnation, before.incarnation + 1);
        QVERIFY(after.isolate != 0 && after.isolate != before.isolate);
        observer.poll();
        QCOMPARE(observer.snapshot().find(after.isolate)->restarts, std::uint64_t(1));
        int restart_events = 0;
        for (const Batch& b : events->take_all())
            for (const trace::Event& e : b.events)
                if (e.kind == trace::Kind::Restart && e.text == "/sup/temp") ++restart_events;
        QCOMPARE(restart_events, 1);
        // Asked for, not failed: the supervisor's intensity (none allowed) is untouched.
        QVERIFY(cluster.restart(Path::of("/sup/temp")));
        cluster.runtime().run_until_idle();
        QCOMPARE(j.starts["temp"], 3);
        QVERIFY(cluster.lookup(Path::of("/sup")).has_value());
        QVERIFY(!cluster.restart(Path::of("/sup/none")));
    }

    // A restart that waits and a supervisor that gives up are trace events
    // of their own, on the supervisor, naming the child: the workbench
    // highlights them, and a recording keeps them.
    void backoffAndGivingUpAreTraced() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        ObserverOptions manual;
        manual.interval = 0ms;
        Observer observer(cluster.runtime(), manual);
        auto events = observer.subscribe();
        SupervisorSpec spec;
        spec.max_restarts = 1;
        spec.within = 10s;
        spec.backoff = {.min = 30ms, .max = 30ms};
        cluster.runtime().block_on(cluster.spawn_isolate("/sup", supervisor(spec, {child(j, "a")})));
        const IsolateId sup = described(cluster, "/sup").isolate;
        std::vector<trace::Event> seen;
        auto take = [&] {
            observer.poll();
            for (const Batch& b : events->take_all())
                for (const trace::Event& e : b.events)
                    if (e.kind == trace::Kind::Supervision || e.kind == trace::Kind::Restart) seen.push_back(e);
        };
        ref(cluster, "/sup/a").send("crash");
        cluster.runtime().run_until_idle();
        take();
        QCOMPARE(seen.size(), 1u);  // backing off; the restart waits
        QCOMPARE(seen[0].kind, trace::Kind::Supervision);
        QCOMPARE(seen[0].isolate, sup);
        QCOMPARE(seen[0].arg, std::uint32_t(trace::SupervisionAction::Backoff));
        QCOMPARE(seen[0].peer, std::uint64_t(30'000'000));
        QCOMPARE(seen[0].field(0), "/sup/a");
        QVERIFY(seen[0].field(1).find("a crashed") != std::string_view::npos);
        cluster.runtime().advance_time(30ms);
        take();
        QCOMPARE(seen.size(), 2u);
        QCOMPARE(seen[1].kind, trace::Kind::Restart);

        ref(cluster, "/sup/a").send("crash");  // the second within 10 s: past its intensity
        cluster.runtime().run_until_idle();
        take();
        QCOMPARE(seen.size(), 3u);
        QCOMPARE(seen[2].kind, trace::Kind::Supervision);
        QCOMPARE(seen[2].arg, std::uint32_t(trace::SupervisionAction::GiveUp));
        QCOMPARE(seen[2].peer, std::uint64_t(0));
        QCOMPARE(seen[2].field(0), "/sup/a");
        QVERIFY(seen[2].field(1).starts_with("more than 1 restarts within 10000 ms"));
        QVERIFY(!cluster.lookup(Path::of("/sup")).has_value());
        QCOMPARE(trace::supervision_action_name(seen[2].arg), "give-up");
    }

    void clusterRestartOfATopLevelIsolate() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());  // top-level isolates are temporary
        cluster.runtime().block_on(cluster.spawn_isolate("/top", child(j, "top").entry));
        QVERIFY(cluster.restart(Path::of("/top")));
        cluster.runtime().run_until_idle();
        QCOMPARE(j.starts["top"], 2);
        QCOMPARE(described(cluster, "/top").incarnation, std::uint32_t(1));
    }

    void describeASupervisorAndItsChildren() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        SupervisorSpec spec;
        spec.strategy = RestartStrategy::RestForOne;
        spec.max_restarts = 7;
        spec.within = 2s;
        spec.backoff = {.min = 10ms, .max = 80ms, .jitter = 0.25, .reset_after = 1s};
        ChildSpec a = child(j, "a");
        a.shutdown_timeout = 250ms;
        a.properties = Value::map({{"role", "first"}});
        cluster.register_entry("tree", supervisor(spec, {a, child(j, "b", RestartType::Temporary)}));
        cluster.runtime().block_on(cluster.spawn_isolate("/sup", "tree", Value::map({{"team", "x"}})));

        const IsolateDescription sup = described(cluster, "/sup");
        QCOMPARE(sup.path, Path::of("/sup"));
        QCOMPARE(sup.entry_name, std::string("tree"));
        QCOMPARE(sup.properties, Value::map({{"team", "x"}}));
        QVERIFY(!sup.supervisor.has_value());  // the root
        QCOMPARE(sup.restart, RestartType::Temporary);
        QCOMPARE(sup.incarnation, std::uint32_t(0));
        QVERIFY(!sup.restarting);
        QVERIFY(cluster.runtime().find_isolate(sup.isolate).has_value());
        QVERIFY(sup.supervises.has_value());
        QCOMPARE(sup.supervises->strategy, RestartStrategy::RestForOne);
        QCOMPARE(sup.supervises->max_restarts, 7);
        QCOMPARE(sup.supervises->within, Duration(2s));
        QCOMPARE(sup.supervises->backoff.max, Duration(80ms));
        QCOMPARE(sup.supervises->backoff.jitter, 0.25);
        QVERIFY(!sup.supervises->dynamic);
        QCOMPARE(sup.supervises->children, (std::vector<std::string>{"a", "b"}));

        const IsolateDescription first = described(cluster, "/sup/a");
        QCOMPARE(first.supervisor, std::optional<Path>(Path::of("/sup")));
        QCOMPARE(first.restart, RestartType::Permanent);
        QCOMPARE(first.shutdown_timeout, Duration(250ms));
        QCOMPARE(first.properties, Value::map({{"role", "first"}}));
        QVERIFY(first.entry_name.empty());
        QVERIFY(!first.supervises.has_value());

        ref(cluster, "/sup/b").send("quit");  // temporary: gone for good
        cluster.runtime().run_until_idle();
        QCOMPARE(described(cluster, "/sup").supervises->children, std::vector<std::string>{"a"});

        ref(cluster, "/sup/a").send("crash");
        cluster.runtime().run_until_idle();
        const IsolateDescription between = described(cluster, "/sup/a");
        QVERIFY(between.restarting);  // the backoff holds it
        QCOMPARE(between.isolate, IsolateId(0));
        cluster.runtime().advance_time(50ms);
        const IsolateDescription again = described(cluster, "/sup/a");
        QVERIFY(!again.restarting);
        QCOMPARE(again.incarnation, std::uint32_t(1));
        QVERIFY(!cluster.describe(Path::of("/sup/none")).has_value());
    }

    void describeADynamicSupervisor() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        SupervisorSpec spec;
        spec.dynamic_child = child(j, "worker", RestartType::Temporary);
        auto pool = cluster.runtime().block_on(cluster.spawn_isolate("/pool", supervisor(spec, {})));
        QVERIFY(described(cluster, "/pool").supervises->children.empty());
        for (int i = 0; i < 2; ++i) (void)cluster.runtime().block_on(start_child(pool));
        QVERIFY(described(cluster, "/pool").supervises->dynamic);
        QCOMPARE(described(cluster, "/pool").supervises->children, (std::vector<std::string>{"c1", "c2"}));
        ref(cluster, "/pool/c1").send("quit");
        cluster.runtime().run_until_idle();
        QCOMPARE(described(cluster, "/pool").supervises->children, std::vector<std::string>{"c2"});
    }

    void strategiesAndTypesHaveNames() {
        QCOMPARE(restart_strategy_name(RestartStrategy::OneForOne), std::string_view("one-for-one"));
        QCOMPARE(restart_strategy_name(RestartStrategy::OneForAll), std::string_view("one-for-all"));
        QCOMPARE(restart_strategy_name(RestartStrategy::RestForOne), std::string_view("rest-for-one"));
        QCOMPARE(restart_type_name(RestartType::Permanent), std::string_view("permanent"));
        QCOMPARE(restart_type_name(RestartType::Transient), std::string_view("transient"));
        QCOMPARE(restart_type_name(RestartType::Temporary), std::string_view("temporary"));
    }

    void treesNest() {
        Journal j;
        auto cluster = Cluster::single_node(stepped());
        ChildSpec inner;
        inner.name = "inner";
        inner.entry = supervisor({}, {child(j, "leaf")});
        cluster.runtime().block_on(cluster.spawn_isolate("/outer", supervisor({}, {inner, child(j, "sibling")})));
        QVERIFY(cluster.lookup(Path::of("/outer/inner/leaf")).has_value());
        ref(cluster, "/outer/inner/leaf").send("crash");
        cluster.runtime().run_until_idle();
        QCOMPARE(j.starts["leaf"], 2);
        QCOMPARE(j.starts["sibling"], 1);
    }
};

QTEST_APPLESS_MAIN(TestSupervision)
#include "tst_supervision.moc"
