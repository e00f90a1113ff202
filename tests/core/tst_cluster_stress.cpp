// The cluster under churn: 10,000 supervised isolates, traffic from several
// threads, random kills and injected throws. Afterwards every permanent
// child runs again and every message is accounted for.

#include "support.h"

#include <iso/cluster.h>
#include <iso/supervision.h>

#include <QtTest>

#include <random>
#include <thread>

using namespace iso;
using namespace std::chrono_literals;

class TestClusterStress : public QObject {
    Q_OBJECT

private slots:
    void supervisedChurnKeepsTheBooks() {
        constexpr int kSupervisors = 100;
        constexpr int kChildren = 100;
        constexpr int kDrivers = 2;
        constexpr int kMessagesEach = 40000;
        std::atomic<std::int64_t> handled{0};
        std::atomic<std::int64_t> crashes{0};

        ClusterOptions options;
        options.pending_limit = 1 << 20;
        auto cluster = Cluster::single_node(options);
        auto worker = [&handled, &crashes](Context& context) {
            context.on_message([&handled, &crashes](const Envelope& m) {
                if (m.type == "probe") return m.reply(true);
                if (m.content == Value("crash")) {
                    crashes.fetch_add(1);
                    throw Exception("injected failure");
                }
                handled.fetch_add(1);
            });
        };
        SupervisorSpec spec;
        spec.max_restarts = 1 << 20;
        for (int s = 0; s < kSupervisors; ++s) {
            std::vector<ChildSpec> children;
            for (int c = 0; c < kChildren; ++c) {
                ChildSpec child;
                child.name = "w" + std::to_string(c);
                child.entry = worker;
                children.push_back(std::move(child));
            }
            cluster.runtime().block_on(cluster.spawn_isolate("/s" + std::to_string(s), supervisor(spec, children)));
        }
        QCOMPARE(cluster.lookup_matching(PathPattern::of("/*/*")).size(), std::size_t(kSupervisors * kChildren));

        std::atomic<std::int64_t> kills{0};
        std::vector<std::thread> drivers;
        for (int d = 0; d < kDrivers; ++d) {
            drivers.emplace_back([&, d] {
                std::mt19937 random(1234 + d);
                std::uniform_int_distribution<int> pick_s(0, kSupervisors - 1), pick_c(0, kChildren - 1);
                std::uniform_int_distribution<int> action(0, 999);
                for (int i = 0; i < kMessagesEach; ++i) {
                    const Path path = Path::of("/s" + std::to_string(pick_s(random)) + "/w" +
                                               std::to_string(pick_c(random)));
                    const int a = action(random);
                    if (a < 3) {
                        if (cluster.kill(path)) kills.fetch_add(1);
                    } else if (auto ref = cluster.lookup(path)) {
                        ref->send(a < 8 ? Value("crash") : Value(i));
                    }
                }
            });
        }
        for (auto& t : drivers) t.join();

        // A reply from every child proves it runs again and, mailboxes being
        // first in first out, that it has handled what was sent before.
        std::vector<Future<Value>> probes;
        for (const auto& ref : cluster.lookup_matching(PathPattern::of("/*/*"))) probes.push_back(ref.ask(true, 60s, "probe"));
        QCOMPARE(probes.size(), std::size_t(kSupervisors * kChildren));
        QCOMPARE(when_all(std::move(probes)).get().size(), std::size_t(kSupervisors * kChildren));

        QVERIFY(crashes.load() > 0);
        QVERIFY(kills.load() > 0);
        QVERIFY(handled.load() > 0);
        for (int s = 0; s < kSupervisors; ++s) QVERIFY(cluster.lookup(Path::of("/s" + std::to_string(s))).has_value());
        const MessageStats stats = cluster.runtime().message_stats();
        qInfo("sent %llu, delivered %llu, undeliverable %llu, queued %llu, unread %llu; %lld crashes, %lld kills",
              static_cast<unsigned long long>(stats.sent), static_cast<unsigned long long>(stats.delivered),
              static_cast<unsigned long long>(stats.undeliverable), static_cast<unsigned long long>(stats.queued),
              static_cast<unsigned long long>(stats.unread), static_cast<long long>(crashes.load()),
              static_cast<long long>(kills.load()));
        QVERIFY(stats.accounted());
        QVERIFY(cluster.shutdown(30s));
    }
};

QTEST_APPLESS_MAIN(TestClusterStress)
#include "tst_cluster_stress.moc"
