// Supervision: strategies, restart types, intensity and escalation, backoff,
// messages waiting through a restart, shutdown order. Deterministic runtimes.

#include "support.h"

#include <iso/cluster.h>
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
