// The snapshot kept from trace events alone, as a recording is shown: each
// isolate's state follows its events at the moment asked, its counters
// add up, ended isolates are listed once and then forgotten, and a real
// recording read back gives what its run did.

#include "recording.h"
#include "tracescript.h"

#include <iso/snapshotbuilder.h>
#include <iso/tracefile.h>

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using iso::IsolateMetrics;
using iso::IsolateState;
using iso::SnapshotBuilder;
using iso::SnapshotDelta;
using namespace iso::trace;
using test::ping;
using test::pong;
using test::Script;

namespace {

/// Applies the events of `script` after `from` up to `until`.
void apply(SnapshotBuilder& builder, const Script& script, std::uint64_t until = UINT64_MAX, std::uint64_t from = 0) {
    for (const Event& e : script.events)
        if (e.time > from && e.time <= until)
            builder.apply(e);
}

const IsolateMetrics* changed(const SnapshotDelta& delta, iso::IsolateId id) {
    const auto it = std::find_if(delta.changed.begin(), delta.changed.end(),
                                 [id](const IsolateMetrics& m) { return m.id == id; });
    return it == delta.changed.end() ? nullptr : &*it;
}

} // namespace

class TestSnapshotBuilder : public QObject {
    Q_OBJECT

private slots:
    void statesFollowTheEventsAtTheMomentAsked() {
        Script s;
        s.spawn(ping, "ping");
        s.path(ping, "/app/ping");
        const std::uint64_t spawned = s.last_time();
        s.task(ping);  // its entry
        const std::uint64_t started = s.last_time();
        s.deliver(0, 1, ping);
        const std::uint64_t waiting = s.last_time();
        s.begin(ping, 1);
        const std::uint64_t began = s.last_time();
        s.end(ping);
        const std::uint64_t ended = s.last_time();

        SnapshotBuilder builder(s.events.front().time);
        apply(builder, s, spawned);
        const SnapshotDelta first = builder.take_delta(spawned);
        QCOMPARE(changed(first, ping)->state, IsolateState::Starting);
        QCOMPARE(changed(first, ping)->path, "/app/ping");

        apply(builder, s, started, spawned);
        QCOMPARE(changed(builder.take_delta(started), ping)->state, IsolateState::Idle);
        apply(builder, s, waiting, started);
        // Nothing handled yet, but a message waits: it is due a worker.
        const SnapshotDelta queued = builder.take_delta(waiting);
        QCOMPARE(changed(queued, ping)->state, IsolateState::Runnable);
        QCOMPARE(changed(queued, ping)->mailbox_depth, 1u);

        SnapshotBuilder& running = builder;
        apply(running, s, began, waiting);
        const SnapshotDelta during = running.take_delta(began);
        QCOMPARE(changed(during, ping)->state, IsolateState::Running);
        QCOMPARE(changed(during, ping)->mailbox_depth, 0u);
        // The handler ended with no event at that moment: the next delta
        // still sees it go idle.
        const SnapshotDelta after = running.take_delta(ended + 1);
        QVERIFY(changed(after, ping) != nullptr);
        QCOMPARE(changed(after, ping)->state, IsolateState::Idle);
        QCOMPARE(changed(after, ping)->messages_in, 1u);
        QVERIFY(running.take_delta(ended + 2).changed.empty());
    }

    void pausesAndExitsShowAndEndedIsolatesGoAfterOneListing() {
        Script s;
        s.spawn(ping, "ping");
        s.task(ping);
        s.add(Kind::Pause, ping);
        s.add(Kind::Pause, ping);
        s.add(Kind::Resume, ping);
        const std::uint64_t stillPaused = s.last_time();
        s.add(Kind::Resume, ping);
        const std::uint64_t resumed = s.last_time();
        s.add(Kind::Exit, ping);

        SnapshotBuilder builder(s.events.front().time);
        apply(builder, s, stillPaused);
        QCOMPARE(changed(builder.take_delta(stillPaused), ping)->state, IsolateState::Paused);
        apply(builder, s, resumed, stillPaused);
        QCOMPARE(changed(builder.take_delta(resumed), ping)->state, IsolateState::Idle);

        SnapshotBuilder whole(s.events.front().time);
        apply(whole, s);
        whole.forget_ended();  // not yet listed as exited: kept
        const SnapshotDelta exited = whole.take_delta(s.last_time());
        QCOMPARE(changed(exited, ping)->state, IsolateState::Exited);
        QVERIFY(exited.removed.empty());
        whole.forget_ended();
        const SnapshotDelta gone = whole.take_delta(s.last_time() + 1);
        QCOMPARE(gone.removed, std::vector<iso::IsolateId>{ping});
        QCOMPARE(whole.size(), 0u);
        QVERIFY(whole.current_state_events(0).empty());
    }

