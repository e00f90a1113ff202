#include "clustersource.h"

#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

iso::RuntimeOptions deterministic()
{
    iso::RuntimeOptions options;
    options.deterministic = true;
    return options;
}

iso::SpawnOptions named(std::string name)
{
    iso::SpawnOptions options;
    options.debug_name = std::move(name);
    return options;
}

std::vector<iso::IsolateInfo> snapshotAt(const QSignalSpy& spy, qsizetype index)
{
    return spy.at(index).at(0).value<std::vector<iso::IsolateInfo>>();
}

} // namespace

class TestClusterSource : public QObject
{
    Q_OBJECT

private slots:
    void pollsAtOnceAndThenOnTheTimer()
    {
        iso::Runtime runtime(deterministic());
        // In deterministic mode nothing runs until the test drives it, so
        // both isolates stay alive for the whole test.
        runtime.spawn([](iso::Value) {}, {}, named("first"));
        runtime.spawn([](iso::Value) {}, {}, named("second"));

        ClusterSource source(runtime);
        source.setInterval(10ms);
        QSignalSpy snapshots(&source, &ClusterSource::snapshotReady);
        source.start();
        QCOMPARE(snapshots.count(), 1);
        QVERIFY(snapshots.wait(2000));

        const auto snapshot = snapshotAt(snapshots, snapshots.count() - 1);
        QCOMPARE(snapshot.size(), std::size_t(2));
        QCOMPARE(snapshot[0].debug_name, std::string("first"));
        QCOMPARE(snapshot[1].debug_name, std::string("second"));

        source.stop();
        const auto seen = snapshots.count();
        QVERIFY(!snapshots.wait(50));
        QCOMPARE(snapshots.count(), seen);
    }

    // The observer's batches arrive on the poll, applied to the state
    // before the signal: an isolate's spawn, and its metrics.
    void appliesObserverBatches()
    {
        iso::Runtime runtime(deterministic());
        ClusterSource source(runtime);
        std::vector<iso::trace::Kind> kinds;
        std::size_t isolatesKnown = 0;
        connect(&source, &ClusterSource::batchApplied, this,
                [&](const ClusterState& state, const iso::Batch& batch) {
                    isolatesKnown = state.isolates().size();
                    for (const iso::trace::Event& e : batch.events)
                        kinds.push_back(e.kind);
                });
        // Not driven, it stays alive, starting.
        runtime.spawn([](iso::Value) {}, {}, named("worker"));
        // The monitor thread publishes on its own schedule; wait for the
        // spawn to come through, polling as the timer would.
        QTRY_VERIFY_WITH_TIMEOUT((source.poll(), std::find(kinds.begin(), kinds.end(), iso::trace::Kind::Spawn) != kinds.end()), 5000);
        QCOMPARE(isolatesKnown, std::size_t{1});
        QCOMPARE(source.state().isolates().size(), isolatesKnown);
    }
};

QTEST_MAIN(TestClusterSource)
#include "tst_clustersource.moc"
