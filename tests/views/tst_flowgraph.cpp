#include "flowfeed.h"
#include "flowgraph.h"

#include "../core/tracescript.h"

#include <QSignalSpy>
#include <QTest>

#include <algorithm>

class TestFlowGraph : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        FlowIndex index;
        index.add(test::ping_pong(5).events);
        m_feed.show(std::move(index));
        m_graph = std::make_unique<FlowGraph>();
        m_graph->resize(600, 400);
        m_graph->showFeed(&m_feed);
        // It counts only what is seen.
        QVERIFY(m_graph->edges().empty());
        m_graph->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_graph.get()));
    }

    // One edge per direction of each pair, counting its messages.
    void edgesCountTheMessagesOfEachPair()
    {
        const auto& lanes = m_feed.index().lanes();
        std::vector<std::tuple<std::string, std::string, std::uint64_t>> edges;
        for (const FlowGraph::Edge& e : m_graph->edges())
            edges.emplace_back(lanes[e.from].label, lanes[e.to].label, e.messages);
        std::sort(edges.begin(), edges.end());
        using Edge = std::tuple<std::string, std::string, std::uint64_t>;
        QCOMPARE(edges, (std::vector<Edge>{{"/app/ping", "/app/pong", 5}, {"/app/pong", "/app/ping", 4},
                                           {"outside", "/app/ping", 1}}));
        QCOMPARE(m_graph->nodes().size(), 3u);
    }

    void clickingAnEdgeChoosesItsPair()
    {
        QSignalSpy chosen(m_graph.get(), &FlowGraph::edgeChosen);
        // The one edge without a twin running the other way beside it.
        const auto& edges = m_graph->edges();
        const auto it = std::find_if(edges.begin(), edges.end(), [&](const FlowGraph::Edge& e) {
            return m_feed.index().lanes()[e.from].label == "outside";
        });
        QVERIFY(it != edges.end());
        const FlowGraph::Edge edge = *it;
        const QPointF middle = (m_graph->positionOf(edge.from) + m_graph->positionOf(edge.to)) / 2;
        QCOMPARE(m_graph->edgeAt(middle), static_cast<int>(it - edges.begin()));
        QTest::mouseClick(m_graph.get(), Qt::LeftButton, {}, middle.toPoint());
        QCOMPARE(chosen.size(), 1);
        QCOMPARE(chosen.first().at(0).value<std::uint32_t>(), edge.from);
        QCOMPARE(chosen.first().at(1).value<std::uint32_t>(), edge.to);
        QCOMPARE(m_graph->edgeAt(QPointF(1, 1)), -1);
    }

    // Both layouts put every node inside the widget, and apart.
    void layoutsKeepNodesInViewAndApart_data()
    {
        QTest::addColumn<int>("layout");
        QTest::addRow("tree") << static_cast<int>(FlowGraph::Layout::Tree);
        QTest::addRow("force") << static_cast<int>(FlowGraph::Layout::Force);
    }

    void layoutsKeepNodesInViewAndApart()
    {
        QFETCH(int, layout);
        m_graph->setLayout(static_cast<FlowGraph::Layout>(layout));
        std::vector<QPointF> points;
        for (std::uint32_t lane : m_graph->nodes()) {
            const QPointF at = m_graph->positionOf(lane);
            QVERIFY(m_graph->rect().contains(at.toPoint()));
            for (const QPointF& other : points)
                QVERIFY(std::hypot(at.x() - other.x(), at.y() - other.y()) > 20);
            points.push_back(at);
        }
        QVERIFY(!m_graph->grab().isNull());
    }

private:
    FlowFeed m_feed;
    std::unique_ptr<FlowGraph> m_graph;
};

QTEST_MAIN(TestFlowGraph)
#include "tst_flowgraph.moc"
