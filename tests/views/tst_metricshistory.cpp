// MetricsHistory: the time series of the metrics page, from ClusterState
// updates built by hand with the observer's clock in them.

#include "batches.h"
#include "clusterstate.h"
#include "metricshistory.h"

#include <QtTest>

#include <cmath>

using namespace std::chrono_literals;

namespace {

constexpr double mebibyte = 1024.0 * 1024.0;

using testbatch::batch;
using testbatch::isolate;

/// Applies `b` to `state`, then takes the state into `history`.
void feed(ClusterState& state, MetricsHistory& history, const iso::Batch& b)
{
    state.apply(b);
    history.apply(state);
}

double lastValue(const MetricsHistory::Series& series)
{
    return series.empty() ? std::nan("") : series.back().value;
}

} // namespace

class TestMetricsHistory : public QObject
{
    Q_OBJECT

private slots:
    // Every series holds exactly the span up to the newest update: the
    // point at its left edge, none before, however long it runs.
    void keepsExactlyTheSpan()
    {
        ClusterState state;
        MetricsHistory history(10s);
        history.setChosen({1});
        for (int tick = 0; tick <= 250; ++tick) {
            iso::Batch b = batch(tick * 100ms, {isolate(1, 3)}, tick == 0);
            b.delta.totals.rss_bytes = 1 << 20;
            b.delta.totals.threads = {{0, 0.5}};
            feed(state, history, b);
        }
        QCOMPARE(history.now(), 25.0);
        for (const MetricsHistory::Series* series :
             {&history.throughput(), &history.residentMemory(), &history.runtimeMemory(),
              &history.utilisation().at(0), &history.isolate(1)->mailboxDepth,
              &history.isolate(1)->handledPerSecond}) {
            QCOMPARE(series->size(), std::size_t{101});
            QCOMPARE(series->front().time, 15.0);
            QCOMPARE(series->back().time, 25.0);
        }
    }

    void topPicksTheDeepestMailboxes_data()
    {
        QTest::addColumn<std::vector<std::size_t>>("depths");  // of isolates 1, 2, ...
        QTest::addColumn<std::size_t>("count");
        QTest::addColumn<std::vector<iso::IsolateId>>("top");

        QTest::addRow("deepest first") << std::vector<std::size_t>{3, 9, 1, 7, 5, 8, 2} << std::size_t{3}
                                       << std::vector<iso::IsolateId>{2, 6, 4};
        QTest::addRow("fewer than asked") << std::vector<std::size_t>{4, 6} << std::size_t{5}
                                          << std::vector<iso::IsolateId>{2, 1};
        QTest::addRow("empty mailboxes are not deep") << std::vector<std::size_t>{0, 2, 0, 0} << std::size_t{3}
                                                      << std::vector<iso::IsolateId>{2};
        QTest::addRow("ties by id") << std::vector<std::size_t>{5, 5, 5, 5} << std::size_t{2}
                                    << std::vector<iso::IsolateId>{1, 2};
        QTest::addRow("none") << std::vector<std::size_t>{} << std::size_t{5} << std::vector<iso::IsolateId>{};
    }

    void topPicksTheDeepestMailboxes()
    {
        QFETCH(std::vector<std::size_t>, depths);
        QFETCH(std::size_t, count);
        QFETCH(std::vector<iso::IsolateId>, top);
        std::vector<iso::IsolateMetrics> isolates;
        for (std::size_t i = 0; i < depths.size(); ++i)
            isolates.push_back(isolate(i + 1, depths[i]));
        ClusterState state;
        MetricsHistory history(60s, count);
        feed(state, history, batch(0ms, isolates, true));
        QCOMPARE(history.top(), top);
        for (iso::IsolateId id : top)
            QCOMPARE(lastValue(history.isolate(id)->mailboxDepth), static_cast<double>(depths[id - 1]));
    }

    // An isolate that has ended is not in the top, however deep it was.
    void endedIsolatesAreNotInTheTop()
    {
        ClusterState state;
        MetricsHistory history(60s, 2);
        iso::IsolateMetrics ended = isolate(1, 50);
        ended.state = iso::IsolateState::Exited;
        feed(state, history, batch(0ms, {ended, isolate(2, 3), isolate(3, 1)}, true));
        QCOMPARE(history.top(), (std::vector<iso::IsolateId>{2, 3}));
    }

