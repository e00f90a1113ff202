// The thread pool: many isolates on few threads, one thread per isolate at a
// time, and no starvation behind CPU-bound handlers.

#include "support.h"

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

#ifdef __linux__
#include <sys/resource.h>
#endif

using namespace iso;

namespace {

/// Bounces a counter between two isolates `rounds` times; completes with the
/// number of round trips seen.
Future<std::int64_t> ping_pong(Runtime& rt, std::int64_t rounds) {
    return rt.run([rounds]() -> Future<std::int64_t> {
        ReceivePort replies;
        SpawnOptions options;
        options.debug_name = "ponger";
        spawn([](Value reply_to) {
            auto port = std::make_shared<RawReceivePort>();
            const SendPort back = reply_to.as_send_port();
            port->set_handler([port, back](Value n) {
                back.send(n);
                if (n.as_int() < 0) port->close();
            });
            back.send(port->send_port());
        }, replies.send_port(), options);
        std::int64_t seen = 0;
        SendPort ponger;
        while (auto m = co_await replies.next()) {
            if (m->is_send_port()) {
                ponger = m->as_send_port();
                ponger.send(std::int64_t(0));
            } else if (m->as_int() < 0) {
                replies.close();
            } else {
                ++seen;
                ponger.send(seen < rounds ? m->as_int() + 1 : -1);
            }
        }
        co_return seen;
    }, "pinger");
}

/// Spawns `count` isolates that spin in their first handler until
/// `release`, and returns once all spin: each holds a worker.
void hold_workers(Runtime& rt, int count, const std::atomic<bool>& release) {
    std::atomic<int> spinning{0};
    for (int i = 0; i < count; ++i) {
        rt.spawn([&spinning, &release](Value) {
            spinning.fetch_add(1);
            while (!release.load(std::memory_order_acquire)) std::this_thread::yield();
        });
    }
    while (spinning.load() < count) std::this_thread::yield();
}

/// Spawns an isolate that always has more to do: it sends to itself, one
/// activation after another, until `stop`.
void spawn_endless(Runtime& rt, const std::atomic<bool>& stop) {
    rt.spawn([&stop](Value) {
        auto self = std::make_shared<RawReceivePort>();
        self->set_handler([self, &stop](Value) {
            if (stop.load()) self->close();
            else self->send_port().send(0);
        });
        self->send_port().send(0);
    });
}

/// A thread pool of `threads` workers.
RuntimeOptions on_threads(unsigned threads) {
    RuntimeOptions options;
    options.threads = threads;
    return options;
}

/// Two workers, and a pool quick to add more.
RuntimeOptions quick_to_grow() {
    RuntimeOptions options = on_threads(2);
    options.busy_threshold = std::chrono::milliseconds(5);
    return options;
}

/// Holds both workers of a quick_to_grow() pool until `release`, and
/// whether a ping-pong ran anyway, on a worker the pool added. Without
/// that worker, the ping-pong could never run and the test would time out.
bool grow_the_pool(Runtime& rt, const std::atomic<bool>& release) {
    hold_workers(rt, 2, release);
    return rt.block_on(ping_pong(rt, 1000)) == 1000 && rt.worker_count() > 2;
}

} // namespace

class TestScheduler : public QObject {
    Q_OBJECT

private slots:
    void pingPongCompletes() {
        Runtime rt;
        QCOMPARE(rt.block_on(ping_pong(rt, 10000)), std::int64_t(10000));
        QVERIFY(rt.wait_until_idle());
    }

    void busyIsolatesDoNotStarveOthers() {
        Runtime rt(quick_to_grow());
        std::atomic<bool> release{false};
        QVERIFY(grow_the_pool(rt, release));
        release.store(true, std::memory_order_release);
        QVERIFY(rt.wait_until_idle());
    }

