// MetricsPage: the charts show the history of hand-made batches, follow
// the shared selection, and keep each isolate in one colour.

#include "batches.h"
#include "clusterstate.h"
#include "isolateselection.h"
#include "metricspage.h"
#include "timeserieswidget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QtTest>

#include <qcustomplot.h>

using namespace std::chrono_literals;

namespace {

using testbatch::isolate;

/// A batch with the cluster totals the charts show.
iso::Batch batch(std::chrono::milliseconds at, std::vector<iso::IsolateMetrics> changed, bool full = false)
{
    iso::Batch b = testbatch::batch(at, std::move(changed), full);
    b.delta.totals.rss_bytes = 64 << 20;
    b.delta.totals.runtime_bytes = 8 << 20;
    b.delta.totals.threads = {{0, 0.5}, {1, 0.25}};
    return b;
}

/// Isolates 1..count, the mailbox of each `depth(id)` deep.
std::vector<iso::IsolateMetrics> isolates(iso::IsolateId count, std::size_t (*depth)(iso::IsolateId))
{
    std::vector<iso::IsolateMetrics> all;
    for (iso::IsolateId id = 1; id <= count; ++id)
        all.push_back(isolate(id, depth(id)));
    return all;
}

double lastValue(const QCPGraph* graph)
{
    const auto data = graph->data();
    return data->isEmpty() ? std::nan("") : (data->constEnd() - 1)->value;
}

QColor colourOf(const TimeSeriesWidget* chart, const QString& key)
{
    const QCPGraph* graph = chart->graph(key);
    return graph != nullptr ? graph->pen().color() : QColor();
}

/// A page, shown as in the window, with its charts at hand.
struct Fixture {
    IsolateSelection selection;
    ClusterState state;
    MetricsPage page{&selection};
    TimeSeriesWidget* throughput = page.findChild<TimeSeriesWidget*>(QStringLiteral("throughputChart"));
    TimeSeriesWidget* mailboxes = page.findChild<TimeSeriesWidget*>(QStringLiteral("mailboxChart"));
    TimeSeriesWidget* handleTime = page.findChild<TimeSeriesWidget*>(QStringLiteral("handleTimeChart"));
    TimeSeriesWidget* utilisation = page.findChild<TimeSeriesWidget*>(QStringLiteral("utilisationChart"));
    TimeSeriesWidget* memory = page.findChild<TimeSeriesWidget*>(QStringLiteral("memoryChart"));

    Fixture()
    {
        page.resize(1000, 300);
        page.show();
    }

    std::vector<TimeSeriesWidget*> charts() const { return {throughput, mailboxes, handleTime, utilisation, memory}; }

    void feed(const iso::Batch& b)
    {
        state.apply(b);
        page.apply(state);
    }
};

} // namespace

class TestMetricsPage : public QObject
{
    Q_OBJECT

private slots:
    // Before any data, and while the cluster has no isolates, the charts
    // show their axes over the window and a note, and no lines; what the
    // totals say (threads, memory) shows as soon as it comes.
    void emptyState()
    {
        Fixture f;
        for (TimeSeriesWidget* chart : f.charts()) {
            QVERIFY(chart != nullptr);
            QCOMPARE(chart->note(), QStringLiteral("Waiting for data"));
            QCOMPARE(chart->plot()->graphCount(), 0);
            QVERIFY(chart->plot()->xAxis->visible());
            QCOMPARE(chart->plot()->xAxis->range().size(), 60.0);
        }
        f.feed(batch(0ms, {}, true));
        f.feed(batch(100ms, {}));
        for (TimeSeriesWidget* chart : {f.throughput, f.mailboxes, f.handleTime}) {
            QCOMPARE(chart->note(), QStringLiteral("Waiting for data"));
            QCOMPARE(chart->plot()->graphCount(), 0);
        }
        QCOMPARE(f.utilisation->lineNames(), (QStringList{QStringLiteral("thread 0"), QStringLiteral("thread 1")}));
        QCOMPARE(f.utilisation->note(), QString());
        QCOMPARE(lastValue(f.utilisation->graph(QStringLiteral("thread:0"))), 50.0);
        QCOMPARE(f.memory->note(), QString());
        QCOMPARE(lastValue(f.memory->graph(QStringLiteral("resident"))), 64.0);
        QCOMPARE(lastValue(f.memory->graph(QStringLiteral("runtime"))), 8.0);
    }

    // The deepest five, by path, debug name or id, in the order spawned.
    void mailboxChartShowsTheDeepest()
    {
        Fixture f;
        std::vector<iso::IsolateMetrics> all = isolates(8, [](iso::IsolateId id) -> std::size_t {
            return id % 2 == 0 ? 10 * id : id;  // 20, 40, 60, 80, then 7 and 5
        });
        all[6].path.clear();
        all[6].name = "plain";
        all[1].path.clear();
        f.feed(batch(0ms, all, true));
        QCOMPARE(f.mailboxes->lineNames(), (QStringList{QStringLiteral("#2"), QStringLiteral("/app/w4"),
                                                        QStringLiteral("/app/w6"), QStringLiteral("plain"),
                                                        QStringLiteral("/app/w8")}));
        QCOMPARE(lastValue(f.mailboxes->graph(QStringLiteral("isolate:8"))), 80.0);
        QCOMPARE(lastValue(f.mailboxes->graph(QStringLiteral("isolate:7"))), 7.0);
        QCOMPARE(f.mailboxes->note(), QString());
    }