    // On a tie, and once their mailboxes are empty, those shown stay:
    // a quiet cluster does not shuffle the lines.
    void theTopStaysPutOnTies()
    {
        ClusterState state;
        MetricsHistory history(60s, 2);
        feed(state, history, batch(0ms, {isolate(1, 0), isolate(2, 0), isolate(3, 4), isolate(4, 6)}, true));
        QCOMPARE(history.top(), (std::vector<iso::IsolateId>{4, 3}));
        feed(state, history, batch(100ms, {isolate(1, 2), isolate(2, 2), isolate(3, 2), isolate(4, 2)}));
        QCOMPARE(history.top(), (std::vector<iso::IsolateId>{3, 4}));
        feed(state, history, batch(200ms, {isolate(3, 0), isolate(4, 0)}));
        QCOMPARE(history.top(), (std::vector<iso::IsolateId>{1, 2}));
        feed(state, history, batch(300ms, {isolate(1, 0), isolate(2, 0)}));
        QCOMPARE(history.top(), (std::vector<iso::IsolateId>{1, 2}));
        QCOMPARE(lastValue(history.isolate(1)->mailboxDepth), 0.0);
    }

    // Isolates that leave the top are still recorded, a few of them, so
    // that one coming back has its line whole; many taking turns do not
    // pile up.
    void isolatesTakingTurnsAtTheTopStayFew()
    {
        ClusterState state;
        MetricsHistory history(60s, 1);
        std::vector<iso::IsolateMetrics> all;
        for (iso::IsolateId id = 1; id <= 100; ++id)
            all.push_back(isolate(id, 0));
        feed(state, history, batch(0ms, all, true));
        for (int tick = 1; tick <= 100; ++tick) {
            const auto deep = static_cast<iso::IsolateId>(tick);
            feed(state, history, batch(tick * 100ms, {isolate(deep, 9), isolate(deep == 1 ? 100 : deep - 1, 0)}));
            QCOMPARE(history.top(), std::vector<iso::IsolateId>{deep});
        }
        QVERIFY(history.isolates().size() <= 9);
        // The latest few, still recorded after they left the top.
        const MetricsHistory::IsolateSeries* before = history.isolate(99);
        QVERIFY(before != nullptr);
        QCOMPARE(before->mailboxDepth.back().time, 10.0);
        QCOMPARE(before->mailboxDepth.back().value, 0.0);
        QVERIFY(history.isolate(3) == nullptr);
    }

