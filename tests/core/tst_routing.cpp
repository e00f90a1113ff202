// Routing helpers: ref groups and dispatch by message type.

#include "support.h"

#include <iso/cluster.h>
#include <iso/routing.h>

#include <QtTest>

#include <map>

using namespace iso;
using namespace std::chrono_literals;
using test::stepped;

namespace {

/// Spawns `n` workers that count what they receive into `counts`.
std::vector<IsolateRef> workers(Cluster& cluster, int n, std::map<std::string, int>& counts) {
    std::vector<IsolateRef> refs;
    for (int i = 0; i < n; ++i)
        refs.push_back(cluster.runtime().block_on(cluster.spawn_isolate(
            "/pool/w" + std::to_string(i), [&counts](Context& context) {
                context.on_message([&counts, &context](const Envelope&) { ++counts[context.path().str()]; });
            })));
    return refs;
}

} // namespace

class TestRouting : public QObject {
    Q_OBJECT

private slots:
    void roundRobinTakesTurns() {
        auto cluster = Cluster::single_node(stepped());
        std::map<std::string, int> counts;
        IsolateRefGroup group(workers(cluster, 3, counts), Routing::RoundRobin);
        for (int i = 0; i < 9; ++i) group.send(i);
        cluster.runtime().run_until_idle();
        QCOMPARE(counts.size(), std::size_t(3));
        for (const auto& [path, n] : counts) QCOMPARE(n, 3);
    }

    void broadcastReachesEveryone() {
        auto cluster = Cluster::single_node(stepped());
        std::map<std::string, int> counts;
        IsolateRefGroup group(workers(cluster, 4, counts), Routing::Broadcast);
        group.send("all");
        group.send("all again");
        cluster.runtime().run_until_idle();
        QCOMPARE(counts.size(), std::size_t(4));
        for (const auto& [path, n] : counts) QCOMPARE(n, 2);
    }

    void randomStaysInTheGroup() {
        auto cluster = Cluster::single_node(stepped());
        std::map<std::string, int> counts;
        IsolateRefGroup group(workers(cluster, 3, counts), Routing::Random);
        for (int i = 0; i < 300; ++i) group.send(i);
        cluster.runtime().run_until_idle();
        int total = 0;
        for (const auto& [path, n] : counts) total += n;
        QCOMPARE(total, 300);
        QCOMPARE(counts.size(), std::size_t(3));  // 300 draws miss a member with odds of about 1e-52
    }

    void leastLoadedAvoidsTheBacklog() {
        auto cluster = Cluster::single_node(stepped());
        std::map<std::string, int> counts;
        auto refs = workers(cluster, 3, counts);
        // w0 gets a backlog (nothing runs until the test steps the runtime);
        // the group must route around it.
        for (int i = 0; i < 5; ++i) refs[0].send("backlog");
        QCOMPARE(refs[0].mailbox_depth(), std::size_t(5));
        IsolateRefGroup group(refs, Routing::LeastLoaded);
        for (int i = 0; i < 6; ++i) {
            const auto chosen = group.pick();
            QVERIFY(chosen.has_value());
            QVERIFY(chosen->path() != refs[0].path());
            chosen->send(i);
        }
        cluster.runtime().run_until_idle();
        QCOMPARE(counts["/pool/w0"], 5);
        QCOMPARE(counts["/pool/w1"] + counts["/pool/w2"], 6);
    }

    void emptyGroupIsADeadLetter() {
        Runtime rt(test::deterministic());
        const auto before = Runtime::global().dead_letter_count();
        IsolateRefGroup empty({}, Routing::RoundRobin);
        QVERIFY(!empty.pick().has_value());
        empty.send("nowhere");
        QCOMPARE(Runtime::global().dead_letter_count(), before + 1);
        QCOMPARE(Runtime::global().recent_dead_letters().back().reason, DeadLetterReason::NoRoute);
    }

    void dispatcherRoutesByType() {
        auto cluster = Cluster::single_node(stepped());
        std::vector<std::string> seen;
        auto calc = cluster.runtime().block_on(cluster.spawn_isolate("/calc", [&seen](Context& context) {
            context.on_message(Dispatcher()
                                   .on("square", [&seen](const Envelope& m) {
                                       seen.push_back("square " + std::to_string(m.content.as_int() * m.content.as_int()));
                                   })
                                   .on("sum", [&seen](const Envelope& m) {
                                       std::int64_t sum = 0;
                                       for (const auto& v : m.content.as_list()) sum += v.as_int();
                                       seen.push_back("sum " + std::to_string(sum));
                                   }));
        }));
        calc.send(7, "square");
        calc.send(Value::list({1, 2, 3, 4, 5}), "sum");
        calc.send("?", "divide");
        cluster.runtime().run_until_idle();
        QCOMPARE(seen, (std::vector<std::string>{"square 49", "sum 15"}));
        QCOMPARE(cluster.runtime().dead_letter_count(), std::uint64_t(1));
        QCOMPARE(cluster.runtime().recent_dead_letters().back().reason, DeadLetterReason::NoRoute);
    }
};

QTEST_APPLESS_MAIN(TestRouting)
#include "tst_routing.moc"