    // A dead letter to an isolate already forgotten does not bring it back.
    void aDeadLetterToAForgottenIsolateLeavesItGone() {
        Script s;
        s.spawn(ping, "ping");
        s.task(ping);
        s.add(Kind::Exit, ping);
        SnapshotBuilder builder(s.events.front().time);
        apply(builder, s);
        builder.take_delta(s.last_time());
        builder.forget_ended();
        builder.take_delta(s.last_time() + 1);
        QCOMPARE(builder.size(), 0u);
        Event dead;
        dead.kind = Kind::DeadLetter;
        dead.isolate = pong;  // never known either
        dead.peer = ping;
        dead.time = s.last_time() + 2;
        builder.apply(dead);
        QVERIFY(builder.take_delta(s.last_time() + 3).changed.empty());
        QCOMPARE(builder.size(), 0u);
    }

    // An ended isolate goes once listed and once it ended before the time
    // asked; until then it shows as exited.
    void endedIsolatesGoOnceOldEnough() {
        Script s;
        s.spawn(ping, "ping");
        s.task(ping);
        s.add(Kind::Exit, ping);
        const std::uint64_t ended = s.last_time();
        SnapshotBuilder builder(s.events.front().time);
        apply(builder, s);
        builder.take_delta(ended);
        builder.forget_ended(ended);  // ended at, not before
        QCOMPARE(builder.size(), 1u);
        builder.forget_ended(ended + 1);
        QCOMPARE(builder.take_delta(ended + 1).removed, std::vector<iso::IsolateId>{ping});
    }

    // A copy goes on exactly as the original would: a checkpoint.
    void aCopyGoesOnAsTheOriginal() {
        const Script s = test::ping_pong(6);
        const std::uint64_t half = s.events[s.events.size() / 2].time;
        SnapshotBuilder original(s.events.front().time);
        apply(original, s, half);
        original.take_delta(half);
        SnapshotBuilder copy(original);
        SnapshotBuilder assigned;
        assigned = original;
        for (SnapshotBuilder* b : {&original, &copy, &assigned}) apply(*b, s, UINT64_MAX, half);
        const auto listed = [&](SnapshotBuilder& b) {
            std::map<iso::IsolateId, std::pair<std::uint64_t, std::uint64_t>> out;
            for (const IsolateMetrics& m : b.take_delta(s.last_time() + 1).changed) out[m.id] = {m.messages_in, m.busy_ns};
            return out;
        };
        const auto expected = listed(original);
        QCOMPARE(expected.size(), 2u);
        QCOMPARE(listed(copy), expected);
        QCOMPARE(listed(assigned), expected);
    }

    // A recording that starts late begins with each isolate as it is:
    // started, paused; read back, they show so.
    void theCurrentStateTellsStartedAndPausedIsolates() {
        Script s;
        s.spawn(ping, "ping");
        s.path(ping, "/app/ping");
        s.task(ping);
        s.add(Kind::Pause, ping);
        s.spawn(pong, "pong");  // not started yet
        SnapshotBuilder builder(s.events.front().time);
        apply(builder, s);
        std::vector<Event> start = builder.current_state_events(s.last_time());
        std::vector<Kind> kinds;
        for (const Event& e : start) kinds.push_back(e.kind);
        QCOMPARE(kinds, (std::vector<Kind>{Kind::Spawn, Kind::Path, Kind::Up, Kind::Pause, Kind::Spawn}));
        SnapshotBuilder late(s.last_time());
        for (const Event& e : start) late.apply(e);
        const SnapshotDelta delta = late.take_delta(s.last_time());
        QCOMPARE(changed(delta, ping)->state, IsolateState::Paused);
        QCOMPARE(changed(delta, ping)->path, "/app/ping");
        QCOMPARE(changed(delta, pong)->state, IsolateState::Starting);
    }

