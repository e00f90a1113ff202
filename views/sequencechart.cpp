#include "sequencechart.h"

#include "geometry.h"
#include "incidents.h"
#include "text.h"
#include "units.h"

#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace {

constexpr int columnWidth = 150;
constexpr double hitDistance = 5;  ///< pixels from an arrow that still pick it
constexpr int activityRow = 2;     ///< pixels of time per shaded step of a lifeline
constexpr int payloadShown = 400;  ///< characters of a payload in a tooltip

const QColor arrowColour(0x3b, 0x4f, 0x6b);
const QColor causeColour(0xd9, 0x6c, 0x00);
const QColor effectColour(0x1f, 0x8a, 0x3d);
const QColor busyColour(0x1e, 0x5f, 0xd6);
const QColor failureColour(0xc6, 0x28, 0x28);

} // namespace

SequenceChart::SequenceChart(QWidget* parent)
    : TimeChart(Qt::Vertical, columnWidth, parent)
{
}

std::uint32_t SequenceChart::selected() const
{
    return index() != nullptr ? index()->find(m_selected) : FlowIndex::none;
}

void SequenceChart::select(std::uint32_t message)
{
    const FlowIndex* flows = index();
    m_selected = flows != nullptr && message < flows->messages().size() ? flows->messages()[message].id : 0;
    refocus();
    if (m_selected != 0) {
        const FlowIndex::Message& m = flows->messages()[message];
        const std::uint64_t last = std::max(m.sent, m.handled);
        if (m.sent < window().start() || last > windowEnd()) {
            const std::uint64_t shown = windowEnd() - window().start();
            setFollowing(false);
            showRange(m.sent - std::min(m.sent, shown / 3), m.sent - std::min(m.sent, shown / 3) + shown);
        }
    }
    emit selectionChanged(selected());
    update();
}

void SequenceChart::refocus()
{
    m_causes.clear();
    m_effects.clear();
    const std::uint32_t at = selected();
    if (at == FlowIndex::none)
        return;
    for (std::uint32_t i : index()->causes(at))
        m_causes.insert(index()->messages()[i].id);
    if (m_causal) {
        for (std::uint32_t i : index()->effects(at))
            m_effects.insert(index()->messages()[i].id);
    }
}

void SequenceChart::setCausalFilter(bool on)
{
    m_causal = on;
    refocus();
    update();
}

void SequenceChart::setPair(std::optional<std::pair<std::uint32_t, std::uint32_t>> pair)
{
    m_pair = pair;
    if (pair)
        setLaneFilter(pair->first == pair->second ? std::vector{pair->first} : std::vector{pair->first, pair->second});
    else
        setLaneFilter({});
}

bool SequenceChart::keeps(const FlowIndex::Message& m) const
{
    if (m_pair) {
        const auto [a, b] = *m_pair;
        if (!((m.from == a && m.to == b) || (m.from == b && m.to == a)))
            return false;
    }
    if (m_causal && m_selected != 0)
        return m.id == m_selected || m_causes.contains(m.id) || m_effects.contains(m.id);
    return true;
}

std::vector<std::uint32_t> SequenceChart::shownMessages() const
{
    std::vector<std::uint32_t> shown;
    if (index() == nullptr)
        return shown;
    const auto& messages = index()->messages();
    for (std::uint32_t i = 0; i < messages.size(); ++i) {
        if (keeps(messages[i]))
            shown.push_back(i);
    }
    return shown;
}

template <typename Visit>
void SequenceChart::forMessagesBetween(std::uint64_t from, std::uint64_t to, Visit visit) const
{
    index()->forMessagesBetween(from, to, [&](std::uint32_t i) { return !keeps(index()->messages()[i]) || visit(i); });
}

std::optional<std::pair<QPointF, QPointF>> SequenceChart::arrowOf(const FlowIndex::Message& m) const
{
    const std::size_t from = positionOf(m.from);
    const std::size_t to = m.to != FlowIndex::none ? positionOf(m.to) : none;
    if (from == none || to == none)
        return std::nullopt;
    const QPointF start = pointAt(from, m.sent);
    // Not handled (yet): the arrow reaches the receiver where the run is now.
    const std::uint64_t arrival = m.handled != 0 ? m.handled : m.deadLetter ? m.sent : index()->end();
    return std::pair{start, pointAt(to, arrival)};
}