    void emptyMailboxesSaySo()
    {
        Fixture f;
        f.feed(batch(0ms, {isolate(1), isolate(2)}, true));
        QCOMPARE(f.mailboxes->plot()->graphCount(), 0);
        QCOMPARE(f.mailboxes->note(), QStringLiteral("Every mailbox is empty"));
        QCOMPARE(f.throughput->note(), QString());
    }

    // Selecting an isolate anywhere adds it to throughput, mailboxes and
    // handle time; clearing the selection, or not following it, takes it away.
    void followsTheSelection()
    {
        Fixture f;
        const auto deep = [](iso::IsolateId id) -> std::size_t { return id <= 5 ? id : 0; };
        f.feed(batch(0ms, isolates(8, deep), true));
        QCOMPARE(f.throughput->lineNames(), QStringList{QStringLiteral("all isolates")});
        QCOMPARE(f.handleTime->title(), QStringLiteral("Handle time: all isolates"));

        f.selection.select(7);
        f.feed(batch(100ms, isolates(8, deep)));
        QCOMPARE(f.throughput->lineNames(), (QStringList{QStringLiteral("all isolates"), QStringLiteral("/app/w7")}));
        QVERIFY(f.mailboxes->lineNames().contains(QStringLiteral("/app/w7")));
        QCOMPARE(f.mailboxes->lineNames().size(), 6);
        QCOMPARE(f.handleTime->title(), QStringLiteral("Handle time: w7"));
        QVERIFY(f.handleTime->graph(QStringLiteral("isolate:7:p99")) != nullptr);
        QCOMPARE(f.throughput->graph(QStringLiteral("isolate:7"))->dataCount(), 1);

        f.selection.clear();
        QCOMPARE(f.throughput->lineNames(), QStringList{QStringLiteral("all isolates")});
        QCOMPARE(f.mailboxes->lineNames().size(), 5);
        QCOMPARE(f.handleTime->title(), QStringLiteral("Handle time: all isolates"));

        auto* follow = f.page.findChild<QCheckBox*>(QStringLiteral("followSelection"));
        follow->setChecked(false);
        f.selection.select(7);
        f.feed(batch(200ms, isolates(8, deep)));
        QCOMPARE(f.throughput->lineNames(), QStringList{QStringLiteral("all isolates")});
        follow->setChecked(true);
        QCOMPARE(f.throughput->lineNames().size(), 2);
    }

    // One isolate, one colour, in every chart; two isolates, two colours.
    void coloursAreConsistentAcrossCharts()
    {
        Fixture f;
        f.feed(batch(0ms, isolates(5, [](iso::IsolateId id) -> std::size_t { return id; }), true));
        f.selection.select(3);
        const QColor three = colourOf(f.mailboxes, QStringLiteral("isolate:3"));
        QVERIFY(three.isValid());
        QCOMPARE(colourOf(f.throughput, QStringLiteral("isolate:3")), three);
        QCOMPARE(colourOf(f.handleTime, QStringLiteral("isolate:3:p99")), three);
        QSet<QRgb> colours;
        for (iso::IsolateId id = 1; id <= 5; ++id)
            colours.insert(colourOf(f.mailboxes, QStringLiteral("isolate:%1").arg(id)).rgb());
        QCOMPARE(colours.size(), 5);
        QVERIFY(!colours.contains(colourOf(f.throughput, QStringLiteral("cluster")).rgb()));
        // Still the same after more updates.
        f.feed(batch(100ms, isolates(5, [](iso::IsolateId id) -> std::size_t { return 6 - id; })));
        QCOMPARE(colourOf(f.mailboxes, QStringLiteral("isolate:3")), three);
    }