    void labels_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("label");
        QTest::addRow("path") << QStringLiteral("/app/w1") << QStringLiteral("worker") << QStringLiteral("/app/w1");
        QTest::addRow("debug name") << QString() << QStringLiteral("worker") << QStringLiteral("worker");
        QTest::addRow("neither") << QString() << QString() << QStringLiteral("#7");
    }

    void labels()
    {
        QFETCH(QString, path);
        QFETCH(QString, name);
        QFETCH(QString, label);
        iso::IsolateMetrics m = isolate(7);
        m.path = path.toStdString();
        m.name = name.toStdString();
        QCOMPARE(MetricsHistory::labelOf(m), label);
    }

    // The quantiles are those of the handle times added over the last
    // quantileWindow: the chosen isolate's own, and the cluster's over all
    // isolates, one that ended in the window included. Within a bucket of
    // the histogram: a quarter above the truth at most, never below it.
    void quantilesOfTheHandleTimesFed()
    {
        ClusterState state;
        MetricsHistory history(60s);
        history.setChosen({1});
        iso::IsolateMetrics one = isolate(1);
        iso::IsolateMetrics two = isolate(2);
        for (int i = 0; i < 50; ++i)
            one.handle_time.add(999'000);  // before the window: must not count
        feed(state, history, batch(0ms, {one, two}, true));
        for (std::uint64_t i = 1; i <= 100; ++i)
            one.handle_time.add(i * 1'000);  // 1 µs .. 100 µs
        for (int i = 0; i < 20; ++i)
            two.handle_time.add(5'000'000);  // 5 ms
        feed(state, history, batch(500ms, {one, two}));
        // Isolate 2 ends; what it handled still counts for the cluster.
        iso::Batch gone = batch(900ms, {});
        gone.delta.removed = {2};
        feed(state, history, gone);

        const auto near = [](const MetricsHistory::Series& series, double truth) {
            const double got = lastValue(series);
            if (got >= truth && got <= truth * 1.25)
                return true;
            qWarning("%g, not within a bucket above %g", got, truth);
            return false;
        };
        const MetricsHistory::Quantiles& mine = history.isolate(1)->handleTime;
        QVERIFY(near(mine.p50, 50));
        QVERIFY(near(mine.p90, 90));
        QVERIFY(near(mine.p99, 99));
        // 120 handled: the 60th is 60 µs, the 108th and 119th took 5 ms.
        const MetricsHistory::Quantiles& all = history.handleTime();
        QVERIFY(near(all.p50, 60));
        QVERIFY(near(all.p90, 5'000));
        QVERIFY(near(all.p99, 5'000));
    }

    // Once a window has passed with nothing handled, there is no quantile:
    // a gap, not a zero.
    void quantilesForgetWhatIsOlderThanTheWindow()
    {
        ClusterState state;
        MetricsHistory history(60s);
        iso::IsolateMetrics one = isolate(1);
        feed(state, history, batch(0ms, {one}, true));
        one.handle_time.add(40'000);
        feed(state, history, batch(100ms, {one}));
        QCOMPARE(lastValue(history.handleTime().p50), static_cast<double>(one.handle_time.quantile(0.5)) / 1000.0);
        feed(state, history, batch(1000ms, {}));
        QVERIFY(!std::isnan(lastValue(history.handleTime().p50)));  // 100 ms is inside the window
        feed(state, history, batch(1200ms, {}));
        QVERIFY(std::isnan(lastValue(history.handleTime().p99)));
    }

    // Memory and utilisation come from the cluster's totals; throughput is
    // the state's messages per second.
    void totalsSeries()
    {
        ClusterState state;
        MetricsHistory history(60s);
        iso::Batch b = batch(0ms, {isolate(1)}, true);
        b.delta.totals.rss_bytes = 96 * (1 << 20);
        b.delta.totals.runtime_bytes = 3 * (1 << 19);
        b.delta.totals.threads = {{0, 0.25}, {3, 1.0}};
        b.delta.totals.messages_per_second = 1234;
        feed(state, history, b);
        QCOMPARE(lastValue(history.residentMemory()), 96.0);
        QCOMPARE(lastValue(history.runtimeMemory()), 1.5);
        QCOMPARE(history.utilisation().size(), std::size_t{2});
        QCOMPARE(lastValue(history.utilisation().at(0)), 25.0);
        QCOMPARE(lastValue(history.utilisation().at(3)), 100.0);
        QCOMPARE(lastValue(history.throughput()), state.messagesPerSecond());
        QCOMPARE(lastValue(history.throughput()), 1234.0);

        iso::Batch later = batch(100ms, {});
        later.delta.totals.rss_bytes = static_cast<std::uint64_t>(100.5 * mebibyte);
        later.delta.totals.threads = {{0, 0.5}};
        feed(state, history, later);
        QCOMPARE(lastValue(history.residentMemory()), 100.5);
        QCOMPARE(lastValue(history.utilisation().at(0)), 50.0);
        QCOMPARE(history.utilisation().at(0).size(), std::size_t{2});
        // Left out of the totals: it did nothing.
        QCOMPARE(lastValue(history.utilisation().at(3)), 0.0);
    }

    // A chosen isolate that ends keeps its points, marked ended, gets no
    // more, and is forgotten once they have left the span.
    void anEndedIsolateAgesOut()
    {
        ClusterState state;
        MetricsHistory history(2s);
        history.setChosen({1});
        feed(state, history, batch(0ms, {isolate(1, 4), isolate(2, 1)}, true));
        iso::IsolateMetrics exited = isolate(1, 0);
        exited.state = iso::IsolateState::Exited;
        feed(state, history, batch(100ms, {exited}));
        QVERIFY(history.isolate(1)->ended);
        iso::Batch gone = batch(200ms, {});
        gone.delta.removed = {1};
        feed(state, history, gone);
        QVERIFY(history.isolate(1)->ended);
        QCOMPARE(history.isolate(1)->mailboxDepth.size(), std::size_t{2});
        for (int tick = 3; tick <= 30; ++tick)
            feed(state, history, batch(tick * 100ms, {}));
        QVERIFY(history.isolate(1) == nullptr);
        QCOMPARE(history.top(), std::vector<iso::IsolateId>{2});
    }

    // An update no later than the one before adds nothing: series stay sorted.
    void updatesThatDoNotAdvanceAreIgnored()
    {
        ClusterState state;
        MetricsHistory history(60s);
        feed(state, history, batch(500ms, {isolate(1)}, true));
        feed(state, history, batch(600ms, {}));
        feed(state, history, batch(600ms, {}));
        feed(state, history, batch(550ms, {}));
        QCOMPARE(history.throughput().size(), std::size_t{2});
        QCOMPARE(history.now(), 0.1);
    }
};

QTEST_GUILESS_MAIN(TestMetricsHistory)
#include "tst_metricshistory.moc"