std::pair<std::uint64_t, std::uint64_t> SequenceChart::firstView() const
{
    const auto& messages = index()->messages();
    if (messages.size() <= firstMessages)
        return TimeChart::firstView();
    const FlowIndex::Message& last = messages[firstMessages - 1];
    return {index()->begin(), std::max(last.sent, last.handled)};
}

void SequenceChart::paintPlot(QPainter& painter)
{
    const QRect plot = plotRect();
    const auto [first, last] = lanesInView();
    for (std::size_t position = first; position < last; ++position)
        paintActivity(painter, position);
    paintMarkers(painter);

    const std::uint64_t from = window().start();
    const std::uint64_t to = windowEnd();
    std::vector<std::uint32_t> inView;
    bool tooMany = false;
    forMessagesBetween(from, to, [&](std::uint32_t i) {
        tooMany = inView.size() == arrowLimit;
        if (!tooMany)
            inView.push_back(i);
        return !tooMany;
    });
    painter.setRenderHint(QPainter::Antialiasing);
    if (tooMany) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(plot.adjusted(8, 8, -8, -8), Qt::AlignTop | Qt::AlignHCenter,
                         tr("More than %L1 messages in view: zoom in (Ctrl+wheel) to see each arrow").arg(arrowLimit));
        return;
    }
    const std::uint32_t chosen = selected();
    for (std::uint32_t i : inView) {
        const FlowIndex::Message& m = index()->messages()[i];
        if (i == chosen)
            continue;
        const QColor colour = m.deadLetter                 ? failureColour
                              : m_causes.contains(m.id)   ? causeColour
                              : m_effects.contains(m.id)  ? effectColour
                                                          : arrowColour;
        paintArrow(painter, i, colour, m_causes.contains(m.id) || m_effects.contains(m.id) ? 2.0 : 1.0);
    }
    if (chosen != FlowIndex::none)
        paintArrow(painter, chosen, selectedMessageColour, 2.5);
}

void SequenceChart::paintActivity(QPainter& painter, std::size_t position)
{
    const QRect plot = plotRect();
    const double x = laneCentre(position);
    const std::uint32_t lane = shownLanes()[position];
    painter.fillRect(QRectF(x, plot.top(), 1, plot.height()), palette().color(QPalette::Mid));
    if (index()->spans(lane).empty())
        return;
    QColor busy = busyColour;
    forEachBusyStep(lane, activityRow, [&](int y, double share) {
        busy.setAlphaF(static_cast<float>(0.25 + 0.6 * share));
        painter.fillRect(QRectF(x - 5, y, 10, activityRow), busy);
    });
}

void SequenceChart::paintArrow(QPainter& painter, std::uint32_t message, const QColor& colour, qreal width)
{
    const FlowIndex::Message& m = index()->messages()[message];
    const auto ends = arrowOf(m);
    if (!ends)
        return;
    auto [start, end] = *ends;
    QPen pen(colour, width);
    if (m.handled == 0 && !m.deadLetter)
        pen.setStyle(Qt::DashLine);
    painter.setPen(pen);
    if (m.from == m.to) {
        // A message to itself: a loop out to the right and back.
        QPainterPath loop(start);
        loop.cubicTo(start + QPointF(40, 0), end + QPointF(40, 0), end);
        painter.drawPath(loop);
        start = end + QPointF(40, -4);
    } else {
        painter.drawLine(start, end);
    }
    if (m.deadLetter) {
        painter.drawText(QRectF(end.x() - 8, end.y() - 8, 16, 16), Qt::AlignCenter, QStringLiteral("✕"));
        return;
    }
    const QPointF direction = end - start;
    const double length = std::hypot(direction.x(), direction.y());
    if (length < 1)
        return;
    const QPointF unit = direction / length;
    const QPointF normal(-unit.y(), unit.x());
    const QPointF head[] = {end, end - unit * 8 + normal * 3.5, end - unit * 8 - normal * 3.5};
    painter.setBrush(colour);
    painter.drawPolygon(head, 3);
    painter.setBrush(Qt::NoBrush);
}

