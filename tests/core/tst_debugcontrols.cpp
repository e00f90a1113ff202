// The debugger's controls over any isolate of a runtime: find_isolate, and
// the mailbox while paused. Deterministic runtimes: every step is explicit.

#include "support.h"

#include <iso/observer.h>

#include <QtTest>

#include <array>
#include <future>

using namespace iso;
using test::deterministic;

namespace {

/// Spawns, from inside another isolate, a listener that appends what it
/// receives to `got`; returns its id and port. The test never holds a
/// handle with its capabilities.
std::pair<IsolateId, SendPort> spawned_elsewhere(Runtime& rt, std::vector<Value>& got) {
    SendPort port;
    rt.spawn([&](Value) {
        spawn([&](Value) {
            RawReceivePort receiver([&got](Value v) { got.push_back(std::move(v)); });
            port = receiver.send_port();
        });
    });
    rt.run_until_idle();
    const auto live = rt.isolates();
    if (live.size() != 1) throw std::logic_error("expected the listener alone");
    return {live.front().id, port};
}

/// A paused listener with `messages` waiting in its mailbox, in order.
struct PausedListener {
    Isolate isolate;
    SendPort port;
    Capability pause;
};

PausedListener paused_listener(Runtime& rt, std::vector<Value>& got, const std::vector<Value>& messages) {
    auto [isolate, port] = test::listener(rt, [&got](Value v) { got.push_back(std::move(v)); });
    const Capability pause = isolate.pause();
    for (const Value& m : messages) port.send(m);
    rt.run_until_idle();
    return {isolate, port, pause};
}

std::vector<Value> values_of(const MailboxView& view) {
    std::vector<Value> out;
    for (const auto& e : view.events) out.push_back(e.value);
    return out;
}

std::vector<std::uint64_t> ordinals_of(const MailboxView& view) {
    std::vector<std::uint64_t> out;
    for (const auto& e : view.events) out.push_back(e.ordinal);
    return out;
}

} // namespace