    // A worker added for stuck ones goes once they move again, though there
    // is work for it: left running, it would share the cores with them.
    void anAddedWorkerRetiresOnceTheOthersMoveAgain() {
        Runtime rt(quick_to_grow());
        std::atomic<bool> release{false};
        QVERIFY(grow_the_pool(rt, release));
        release.store(true, std::memory_order_release);
        // An isolate that always has more to do for every worker, the added
        // one too: none goes for want of work, and with nothing waiting in
        // the queues the monitor could stop looking.
        std::atomic<bool> stop{false};
        for (unsigned i = 0; i < rt.worker_count(); ++i) spawn_endless(rt, stop);
        // Bounded only so that a failure ends: it takes a few looks of the monitor.
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (rt.worker_count() > 2 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
        const unsigned workers = rt.worker_count();
        stop.store(true);
        QVERIFY(rt.wait_until_idle());
        QCOMPARE(workers, 2u);
    }

    void workersRunAtTheNicenessAsked() {
#ifdef __linux__
        RuntimeOptions options;
        options.threads = 1;
        options.busy_threshold = std::chrono::milliseconds(5);
        options.worker_niceness = 7;
        Runtime rt(options);
        const int own = getpriority(PRIO_PROCESS, 0);
        const int expected = std::clamp(own + 7, -20, 19);
        const auto niceness = [] { return getpriority(PRIO_PROCESS, 0); };
        QCOMPARE(rt.block_on(rt.run(niceness)), expected);
        // A worker the pool adds later takes the same niceness.
        std::atomic<bool> release{false};
        hold_workers(rt, 1, release);
        QCOMPARE(rt.block_on(rt.run(niceness)), expected);
        QVERIFY(rt.worker_count() > 1);
        release.store(true, std::memory_order_release);
        QVERIFY(rt.wait_until_idle());
        // The thread that made the runtime keeps its own.
        QCOMPARE(getpriority(PRIO_PROCESS, 0), own);
#else
        QSKIP("worker niceness is Linux only");
#endif
    }

    void busyLocalQueuesDoNotStarveOutsideSenders() {
        // Declared before the runtime, which may still use them if the test fails.
        std::atomic<bool> stop{false};
        std::promise<int> answered;
        // One worker, and no second one to help: only the busy isolate's
        // yielding lets anything else run.
        RuntimeOptions options = on_threads(1);
        options.max_threads = 1;
        Runtime rt(options);
        // An isolate that always has more to do...
        spawn_endless(rt, stop);
        // ...must not keep a message from this thread from being handled.
        auto ran = rt.run([&answered] { answered.set_value(42); });
        auto answer = answered.get_future();
        const bool handled = answer.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
        stop.store(true);
        QVERIFY2(handled, "a message from outside waited behind a busy isolate");
        QCOMPARE(answer.get(), 42);
        QVERIFY(rt.wait_until_idle());
    }

    void isolatesWakingEachOtherDoNotStarveTheirWorkersQueue() {
        Runtime rt(on_threads(1));
        std::atomic<bool> stop{false};
        rt.spawn([&stop](Value) {
            // One that always has more to do, and so yields after every
            // budget while the others wait, and keeps the shared queue busy
            // at every fair turn...
            spawn([&stop](Value) {
                auto self = std::make_shared<RawReceivePort>();
                self->set_handler([self, &stop](Value) {
                    if (stop.load()) return self->close();
                    self->send_port().send(0);
                });
                self->send_port().send(0);
            });
            // ...and two isolates that bounce a message between them until
            // `stop`: each wakes the other, which then runs next on this worker...
            auto self = std::make_shared<RawReceivePort>();
            self->set_handler([self, &stop, partner = SendPort()](Value m) mutable {
                if (m.is_send_port()) {
                    partner = m.as_send_port();
                    // ...ahead of this one, woken just before them, which must
                    // still get its turn.
                    spawn([&stop](Value) { stop.store(true); });
                } else if (stop.load()) {
                    partner.send(-1);
                    self->close();
                    return;
                }
                partner.send(0);
            });
            spawn([&stop](Value back) {
                auto port = std::make_shared<RawReceivePort>();
                port->set_handler([port, back = back.as_send_port()](Value m) {
                    if (m.as_int() < 0) return port->close();
                    back.send(m);
                });
                back.as_send_port().send(port->send_port());
            }, self->send_port());
        });
        QVERIFY(rt.wait_until_idle());
        QVERIFY(stop.load());
    }

    void anIsolateWokenByOneThatThenRunsLongIsTakenByAnotherWorker() {
        Runtime rt(on_threads(2));
        // The isolate spawned waits in the spawner's worker's queue, where the
        // other worker leaves it at first (a reply would run next there)...
        std::atomic<bool> ran{false};
        rt.spawn([&ran](Value) {
            spawn([&ran](Value) { ran.store(true, std::memory_order_release); });
            // ...but this handler does not return until it has run elsewhere.
            while (!ran.load(std::memory_order_acquire)) std::this_thread::yield();
        });
        QVERIFY(rt.wait_until_idle());
        QVERIFY(ran.load());
    }

    void anIsolateSentToByOneThatThenRunsLongIsTakenByAnotherWorker() {
        Runtime rt(on_threads(2));
        std::atomic<bool> handled{false};
        std::promise<SendPort> receiver;
        rt.spawn([&receiver, &handled](Value) {
            auto port = std::make_shared<RawReceivePort>();
            port->set_handler([port, &handled](Value) {
                handled.store(true, std::memory_order_release);
                port->close();
            });
            receiver.set_value(port->send_port());
        });
        const SendPort idle = receiver.get_future().get();
        // Woken by this message, the receiver waits in the sender's worker's
        // queue, and no other worker is told of it (it would run next there)...
        rt.spawn([idle, &handled](Value) {
            idle.send(1);
            // ...but this handler does not return until it has been handled elsewhere.
            while (!handled.load(std::memory_order_acquire)) std::this_thread::yield();
        });
        QVERIFY(rt.wait_until_idle());
        QVERIFY(handled.load());
    }

    void anIsolateNeverRunsOnTwoThreadsAtOnce() {
        Runtime rt;
        constexpr int kSenders = 8;
        constexpr int kEach = 5000;
        std::atomic<bool> inside{false};
        std::atomic<bool> overlapped{false};
        std::int64_t unguarded = 0;  // plain on purpose: the sanitizer build would flag a race
        Promise<std::int64_t> done;
        auto total = done.future();
        SendPort sink;
        std::atomic<bool> ready{false};
        rt.spawn([&, done = std::make_shared<Promise<std::int64_t>>(std::move(done))](Value) {
            auto port = std::make_shared<RawReceivePort>();
            port->set_handler([&, port, done](Value) {
                if (inside.exchange(true)) overlapped = true;
                if (++unguarded == kSenders * kEach) {
                    done->set_value(unguarded);
                    port->close();
                }
                inside.store(false);
            });
            sink = port->send_port();
            ready.store(true, std::memory_order_release);
        });
        while (!ready.load(std::memory_order_acquire)) std::this_thread::yield();
        for (int s = 0; s < kSenders; ++s)
            rt.spawn([sink](Value) {
                for (int i = 0; i < kEach; ++i) sink.send(i);
            });
        QCOMPARE(total.get(), std::int64_t(kSenders * kEach));
        QVERIFY(!overlapped.load());
        QVERIFY(rt.wait_until_idle());
    }

    void tenThousandIsolatesOnAFewThreads() {
        Runtime rt;
        constexpr int kCount = 10000;
        auto sum = rt.block_on(rt.run([]() -> Future<std::int64_t> {
            ReceivePort results;
            for (int i = 0; i < kCount; ++i)
                spawn([](Value m) { m[0].as_send_port().send(m[1].as_int()); },
                      Value::list({results.send_port(), i}));
            std::int64_t total = 0;
            for (int i = 0; i < kCount; ++i) total += (co_await results.next())->as_int();
            results.close();
            co_return total;
        }));
        QCOMPARE(sum, std::int64_t(kCount) * (kCount - 1) / 2);
        QVERIFY(rt.worker_count() <= std::max(2u, std::thread::hardware_concurrency()) + 1);
        QVERIFY(rt.wait_until_idle());
    }

    void deterministicRunsInFifoOrder() {
        Runtime rt(test::deterministic());
        std::vector<int> order;
        for (int i = 0; i < 5; ++i) rt.spawn([&order, i](Value) { order.push_back(i); });
        QVERIFY(order.empty());
        QVERIFY(rt.run_once());
        QCOMPARE(order, std::vector<int>{0});
        rt.run_until_idle();
        QCOMPARE(order, (std::vector<int>{0, 1, 2, 3, 4}));
        QVERIFY(!rt.run_once());
    }

    void snapshotsShowStatesAndDepth() {
        Runtime rt(test::deterministic());
        auto [isolate, port] = test::listener(rt, [](Value) {});
        isolate.pause();
        rt.run_until_idle();
        for (int i = 0; i < 3; ++i) port.send(i);
        auto infos = rt.isolates();
        QCOMPARE(infos.size(), std::size_t(1));
        QCOMPARE(infos[0].state, IsolateState::Paused);
        QCOMPARE(infos[0].mailbox_depth, std::size_t(3));
        QCOMPARE(infos[0].control_port, isolate.control_port());
    }

    void destroyingARuntimeEndsItsIsolates() {
        std::weak_ptr<int> watch;
        {
            Runtime rt;
            auto token = std::make_shared<int>(1);
            watch = token;
            std::atomic<bool> started{false};
            rt.spawn([&started, token](Value) {
                RawReceivePort open_port([token](Value) {});
                started = true;
            });
            token.reset();
            while (!started.load()) std::this_thread::yield();
        }
        QVERIFY(watch.expired());
    }
};

QTEST_APPLESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