std::uint32_t SequenceChart::messageAt(const QPoint& at) const
{
    if (index() == nullptr || !plotRect().contains(at))
        return FlowIndex::none;
    std::uint32_t nearest = FlowIndex::none;
    double best = hitDistance;
    // Only arrows that pass within reach of the point can be hit; those
    // that span it pass through its row.
    const std::uint64_t from = timeAtCoordinate(at.y() - hitDistance);
    const std::uint64_t to = timeAtCoordinate(at.y() + hitDistance);
    std::size_t looked = 0;
    forMessagesBetween(from, to, [&](std::uint32_t i) {
        if (++looked > arrowLimit)
            return false;
        const FlowIndex::Message& m = index()->messages()[i];
        const auto ends = arrowOf(m);
        if (!ends)
            return true;
        const double d = m.from == m.to ? std::min(distanceToSegment(at, ends->first, ends->first + QPointF(40, 0)),
                                                   distanceToSegment(at, ends->first + QPointF(40, 0), ends->second))
                                        : distanceToSegment(at, ends->first, ends->second);
        if (d <= best) {
            best = d;
            nearest = i;
        }
        return true;
    });
    return nearest;
}

QString SequenceChart::describe(std::uint32_t message) const
{
    const FlowIndex& flows = *index();
    const FlowIndex::Message& m = flows.messages()[message];
    const auto laneName = [&](std::uint32_t lane) {
        return lane == FlowIndex::none ? tr("(unknown)") : toQString(flows.lanes()[lane].label);
    };
    QString text = tr("Message #%1: %2 → %3\nsent %4").arg(m.id).arg(laneName(m.from), laneName(m.to),
                                                          units::offset(m.sent - flows.begin(), 1000));
    if (m.handled != 0)
        text += tr(", waited %1, handled in %2").arg(units::duration(m.handled - std::min(m.handled, m.sent)),
                                                    units::duration(m.handleNs));
    else if (m.deadLetter)
        text += tr(", never delivered: a dead letter");
    else
        text += tr(", not handled (yet)");
    if (m.cause != 0)
        text += tr("\nsent while handling #%1").arg(m.cause);
    const std::string_view payload = flows.payload(m);
    if (!payload.empty()) {
        QString shown = toQString(payload);
        if (shown.size() > payloadShown)
            shown = shown.left(payloadShown) + u'…';
        else if (m.payloadCut)
            shown += u'…';
        text += u'\n' + shown;
    } else {
        text += tr("\n(payload not recorded)");
    }
    return text;
}

QString SequenceChart::toolTipAt(const QPoint& at) const
{
    const std::uint32_t message = messageAt(at);
    return message == FlowIndex::none ? QString() : describe(message);
}

void SequenceChart::clickedAt(const QPoint& at)
{
    select(messageAt(at));
}

bool SequenceChart::step(bool forward)
{
    if (index() == nullptr || index()->messages().empty())
        return false;
    const auto& messages = index()->messages();
    const std::uint32_t at = selected();
    std::int64_t i = at == FlowIndex::none ? (forward ? -1 : static_cast<std::int64_t>(messages.size()))
                                           : static_cast<std::int64_t>(at);
    for (i += forward ? 1 : -1; i >= 0 && i < static_cast<std::int64_t>(messages.size()); i += forward ? 1 : -1) {
        if (keeps(messages[static_cast<std::size_t>(i)])) {
            select(static_cast<std::uint32_t>(i));
            return true;
        }
    }
    return false;
}

void SequenceChart::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_N || event->key() == Qt::Key_P) {
        step(event->key() == Qt::Key_N);
        return;
    }
    if (event->key() == Qt::Key_Escape) {
        select(FlowIndex::none);
        return;
    }
    TimeChart::keyPressEvent(event);
}
