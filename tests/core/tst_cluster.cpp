// The cluster: paths, refs, contexts, events, request/reply, shutdown.
// Deterministic runtimes unless a test needs threads.

#include "support.h"

#include <iso/cluster.h>
#include <iso/supervision.h>

#include <QtTest>

#include <thread>

using namespace iso;
using namespace std::chrono_literals;
using test::stepped;

namespace {

/// Drives a deterministic cluster until `future` is ready.
template <typename T> T await(Cluster& cluster, Future<T> future) {
    return cluster.runtime().block_on(std::move(future));
}

void idle(Cluster& cluster) { cluster.runtime().run_until_idle(); }

} // namespace

class TestCluster : public QObject {
    Q_OBJECT

private slots:
    // The seed package's README program: two senders greet the receiver
    // when it comes up; the receiver shuts the node down after three.
    void seedReadmeProgram() {
        auto cluster = Cluster::single_node(stepped());
        std::vector<std::string> log;
        auto sender = [&log](Context& context) {
            log.push_back("sender started id = " + context.property("id").to_string());
            context.on_isolate_up([&context](const IsolateRef& ref) {
                if (ref.property("type") == Value("receiver"))
                    ref.send("message from sender " + context.property("id").to_string());
            });
        };
        auto receiver = [&log](Context& context) {
            log.push_back("receiver started");
            auto count = std::make_shared<int>(0);
            context.on_message([&log, &context, count](const Envelope& m) {
                log.push_back("received message: " + m.content.to_string());
                if (++*count == 3) context.shutdown_node();
            });
            context.on_shutdown_request([&log, &context] {
                log.push_back("shutdown requested!");
                context.shutdown_isolate();
            });
        };
        (void)cluster.spawn_isolate("/senders/", sender, Value::map({{"id", 1}}));
        (void)cluster.spawn_isolate("/senders/", sender, Value::map({{"id", 2}}));
        IsolateRef receiver_ref = await(cluster, cluster.spawn_isolate("/receiver", receiver,
                                                                       Value::map({{"type", "receiver"}})));
        receiver_ref.send("message from main isolate");
        idle(cluster);
        QVERIFY(cluster.shutdown(1s));
        QCOMPARE(log.at(0), std::string("sender started id = 1"));
        QCOMPARE(log.at(1), std::string("sender started id = 2"));
        QCOMPARE(log.at(2), std::string("receiver started"));
        QCOMPARE(std::count(log.begin(), log.end(), std::string("received message: message from sender 1")), 1);
        QCOMPARE(std::count(log.begin(), log.end(), std::string("received message: message from sender 2")), 1);
        QCOMPARE(std::count(log.begin(), log.end(), std::string("received message: message from main isolate")), 1);
        QCOMPARE(log.back(), std::string("shutdown requested!"));
    }

