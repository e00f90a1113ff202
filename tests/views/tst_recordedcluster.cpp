// A recorded run shown at any moment: the state at a moment is what the
// events up to it say, whatever moments were shown before; batches come as
// an observer's would; going back starts over.

#include "recordedcluster.h"

#include "../core/tracescript.h"

#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <random>

using iso::IsolateState;
using iso::trace::Event;
using iso::trace::Kind;
using test::ping;
using test::pong;

namespace {

constexpr iso::IsolateId flaky = 3;
constexpr std::uint64_t millisecond = 1'000'000;

/// ping-pong, then a third isolate that fails and ends, each event
/// `spacing` after the one before (a few seconds of run by default).
std::vector<Event> run(std::uint64_t spacing = 100 * millisecond)
{
    test::Script s = test::ping_pong(3);
    s.spawn(flaky, "flaky");
    s.path(flaky, "/app/flaky");
    s.task(flaky);
    s.deliver(0, 100, flaky);
    s.begin(flaky, 100);
    s.add(Kind::Error, flaky).text = std::string("boom") + iso::trace::field_separator + "here";
    s.end(flaky);
    s.add(Kind::Exit, flaky).arg = 2;
    std::vector<Event> events = s.events;
    for (std::size_t i = 0; i < events.size(); ++i)
        events[i].time += i * spacing;
    return events;
}

RunEvents runEvents(std::vector<Event> events)
{
    RunEvents run;
    run.add(events);
    run.finish();
    return run;
}

/// Messages handled by `time`, counted from the events themselves.
std::uint64_t shownTotal(const std::vector<Event>& events, std::uint64_t time)
{
    return static_cast<std::uint64_t>(std::count_if(events.begin(), events.end(), [time](const Event& e) {
        return e.kind == Kind::Handle && e.arg == 0 && e.time <= time;
    }));
}

/// What one pass from the start straight to `time` shows.
std::map<iso::IsolateId, iso::IsolateMetrics> shownAt(const std::vector<Event>& events, std::uint64_t time)
{
    RecordedCluster direct(runEvents(events));
    direct.seek(time);
    std::map<iso::IsolateId, iso::IsolateMetrics> out;
    for (const auto& [id, isolate] : direct.state().isolates())
        out[id] = isolate.metrics;
    return out;
}

} // namespace

class TestRecordedCluster : public QObject
{
    Q_OBJECT

private slots:
    // Events kept as records come back with the fields the state needs;
    // those kept whole come back whole; out-of-order input is sorted.
    void runEventsKeepWhatTheStateNeedsInTimeOrder()
    {
        std::vector<Event> events = run();
        std::vector<Event> shuffled = events;
        std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
        const RunEvents kept = runEvents(shuffled);
        QCOMPARE(kept.size(), events.size());
        QCOMPARE(kept.begin(), events.front().time);
        QCOMPARE(kept.end(), events.back().time);
        // A damaged part of a file, told as a gap of no time, goes where the run begins.
        Event gap;
        gap.kind = Kind::Gap;
        gap.peer = 10;
        shuffled.push_back(gap);
        const RunEvents withGap = runEvents(shuffled);
        QCOMPARE(withGap.begin(), events.front().time);
        Event scratch;
        QVERIFY(withGap.at(0, scratch).kind == Kind::Gap || withGap.at(1, scratch).kind == Kind::Gap);
        // A handler still running at the last event ends the run.
        std::vector<Event> running = events;
        Event& last = running.emplace_back();
        last.kind = Kind::Handle;
        last.isolate = ping;
        last.time = events.back().time + 1;
        last.peer = 5 * millisecond;
        QCOMPARE(runEvents(running).end(), last.time + last.peer);
        for (std::size_t i = 0; i < kept.size(); ++i) {
            const Event& e = kept.at(i, scratch);
            QCOMPARE(e.time, events[i].time);
            QCOMPARE(e.kind, events[i].kind);
            QCOMPARE(e.isolate, events[i].isolate);
            QCOMPARE(e.peer, events[i].peer);
            QCOMPARE(e.arg, events[i].arg);
            QCOMPARE(kept.whole(i), e.kind != Kind::Send && e.kind != Kind::Handle && e.kind != Kind::Enqueue);
            if (kept.whole(i))
                QCOMPARE(e.text, events[i].text);
        }
    }