class TestDebugControls : public QObject {
    Q_OBJECT

private slots:
    void findIsolateGivesPauseAndKill() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto [id, port] = spawned_elsewhere(rt, got);
        const auto found = rt.find_isolate(id);
        QVERIFY(found.has_value());
        QVERIFY(found->pause_capability().has_value());
        QVERIFY(found->terminate_capability().has_value());
        const Capability held = found->pause();
        port.send(1);
        rt.run_until_idle();
        QVERIFY(got.empty());
        found->resume(held);
        rt.run_until_idle();
        QCOMPARE(got, std::vector<Value>{Value(1)});
        found->kill();
        rt.run_until_idle();
        QCOMPARE(rt.isolate_count(), std::size_t(0));
        QVERIFY(!rt.find_isolate(id).has_value());
    }

    void findIsolateOfAnUnknownIdIsEmpty() {
        Runtime rt(deterministic());
        QVERIFY(!rt.find_isolate(12345).has_value());
    }

    void pendingListsWhatWaitsOldestFirst() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        const Value shared = Value::list({"x", "y"});
        auto l = paused_listener(rt, got, {1, shared, "three"});
        const MailboxView view = rt.block_on(l.isolate.pending());
        QVERIFY(got.empty());
        QVERIFY(view.paused);
        QCOMPARE(view.depth, std::size_t(3));
        QCOMPARE(values_of(view), (std::vector<Value>{1, shared, "three"}));
        QCOMPARE(view.events[1].value.identity(), shared.identity());  // shared, not copied
        for (const auto& e : view.events) {
            QCOMPARE(e.kind, PendingEvent::Kind::Message);
            QCOMPARE(e.port, l.port.id());
        }
        const auto ordinals = ordinals_of(view);
        QVERIFY(ordinals[0] < ordinals[1] && ordinals[1] < ordinals[2]);
        QCOMPARE(view.ports, std::vector<PortId>{l.port.id()});  // the port it listens on
        const MailboxView first_two = rt.block_on(l.isolate.pending(2));
        QCOMPARE(first_two.depth, std::size_t(3));
        QCOMPARE(ordinals_of(first_two), (std::vector<std::uint64_t>{ordinals[0], ordinals[1]}));
    }

    void stepRunsTheOldestEventAndStaysPaused() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto l = paused_listener(rt, got, {1, 2, 3});
        const auto ordinals = ordinals_of(rt.block_on(l.isolate.pending()));
        l.isolate.step();
        rt.run_until_idle();
        QCOMPARE(got, std::vector<Value>{1});
        const MailboxView after = rt.block_on(l.isolate.pending());
        QVERIFY(after.paused);
        QCOMPARE(after.depth, std::size_t(2));
        QCOMPARE(values_of(after), (std::vector<Value>{2, 3}));
        QCOMPARE(ordinals_of(after), (std::vector<std::uint64_t>{ordinals[1], ordinals[2]}));
        l.isolate.step();
        l.isolate.step();  // steps add up
        rt.run_until_idle();
        QCOMPARE(got, (std::vector<Value>{1, 2, 3}));
        const MailboxView empty = rt.block_on(l.isolate.pending());
        QCOMPARE(empty.depth, std::size_t(0));
        QVERIFY(empty.events.empty());
        QVERIFY(empty.paused);
    }

    void stepRunsTheMessagesNeverSeenByPending() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto l = paused_listener(rt, got, {1, 2});
        l.isolate.step();
        rt.run_until_idle();
        QCOMPARE(got, std::vector<Value>{1});
    }

    void stepRunsTheMicrotasksOfItsEvent() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto [isolate, port] = test::listener(rt, [&got](Value v) {
            got.push_back(v);
            (void)Future<void>::ready().then([&got, v] { got.push_back(Value::list({"after", v})); });
        });
        isolate.pause();
        port.send(1);
        port.send(2);
        isolate.step();
        rt.run_until_idle();
        QCOMPARE(got, (std::vector<Value>{1, Value::list({"after", 1})}));
    }

    void stepDoesNothingUnpausedOrWithNothingPending() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto [isolate, port] = test::listener(rt, [&got](Value v) { got.push_back(std::move(v)); });
        isolate.step();  // not paused
        rt.run_until_idle();
        const Capability pause = isolate.pause();
        isolate.step();  // paused, nothing pending
        rt.run_until_idle();
        port.send(1);
        rt.run_until_idle();
        QVERIFY2(got.empty(), "a step does not wait for a later event");
        isolate.step();
        isolate.step();  // one more than pending
        rt.run_until_idle();
        port.send(2);
        rt.run_until_idle();
        QCOMPARE(got, std::vector<Value>{1});
        isolate.resume(pause);
        rt.run_until_idle();
        QCOMPARE(got, (std::vector<Value>{1, 2}));
    }

    void stepsEndWithThePause() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto l = paused_listener(rt, got, {1, 2});
        l.isolate.step();
        l.isolate.step();
        l.isolate.resume(l.pause);
        l.isolate.pause();
        rt.run_until_idle();
        QVERIFY(got.empty());
    }

    void stepWithoutThePauseCapabilityDoesNothing() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto l = paused_listener(rt, got, {1});
        Isolate(l.isolate.control_port()).step();
        rt.run_until_idle();
        QVERIFY(got.empty());
    }

    void pendingIsAnsweredAheadOfEventsWhenRunning() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto [isolate, port] = test::listener(rt, [&got](Value v) { got.push_back(std::move(v)); });
        for (int i = 1; i <= 3; ++i) port.send(i);
        auto asked = isolate.pending();
        rt.run_until_idle();
        const MailboxView view = std::move(asked).get();
        QVERIFY(!view.paused);
        QCOMPARE(values_of(view), (std::vector<Value>{1, 2, 3}));
        QCOMPARE(got, (std::vector<Value>{1, 2, 3}));  // held events keep their place
    }

    void pendingNamesTasks() {
        Runtime rt(deterministic());
        SpawnOptions options;
        options.paused = true;
        auto isolate = rt.spawn([](Value) {}, {}, options);
        const MailboxView view = rt.block_on(isolate.pending());
        QCOMPARE(view.events.size(), std::size_t(1));
        QCOMPARE(view.events[0].kind, PendingEvent::Kind::Task);
        QVERIFY(!rt.block_on(isolate.drop_pending(view.events[0].ordinal)));  // only messages can be dropped
        isolate.step();
        rt.run_until_idle();
        QCOMPARE(rt.isolate_count(), std::size_t(0));  // the entry ran, and the isolate ended
    }

    void dropPendingMakesADeadLetter() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto l = paused_listener(rt, got, {"a", "b", "c"});
        const auto ordinals = ordinals_of(rt.block_on(l.isolate.pending()));
        QVERIFY(rt.block_on(l.isolate.drop_pending(ordinals[1])));
        QVERIFY(!rt.block_on(l.isolate.drop_pending(ordinals[1])));
        QVERIFY(!rt.block_on(l.isolate.drop_pending(ordinals[2] + 100)));
        const MailboxView after = rt.block_on(l.isolate.pending());
        QCOMPARE(after.depth, std::size_t(2));
        QCOMPARE(values_of(after), (std::vector<Value>{"a", "c"}));
        QCOMPARE(rt.dead_letter_count(), std::uint64_t(1));
        const DeadLetter letter = rt.recent_dead_letters().back();
        QCOMPARE(letter.reason, DeadLetterReason::Dropped);
        QCOMPARE(letter.port, l.port.id());
        QCOMPARE(letter.preview, std::string("b"));
        QCOMPARE(reason_name(DeadLetterReason::Dropped), std::string_view("dropped"));
        MessageStats stats = rt.message_stats();
        QVERIFY(stats.accounted());
        QCOMPARE(stats.undeliverable, std::uint64_t(1));
        QCOMPARE(stats.queued, std::uint64_t(2));
        l.isolate.resume(l.pause);
        rt.run_until_idle();
        QCOMPARE(got, (std::vector<Value>{"a", "c"}));
        stats = rt.message_stats();
        QVERIFY(stats.accounted());
        QCOMPARE(stats.delivered, std::uint64_t(2));
    }

    void pendingAndDroppingAreTraced() {
        Runtime rt(deterministic());
        ObserverOptions manual;
        manual.interval = std::chrono::milliseconds(0);
        Observer observer(rt, manual);
        auto subscription = observer.subscribe();
        std::vector<Value> got;
        auto l = paused_listener(rt, got, {"kept", "dropped"});
        const MailboxView view = rt.block_on(l.isolate.pending());
        QVERIFY(view.events[0].message_id != 0);
        QVERIFY(view.events[1].message_id != view.events[0].message_id);
        QVERIFY(rt.block_on(l.isolate.drop_pending(view.events[1].ordinal)));
        observer.poll();
        std::vector<trace::Event> letters;
        for (Batch& b : subscription->take_all())
            for (trace::Event& e : b.events)
                if (e.kind == trace::Kind::DeadLetter) letters.push_back(std::move(e));
        QCOMPARE(letters.size(), std::size_t(1));
        QCOMPARE(letters[0].message, view.events[1].message_id);
        QCOMPARE(letters[0].arg, std::uint32_t(DeadLetterReason::Dropped));
        QCOMPARE(letters[0].port, l.port.id());
    }

    void droppingTheSteppedEventTakesBackTheStep() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto l = paused_listener(rt, got, {"only"});
        const auto ordinals = ordinals_of(rt.block_on(l.isolate.pending()));
        l.isolate.step();
        QVERIFY(rt.block_on(l.isolate.drop_pending(ordinals[0])));
        rt.run_until_idle();
        l.port.send("later");
        rt.run_until_idle();
        QVERIFY2(got.empty(), "the step was for the dropped message, not a later one");
    }

    void questionsToAnEndedIsolateFail() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto [isolate, port] = test::listener(rt, [&got](Value v) { got.push_back(std::move(v)); });
        isolate.kill();
        auto asked_while_dying = isolate.pending();  // queued behind the kill
        rt.run_until_idle();
        QVERIFY_THROWS_EXCEPTION(BrokenPromise, std::move(asked_while_dying).get());
        QVERIFY_THROWS_EXCEPTION(BrokenPromise, isolate.pending().get());
        QVERIFY_THROWS_EXCEPTION(BrokenPromise, isolate.drop_pending(1).get());
        const Isolate never(SendPort(rt.node(), 999999), Capability());
        QVERIFY_THROWS_EXCEPTION(BrokenPromise, never.pending().get());
    }

    void questionsNeedThePauseCapability() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto [isolate, port] = test::listener(rt, [&got](Value v) { got.push_back(std::move(v)); });
        QVERIFY_THROWS_EXCEPTION(StateError, Isolate(isolate.control_port()).pending().get());
        auto wrong = Isolate(isolate.control_port(), Capability()).drop_pending(1);
        rt.run_until_idle();
        QVERIFY_THROWS_EXCEPTION(StateError, std::move(wrong).get());
    }

    void anIsolateMayAskAboutItself() {
        Runtime rt(deterministic());
        auto depth = rt.run([]() -> Future<std::size_t> {
            const MailboxView view = co_await Isolate::current().pending();
            co_return view.depth;
        });
        QCOMPARE(rt.block_on(std::move(depth)), std::size_t(0));
    }

    void onWorkerThreads() {
        RuntimeOptions options;
        options.threads = 2;
        Runtime rt(options);
        std::array<std::promise<void>, 2> handled;
        std::vector<Value> got;  // the isolate's, until `handled` says otherwise
        std::promise<SendPort> opened;
        const Isolate isolate = rt.spawn([&](Value) {
            RawReceivePort receiver([&](Value v) {
                got.push_back(std::move(v));
                handled.at(got.size() - 1).set_value();
            });
            opened.set_value(receiver.send_port());
        });
        const SendPort port = opened.get_future().get();
        isolate.pause();
        QVERIFY(isolate.pending().get().paused);  // answered after the pause took effect
        for (int i = 1; i <= 3; ++i) port.send(i);
        const MailboxView view = isolate.pending().get();
        QCOMPARE(values_of(view), (std::vector<Value>{1, 2, 3}));
        isolate.step();
        handled[0].get_future().wait();
        QVERIFY(isolate.drop_pending(view.events[1].ordinal).get());
        isolate.step();
        handled[1].get_future().wait();
        QCOMPARE(got, (std::vector<Value>{1, 3}));
        QCOMPARE(isolate.pending().get().depth, std::size_t(0));
        QVERIFY(rt.message_stats().accounted());
        isolate.kill();
        QVERIFY(rt.wait_until_idle());
    }

    void heldEventsOfAKilledIsolateAreDeadLetters() {
        Runtime rt(deterministic());
        std::vector<Value> got;
        auto l = paused_listener(rt, got, {1, 2, 3});
        QCOMPARE(rt.block_on(l.isolate.pending(1)).events.size(), std::size_t(1));  // holds the first only
        l.isolate.kill();
        rt.run_until_idle();
        QCOMPARE(rt.isolate_count(), std::size_t(0));
        QVERIFY(got.empty());
        std::vector<std::string> previews;
        for (const auto& letter : rt.recent_dead_letters()) {
            QCOMPARE(letter.reason, DeadLetterReason::IsolateDead);
            previews.push_back(letter.preview);
        }
        QCOMPARE(previews, (std::vector<std::string>{"1", "2", "3"}));
        const MessageStats stats = rt.message_stats();
        QVERIFY(stats.accounted());
        QCOMPARE(stats.queued, std::uint64_t(0));
    }
};

QTEST_APPLESS_MAIN(TestDebugControls)
#include "tst_debugcontrols.moc"
