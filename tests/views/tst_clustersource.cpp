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

/// An observer with no monitor thread: each of its polls is one batch.
iso::ObserverOptions polledByHand()
{
    iso::ObserverOptions options;
    options.interval = 0ms;
    return options;
}

iso::SpawnOptions named(std::string name)
{
    iso::SpawnOptions options;
    options.debug_name = std::move(name);
    return options;
}

} // namespace

class TestClusterSource : public QObject
{
    Q_OBJECT

private slots:
    void pollsOnTheTimerUntilStopped()
    {
        iso::Runtime runtime(deterministic());
        runtime.spawn([](iso::Value) {}, {}, named("first"));
        ClusterSource source(runtime);
        source.setInterval(10ms);
        QSignalSpy batches(&source, &ClusterSource::batchApplied);
        source.start();
        QVERIFY(batches.wait(5000));
        source.stop();
        const auto seen = batches.count();
        QVERIFY(!batches.wait(100));
        QCOMPARE(batches.count(), seen);
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

    // pollAll takes every batch queued, and what the observer had not
    // published yet.
    void pollAllTakesEverythingUpToNow()
    {
        iso::Runtime runtime(deterministic());
        ClusterSource source(runtime, polledByHand());
        QSignalSpy batches(&source, &ClusterSource::batchApplied);
        for (const char* name : {"a", "b"}) {
            runtime.spawn([](iso::Value) {}, {}, named(name));
            source.observer().poll();
        }
        runtime.spawn([](iso::Value) {}, {}, named("c"));  // not published yet
        source.pollAll();
        QCOMPARE(batches.count(), 3);
        QCOMPARE(source.state().isolates().size(), std::size_t{3});
    }

    // The views that redraw from the whole state hear of it once, in the
    // event-loop turn after the polls, not inside them.
    void polledComesOnceInTheNextTurn()
    {
        iso::Runtime runtime(deterministic());
        ClusterSource source(runtime, polledByHand());
        QSignalSpy polled(&source, &ClusterSource::polled);
        runtime.spawn([](iso::Value) {}, {}, named("a"));
        source.observer().poll();
        source.poll();
        runtime.spawn([](iso::Value) {}, {}, named("b"));
        source.observer().poll();
        source.poll();
        QCOMPARE(polled.count(), 0);
        QTRY_COMPARE(polled.count(), 1);
        QCOMPARE(source.state().isolates().size(), std::size_t{2});
        source.poll();  // nothing new: no redraw
        QCoreApplication::processEvents();
        QCOMPARE(polled.count(), 1);
    }
};

QTEST_MAIN(TestClusterSource)
#include "tst_clustersource.moc"