    void pathsAreUniqueAndGenerated() {
        auto cluster = Cluster::single_node(stepped());
        auto quiet = [](Context&) {};
        auto a = await(cluster, cluster.spawn_isolate("/app/workers/w1", quiet));
        QCOMPARE(a.path().str(), std::string("/app/workers/w1"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, await(cluster, cluster.spawn_isolate("/app/workers/w1", quiet)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, await(cluster, cluster.spawn_isolate("app", quiet)));
        QCOMPARE(await(cluster, cluster.spawn_isolate("/", quiet)).path().parent().str(), std::string("/"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 await(cluster, cluster.spawn_isolate("/p", quiet, Value("not a map"))));
        auto g1 = await(cluster, cluster.spawn_isolate("/app/workers/", quiet));
        auto g2 = await(cluster, cluster.spawn_isolate("/app/workers/", quiet));
        QVERIFY(g1.path() != g2.path());
        QCOMPARE(g1.path().parent().str(), std::string("/app/workers"));
    }

    void childrenLieUnderTheirParent() {
        auto cluster = Cluster::single_node(stepped());
        std::optional<IsolateRef> child;
        auto parent = await(cluster, cluster.spawn_isolate("/app", [&child](Context& context) {
            (void)context.spawn_child("helper", [](Context&) {}).then([&child](IsolateRef r) { child = r; });
        }));
        idle(cluster);
        QVERIFY(child.has_value());
        QCOMPARE(child->path().str(), std::string("/app/helper"));
        QVERIFY(parent.path().is_ancestor_of(child->path()));
    }

    void lookups() {
        auto cluster = Cluster::single_node(stepped());
        auto quiet = [](Context&) {};
        for (auto p : {"/app/workers/w1", "/app/workers/w2", "/app/workers/w1x/deep", "/app/db", "/other"})
            (void)cluster.spawn_isolate(p, quiet, Value::map({{"name", p}}));
        idle(cluster);
        QVERIFY(cluster.lookup(Path::of("/app/db")).has_value());
        QCOMPARE(cluster.lookup(Path::of("/app/db"))->property("name"), Value("/app/db"));
        QVERIFY(!cluster.lookup(Path::of("/app/nothing")).has_value());
        const IsolateRef db = *cluster.lookup(Path::of("/app/db"));
        QCOMPARE(db, *cluster.lookup(Path::of("/app/db")));  // refs compare by node and path
        QCOMPARE(std::hash<IsolateRef>{}(db), std::hash<IsolateRef>{}(*cluster.lookup(Path::of("/app/db"))));
        QVERIFY(db != *cluster.lookup(Path::of("/other")));
        QCOMPARE(db.node(), cluster.node());
        std::vector<std::string> all;
        for (const auto& r : cluster.lookup_all(Path::of("/app/workers"))) all.push_back(r.path().str());
        QCOMPARE(all, (std::vector<std::string>{"/app/workers/w1", "/app/workers/w1x/deep", "/app/workers/w2"}));
        std::vector<std::string> matched;
        for (const auto& r : cluster.lookup_matching(PathPattern::of("/app/workers/*"))) matched.push_back(r.path().str());
        QCOMPARE(matched, (std::vector<std::string>{"/app/workers/w1", "/app/workers/w2"}));
        QCOMPARE(cluster.lookup_matching(PathPattern::of("/**")).size(), std::size_t(5));
    }

    void eventsBeforeTheEntryReturnsAreKept() {
        auto cluster = Cluster::single_node(stepped());
        std::vector<Value> got;
        auto ref = await(cluster, cluster.spawn_isolate("/late", [&got](Context& context) {
            context.send_self("sent during the entry");
            context.on_message([&got](const Envelope& m) { got.push_back(m.content); });
        }));
        ref.send("after");
        idle(cluster);
        QCOMPARE(got, (std::vector<Value>{"sent during the entry", "after"}));
    }

    void messagesToAStartingIsolateWaitForIt() {
        auto cluster = Cluster::single_node(stepped());
        std::vector<Value> got;
        auto spawned = cluster.spawn_isolate("/starting", [&got](Context& context) {
            context.on_message([&got](const Envelope& m) { got.push_back(m.content); });
        });
        auto ref = cluster.lookup(Path::of("/starting"));
        QVERIFY(ref.has_value());  // the path is taken at once, before the entry runs
        ref->send("sent before the entry ran");
        idle(cluster);
        QVERIFY(spawned.is_ready());
        QCOMPARE(got, std::vector<Value>{"sent before the entry ran"});
        QCOMPARE(cluster.runtime().dead_letter_count(), std::uint64_t(0));
    }

    void messagesWithoutAHandlerAreDeadLetters() {
        auto cluster = Cluster::single_node(stepped());
        auto deaf = await(cluster, cluster.spawn_isolate("/deaf", [](Context&) {}));
        deaf.send("unheard");
        idle(cluster);
        QCOMPARE(cluster.runtime().dead_letter_count(), std::uint64_t(1));
        QCOMPARE(cluster.runtime().recent_dead_letters().back().path, std::string("/deaf"));
    }

    void envelopeCarriesTypeSenderAndCorrelation() {
        auto cluster = Cluster::single_node(stepped());
        std::optional<Envelope> seen;
        auto sink = await(cluster, cluster.spawn_isolate("/sink", [&seen](Context& context) {
            context.on_message([&seen](const Envelope& m) { seen = m; });
        }));
        (void)cluster.spawn_isolate("/source", [sink](Context&) {
            SendOptions options;
            options.type = "greeting";
            options.correlation_id = "c-1";
            sink.send(Value::map({{"hello", "world"}}), options);
        });
        idle(cluster);
        QVERIFY(seen.has_value());
        QCOMPARE(seen->type, std::string("greeting"));
        QCOMPARE(seen->correlation_id, std::string("c-1"));
        QCOMPARE(seen->sender->str(), std::string("/source"));
        QCOMPARE(seen->content["hello"], Value("world"));
    }

    void askGetsTheReply() {
        auto cluster = Cluster::single_node(stepped());
        auto doubler = await(cluster, cluster.spawn_isolate("/doubler", [](Context& context) {
            context.on_message([](const Envelope& m) { m.reply(m.content.as_int() * 2); });
        }));
        QCOMPARE(await(cluster, doubler.ask(21, 1s)).as_int(), 42);
    }

    void askTimesOutAndTheLateReplyIsADeadLetter() {
        auto cluster = Cluster::single_node(stepped());
        std::optional<Envelope> held;
        auto slow = await(cluster, cluster.spawn_isolate("/slow", [&held](Context& context) {
            context.on_message([&held](const Envelope& m) { held = m; });
        }));
        auto answer = slow.ask("question", 100ms);
        idle(cluster);
        QVERIFY(held.has_value());
        QVERIFY(!answer.is_ready());
        cluster.runtime().advance_time(100ms);
        QVERIFY_THROWS_EXCEPTION(TimeoutError, await(cluster, std::move(answer)));
        const auto before = cluster.runtime().dead_letter_count();
        held->reply("too late");
        idle(cluster);
        QCOMPARE(cluster.runtime().dead_letter_count(), before + 1);
        QCOMPARE(cluster.runtime().recent_dead_letters().back().reason, DeadLetterReason::LateReply);
    }

    void sendingToAnUnknownPathIsADeadLetter() {
        auto cluster = Cluster::single_node(stepped());
        auto ref = await(cluster, cluster.spawn_isolate("/brief", [](Context& context) { context.shutdown_isolate(); }));
        idle(cluster);
        ref.send("nobody home");
        QCOMPARE(cluster.runtime().dead_letter_count(), std::uint64_t(1));
        const auto letter = cluster.runtime().recent_dead_letters().back();
        QCOMPARE(letter.reason, DeadLetterReason::UnknownPath);
        QCOMPARE(letter.path, std::string("/brief"));
    }

    void namedEntries() {
        auto cluster = Cluster::single_node(stepped());
        Value seen;
        cluster.register_entry("echo", [&seen](Context& context) { seen = context.property("greeting"); });
        QCOMPARE(cluster.entry_names(), std::vector<std::string>{"echo"});
        await(cluster, cluster.spawn_isolate("/e", "echo", Value::map({{"greeting", "hi"}})));
        QCOMPARE(seen, Value("hi"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, await(cluster, cluster.spawn_isolate("/x", "nope")));
    }

    void downEventsSayWhy() {
        auto cluster = Cluster::single_node(stepped());
        std::vector<std::pair<std::string, DownReason>> downs;
        await(cluster, cluster.spawn_isolate("/observer", [&downs](Context& context) {
            context.on_isolate_down([&downs](const IsolateRef& r, const DownReason& why) {
                downs.emplace_back(r.path().str(), why);
            });
        }));
        auto quitter = await(cluster, cluster.spawn_isolate("/quitter", [](Context& context) {
            context.on_message([&context](const Envelope&) { context.shutdown_isolate(); });
        }));
        auto thrower = await(cluster, cluster.spawn_isolate("/thrower", [](Context& context) {
            context.on_message([](const Envelope&) { throw Exception("broken on purpose"); });
        }));
        quitter.send("go");
        thrower.send("go");
        idle(cluster);
        QCOMPARE(downs.size(), std::size_t(2));
        QCOMPARE(downs[0].first, std::string("/quitter"));
        QCOMPARE(downs[0].second.kind, DownReason::Kind::Normal);
        QCOMPARE(downs[1].first, std::string("/thrower"));
        QCOMPARE(downs[1].second.kind, DownReason::Kind::Failed);
        QCOMPARE(downs[1].second.error, std::string("broken on purpose"));
        QVERIFY(downs[1].second.where.find("tst_cluster.cpp") != std::string::npos);
    }

    void watchAfterDeathStillGetsTheNotice() {
        auto cluster = Cluster::single_node(stepped());
        auto brief = await(cluster, cluster.spawn_isolate("/brief", [](Context& context) {
            context.on_message([](const Envelope&) { throw std::runtime_error("gone"); });
        }));
        brief.send("die");
        idle(cluster);
        std::vector<DownReason> noticed;
        await(cluster, cluster.spawn_isolate("/watcher", [&noticed, brief](Context& context) {
            context.on_isolate_down([&noticed](const IsolateRef&, const DownReason& why) { noticed.push_back(why); });
            context.watch(brief);
        }));
        idle(cluster);
        QCOMPARE(noticed.size(), std::size_t(1));
        QCOMPARE(noticed[0].kind, DownReason::Kind::Failed);
        QCOMPARE(noticed[0].error, std::string("gone"));
    }

    void upEventsIncludeIsolatesAlreadyUp() {
        auto cluster = Cluster::single_node(stepped());
        await(cluster, cluster.spawn_isolate("/first", [](Context&) {}));
        std::vector<std::string> ups;
        await(cluster, cluster.spawn_isolate("/listener", [&ups](Context& context) {
            context.on_isolate_up([&ups](const IsolateRef& r) { ups.push_back(r.path().str()); });
        }));
        await(cluster, cluster.spawn_isolate("/later", [](Context&) {}));
        idle(cluster);
        QCOMPARE(ups, (std::vector<std::string>{"/first", "/listener", "/later"}));
    }

    void timersRunOnTheClusterIsolate() {
        auto cluster = Cluster::single_node(stepped());
        std::vector<std::string> ticks;
        await(cluster, cluster.spawn_isolate("/clock", [&ticks](Context& context) {
            Timer::periodic(10ms, [&ticks, &context](Timer& t) {
                ticks.push_back(context.path().str() + " tick " + std::to_string(t.tick()));
                if (t.tick() == 2) t.cancel();
            });
        }));
        cluster.runtime().advance_time(50ms);
        QCOMPARE(ticks, (std::vector<std::string>{"/clock tick 1", "/clock tick 2"}));
    }

    void shutdownGoesLeavesFirst() {
        auto cluster = Cluster::single_node(stepped());
        std::vector<std::string> order;
        auto record = [&order](Context& context) {
            context.on_shutdown_request([&order, &context] {
                order.push_back(context.path().str());
                context.shutdown_isolate();
            });
        };
        for (auto p : {"/a", "/a/b", "/a/b/c", "/d"}) await(cluster, cluster.spawn_isolate(p, record));
        QVERIFY(cluster.shutdown(1s));
        QCOMPARE(order.size(), std::size_t(4));
        QCOMPARE(order[0], std::string("/a/b/c"));
        QCOMPARE(order[1], std::string("/a/b"));
        QCOMPARE(cluster.lookup_all(Path()).size(), std::size_t(0));
    }

    void shutdownKillsWhatIgnoresTheRequest() {
        auto cluster = Cluster::single_node();
        await(cluster, cluster.spawn_isolate("/stubborn", [](Context& context) { context.on_shutdown_request([] {}); }));
        QVERIFY(!cluster.shutdown(50ms));
        QVERIFY(cluster.lookup_all(Path()).empty());
    }

    void killAndDepthWorkAsSoonAsTheSpawnCompletes() {
        for (int round = 0; round < 20; ++round) {
            std::atomic<bool> handling{false}, release{false};
            auto cluster = Cluster::single_node();
            auto slow = cluster.spawn_isolate("/slow", [&](Context& context) {
                context.on_message([&](const Envelope&) {
                    handling = true;
                    while (!release.load()) std::this_thread::yield();
                });
            }).get();
            for (int i = 0; i < 3; ++i) slow.send(i);
            while (!handling.load()) std::this_thread::yield();
            QCOMPARE(slow.mailbox_depth(), std::size_t(2));
            QVERIFY(cluster.kill(slow.path()));
            release = true;
            cluster.runtime().wait_until_idle();
            QVERIFY(!cluster.lookup(slow.path()).has_value());
        }
    }

    void destroyingAClusterRightAfterAKill() {
        for (int round = 0; round < 50; ++round) {
            auto cluster = Cluster::single_node();
            auto victim = cluster.spawn_isolate("/victim", [](Context&) {}).get();
            cluster.kill(victim.path());
        }
    }

    void asksFromOutsideIsolatesArriveInOrder() {
        std::vector<std::int64_t> order;  // written by /log only, read after it answered everything
        auto cluster = Cluster::single_node();
        auto log = cluster.spawn_isolate("/log", [&order](Context& context) {
            context.on_message([&order](const Envelope& m) {
                order.push_back(m.content.as_int());
                m.reply(m.content);
            });
        }).get();
        std::vector<Future<Value>> answers;
        for (int i = 0; i < 200; ++i) answers.push_back(log.ask(i, 10s));
        QCOMPARE(when_all(std::move(answers)).get().size(), std::size_t(200));
        for (int i = 0; i < 200; ++i) QCOMPARE(order[std::size_t(i)], std::int64_t(i));
    }

    void askFromOutsideIsolatesOnThreads() {
        auto cluster = Cluster::single_node();
        auto echo = cluster.runtime().block_on(cluster.spawn_isolate("/echo", [](Context& context) {
            context.on_message([](const Envelope& m) { m.reply(m.content); });
        }));
        QCOMPARE(echo.ask("ping", 5s).get(), Value("ping"));
        QVERIFY(cluster.shutdown(5s));
    }

    // The workbench's mailbox view: a paused cluster isolate's pending
    // messages read as envelopes.
    void pendingMessagesReadAsEnvelopes() {
        auto cluster = Cluster::single_node(stepped());
        std::vector<Value> got;
        await(cluster, cluster.spawn_isolate("/inbox", [&got](Context& context) {
            context.on_message([&got](const Envelope& m) { got.push_back(m.content); });
        }));
        const auto inbox = cluster.describe(Path::of("/inbox"));
        QVERIFY(inbox.has_value());
        const auto handle = cluster.runtime().find_isolate(inbox->isolate);
        QVERIFY(handle.has_value());
        const Capability pause = handle->pause();
        await(cluster, cluster.spawn_isolate("/writer", [](Context& context) {
            SendOptions options;
            options.type = "greeting";
            options.correlation_id = "c-1";
            context.lookup(Path::of("/inbox"))->send("hello", options);
        }));
        idle(cluster);
        const MailboxView view = await(cluster, handle->pending());
        QCOMPARE(view.events.size(), std::size_t(1));
        const auto envelope = as_envelope(view.events[0].value);
        QVERIFY(envelope.has_value());
        QCOMPARE(envelope->content, Value("hello"));
        QCOMPARE(envelope->type, std::string("greeting"));
        QCOMPARE(envelope->correlation_id, std::string("c-1"));
        QCOMPARE(envelope->sender, std::optional<Path>(Path::of("/writer")));
        QVERIFY(!envelope->reply_to.has_value());
        handle->resume(pause);
        idle(cluster);
        QCOMPARE(got, std::vector<Value>{"hello"});
    }

    void asEnvelopeRefusesWhatIsNotOne() {
        QVERIFY(!as_envelope(Value("hello")).has_value());
        QVERIFY(!as_envelope(Value::map({{"content", 1}})).has_value());
        QVERIFY(!as_envelope(Value::map({{"c", 1}, {"extra", 2}})).has_value());
        QVERIFY(!as_envelope(Value::map({{"c", 1}, {"t", 2}})).has_value());
        QVERIFY(!as_envelope(Value::map({{"c", 1}, {"s", "not a path"}})).has_value());
        QVERIFY(as_envelope(Value::map({{"c", 1}})).has_value());
    }

    void stoppingAPausedIsolateKillsItAtTheTimeout() {
        auto cluster = Cluster::single_node(stepped());
        bool asked = false;
        await(cluster, cluster.spawn_isolate("/held", [&asked](Context& context) {
            context.on_shutdown_request([&asked, &context] {
                asked = true;
                context.shutdown_isolate();
            });
        }));
        const auto handle = cluster.runtime().find_isolate(cluster.describe(Path::of("/held"))->isolate);
        handle->pause();
        QVERIFY(cluster.stop(Path::of("/held")));
        const MailboxView view = await(cluster, handle->pending());
        QCOMPARE(view.events.size(), std::size_t(1));  // the shutdown request, a notice
        QVERIFY(!as_envelope(view.events[0].value).has_value());
        cluster.runtime().advance_time(default_shutdown_timeout);
        QVERIFY(!cluster.lookup(Path::of("/held")).has_value());
        QVERIFY(!asked);
    }

    // A stop that had to kill is still a stop: the supervisor of a
    // transient child does not bring it back, as it would after a kill.
    void aTransientChildStoppedByTheTimeoutStaysDown() {
        auto cluster = Cluster::single_node(stepped());
        ChildSpec child;
        child.name = "held";
        child.restart = RestartType::Transient;
        child.shutdown_timeout = 50ms;
        child.entry = [](Context& context) { context.on_message([](const Envelope&) {}); };
        await(cluster, cluster.spawn_isolate("/team", supervisor({}, {child})));
        const auto handle = cluster.runtime().find_isolate(cluster.describe(Path::of("/team/held"))->isolate);
        handle->pause();
        QVERIFY(cluster.stop(Path::of("/team/held")));
        cluster.runtime().advance_time(50ms);
        cluster.runtime().run_until_idle();
        QVERIFY(!cluster.lookup(Path::of("/team/held")).has_value());
        QCOMPARE(cluster.describe(Path::of("/team"))->supervises->children, std::vector<std::string>{});
    }
};

QTEST_APPLESS_MAIN(TestCluster)
#include "tst_cluster.moc"
