// Ports: buffering, first/next/listen, closing, dead letters, addresses.

#include "support.h"

#include <QtTest>

using namespace iso;
using test::deterministic;

class TestPorts : public QObject {
    Q_OBJECT

private slots:
    void receivePortBuffersUntilListened() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        std::shared_ptr<ReceivePort> port;
        SendPort listen_now;
        rt.spawn([&](Value) {
            port = std::make_shared<ReceivePort>();
            RawReceivePort trigger([&](Value) { port->listen([&](Value v) { got.push_back(v); }); });
            listen_now = trigger.send_port();
        });
        rt.run_until_idle();
        port->send_port().send(1);
        port->send_port().send(2);
        rt.run_until_idle();
        QVERIFY(got.empty());
        listen_now.send(Value());
        port->send_port().send(3);
        rt.run_until_idle();
        QCOMPARE(got, (std::vector<Value>{1, 2, 3}));
    }

    // A message names its port by address; the isolate finds it among its
    // open ones, wherever it sits among them, and a closed one is not there.
    void eachOfManyPortsGetsItsOwnMessages() {
        Runtime rt(deterministic());
        constexpr int kPorts = 5;
        std::vector<std::vector<Value>> got(kPorts);
        std::vector<RawReceivePort> ports;
        std::vector<SendPort> to;
        rt.spawn([&](Value) {
            for (int i = 0; i < kPorts; ++i) {
                ports.emplace_back([&, i](Value v) {
                    if (v == Value("close")) {  // the oldest and one in the middle
                        ports[0].close();
                        ports[2].close();
                    } else if (v == Value("end")) {
                        for (RawReceivePort& p : ports) p.close();
                    } else {
                        got[static_cast<std::size_t>(i)].push_back(v);
                    }
                });
                to.push_back(ports.back().send_port());
            }
        });
        rt.run_until_idle();
        for (int i = kPorts - 1; i >= 0; --i) to[static_cast<std::size_t>(i)].send(i);
        rt.run_until_idle();
        for (int i = 0; i < kPorts; ++i) QCOMPARE(got[static_cast<std::size_t>(i)], (std::vector<Value>{i}));

        // Queued behind the closing: the closed two's are dead letters.
        to[1].send("close");
        for (int i = 0; i < kPorts; ++i) to[static_cast<std::size_t>(i)].send(10 + i);
        rt.run_until_idle();
        QCOMPARE(got[0], (std::vector<Value>{0}));
        QCOMPARE(got[1], (std::vector<Value>{1, 11}));
        QCOMPARE(got[2], (std::vector<Value>{2}));
        QCOMPARE(got[3], (std::vector<Value>{3, 13}));
        QCOMPARE(got[4], (std::vector<Value>{4, 14}));
        QCOMPARE(rt.dead_letter_count(), std::uint64_t(2));
        for (const auto& d : rt.recent_dead_letters()) QCOMPARE(d.reason, DeadLetterReason::PortClosed);

        to[4].send("end");
        rt.run_until_idle();
        QCOMPARE(rt.isolate_count(), std::size_t(0));
    }

    void secondListenerIsAnError() {
        Runtime rt(deterministic());
        bool threw = false;
        rt.spawn([&](Value) {
            ReceivePort port;
            port.listen([](Value) {});
            try {
                port.listen([](Value) {});
            } catch (const StateError&) {
                threw = true;
            }
            port.close();
        });
        rt.run_until_idle();
        QVERIFY(threw);
    }

    void firstTakesOneMessageAndCloses() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        SendPort sp;
        rt.spawn_async([&](Value) -> Future<void> {
            ReceivePort port;
            sp = port.send_port();
            got.push_back(co_await port.first());
            got.push_back(port.is_closed());
        });
        rt.run_until_idle();
        sp.send("a");
        sp.send("b");
        rt.run_until_idle();
        QCOMPARE(got, (std::vector<Value>{"a", true}));
        QCOMPARE(rt.dead_letter_count(), std::uint64_t(1));
        QCOMPARE(rt.isolate_count(), std::size_t(0));
    }

    void nextIsAwaitFor() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        bool done = false;
        SendPort sp;
        rt.spawn_async([&](Value) -> Future<void> {
            ReceivePort port;
            sp = port.send_port();
            while (auto m = co_await port.next()) {
                if (*m == Value("stop")) port.close();
                else got.push_back(*m);
            }
            done = true;
        });
        rt.run_until_idle();
        for (int i = 0; i < 5; ++i) sp.send(i);
        sp.send("stop");
        rt.run_until_idle();
        QCOMPARE(got, (std::vector<Value>{0, 1, 2, 3, 4}));
        QVERIFY(done);
    }

    void closeKeepsReceivedMessagesReadable() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        SendPort sp;
        rt.spawn_async([&](Value) -> Future<void> {
            ReceivePort port;
            sp = port.send_port();
            co_await delay(std::chrono::milliseconds(1));
            port.close();
            while (auto m = co_await port.next()) got.push_back(*m);
        });
        rt.run_until_idle();
        sp.send("received before close");
        rt.run_until_idle();
        rt.advance_time(std::chrono::milliseconds(1));
        QCOMPARE(got, std::vector<Value>{"received before close"});
        QCOMPARE(rt.dead_letter_count(), std::uint64_t(0));
    }

    void unreadMessagesAreDeadLettersWhenTheStreamGoes() {
        Runtime rt(deterministic());
        std::shared_ptr<ReceivePort> port;
        SendPort closer;
        rt.spawn([&](Value) {
            port = std::make_shared<ReceivePort>();
            auto c = std::make_shared<RawReceivePort>();
            c->set_handler([&port, c](Value) {
                port->close();
                c->close();
            });
            closer = c->send_port();
        });
        rt.run_until_idle();
        port->send_port().send("unread 1");
        port->send_port().send("unread 2");
        closer.send(Value());
        rt.run_until_idle();
        QCOMPARE(rt.isolate_count(), std::size_t(0));
        QCOMPARE(rt.dead_letter_count(), std::uint64_t(0));
        port.reset();
        QCOMPARE(rt.dead_letter_count(), std::uint64_t(2));
        for (const auto& d : rt.recent_dead_letters()) QCOMPARE(d.reason, DeadLetterReason::Unread);
    }

    void readingModesAreExclusive() {
        Runtime rt(deterministic());
        int refused = 0;
        rt.spawn([&](Value) {
            ReceivePort a;
            (void)a.first();
            try { (void)a.next(); } catch (const StateError&) { ++refused; }
            try { a.listen([](Value) {}); } catch (const StateError&) { ++refused; }
            ReceivePort b;
            (void)b.next();
            (void)b.next();
            try { (void)b.first(); } catch (const StateError&) { ++refused; }
            a.close();
            b.close();
        });
        rt.run_until_idle();
        QCOMPARE(refused, 3);
    }

    void continuationRunsBeforeTheNextEvent() {
        Runtime rt(deterministic());
        std::vector<std::string> order;
        SendPort awaited, plain;
        rt.spawn_async([&](Value) -> Future<void> {
            ReceivePort port;
            auto other = std::make_shared<RawReceivePort>();
            other->set_handler([&order, other](Value) {
                order.push_back("handler");
                other->close();
            });
            awaited = port.send_port();
            plain = other->send_port();
            co_await port.first();
            order.push_back("continuation");
        });
        rt.run_until_idle();
        awaited.send("first");
        plain.send("second");
        rt.run_until_idle();
        QCOMPARE(order.size(), std::size_t(2));
        QCOMPARE(order[0], std::string("continuation"));
        QCOMPARE(order[1], std::string("handler"));
    }

    void closeEndsTheListenersStream() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        bool done = false;
        SendPort sp;
        rt.spawn([&](Value) {
            auto port = std::make_shared<ReceivePort>();
            port->listen([&got, port](Value v) {
                got.push_back(v);
                if (v == Value("last")) port->close();
            }, [&done] { done = true; });
            sp = port->send_port();
        });
        rt.run_until_idle();
        sp.send("one");
        sp.send("last");
        rt.run_until_idle();
        QCOMPARE(got, (std::vector<Value>{"one", "last"}));
        QVERIFY(done);
        QCOMPARE(rt.isolate_count(), std::size_t(0));
    }

    void messagesToClosedPortAreDeadLetters() {
        Runtime rt(deterministic());
        SendPort sp;
        std::optional<RawReceivePort> keep;
        rt.spawn([&](Value) {
            RawReceivePort port([](Value) {});
            sp = port.send_port();
            port.close();
            keep.emplace([](Value) {});
        });
        rt.run_until_idle();
        sp.send("late");
        QCOMPARE(rt.dead_letter_count(), std::uint64_t(1));
        auto recent = rt.recent_dead_letters();
        QCOMPARE(recent.at(0).reason, DeadLetterReason::PortClosed);
        QCOMPARE(recent.at(0).port, sp.id());
        QCOMPARE(recent.at(0).preview, std::string("late"));
    }

    void messageQueuedBeforeCloseIsDeadLetter() {
        Runtime rt(deterministic());
        std::vector<Value> handled;
        std::shared_ptr<RawReceivePort> port;
        SendPort other;
        rt.spawn([&](Value) {
            port = std::make_shared<RawReceivePort>([&](Value v) { handled.push_back(v); });
            RawReceivePort closer([&](Value) { port->close(); });
            other = closer.send_port();
        });
        rt.run_until_idle();
        other.send("close it");
        port->send_port().send("queued behind the close");
        rt.run_until_idle();
        QVERIFY(handled.empty());
        QCOMPARE(rt.dead_letter_count(), std::uint64_t(1));
        QCOMPARE(rt.recent_dead_letters().at(0).reason, DeadLetterReason::PortClosed);
    }

    void invalidAndUnknownPorts() {
        Runtime rt(deterministic());
        const auto before = Runtime::global().dead_letter_count();
        SendPort().send(1);
        SendPort(rt.node(), 0xFFFFFFFFFFull).send(2);
        QCOMPARE(Runtime::global().dead_letter_count(), before + 2);
    }

    void handlerMayReplaceItself() {
        Runtime rt(deterministic());
        std::vector<std::string> got;
        SendPort sp;
        rt.spawn([&](Value) {
            auto port = std::make_shared<RawReceivePort>();
            port->set_handler([&got, port](Value v) {
                got.push_back("first " + v.as_string());
                port->set_handler([&got, port](Value w) {
                    got.push_back("second " + w.as_string());
                    port->close();
                });
                got.push_back("first still running");
            });
            sp = port->send_port();
        });
        rt.run_until_idle();
        sp.send("a");
        sp.send("b");
        rt.run_until_idle();
        QCOMPARE(got, (std::vector<std::string>{"first a", "first still running", "second b"}));
    }

    void portsOutsideIsolatesAreRefused() {
        QVERIFY_THROWS_EXCEPTION(StateError, ReceivePort());
        QVERIFY_THROWS_EXCEPTION(StateError, RawReceivePort());
    }

    void sendPortIsAComparableAddress() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto [isolate, port] = test::listener(rt, [&got](Value v) { got.push_back(v); });
        SendPort copy = port;
        SendPort by_address(port.node(), port.id());
        QCOMPARE(copy, port);
        QCOMPARE(by_address, port);
        QCOMPARE(std::hash<SendPort>{}(by_address), std::hash<SendPort>{}(port));
        QVERIFY(SendPort() != port);
        by_address.send("via address");
        rt.run_until_idle();
        QCOMPARE(got, std::vector<Value>{"via address"});
    }

    void sendPortTravelsInsideMessages() {
        Runtime rt(deterministic());
        std::vector<Value> inbox;
        auto out = test::probe(rt, inbox);
        auto [echo, port] = test::listener(rt, [](Value v) { v["reply_to"].as_send_port().send(v["text"]); });
        port.send(Value::map({{"reply_to", out}, {"text", "echo"}}));
        rt.run_until_idle();
        QCOMPARE(inbox, std::vector<Value>{"echo"});
    }

    void ordersArePreservedPerSender() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto [isolate, port] = test::listener(rt, [&got](Value v) { got.push_back(v); });
        for (int i = 0; i < 100; ++i) port.send(i);
        rt.run_until_idle();
        QCOMPARE(got.size(), std::size_t(100));
        for (int i = 0; i < 100; ++i) QCOMPARE(got[std::size_t(i)].as_int(), i);
    }

    void rawPortThatDoesNotKeepAliveLetsIsolateExit() {
        Runtime rt(deterministic());
        rt.spawn([](Value) {
            RawReceivePort port([](Value) {});
            port.keep_isolate_alive(false);
        });
        rt.run_until_idle();
        QCOMPARE(rt.isolate_count(), std::size_t(0));
    }
};

QTEST_APPLESS_MAIN(TestPorts)
#include "tst_ports.moc"
