// ClusterState: observer batches in, isolates with rates and cluster totals
// out. Batches are built by hand, with the observer's clock in them.

#include "clusterstate.h"

#include <QtTest>

using namespace std::chrono_literals;

namespace {

iso::IsolateMetrics isolate(iso::IsolateId id, std::uint64_t in, std::uint64_t out = 0, std::uint64_t restarts = 0)
{
    iso::IsolateMetrics m;
    m.id = id;
    m.path = "/app/w" + std::to_string(id);
    m.messages_in = in;
    m.messages_out = out;
    m.busy_ns = in * 1'000'000;  // a millisecond a message
    m.restarts = restarts;
    return m;
}

iso::Batch batch(std::chrono::milliseconds at, std::vector<iso::IsolateMetrics> changed, bool full = false,
                 std::uint64_t messagesTotal = 0)
{
    iso::Batch b;
    b.delta.full = full;
    b.delta.changed = std::move(changed);
    b.delta.totals.time = at;
    b.delta.totals.messages_total = messagesTotal;
    return b;
}

} // namespace

class TestClusterState : public QObject
{
    Q_OBJECT

private slots:
    void keepsTheLatestMetricsOfEachIsolate()
    {
        ClusterState state;
        state.apply(batch(0ms, {isolate(1, 0), isolate(2, 5)}, true));
        state.apply(batch(20ms, {isolate(2, 9)}));
        QCOMPARE(state.isolates().size(), std::size_t{2});
        QCOMPARE(state.isolates().at(2).metrics.messages_in, std::uint64_t{9});
        QCOMPARE(state.isolates().at(1).metrics.messages_in, std::uint64_t{0});
    }

    void exitedIsolatesAreNotLive()
    {
        ClusterState state;
        iso::IsolateMetrics ended = isolate(1, 0);
        ended.state = iso::IsolateState::Exited;
        state.apply(batch(0ms, {ended, isolate(2, 0)}, true));
        QCOMPARE(state.isolates().size(), std::size_t{2});
        QCOMPARE(state.live(), std::size_t{1});
    }

    void removedIsolatesGo()
    {
        ClusterState state;
        state.apply(batch(0ms, {isolate(1, 0), isolate(2, 0)}, true));
        iso::Batch b = batch(20ms, {});
        b.delta.removed = {1};
        state.apply(b);
        QCOMPARE(state.isolates().size(), std::size_t{1});
        QVERIFY(state.isolates().contains(2));
    }

    // After a gap the delta is full: an isolate it does not list ended
    // while this subscriber was behind.
    void aFullDeltaReplacesEverything()
    {
        ClusterState state;
        state.apply(batch(0ms, {isolate(1, 0), isolate(2, 0)}, true));
        iso::Batch b = batch(20ms, {isolate(2, 4), isolate(3, 1)}, true);
        b.missed_batches = 2;
        b.missed_events = 70;
        state.apply(b);
        QCOMPARE(state.isolates().size(), std::size_t{2});
        QVERIFY(!state.isolates().contains(1));
        QCOMPARE(state.eventsLost(), std::uint64_t{70});
    }

    // Rates are over whole windows of the observer's clock: nothing until
    // one has passed (but the observer's own figure for the cluster), and
    // zero for an isolate that fell quiet.
    void ratesOverWindows()
    {
        ClusterState state;
        state.apply(batch(0ms, {isolate(1, 0, 0), isolate(2, 0)}, true, 0));
        iso::Batch half = batch(500ms, {isolate(1, 300, 100)}, false, 300);
        half.delta.totals.messages_per_second = 580;
        state.apply(half);
        QCOMPARE(state.isolates().at(1).inPerSecond, 0.0);  // half a window
        QCOMPARE(state.messagesPerSecond(), 580.0);
        state.apply(batch(1000ms, {isolate(1, 600, 200), isolate(2, 50)}, false, 650));
        QCOMPARE(state.isolates().at(1).inPerSecond, 600.0);
        QCOMPARE(state.isolates().at(1).outPerSecond, 200.0);
        QCOMPARE(state.isolates().at(2).inPerSecond, 50.0);
        QCOMPARE(state.isolates().at(2).busyShare, 0.05);
        QCOMPARE(state.messagesPerSecond(), 650.0);
        // Isolate 1 handles nothing in the next window.
        state.apply(batch(2000ms, {isolate(2, 150)}, false, 750));
        QCOMPARE(state.isolates().at(1).inPerSecond, 0.0);
        QCOMPARE(state.isolates().at(2).inPerSecond, 100.0);
        QCOMPARE(state.messagesPerSecond(), 100.0);
    }

    void restartsOfEveryPath()
    {
        ClusterState state;
        state.apply(batch(0ms, {isolate(1, 0, 0, 2), isolate(2, 0, 0, 3), isolate(3, 0)}, true));
        QCOMPARE(state.restarts(), std::uint64_t{5});
    }

    // Between a crashed incarnation's removal and its successor's arrival
    // the count stays; the successor adds one.
    void restartsNeverGoDown()
    {
        ClusterState state;
        state.apply(batch(0ms, {isolate(1, 0, 0, 2)}, true));
        iso::Batch gone = batch(20ms, {});
        gone.delta.removed = {1};
        state.apply(gone);
        QCOMPARE(state.restarts(), std::uint64_t{2});
        iso::IsolateMetrics next = isolate(4, 0, 0, 3);
        next.path = "/app/w1";  // the same path, its next incarnation
        state.apply(batch(40ms, {next}));
        QCOMPARE(state.restarts(), std::uint64_t{3});
    }
};

QTEST_APPLESS_MAIN(TestClusterState)
#include "tst_clusterstate.moc"
