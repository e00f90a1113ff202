// Isolate lifecycle and control: spawn options, pause/resume, kill, ping,
// error and exit listeners. Deterministic runtimes: every step is explicit.

#include "support.h"

#include <QtTest>

using namespace iso;
using test::deterministic;

class TestIsolate : public QObject {
    Q_OBJECT

private slots:
    void entryRunsWithItsMessage() {
        Runtime rt(deterministic());
        std::vector<Value> inbox;
        auto out = test::probe(rt, inbox);
        rt.spawn([](Value m) { m["reply"].as_send_port().send(m["n"].as_int() * 2); },
                 Value::map({{"reply", out}, {"n", 21}}));
        rt.run_until_idle();
        QCOMPARE(inbox.size(), std::size_t(1));
        QCOMPARE(inbox[0].as_int(), 42);
    }

    void isolateWithNothingToDoExits() {
        Runtime rt(deterministic());
        rt.spawn([](Value) {});
        QCOMPARE(rt.isolate_count(), std::size_t(1));
        rt.run_until_idle();
        QCOMPARE(rt.isolate_count(), std::size_t(0));
    }

    void tasksAnEventRaisesRunAfterItInOrderBeforeTheNextEvent() {
        Runtime rt(test::deterministic());
        std::vector<Value> got;
        auto [isolate, port] = test::listener(rt, [&got](Value v) {
            got.push_back(v);
            for (std::int64_t i = 0; i < 3; ++i)
                (void)Future<void>::ready().then([&got, v, i] {
                    got.push_back(Value::list({v, i}));
                    // Raised by a task: after those raised before it.
                    if (i == 0) (void)Future<void>::ready().then([&got, v] { got.push_back(Value::list({v, "nested"})); });
                });
        });
        port.send(1);
        port.send(2);
        rt.run_until_idle();
        std::vector<Value> expected;
        for (std::int64_t v : {1, 2}) {
            expected.push_back(v);
            for (std::int64_t i = 0; i < 3; ++i) expected.push_back(Value::list({v, i}));
            expected.push_back(Value::list({v, "nested"}));
        }
        QCOMPARE(got, expected);
    }

    void openPortKeepsIsolateAliveUntilClosed() {
        Runtime rt(deterministic());
        auto [isolate, port] = test::listener(rt, [](Value v) {
            if (v == Value("close")) throw std::runtime_error("never reached");
        });
        QCOMPARE(rt.isolate_count(), std::size_t(1));
        SendPort closer;
        rt.spawn([&closer](Value) {
            auto p = std::make_shared<RawReceivePort>();
            p->set_handler([p](Value) { p->close(); });
            closer = p->send_port();
        });
        rt.run_until_idle();
        QCOMPARE(rt.isolate_count(), std::size_t(2));
        closer.send("bye");
        rt.run_until_idle();
        QCOMPARE(rt.isolate_count(), std::size_t(1));
    }

    void spawnPausedRunsEntryOnlyAfterResume() {
        Runtime rt(deterministic());
        bool ran = false;
        SpawnOptions options;
        options.paused = true;
        auto isolate = rt.spawn([&ran](Value) { ran = true; }, {}, options);
        rt.run_until_idle();
        QVERIFY(!ran);
        QCOMPARE(rt.isolates().at(0).state, IsolateState::Paused);
        isolate.resume(*isolate.pause_capability());
        rt.run_until_idle();
        QVERIFY(ran);
    }

