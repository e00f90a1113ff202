// iso::run (Dart's Isolate.run): results, errors, async computations.

#include "support.h"

#include <QtTest>

using namespace iso;

class TestRun : public QObject {
    Q_OBJECT

private slots:
    void returnsTheResult() {
        Runtime rt;
        QCOMPARE(rt.block_on(rt.run([] {
            std::int64_t sum = 0;
            for (int i = 1; i <= 1000000; ++i) sum += i;
            return sum;
        })), std::int64_t(500000500000));
    }

    void voidComputation() {
        Runtime rt;
        std::atomic<bool> ran{false};
        rt.block_on(rt.run([&ran] { ran = true; }));
        QVERIFY(ran.load());
    }

    void runsOnAnotherIsolateThatThenEnds() {
        Runtime rt;
        auto name = rt.block_on(rt.run([] { return Isolate::current().debug_name(); }, "cruncher"));
        QCOMPARE(name, std::string("cruncher"));
        QVERIFY(rt.wait_until_idle());
    }

    void endsEvenWithPortsLeftOpen() {
        Runtime rt;
        rt.block_on(rt.run([] {
            RawReceivePort left_open;
            return 1;
        }));
        QVERIFY(rt.wait_until_idle());
    }

    void exceptionComesBackAsRemoteErrorWithLocation() {
        Runtime rt;
        try {
            rt.block_on(rt.run([]() -> int { throw Exception("Something went wrong in isolate"); }));
            QFAIL("no error");
        } catch (const RemoteError& e) {
            QCOMPARE(e.message(), std::string("Something went wrong in isolate"));
            QVERIFY2(e.stack_trace().find("tst_run.cpp:") != std::string::npos, e.stack_trace().c_str());
        }
    }

    void standardExceptionNamesItsType() {
        Runtime rt;
        try {
            rt.block_on(rt.run([]() -> int { throw std::invalid_argument("bad input"); }, "parser"));
            QFAIL("no error");
        } catch (const RemoteError& e) {
            QCOMPARE(e.message(), std::string("bad input"));
            QVERIFY(e.stack_trace().find("std::invalid_argument") != std::string::npos);
            QVERIFY(e.stack_trace().find("parser") != std::string::npos);
        }
    }

    void asyncComputationIsAwaited() {
        Runtime rt;
        auto v = rt.block_on(rt.run([]() -> Future<Value> {
            auto inner = co_await run([] { return Value::list({5, 2, 8}); });
            co_return Value::map({{"sorted", inner}, {"size", static_cast<std::int64_t>(inner.size())}});
        }));
        QCOMPARE(v["size"].as_int(), 3);
    }

    void asyncComputationErrorAfterAwait() {
        Runtime rt;
        QVERIFY_THROWS_EXCEPTION(RemoteError, rt.block_on(rt.run([]() -> Future<int> {
            co_await delay(std::chrono::milliseconds(1));
            throw std::runtime_error("after the await");
        })));
    }

    void endedBeforeAnsweringIsBrokenPromise() {
        Future<int> never;
        {
            Runtime rt(test::deterministic());
            never = rt.run([]() -> Future<int> {
                ReceivePort port;
                co_return (co_await port.first()).as_int();
            });
            rt.run_until_idle();
            QCOMPARE(rt.isolate_count(), std::size_t(1));
        }  // shutting the runtime down kills the isolate mid-await
        QVERIFY_THROWS_EXCEPTION(BrokenPromise, never.get());
    }

    void blockOnSeesAFutureThatCannotComplete() {
        Runtime rt(test::deterministic());
        auto never = rt.run([]() -> Future<int> {
            ReceivePort port;
            co_return (co_await port.first()).as_int();
        });
        QVERIFY_THROWS_EXCEPTION(StateError, rt.block_on(std::move(never)));
    }

    void runMainLivesWhileItHasOpenPorts() {
        std::atomic<bool> got{false};
        const int code = run_main([&got]() -> Future<void> {
            auto port = std::make_shared<RawReceivePort>();
            port->set_handler([&got, port](Value) {
                got = true;
                port->close();
            });
            spawn([](Value reply) { reply.as_send_port().send("hello"); }, port->send_port());
            co_return;
        });
        QCOMPARE(code, 0);
        QVERIFY(got.load());
    }

    void runMainReportsAnUncaughtError() {
        QCOMPARE(run_main([] { throw Exception("main failed"); }), 1);
    }
};

QTEST_APPLESS_MAIN(TestRun)
#include "tst_run.moc"
