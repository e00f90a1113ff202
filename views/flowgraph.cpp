#include "flowgraph.h"

#include "flowfeed.h"
#include "geometry.h"
#include "text.h"
#include "units.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <unordered_map>

namespace {

constexpr double margin = 60;       ///< pixels kept clear at the edges
constexpr double hitDistance = 6;
constexpr int framesPerSecond = 30;
constexpr int forceRounds = 200;
/// Node pairs visited per layout at most, over all rounds (a few ms).
constexpr double forceWork = 2e6;
const QColor edgeColour(0x4a, 0x7f, 0xc9);
const QColor chosenColour(0xe0, 0x7a, 0x10);

/// The last segment of a path: what a node has room for.
QString shortName(const std::string& label)
{
    const auto slash = label.rfind('/');
    return toQString(slash == std::string::npos || slash + 1 == label.size() ? label : label.substr(slash + 1));
}

} // namespace

FlowGraph::FlowGraph(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(320, 200);
    m_animation.setInterval(1000 / framesPerSecond);
    connect(&m_animation, &QTimer::timeout, this, [this] {
        m_phase = std::fmod(m_phase + 0.02, 1.0);
        update();
    });
}

void FlowGraph::showFeed(const FlowFeed* feed)
{
    m_feed = feed;
    m_index = &feed->index();
    connect(feed, &FlowFeed::replaced, this, [this] {
        m_position.clear();
        m_chosen = -1;
    });
    connect(feed, &FlowFeed::changed, this, &FlowGraph::refresh);
    refresh();
}

void FlowGraph::setLayout(Layout layout)
{
    m_layout = layout;
    m_position.clear();
    refresh();
}

void FlowGraph::refresh()
{
    // Counting is for what is seen: a hidden graph counts when shown.
    if (m_index == nullptr || !isVisible())
        return;
    countEdges();
    chooseNodes();
    const bool placed = std::all_of(m_nodes.begin(), m_nodes.end(), [this](auto lane) { return m_position.contains(lane); });
    if (!placed) {
        if (m_layout == Layout::Tree)
            placeAsTree();
        else
            settleForces();
    }
    update();
}

void FlowGraph::countEdges()
{
    const FlowIndex& index = *m_index;
    const std::uint64_t end = index.end();
    // A recording counts over the whole run; a live cluster, its recent past.
    const std::uint64_t from = m_feed->recorded() || end < windowNs ? index.begin() : end - windowNs;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint64_t> counts;
    const auto& messages = index.messages();
    const std::size_t first = index.firstSentAt(from);
    // Rates from a sample when there are many: what the width shows needs no more.
    const std::size_t stride = std::max<std::size_t>(1, (messages.size() - first) / sampleLimit);
    std::unordered_map<std::uint64_t, std::uint64_t> sampled;
    for (std::size_t i = first; i < messages.size(); i += stride) {
        const FlowIndex::Message& m = messages[i];
        if (m.to != FlowIndex::none)
            sampled[std::uint64_t{m.from} << 32 | m.to] += stride;
    }
    for (const auto& [key, count] : sampled)
        counts[{static_cast<std::uint32_t>(key >> 32), static_cast<std::uint32_t>(key)}] = count;
    const double seconds = static_cast<double>(std::max<std::uint64_t>(end - from, 1)) / 1e9;
    std::pair<std::uint32_t, std::uint32_t> chosen{FlowIndex::none, FlowIndex::none};
    if (m_chosen >= 0 && m_chosen < static_cast<int>(m_edges.size()))
        chosen = {m_edges[static_cast<std::size_t>(m_chosen)].from, m_edges[static_cast<std::size_t>(m_chosen)].to};
    m_edges.clear();
    m_traffic.clear();
    m_chosen = -1;
    for (const auto& [pair, count] : counts) {
        const double rate = static_cast<double>(count) / seconds;
        if (pair == chosen)
            m_chosen = static_cast<int>(m_edges.size());
        m_edges.push_back({pair.first, pair.second, count, rate});
        m_traffic[pair.first] += rate;
        m_traffic[pair.second] += rate;
    }
}

void FlowGraph::chooseNodes()
{
    std::vector<std::pair<double, std::uint32_t>> busiest;
    for (const auto& [lane, rate] : m_traffic)
        busiest.emplace_back(rate, lane);
    std::sort(busiest.begin(), busiest.end(), std::greater<>());
    std::set<std::uint32_t> chosen;
    for (const auto& [rate, lane] : busiest) {
        if (chosen.size() >= nodeLimit)
            break;
        // With its supervisors, which the tree layout hangs it from.
        for (std::uint32_t up = lane; up != FlowIndex::none && chosen.insert(up).second;)
            up = m_index->lanes()[up].supervisor;
    }
    m_nodes.assign(chosen.begin(), chosen.end());
    std::erase_if(m_edges, [&](const Edge& e) { return !chosen.contains(e.from) || !chosen.contains(e.to); });
    if (m_chosen >= static_cast<int>(m_edges.size()))
        m_chosen = -1;
}

