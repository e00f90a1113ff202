#pragma once

#include "flowindex.h"

#include <QPointF>
#include <QTimer>
#include <QWidget>

#include <map>
#include <vector>

class FlowFeed;

/// The message-flow graph: isolates as nodes, laid out by the supervision
/// tree or by force, and an edge for each pair that exchanged messages
/// (in the last `windowNs` of a live cluster, or over a whole recording),
/// as thick as its rate, with dots running along it in
/// the direction of the messages. Clicking an edge chooses that pair (the
/// sequence chart then shows only its messages). Only the GUI thread may
/// call members.
class FlowGraph : public QWidget
{
    Q_OBJECT

public:
    enum class Layout { Tree, Force };
    /// The stretch of time, up to the latest event, that edges count.
    static constexpr std::uint64_t windowNs = 2'000'000'000;
    /// Messages counted per refresh at most; beyond, a sample.
    static constexpr std::size_t sampleLimit = 200'000;
    /// The most isolates drawn: the busiest, with their supervisors.
    static constexpr std::size_t nodeLimit = 300;

    struct Edge {
        std::uint32_t from = 0;
        std::uint32_t to = 0;
        std::uint64_t messages = 0;  ///< within the window
        double perSecond = 0;
    };

    explicit FlowGraph(QWidget* parent = nullptr);

    void showFeed(const FlowFeed* feed);
    void setLayout(Layout layout);
    Layout layout() const { return m_layout; }

    /// What the graph draws now: lanes, and their edges.
    const std::vector<std::uint32_t>& nodes() const { return m_nodes; }
    const std::vector<Edge>& edges() const { return m_edges; }
    /// Where a node is drawn, in widget coordinates.
    QPointF positionOf(std::uint32_t lane) const;
    /// The edge under `at`; -1 if none.
    int edgeAt(const QPointF& at) const;

public slots:
    /// Counts the edges again from the index and places new nodes.
    void refresh();

signals:
    void edgeChosen(std::uint32_t from, std::uint32_t to);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void countEdges();
    void chooseNodes();
    void placeAsTree();
    void settleForces();
    std::pair<QPointF, QPointF> endsOf(const Edge& edge) const;

    const FlowFeed* m_feed = nullptr;
    const FlowIndex* m_index = nullptr;
    Layout m_layout = Layout::Tree;
    std::vector<std::uint32_t> m_nodes;
    std::map<std::uint32_t, QPointF> m_position;  ///< by lane, in 0..1 of the widget
    std::vector<Edge> m_edges;
    std::map<std::uint32_t, double> m_traffic;  ///< messages in and out per second, by lane
    QTimer m_animation;
    double m_phase = 0;  ///< of the dots along edges, 0..1
    int m_chosen = -1;
};