    void pauseTwiceResumeOnceStaysPaused() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto [isolate, port] = test::listener(rt, [&got](Value v) { got.push_back(v); });
        Capability first = isolate.pause();
        Capability second = isolate.pause();
        port.send(1);
        rt.run_until_idle();
        QVERIFY(got.empty());
        isolate.resume(first);
        rt.run_until_idle();
        QVERIFY2(got.empty(), "one pause is still active");
        isolate.resume(second);
        rt.run_until_idle();
        QCOMPARE(got.size(), std::size_t(1));
    }

    void pauseTwiceWithOneCapabilityNeedsOneResume() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto [isolate, port] = test::listener(rt, [&got](Value v) { got.push_back(v); });
        Capability cap;
        isolate.pause(cap);
        isolate.pause(cap);
        port.send(1);
        isolate.resume(cap);
        rt.run_until_idle();
        QCOMPARE(got.size(), std::size_t(1));
    }

    void unknownCapabilityIsIgnored() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto [isolate, port] = test::listener(rt, [&got](Value v) { got.push_back(v); });
        Capability cap = isolate.pause();
        isolate.resume(Capability());
        port.send(1);
        rt.run_until_idle();
        QVERIFY(got.empty());
        isolate.resume(cap);
        rt.run_until_idle();
        QCOMPARE(got.size(), std::size_t(1));
    }

    void pauseWithoutCapabilityDoesNothing() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto [isolate, port] = test::listener(rt, [&got](Value v) { got.push_back(v); });
        Isolate powerless(isolate.control_port());
        powerless.pause();
        powerless.kill(Priority::Immediate);
        port.send(1);
        rt.run_until_idle();
        QCOMPARE(got.size(), std::size_t(1));
        QCOMPARE(rt.isolate_count(), std::size_t(1));
    }

    void pingIsAnsweredWhilePaused() {
        Runtime rt(deterministic());
        std::vector<Value> inbox;
        auto out = test::probe(rt, inbox);
        auto [isolate, port] = test::listener(rt, [](Value) {});
        isolate.pause();
        rt.run_until_idle();
        isolate.ping(out, "pong");
        isolate.ping(out, "pong later", Priority::BeforeNextEvent);
        rt.run_until_idle();
        QCOMPARE(inbox.size(), std::size_t(2));
        QCOMPARE(inbox[0], Value("pong"));
        QCOMPARE(inbox[1], Value("pong later"));
    }

    void controlMessagesOvertakeQueuedEventsInOrder() {
        Runtime rt(deterministic());
        std::vector<Value> inbox;
        auto out = test::probe(rt, inbox);
        auto [isolate, port] = test::listener(rt, [out](Value v) { out.send(v); });
        port.send("event");
        isolate.ping(out, "first", Priority::BeforeNextEvent);
        isolate.ping(out, "second", Priority::Immediate);
        rt.run_until_idle();
        QCOMPARE(inbox, (std::vector<Value>{"first", "second", "event"}));
    }

    void killImmediateDropsQueuedEvents() {
        Runtime rt(deterministic());
        std::vector<Value> handled;
        auto [isolate, port] = test::listener(rt, [&handled](Value v) { handled.push_back(v); });
        port.send(1);
        port.send(2);
        isolate.kill(Priority::Immediate);
        rt.run_until_idle();
        QVERIFY(handled.empty());
        QCOMPARE(rt.dead_letter_count(), std::uint64_t(2));
    }

    void killWhilePaused() {
        Runtime rt(deterministic());
        std::vector<Value> inbox;
        auto out = test::probe(rt, inbox);
        auto [isolate, port] = test::listener(rt, [](Value) {});
        isolate.add_on_exit_listener(out, "gone");
        isolate.pause();
        rt.run_until_idle();
        port.send("unhandled");
        isolate.kill();
        rt.run_until_idle();
        QCOMPARE(inbox, std::vector<Value>{"gone"});
        QCOMPARE(rt.isolate_count(), std::size_t(1));  // only the probe
        QCOMPARE(rt.dead_letter_count(), std::uint64_t(1));
        QCOMPARE(rt.recent_dead_letters().at(0).reason, DeadLetterReason::IsolateDead);
    }

    void killBeforeNextEventRunsAfterCurrentEventNotQueuedOnes() {
        Runtime rt(deterministic());
        std::vector<Value> handled;
        std::optional<Isolate> self;
        auto [isolate, port] = test::listener(rt, [&](Value v) {
            handled.push_back(v);
            if (v == Value("kill")) self->kill(Priority::BeforeNextEvent);
        });
        self = isolate;
        port.send("kill");
        port.send("after");
        rt.run_until_idle();
        QCOMPARE(handled, std::vector<Value>{"kill"});
        QCOMPARE(rt.isolate_count(), std::size_t(0));
        QCOMPARE(rt.dead_letter_count(), std::uint64_t(1));
    }

    void errorsNotFatalKeepTheIsolateRunning() {
        Runtime rt(deterministic());
        std::vector<Value> errors;
        auto errs = test::probe(rt, errors);
        std::vector<Value> handled;
        SpawnOptions options;
        options.errors_are_fatal = false;
        options.on_error = errs;
        auto [isolate, port] = test::listener(rt, [&handled](Value v) {
            if (v == Value("boom")) throw Exception("exploded on purpose");
            handled.push_back(v);
        }, options);
        port.send("boom");
        port.send("still here");
        rt.run_until_idle();
        QCOMPARE(handled, std::vector<Value>{"still here"});
        QCOMPARE(errors.size(), std::size_t(1));
        QCOMPARE(errors[0][0].as_string(), std::string("exploded on purpose"));
        QVERIFY2(errors[0][1].as_string().find("tst_isolate.cpp") != std::string::npos,
                 errors[0][1].as_string().c_str());
        QCOMPARE(rt.isolates().back().errors, std::uint64_t(1));
    }

    void fatalErrorEndsIsolateAndTellsListeners() {
        Runtime rt(deterministic());
        std::vector<Value> errors, exits;
        auto errs = test::probe(rt, errors);
        auto ex = test::probe(rt, exits);
        SpawnOptions options;
        options.on_error = errs;
        options.on_exit = ex;
        options.on_exit_response = "exited";
        auto [isolate, port] = test::listener(rt, [](Value) { throw std::out_of_range("index 10"); }, options);
        port.send(1);
        port.send(2);
        rt.run_until_idle();
        QCOMPARE(errors.size(), std::size_t(1));
        QCOMPARE(errors[0][0], Value("index 10"));
        QVERIFY(errors[0][1].as_string().find("std::out_of_range") != std::string::npos);
        QCOMPARE(exits, std::vector<Value>{"exited"});
        QCOMPARE(rt.isolate_count(), std::size_t(2));
        QCOMPARE(rt.dead_letter_count(), std::uint64_t(1));
    }

    void setErrorsFatalAtRunTime() {
        Runtime rt(deterministic());
        std::vector<Value> handled;
        auto [isolate, port] = test::listener(rt, [&handled](Value v) {
            handled.push_back(v);
            throw std::runtime_error("again");
        });
        isolate.set_errors_fatal(false);
        port.send(1);
        port.send(2);
        rt.run_until_idle();
        QCOMPARE(handled.size(), std::size_t(2));
        isolate.set_errors_fatal(true);
        port.send(3);
        port.send(4);
        rt.run_until_idle();
        QCOMPARE(handled.size(), std::size_t(3));
        QCOMPARE(rt.isolate_count(), std::size_t(0));
    }

    void removedListenersHearNothing() {
        Runtime rt(deterministic());
        std::vector<Value> heard;
        auto out = test::probe(rt, heard);
        auto [isolate, port] = test::listener(rt, [](Value) { throw std::runtime_error("x"); });
        isolate.add_error_listener(out);
        isolate.add_on_exit_listener(out, "exit");
        isolate.remove_error_listener(out);
        isolate.remove_on_exit_listener(out);
        port.send(1);
        rt.run_until_idle();
        QVERIFY(heard.empty());
        QCOMPARE(rt.isolate_count(), std::size_t(1));
    }

    void exitListenerAddedLateStillHearsTheExit() {
        Runtime rt(deterministic());
        std::vector<Value> heard;
        auto out = test::probe(rt, heard);
        auto [isolate, port] = test::listener(rt, [](Value) {});
        isolate.add_on_exit_listener(out, Value::map({{"who", "worker"}}));
        isolate.kill(Priority::Immediate);
        rt.run_until_idle();
        QCOMPARE(heard.size(), std::size_t(1));
        QCOMPARE(heard[0]["who"], Value("worker"));
    }

    void debugNames() {
        Runtime rt(deterministic());
        std::string seen;
        SpawnOptions options;
        options.debug_name = "worker-7";
        auto isolate = rt.spawn([&seen](Value) { seen = Isolate::current().debug_name(); }, {}, options);
        QCOMPARE(isolate.debug_name(), std::string("worker-7"));
        rt.run_until_idle();
        QCOMPARE(seen, std::string("worker-7"));
        auto unnamed = rt.spawn([](Value) {});
        QVERIFY(unnamed.debug_name().rfind("isolate-", 0) == 0);
        QVERIFY_THROWS_EXCEPTION(StateError, Isolate::current());
    }

    void exitSendsAndEndsAtOnce() {
        Runtime rt(deterministic());
        std::vector<Value> inbox;
        auto out = test::probe(rt, inbox);
        bool after_exit = false;
        rt.spawn([&](Value) {
            RawReceivePort keeps_alive;
            iso::exit(out, "last words");
            after_exit = true;
        });
        rt.run_until_idle();
        QVERIFY(!after_exit);
        QCOMPARE(inbox, std::vector<Value>{"last words"});
        QCOMPARE(rt.isolate_count(), std::size_t(1));
    }

    void exitMovesTransferableWithoutCopy() {
        Runtime rt(deterministic());
        std::vector<Value> inbox;
        auto out = test::probe(rt, inbox);
        const std::uint8_t* sent_from = nullptr;
        rt.spawn([&](Value) {
            Transferable t(Bytes(1 << 20, 7));
            sent_from = t.data();
            iso::exit(out, Value(std::move(t)));
        });
        rt.run_until_idle();
        QCOMPARE(inbox.size(), std::size_t(1));
        QCOMPARE(inbox[0].transferable_data(), sent_from);
        Bytes bytes = inbox[0].materialize();
        QCOMPARE(bytes.data(), sent_from);
        QCOMPARE(bytes.size(), std::size_t(1 << 20));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, inbox[0].materialize());
    }

    void killedIsolateDestroysItsSuspendedCoroutines() {
        Runtime rt(deterministic());
        auto alive = std::make_shared<int>(0);
        std::weak_ptr<int> watch = alive;
        auto isolate = rt.spawn_async([alive = std::move(alive)](Value) mutable -> Future<void> {
            auto held = std::move(alive);
            ReceivePort never;
            co_await never.first();
        });
        rt.run_until_idle();
        QVERIFY(!watch.expired());
        isolate.kill();
        rt.run_until_idle();
        QVERIFY2(watch.expired(), "the coroutine frame was not destroyed");
        QCOMPARE(rt.isolate_count(), std::size_t(0));
    }
};

QTEST_APPLESS_MAIN(TestIsolate)
#include "tst_isolate.moc"