void FlowGraph::placeAsTree()
{
    // Depth down, leaves across in path order, each parent over its children.
    const auto& lanes = m_index->lanes();
    std::map<std::uint32_t, std::vector<std::uint32_t>> children;
    std::vector<std::uint32_t> roots;
    const std::set<std::uint32_t> shown(m_nodes.begin(), m_nodes.end());
    for (std::uint32_t lane : m_nodes) {
        const std::uint32_t up = lanes[lane].supervisor;
        if (up != FlowIndex::none && shown.contains(up))
            children[up].push_back(lane);
        else
            roots.push_back(lane);
    }
    const auto byLabel = [&](std::uint32_t a, std::uint32_t b) { return lanes[a].label < lanes[b].label; };
    std::sort(roots.begin(), roots.end(), byLabel);
    for (auto& [lane, list] : children)
        std::sort(list.begin(), list.end(), byLabel);
    double leaves = 0;
    int depth = 0;
    std::map<std::uint32_t, std::pair<double, int>> slot;  // across, depth
    const auto place = [&](auto& self, std::uint32_t lane, int level) -> double {
        depth = std::max(depth, level);
        const auto it = children.find(lane);
        double across;
        if (it == children.end()) {
            across = leaves++;
        } else {
            double sum = 0;
            for (std::uint32_t child : it->second)
                sum += self(self, child, level + 1);
            across = sum / static_cast<double>(it->second.size());
        }
        slot[lane] = {across, level};
        return across;
    };
    for (std::uint32_t root : roots)
        place(place, root, 0);
    m_position.clear();
    for (const auto& [lane, at] : slot)
        m_position[lane] = QPointF((at.first + 0.5) / std::max(leaves, 1.0), (at.second + 0.5) / (depth + 1));
}

void FlowGraph::settleForces()
{
    // Fruchterman and Reingold: nodes repel, edges pull, cooling each round.
    std::mt19937 random(7);
    std::uniform_real_distribution<double> anywhere(0.1, 0.9);
    for (std::uint32_t lane : m_nodes) {
        if (!m_position.contains(lane))
            m_position[lane] = QPointF(anywhere(random), anywhere(random));
    }
    // By position in m_nodes, not by lane: the rounds are all lookups.
    const std::size_t n = m_nodes.size();
    std::vector<QPointF> at(n);
    std::map<std::uint32_t, std::size_t> slot;
    for (std::size_t i = 0; i < n; ++i) {
        at[i] = m_position[m_nodes[i]];
        slot[m_nodes[i]] = i;
    }
    std::vector<std::pair<std::size_t, std::size_t>> springs;
    for (const Edge& e : m_edges)
        springs.emplace_back(slot[e.from], slot[e.to]);
    const double k = std::sqrt(1.0 / static_cast<double>(std::max<std::size_t>(n, 1)));
    // Fewer rounds for many nodes: each round costs n².
    const int rounds = std::clamp(static_cast<int>(forceWork / std::max<double>(1.0, double(n) * double(n))), 20, forceRounds);
    double temperature = 0.1;
    std::vector<QPointF> shift(n);
    for (int round = 0; round < rounds; ++round, temperature *= 0.97) {
        std::fill(shift.begin(), shift.end(), QPointF());
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = i + 1; j < n; ++j) {
                const QPointF d = at[i] - at[j];
                const double distance = std::max(1e-4, std::hypot(d.x(), d.y()));
                const QPointF push = d / distance * (k * k / distance);
                shift[i] += push;
                shift[j] -= push;
            }
        }
        for (const auto& [a, b] : springs) {
            const QPointF d = at[a] - at[b];
            const double distance = std::max(1e-4, std::hypot(d.x(), d.y()));
            const QPointF pull = d / distance * (distance * distance / k);
            shift[a] -= pull;
            shift[b] += pull;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const double length = std::max(1e-9, std::hypot(shift[i].x(), shift[i].y()));
            at[i] += shift[i] / length * std::min(length, temperature);
            at[i] = QPointF(std::clamp(at[i].x(), 0.02, 0.98), std::clamp(at[i].y(), 0.02, 0.98));
        }
    }
    for (std::size_t i = 0; i < n; ++i)
        m_position[m_nodes[i]] = at[i];
}

