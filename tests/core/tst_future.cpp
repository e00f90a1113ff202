// Futures: completion, chaining, coroutines, blocking rules, broken promises.

#include "support.h"

#include <QtTest>

#include <thread>

using namespace iso;
using test::deterministic;

namespace {

Future<int> add_later(Future<int> a, int b) { co_return co_await std::move(a) + b; }

} // namespace

class TestFuture : public QObject {
    Q_OBJECT

private slots:
    void readyAndFailed() {
        QCOMPARE(Future<int>::ready(7).get(), 7);
        auto failed = Future<int>::failed(std::make_exception_ptr(std::runtime_error("no")));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, failed.get());
    }

    void getBlocksUntilAnotherThreadCompletes() {
        Promise<std::string> promise;
        auto future = promise.future();
        std::thread writer([p = std::move(promise)]() mutable { p.set_value("from a thread"); });
        QCOMPARE(future.get(), std::string("from a thread"));
        writer.join();
    }

    void completingTwiceKeepsTheFirst() {
        Promise<int> promise;
        auto future = promise.future();
        promise.set_value(1);
        promise.set_value(2);
        promise.set_error(std::runtime_error("late"));
        QCOMPARE(future.get(), 1);
    }

    void abandonedPromiseBreaks() {
        Future<int> future;
        {
            Promise<int> promise;
            future = promise.future();
        }
        QVERIFY_THROWS_EXCEPTION(BrokenPromise, future.get());
    }

    void thenChainsAndFlattens() {
        Promise<int> promise;
        auto chained = promise.future()
                           .then([](int v) { return v * 2; })
                           .then([](int v) { return Future<std::string>::ready(std::to_string(v)); })
                           .then([](std::string s) { return s + "!"; });
        promise.set_value(21);
        QCOMPARE(chained.get(), std::string("42!"));
    }

    void thenSkipsOnError() {
        bool called = false;
        auto chained = Future<int>::failed(std::make_exception_ptr(std::out_of_range("x")))
                           .then([&called](int v) { called = true; return v; });
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, chained.get());
        QVERIFY(!called);
    }

    void thenWithVoid() {
        int seen = 0;
        auto done = Future<void>::ready().then([&seen] { seen = 1; });
        done.get();
        QCOMPARE(seen, 1);
    }

    void coroutineOutsideIsolates() {
        Promise<int> promise;
        auto sum = add_later(promise.future(), 1);
        QVERIFY(!sum.is_ready());
        promise.set_value(41);
        QCOMPARE(sum.get(), 42);
    }

    void whenAllKeepsOrderAndFailsFast() {
        std::vector<Promise<int>> promises(3);
        std::vector<Future<int>> futures;
        for (auto& p : promises) futures.push_back(p.future());
        auto all = when_all(std::move(futures));
        promises[2].set_value(3);
        promises[0].set_value(1);
        QVERIFY(!all.is_ready());
        promises[1].set_value(2);
        QCOMPARE(all.get(), (std::vector<int>{1, 2, 3}));

        std::vector<Promise<int>> more(2);
        std::vector<Future<int>> f2;
        for (auto& p : more) f2.push_back(p.future());
        auto failing = when_all(std::move(f2));
        more[1].set_error(std::runtime_error("second failed"));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, failing.get());
        QVERIFY(when_all(std::vector<Future<int>>{}).get().empty());
    }

    void getInsideAnIsolateIsRefused() {
        Runtime rt(deterministic());
        bool refused = false;
        rt.spawn([&](Value) {
            Promise<int> p;
            auto f = p.future();
            try {
                f.get();
            } catch (const StateError&) {
                refused = true;
            }
        });
        rt.run_until_idle();
        QVERIFY(refused);
    }

    void continuationsRunOnTheAwaitingIsolate() {
        Runtime rt;
        Promise<int> promise;
        auto shared = std::make_shared<Future<int>>(promise.future());
        auto check = rt.run([shared]() -> Future<bool> {
            const Isolate me = Isolate::current();
            int v = co_await std::move(*shared);
            co_return v == 5 && Isolate::current() == me;
        });
        std::thread completer([p = std::move(promise)]() mutable { p.set_value(5); });
        QVERIFY(rt.block_on(std::move(check)));
        completer.join();
    }

    void thenInsideIsolateRunsOnIt() {
        Runtime rt;
        Promise<int> promise;
        auto shared = std::make_shared<Future<int>>(promise.future());
        auto check = rt.run([shared]() -> Future<bool> {
            const Isolate me = Isolate::current();
            return std::move(*shared).then([me](int v) { return v == 9 && Isolate::current() == me; });
        });
        std::thread completer([p = std::move(promise)]() mutable { p.set_value(9); });
        QVERIFY(rt.block_on(std::move(check)));
        completer.join();
    }

    void onReadyOutsideIsolatesRunsOnTheCompletingThread() {
        Promise<int> promise;
        auto future = promise.future();
        std::thread::id ran_on;
        int seen = 0;
        future.on_ready([&] {
            ran_on = std::this_thread::get_id();
            seen = future.get();  // ready: does not block
        });
        std::thread completer([p = std::move(promise)]() mutable { p.set_value(11); });
        const std::thread::id completer_id = completer.get_id();
        completer.join();
        QCOMPARE(ran_on, completer_id);
        QCOMPARE(seen, 11);
        QCOMPARE(future.get(), 11);  // not consumed
    }

    void onReadyOnAReadyFutureRunsAtOnce() {
        auto future = Future<std::string>::ready("done");
        bool ran = false;
        future.on_ready([&ran] { ran = true; });
        QVERIFY(ran);
        auto failed = Future<void>::failed(std::make_exception_ptr(std::runtime_error("no")));
        bool told = false;
        failed.on_ready([&told] { told = true; });
        QVERIFY(told);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, failed.get());
    }

    void onReadyInsideAnIsolateRunsOnIt() {
        Runtime rt;
        Promise<int> promise;
        auto shared = std::make_shared<Future<int>>(promise.future());
        auto check = rt.run([shared]() -> Future<bool> {
            const Isolate me = Isolate::current();
            auto answer = std::make_shared<Promise<bool>>();
            shared->on_ready([shared, answer, me] { answer->set_value(shared->get() == 3 && Isolate::current() == me); });
            return answer->future();
        });
        std::thread completer([p = std::move(promise)]() mutable { p.set_value(3); });
        QVERIFY(rt.block_on(std::move(check)));
        completer.join();
    }
};

QTEST_APPLESS_MAIN(TestFuture)
#include "tst_future.moc"
