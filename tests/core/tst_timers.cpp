// Timers and delays on a manual clock: exact, with no waiting.

#include "support.h"

#include <QtTest>

using namespace iso;
using namespace std::chrono_literals;
using test::deterministic;

class TestTimers : public QObject {
    Q_OBJECT

private slots:
    void oneShotFiresOnceAtItsTime() {
        Runtime rt(deterministic());
        std::vector<std::int64_t> fired_at;
        rt.spawn([&](Value) { Timer::once(10ms, [&] { fired_at.push_back(rt.now().count()); }); });
        rt.run_until_idle();
        rt.advance_time(9ms);
        QVERIFY(fired_at.empty());
        rt.advance_time(1ms);
        QCOMPARE(fired_at, std::vector<std::int64_t>{std::chrono::nanoseconds(10ms).count()});
        rt.advance_time(100ms);
        QCOMPARE(fired_at.size(), std::size_t(1));
        QCOMPARE(rt.isolate_count(), std::size_t(0));
    }

    void activeTimerKeepsIsolateAlive() {
        Runtime rt(deterministic());
        rt.spawn([](Value) { Timer::once(1s, [] {}); });
        rt.run_until_idle();
        QCOMPARE(rt.isolate_count(), std::size_t(1));
        rt.advance_time(1s);
        QCOMPARE(rt.isolate_count(), std::size_t(0));
    }

    void periodicTicksUntilCancelled() {
        Runtime rt(deterministic());
        std::vector<std::uint64_t> ticks;
        rt.spawn([&](Value) {
            Timer::periodic(5ms, [&](Timer& t) {
                ticks.push_back(t.tick());
                if (t.tick() == 3) t.cancel();
            });
        });
        rt.run_until_idle();
        rt.advance_time(100ms);
        QCOMPARE(ticks, (std::vector<std::uint64_t>{1, 2, 3}));
        QCOMPARE(rt.isolate_count(), std::size_t(0));
    }

    void timersFireInTimeOrderAcrossIsolates() {
        Runtime rt(deterministic());
        std::vector<std::string> order;
        rt.spawn([&](Value) { Timer::once(30ms, [&] { order.push_back("a30"); }); });
        rt.spawn([&](Value) {
            Timer::once(10ms, [&] { order.push_back("b10"); });
            Timer::once(20ms, [&] { order.push_back("b20"); });
        });
        rt.run_until_idle();
        rt.advance_time(1s);
        QCOMPARE(order, (std::vector<std::string>{"b10", "b20", "a30"}));
    }

    void cancelFromAnotherHandlerBeforeTheFireIsHandled() {
        Runtime rt(deterministic());
        bool fired = false;
        std::optional<Timer> timer;
        SendPort cancel_port;
        auto owner = rt.spawn([&](Value) {
            timer = Timer::once(10ms, [&] { fired = true; });
            RawReceivePort p([&](Value) { timer->cancel(); });
            cancel_port = p.send_port();
        });
        rt.run_until_idle();
        // The fire is queued behind the cancel message while the isolate is paused.
        Capability paused = owner.pause();
        rt.run_until_idle();
        cancel_port.send("cancel");
        rt.advance_time(10ms);
        QVERIFY(!fired);
        owner.resume(paused);
        rt.run_until_idle();
        QVERIFY2(!fired, "a cancelled timer ran its callback");
        QVERIFY(!timer->is_active());
    }

    void cancelFromAnotherThreadIsRefused() {
        Runtime rt(deterministic());
        std::optional<Timer> timer;
        rt.spawn([&](Value) { timer = Timer::once(1s, [] {}); });
        rt.run_until_idle();
        QVERIFY_THROWS_EXCEPTION(StateError, timer->cancel());
    }

    void delayCompletesAfterItsTime() {
        Runtime rt(deterministic());
        std::vector<std::int64_t> woke;
        rt.spawn_async([&](Value) -> Future<void> {
            co_await delay(25ms);
            woke.push_back(rt.now().count());
        });
        rt.run_until_idle();
        rt.advance_time(24ms);
        QVERIFY(woke.empty());
        rt.advance_time(1ms);
        QCOMPARE(woke, std::vector<std::int64_t>{std::chrono::nanoseconds(25ms).count()});
    }

    void timerWaitsWhilePaused() {
        Runtime rt(deterministic());
        bool fired = false;
        auto isolate = rt.spawn([&](Value) { Timer::once(1ms, [&] { fired = true; }); });
        rt.run_until_idle();
        Capability cap = isolate.pause();
        rt.advance_time(5ms);
        QVERIFY(!fired);
        isolate.resume(cap);
        rt.run_until_idle();
        QVERIFY(fired);
    }

    void periodicTimerGoesOnAfterItsCallbackThrows() {
        Runtime rt(deterministic());
        int fires = 0;
        SpawnOptions options;
        options.errors_are_fatal = false;
        rt.spawn([&](Value) {
            Timer::periodic(5ms, [&](Timer& t) {
                if (++fires == 3) t.cancel();
                throw std::runtime_error("tick failed");
            });
        }, {}, options);
        rt.run_until_idle();
        rt.advance_time(100ms);
        QCOMPARE(fires, 3);
        QCOMPARE(rt.isolate_count(), std::size_t(0));
    }

    void refusedCancelLeavesTheTimerRunning() {
        Runtime rt(deterministic());
        bool fired = false;
        std::optional<Timer> timer;
        rt.spawn([&](Value) { timer = Timer::once(1s, [&] { fired = true; }); });
        rt.run_until_idle();
        QVERIFY_THROWS_EXCEPTION(StateError, timer->cancel());
        QVERIFY(timer->is_active());
        rt.advance_time(1s);
        QVERIFY(fired);
        QCOMPARE(rt.isolate_count(), std::size_t(0));
    }

    void cancelledTimerLetsGoOfItsCallbackAtOnce() {
        Runtime rt(deterministic());
        auto big = std::make_shared<int>(1);
        std::weak_ptr<int> watch = big;
        rt.spawn([big = std::move(big)](Value) mutable {
            Timer t = Timer::once(std::chrono::hours(1), [held = std::move(big)] {});
            t.cancel();
        });
        rt.run_until_idle();
        QVERIFY2(watch.expired(), "the cancelled timer still holds what its callback captured");
    }

    void timersOutsideIsolatesAreRefused() {
        QVERIFY_THROWS_EXCEPTION(StateError, Timer::once(1ms, [] {}));
    }

    void realTimeDelayOnThreads() {
        Runtime rt;
        auto elapsed = rt.block_on(rt.run([]() -> Future<std::int64_t> {
            const auto start = std::chrono::steady_clock::now();
            co_await delay(20ms);
            co_return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
                .count();
        }));
        QVERIFY(elapsed >= 20);
    }
};

QTEST_APPLESS_MAIN(TestTimers)
#include "tst_timers.moc"