QPointF FlowGraph::positionOf(std::uint32_t lane) const
{
    const auto it = m_position.find(lane);
    const QPointF at = it == m_position.end() ? QPointF(0.5, 0.5) : it->second;
    return {margin + at.x() * (width() - 2 * margin), margin / 2 + at.y() * (height() - margin)};
}

std::pair<QPointF, QPointF> FlowGraph::endsOf(const Edge& edge) const
{
    QPointF a = positionOf(edge.from);
    QPointF b = positionOf(edge.to);
    // Two directions between one pair run side by side.
    const QPointF d = b - a;
    const double length = std::max(1.0, std::hypot(d.x(), d.y()));
    const QPointF aside = QPointF(-d.y(), d.x()) / length * 4;
    return {a + aside, b + aside};
}

int FlowGraph::edgeAt(const QPointF& at) const
{
    int nearest = -1;
    double best = hitDistance;
    for (std::size_t i = 0; i < m_edges.size(); ++i) {
        const auto [a, b] = endsOf(m_edges[i]);
        if (const double d = distanceToSegment(at, a, b); d <= best) {
            best = d;
            nearest = static_cast<int>(i);
        }
    }
    return nearest;
}

void FlowGraph::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    if (m_nodes.empty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No messages in the last %1").arg(units::duration(windowNs)));
        return;
    }
    painter.setRenderHint(QPainter::Antialiasing);
    for (std::size_t i = 0; i < m_edges.size(); ++i) {
        const Edge& e = m_edges[i];
        const bool chosen = static_cast<int>(i) == m_chosen;
        QColor colour = chosen ? chosenColour : edgeColour;
        colour.setAlpha(chosen ? 230 : 140);
        const double width = 1 + 2 * std::log10(1 + e.perSecond);
        if (e.from == e.to) {
            const QPointF at = positionOf(e.from);
            painter.setPen(QPen(colour, width));
            painter.drawEllipse(at + QPointF(0, -22), 12, 12);
            continue;
        }
        const auto [a, b] = endsOf(e);
        painter.setPen(QPen(colour, width, Qt::SolidLine, Qt::RoundCap));
        painter.drawLine(a, b);
        // Dots run from sender to receiver, more of them on busier edges.
        const int dots = std::clamp(static_cast<int>(std::log10(1 + e.perSecond)) + 1, 1, 5);
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour.darker(140));
        for (int dot = 0; dot < dots; ++dot) {
            const double t = std::fmod(m_phase + static_cast<double>(dot) / dots, 1.0);
            painter.drawEllipse(a + (b - a) * t, 2.5 + width / 3, 2.5 + width / 3);
        }
        painter.setBrush(Qt::NoBrush);
    }
    const QFontMetrics metrics = painter.fontMetrics();
    for (std::uint32_t lane : m_nodes) {
        const QPointF at = positionOf(lane);
        const QString name = shortName(m_index->lanes()[lane].label);
        const double w = std::min(150, metrics.horizontalAdvance(name) + 12);
        const QRectF box(at.x() - w / 2, at.y() - 10, w, 20);
        painter.setPen(palette().color(QPalette::Mid));
        painter.setBrush(palette().window());
        painter.drawRoundedRect(box, 5, 5);
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(box, Qt::AlignCenter, metrics.elidedText(name, Qt::ElideMiddle, int(w - 8)));
    }
}

bool FlowGraph::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip && m_index != nullptr) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int edge = edgeAt(help->pos());
        if (edge < 0) {
            QToolTip::hideText();
            return true;
        }
        const Edge& e = m_edges[static_cast<std::size_t>(edge)];
        const auto& lanes = m_index->lanes();
        QToolTip::showText(help->globalPos(),
                           tr("%1 → %2\n%3 messages/s over the last %4; click for them in the sequence chart")
                               .arg(toQString(lanes[e.from].label), toQString(lanes[e.to].label), units::rate(e.perSecond),
                                    units::duration(windowNs)),
                           this);
        return true;
    }
    return QWidget::event(event);
}

void FlowGraph::mouseReleaseEvent(QMouseEvent* event)
{
    m_chosen = edgeAt(event->position());
    update();
    if (m_chosen >= 0)
        emit edgeChosen(m_edges[static_cast<std::size_t>(m_chosen)].from, m_edges[static_cast<std::size_t>(m_chosen)].to);
}

void FlowGraph::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    update();
}

void FlowGraph::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    refresh();
    m_animation.start();
}

void FlowGraph::hideEvent(QHideEvent* event)
{
    m_animation.stop();
    QWidget::hideEvent(event);
}