    // Wherever it was before, the state at a moment is the same, whether
    // going back starts from the beginning or from a checkpoint.
    void theStateAtAMomentDoesNotDependOnThePath_data()
    {
        QTest::addColumn<std::size_t>("checkpointEvery");
        QTest::addColumn<std::uint64_t>("spacing");
        QTest::newRow("from the beginning") << RecordedCluster::defaultCheckpointEvery << 100 * millisecond;
        // Events further apart than the lead-in: going back restores a checkpoint.
        const auto minute = static_cast<std::uint64_t>(std::chrono::nanoseconds(std::chrono::minutes(1)).count());
        QTest::newRow("from checkpoints") << std::size_t(1) << 2 * minute;
    }
    void theStateAtAMomentDoesNotDependOnThePath()
    {
        QFETCH(std::size_t, checkpointEvery);
        QFETCH(std::uint64_t, spacing);
        const std::vector<Event> events = run(spacing);
        RecordedCluster recorded(runEvents(events), checkpointEvery);
        QSignalSpy restarted(&recorded, &RecordedCluster::restarted);
        int restored = 0;
        connect(&recorded, &RecordedCluster::batchApplied, this,
                [&](const ClusterState&, const iso::Batch& batch) { restored += batch.delta.full ? 1 : 0; });
        const std::uint64_t begin = events.front().time, end = events.back().time;
        // Forward in steps (keeping checkpoints on the way), then about.
        std::vector<std::uint64_t> moments;
        for (int step = 1; step <= 10; ++step)
            moments.push_back(begin + (end - begin) * step / 10);
        moments.insert(moments.end(), {begin + (end - begin) / 3, begin, end - 1, begin + (end - begin) / 2, end});
        for (const std::uint64_t moment : moments) {
            recorded.seek(moment);
            QCOMPARE(recorded.position(), moment);
            const auto expected = shownAt(events, moment);
            QCOMPARE(recorded.state().isolates().size(), expected.size());
            QCOMPARE(recorded.state().totals().messages_total, shownTotal(events, moment));
            for (const auto& [id, isolate] : recorded.state().isolates()) {
                const iso::IsolateMetrics& m = isolate.metrics;
                QVERIFY(expected.contains(id));
                QCOMPARE(m.state, expected.at(id).state);
                QCOMPARE(m.messages_in, expected.at(id).messages_in);
                QCOMPARE(m.messages_out, expected.at(id).messages_out);
                QCOMPARE(m.mailbox_depth, expected.at(id).mailbox_depth);
                QCOMPARE(m.errors, expected.at(id).errors);
            }
        }
        // Each move back started over, and only those; with checkpoints,
        // from one.
        QCOMPARE(restarted.size(), 3);
        QCOMPARE(restored > 0, checkpointEvery < 10);
        // Positions outside the run are kept within it.
        recorded.seek(end + 1'000 * millisecond);
        QCOMPARE(recorded.position(), end);
    }

    // At the end, the run's counts; in the middle, only what happened by then.
    void theStateSaysWhatTheRunDidByThen()
    {
        const std::vector<Event> events = run();
        RecordedCluster recorded(runEvents(events));
        recorded.seek(events.back().time);
        const auto& isolates = recorded.state().isolates();
        QCOMPARE(isolates.at(ping).metrics.messages_in, 3u);
        QCOMPARE(isolates.at(pong).metrics.messages_in, 3u);
        QCOMPARE(isolates.at(ping).metrics.state, IsolateState::Idle);
        // It ended in the last batch: listed once as exited, with its error.
        QCOMPARE(isolates.at(flaky).metrics.state, IsolateState::Exited);
        QCOMPARE(isolates.at(flaky).metrics.errors, 1u);
        QCOMPARE(recorded.state().recentErrors(isolates.at(flaky).metrics).size(), 1u);
        QCOMPARE(recorded.state().recentErrors(isolates.at(flaky).metrics).front().message, "boom");
        QCOMPARE(recorded.state().totals().messages_total, 7u);

        const auto flakySpawn = std::find_if(events.begin(), events.end(), [](const Event& e) {
            return e.kind == Kind::Spawn && e.isolate == flaky;
        });
        recorded.seek(flakySpawn->time - 1);
        QVERIFY(!recorded.state().isolates().contains(flaky));
        QCOMPARE(recorded.state().live(), 2u);
    }

    // Moving on comes in batches of batchInterval, and every event the
    // views are handed whole comes once; an isolate that ended goes after
    // its listing as exited.
    void movingOnComesInBatchesAsAnObserversWould()
    {
        const std::vector<Event> events = run();
        RecordedCluster recorded(runEvents(events));
        QSignalSpy batches(&recorded, &RecordedCluster::batchApplied);
        QSignalSpy polled(&recorded, &RecordedCluster::polled);
        std::map<Kind, int> handed;
        connect(&recorded, &RecordedCluster::batchApplied, this, [&](const ClusterState&, const iso::Batch& batch) {
            for (const Event& e : batch.events)
                ++handed[e.kind];
        });
        const std::uint64_t begin = events.front().time;
        recorded.seek(begin);
        QCOMPARE(batches.size(), 1);
        recorded.seek(begin + 1'000 * millisecond);
        const auto interval = static_cast<std::uint64_t>(std::chrono::nanoseconds(RecordedCluster::batchInterval).count());
        QCOMPARE(batches.size(), 1 + static_cast<int>(1'000 * millisecond / interval));
        QCOMPARE(polled.size(), 2);
        recorded.seek(events.back().time + 1);
        recorded.seek(events.back().time + 2);  // already there: nothing new
        QCOMPARE(polled.size(), 3);
        QCOMPARE(handed[Kind::Error], 1);
        QCOMPARE(handed[Kind::Exit], 1);
        QCOMPARE(handed[Kind::Spawn], 3);
        QCOMPARE(handed[Kind::Send], 0);
        QCOMPARE(handed[Kind::Handle], 0);
        // A later moment, with nothing new in it, forgets the ended one.
        RecordedCluster longer(runEvents([&] {
            std::vector<Event> more = events;
            Event last;
            last.kind = Kind::Pause;
            last.isolate = ping;
            last.time = events.back().time + 500 * millisecond;
            more.push_back(last);
            return more;
        }()));
        longer.seek(events.back().time);
        QVERIFY(longer.state().isolates().contains(flaky));
        longer.seek(events.back().time + 200 * millisecond);
        QVERIFY(!longer.state().isolates().contains(flaky));
        longer.seek(events.back().time + 500 * millisecond);
        QCOMPARE(longer.state().isolates().at(ping).metrics.state, IsolateState::Paused);
    }

    // A jump far into a long run hands the views only the newest events
    // from before its lead-in; the state has counted them all.
    void aLongJumpHandsTheViewsOnlyTheNewestEvents()
    {
        std::vector<Event> events;
        const std::size_t many = RecordedCluster::jumpEventLimit + 500;
        for (std::size_t i = 0; i < many; ++i) {
            Event& e = events.emplace_back();
            e.kind = Kind::DeadLetter;
            e.time = 1'000'000'000 + i * millisecond;
        }
        Event& late = events.emplace_back();
        late.kind = Kind::Spawn;
        late.isolate = 9;
        late.time = events.front().time + static_cast<std::uint64_t>(std::chrono::nanoseconds(RecordedCluster::leadIn).count()) * 2;
        RecordedCluster recorded(runEvents(events));
        std::vector<std::size_t> handed;
        connect(&recorded, &RecordedCluster::batchApplied, this,
                [&](const ClusterState&, const iso::Batch& batch) { handed.push_back(batch.events.size()); });
        std::uint64_t firstHanded = 0;
        connect(&recorded, &RecordedCluster::batchApplied, this, [&](const ClusterState&, const iso::Batch& batch) {
            if (firstHanded == 0 && !batch.events.empty())
                firstHanded = batch.events.front().time;
        });
        recorded.seek(late.time);
        QCOMPARE(handed.front(), RecordedCluster::jumpEventLimit);
        QCOMPARE(firstHanded, events[many - RecordedCluster::jumpEventLimit].time);  // the newest
        QCOMPARE(recorded.state().totals().events_total, events.size());
        QVERIFY(recorded.state().isolates().contains(9));
    }

    // A dragged scrubber asks many times in a turn; the run moves once.
    void seekingSoonMovesOnceATurn()
    {
        const std::vector<Event> events = run();
        RecordedCluster recorded(runEvents(events));
        QSignalSpy polled(&recorded, &RecordedCluster::polled);
        for (std::uint64_t t = events.front().time; t < events.back().time; t += 300 * millisecond)
            recorded.seekSoon(t);
        recorded.seekSoon(events.back().time);
        QCOMPARE(polled.size(), 0);
        QTRY_COMPARE(polled.size(), 1);
        QCOMPARE(recorded.position(), events.back().time);
    }
};

QTEST_MAIN(TestRecordedCluster)
#include "tst_recordedcluster.moc"