    // The handle-time chart shows the quantiles of the histograms fed:
    // the cluster's by default, the selected isolate's once selected.
    void handleTimeChartShowsTheQuantiles()
    {
        Fixture f;
        iso::IsolateMetrics one = isolate(1);
        iso::IsolateMetrics two = isolate(2);
        f.feed(batch(0ms, {one, two}, true));
        for (std::uint64_t i = 1; i <= 100; ++i)
            one.handle_time.add(i * 1'000);
        for (int i = 0; i < 100; ++i)
            two.handle_time.add(8'000'000);
        f.feed(batch(100ms, {one, two}));
        const MetricsHistory::Quantiles& all = f.page.history().handleTime();
        QCOMPARE(lastValue(f.handleTime->graph(QStringLiteral("cluster:p50"))), all.p50.back().value);
        QCOMPARE(lastValue(f.handleTime->graph(QStringLiteral("cluster:p99"))), all.p99.back().value);
        QVERIFY(all.p50.back().value >= 100 && all.p50.back().value <= 125);
        QVERIFY(all.p99.back().value >= 8'000 && all.p99.back().value <= 10'000);
        QCOMPARE(f.handleTime->lineNames(),
                 (QStringList{QStringLiteral("p50"), QStringLiteral("p90"), QStringLiteral("p99")}));

        // Its quantiles start from the first update after it is selected.
        f.selection.select(1);
        f.feed(batch(200ms, {one, two}));
        for (std::uint64_t i = 1; i <= 100; ++i)
            one.handle_time.add(i * 1'000);
        f.feed(batch(300ms, {one, two}));
        const double p90 = lastValue(f.handleTime->graph(QStringLiteral("isolate:1:p90")));
        QVERIFY(p90 >= 90 && p90 <= 90 * 1.25);
        QVERIFY(f.handleTime->graph(QStringLiteral("cluster:p90")) == nullptr);
    }

    // Added a point at a time, trimmed from the front, the lines hold what
    // the history holds, however long it runs.
    void chartsMirrorTheHistory()
    {
        Fixture f;
        f.selection.select(2);
        for (int tick = 0; tick < 3200; ++tick) {
            iso::IsolateMetrics busy = isolate(1, static_cast<std::size_t>(tick % 7) + 1);
            busy.messages_in = static_cast<std::uint64_t>(tick) * 3;
            f.feed(batch(tick * 100ms, {busy, isolate(2, 0)}, tick == 0));
        }
        const MetricsHistory& history = f.page.history();
        const auto same = [](const QCPGraph* graph, const MetricsHistory::Series& series) {
            if (graph->dataCount() != static_cast<int>(series.size()))
                return false;
            auto point = series.begin();
            for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it, ++point)
                if (it->key != point->time || (it->value != point->value && !std::isnan(point->value)))
                    return false;
            return true;
        };
        QCOMPARE(history.throughput().front().time, 19.9);
        QVERIFY(same(f.throughput->graph(QStringLiteral("cluster")), history.throughput()));
        QVERIFY(same(f.throughput->graph(QStringLiteral("isolate:2")), history.isolate(2)->handledPerSecond));
        QVERIFY(same(f.mailboxes->graph(QStringLiteral("isolate:1")), history.isolate(1)->mailboxDepth));
        QVERIFY(same(f.memory->graph(QStringLiteral("resident")), history.residentMemory()));
        QVERIFY(same(f.utilisation->graph(QStringLiteral("thread:1")), history.utilisation().at(1)));
    }

    // The window chosen is what every chart shows, ending at the newest update.
    void theWindowIsShared()
    {
        Fixture f;
        for (int tick = 0; tick <= 20; ++tick)
            f.feed(batch(tick * 1000ms, {isolate(1, 1)}, tick == 0));
        f.page.setWindow(10s);
        QCOMPARE(f.page.findChild<QComboBox*>(QStringLiteral("window"))->currentText(), QStringLiteral("10 s"));
        for (TimeSeriesWidget* chart : f.charts()) {
            QCOMPARE(chart->plot()->xAxis->range().upper, 20.0);
            QCOMPARE(chart->plot()->xAxis->range().lower, 10.0);
        }
        f.page.setWindow(5min);
        for (TimeSeriesWidget* chart : f.charts())
            QCOMPARE(chart->plot()->xAxis->range().size(), 300.0);
    }

    // The selected isolate ends: its lines stay, named as ended, until
    // their points leave the history; the others go on.
    void anEndedIsolateLeavesThePlots()
    {
        Fixture f;
        f.feed(batch(0ms, {isolate(1, 3), isolate(2, 4)}, true));
        f.selection.select(1);
        iso::Batch gone = batch(1000ms, {isolate(2, 5)});
        gone.delta.removed = {1};
        f.feed(gone);
        QCOMPARE(f.throughput->lineNames(),
                 (QStringList{QStringLiteral("all isolates"), QStringLiteral("/app/w1 (ended)")}));
        QCOMPARE(f.mailboxes->lineNames(),
                 (QStringList{QStringLiteral("/app/w1 (ended)"), QStringLiteral("/app/w2")}));
        for (int tick = 2; tick <= 40; ++tick)
            f.feed(batch(tick * 10'000ms, {isolate(2, 5)}));
        QCOMPARE(f.throughput->lineNames(), QStringList{QStringLiteral("all isolates")});
        QCOMPARE(f.mailboxes->lineNames(), QStringList{QStringLiteral("/app/w2")});
        QCOMPARE(f.handleTime->title(), QStringLiteral("Handle time: all isolates"));
        // And back, should an isolate of that id come.
        f.feed(batch(401'000ms, {isolate(1, 9), isolate(2, 5)}));
        QCOMPARE(f.mailboxes->lineNames(), (QStringList{QStringLiteral("/app/w1"), QStringLiteral("/app/w2")}));
    }
};

QTEST_MAIN(TestMetricsPage)
#include "tst_metricspage.moc"