    // Live, the runtime's view is put over the events': states and depths
    // are its, and an isolate it no longer lists is listed once as exited.
    void theRuntimesViewDecidesLive() {
        const Script s = test::ping_pong(2);
        SnapshotBuilder builder(s.events.front().time);
        apply(builder, s);
        iso::IsolateInfo a;
        a.id = ping;
        a.state = IsolateState::Paused;
        a.mailbox_depth = 4;
        builder.merge_live({a});
        const SnapshotDelta first = builder.take_delta(s.last_time() + 1);
        QCOMPARE(changed(first, ping)->state, IsolateState::Paused);
        QCOMPARE(changed(first, ping)->mailbox_depth, 4u);
        QCOMPARE(changed(first, pong)->state, IsolateState::Exited);  // gone from the runtime
        builder.merge_live({a});
        QCOMPARE(builder.take_delta(s.last_time() + 2).removed, std::vector<iso::IsolateId>{pong});
    }

    void countersAndTotalsAddUp() {
        const Script s = test::ping_pong(5);
        SnapshotBuilder builder(s.events.front().time);
        apply(builder, s);
        Event gap;
        gap.kind = Kind::Gap;
        gap.time = s.last_time();
        gap.peer = 7;
        builder.apply(gap);
        const std::uint64_t begun = s.events.front().time;
        const std::uint64_t now = begun + 1'000'000'000;  // a second after
        const SnapshotDelta delta = builder.take_delta(now);
        const IsolateMetrics* p = changed(delta, ping);
        const IsolateMetrics* q = changed(delta, pong);
        QCOMPARE(p->messages_in, 5u);  // 1, 3, 5, 7, 9
        QCOMPARE(q->messages_in, 5u);
        QCOMPARE(p->messages_out, 5u);
        QCOMPARE(q->messages_out, 4u);  // the last message is not answered
        QCOMPARE(p->mailbox_depth + q->mailbox_depth, 0u);
        QCOMPARE(p->handle_time.count(), 6u);  // its start task too
        QVERIFY(p->busy_ns > 0);
        QCOMPARE(delta.totals.messages_total, 10u);
        QCOMPARE(delta.totals.messages_per_second, 10.0);
        QCOMPARE(delta.totals.events_total, s.events.size() + 1);
        QCOMPARE(delta.totals.events_lost, 7u);
        QCOMPARE(delta.totals.threads.size(), 1u);
        QVERIFY(delta.totals.threads[0].utilisation > 0);
        // The next interval starts from zero.
        const SnapshotDelta quiet = builder.take_delta(now + 1'000'000'000);
        QCOMPARE(quiet.totals.messages_per_second, 0.0);
        QCOMPARE(quiet.totals.messages_total, 10u);
        QCOMPARE(quiet.totals.threads.size(), 0u);
    }

    void aRealRecordingReadBackGivesWhatItsRunDid() {
        QTemporaryDir dir;
        const std::string file = dir.filePath(QStringLiteral("run.isotrace")).toStdString();
        test::record_ping_pong(file, 40);
        std::vector<Event> events = FileReader(file).read_all();
        std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
        SnapshotBuilder builder(events.front().time);
        std::map<std::string, IsolateMetrics> byPath;
        for (const Event& e : events)
            builder.apply(e);
        for (const IsolateMetrics& m : builder.take_delta(events.back().time).changed)
            if (!m.path.empty())
                byPath[m.path] = m;
        // ping handles the odd counts, pong the even ones, and each its
        // shutdown request: the cluster shut down before the recording ended.
        QCOMPARE(byPath.at("/app/ping").messages_in, 21u);
        QCOMPARE(byPath.at("/app/pong").messages_in, 21u);
        QCOMPARE(byPath.at("/app/ping").messages_out, 20u);
        QCOMPARE(byPath.at("/app/pong").messages_out, 19u);
        QCOMPARE(byPath.at("/app/ping").state, IsolateState::Exited);
        QCOMPARE(byPath.at("/app/pong").state, IsolateState::Exited);
        builder.forget_ended();
        QCOMPARE(builder.size(), 0u);
    }
};

QTEST_APPLESS_MAIN(TestSnapshotBuilder)
#include "tst_snapshotbuilder.moc"
