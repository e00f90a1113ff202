#include "timelinechart.h"

#include "text.h"
#include "units.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace {

constexpr int spanTop = 14;     ///< from a track's top: room for marks above
constexpr int spanHeight = 14;
constexpr int depthHeight = 10; ///< the mailbox counter, beneath the handlers
/// Depth samples looked at per track and frame at most: beyond, a stride.
constexpr std::size_t depthSampleLimit = 200'000;

const QColor messageColour(0x4a, 0x7f, 0xc9);
const QColor taskColour(0x9a, 0xa5, 0xb1);
const QColor depthColour(0x8e, 0x6c, 0xc0);
const QColor flowColour(0x3b, 0x4f, 0x6b);

} // namespace

TimelineChart::TimelineChart(QWidget* parent)
    : TimeChart(Qt::Horizontal, trackHeight, parent)
{
}

void TimelineChart::selectMessage(std::uint64_t id)
{
    m_selected = id;
    update();
}

QRectF TimelineChart::spanRect(std::size_t position, const FlowIndex::Span& span) const
{
    const double top = laneCentre(position) - trackHeight / 2.0 + spanTop;
    const double left = timeCoordinate(span.begin);
    const double right = timeCoordinate(span.begin + span.duration);
    return {left, top, std::max(1.0, right - left), static_cast<double>(spanHeight)};
}

void TimelineChart::paintPlot(QPainter& painter)
{
    const QRect plot = plotRect();
    const auto [first, last] = lanesInView();
    QColor rule = palette().color(QPalette::Mid);
    rule.setAlpha(70);
    for (std::size_t position = first; position < last; ++position) {
        const double bottom = laneCentre(position) + trackHeight / 2.0;
        painter.fillRect(QRectF(plot.left(), bottom - 1, plot.width(), 1), rule);
        paintSpans(painter, position);
        paintDepths(painter, position);
    }
    paintMarkers(painter);
    paintFlows(painter);
}

void TimelineChart::paintSpans(QPainter& painter, std::size_t position)
{
    const std::uint32_t lane = shownLanes()[position];
    const auto& spans = index()->spans(lane);
    if (spans.empty())
        return;
    const QRect plot = plotRect();
    const std::uint64_t from = window().start();
    const std::uint64_t to = windowEnd();
    auto begin = std::partition_point(spans.begin(), spans.end(), [from](const auto& s) { return s.begin < from; });
    if (begin != spans.begin() && (begin - 1)->begin + (begin - 1)->duration > from)
        --begin;
    const auto end = std::partition_point(begin, spans.end(), [to](const auto& s) { return s.begin <= to; });
    const double top = laneCentre(position) - trackHeight / 2.0 + spanTop;
    if (end - begin > plot.width() / 2) {
        // Thinner than a pixel each: shade each column by how busy it was.
        QColor busy = messageColour;
        forEachBusyStep(lane, 1, [&](int x, double share) {
            busy.setAlphaF(static_cast<float>(0.2 + 0.8 * share));
            painter.fillRect(QRectF(x, top, 1, spanHeight), busy);
        });
        return;
    }
    const QFontMetrics metrics = painter.fontMetrics();
    for (auto it = begin; it != end; ++it) {
        const QRectF box = spanRect(position, *it);
        const bool chosen = it->message != 0 && it->message == m_selected;
        painter.fillRect(box, chosen ? selectedMessageColour : it->message != 0 ? messageColour : taskColour);
        if (box.width() > 44) {
            const QString label = it->message != 0 ? QStringLiteral("#%1").arg(it->message) : tr("task");
            painter.setPen(Qt::white);
            painter.drawText(box.adjusted(3, 0, -3, 0), Qt::AlignLeft | Qt::AlignVCenter,
                             metrics.elidedText(label, Qt::ElideRight, int(box.width() - 6)));
        }
    }
}

void TimelineChart::paintDepths(QPainter& painter, std::size_t position)
{
    const auto& depths = index()->depths(shownLanes()[position]);
    if (depths.empty())
        return;
    const QRect plot = plotRect();
    const std::uint64_t from = window().start();
    const std::uint64_t to = windowEnd();
    auto begin = std::partition_point(depths.begin(), depths.end(), [from](const auto& d) { return d.time < from; });
    const auto end = std::partition_point(begin, depths.end(), [to](const auto& d) { return d.time <= to; });
    // The depth each column ends with at most, carried over columns with no sample.
    std::vector<std::int64_t> columns(static_cast<std::size_t>(plot.width()) + 1, -1);
    const std::size_t stride = std::max<std::size_t>(1, static_cast<std::size_t>(end - begin) / depthSampleLimit);
    std::uint32_t deepest = 0;
    for (auto it = begin; it < end; it += static_cast<std::ptrdiff_t>(stride)) {
        const auto column = static_cast<std::size_t>(std::clamp(timeCoordinate(it->time) - plot.left(), 0.0,
                                                                static_cast<double>(plot.width())));
        columns[column] = std::max<std::int64_t>(columns[column], it->depth);
        deepest = std::max(deepest, it->depth);
    }
    std::int64_t carried = begin != depths.begin() ? (begin - 1)->depth : 0;
    deepest = std::max(deepest, static_cast<std::uint32_t>(carried));
    if (deepest == 0)
        return;
    const double bottom = laneCentre(position) + trackHeight / 2.0 - 2;
    QColor fill = depthColour;
    fill.setAlpha(150);
    // Nothing is known of the mailbox after the run's last event.
    const double last = std::min(static_cast<double>(columns.size()), timeCoordinate(index()->end()) - plot.left() + 1);
    for (std::size_t column = 0; static_cast<double>(column) < last; ++column) {
        if (columns[column] >= 0)
            carried = columns[column];
        if (carried <= 0)
            continue;
        const double height = depthHeight * static_cast<double>(carried) / deepest;
        painter.fillRect(QRectF(plot.left() + static_cast<double>(column), bottom - height, 1, height), fill);
    }
    painter.setPen(depthColour);
    painter.drawText(QRectF(plot.right() - 90, bottom - depthHeight - 2, 86, depthHeight + 2),
                     Qt::AlignRight | Qt::AlignVCenter, tr("≤ %1 waiting").arg(deepest));
}

void TimelineChart::paintFlows(QPainter& painter)
{
    const FlowIndex& flows = *index();
    // Too many to tell apart: none, rather than a thicket (the handler
    // boxes show the activity).
    std::vector<std::uint32_t> shown;
    std::size_t looked = 0;
    bool tooMany = false;
    flows.forMessagesBetween(window().start(), windowEnd(), [&](std::uint32_t i) {
        tooMany = ++looked > flowLimit * 4 || shown.size() > flowLimit;
        const FlowIndex::Message& m = flows.messages()[i];
        if (!tooMany && m.handled != 0 && m.to != FlowIndex::none && positionOf(m.from) != none
            && positionOf(m.to) != none)
            shown.push_back(i);
        return !tooMany;
    });
    if (tooMany || shown.size() > flowLimit)
        return;
    painter.setRenderHint(QPainter::Antialiasing);
    QColor colour = flowColour;
    colour.setAlpha(110);
    const double lift = trackHeight / 2.0 - spanTop - spanHeight / 2.0;
    for (std::uint32_t i : shown) {
        const FlowIndex::Message& m = flows.messages()[i];
        const QPointF start = pointAt(positionOf(m.from), m.sent) - QPointF(0, lift);
        const QPointF end = pointAt(positionOf(m.to), m.handled) - QPointF(0, lift);
        const bool chosen = m.id == m_selected;
        painter.setPen(QPen(chosen ? selectedMessageColour : colour, chosen ? 2.0 : 1.0));
        QPainterPath curve(start);
        const double bend = std::max(12.0, (end.x() - start.x()) / 2);
        curve.cubicTo(start + QPointF(bend, 0), end - QPointF(bend, 0), end);
        painter.drawPath(curve);
        painter.setBrush(chosen ? selectedMessageColour : colour);
        painter.drawEllipse(end, 2.0, 2.0);
        painter.setBrush(Qt::NoBrush);
    }
}

std::pair<std::uint32_t, std::size_t> TimelineChart::spanAt(const QPoint& at) const
{
    constexpr std::pair<std::uint32_t, std::size_t> nothing{FlowIndex::none, static_cast<std::size_t>(-1)};
    if (index() == nullptr || !plotRect().contains(at))
        return nothing;
    const std::size_t position = positionAtCoordinate(at.y());
    if (position == none)
        return nothing;
    const double top = laneCentre(position) - trackHeight / 2.0 + spanTop;
    if (at.y() < top || at.y() > top + spanHeight)
        return nothing;
    const std::uint32_t lane = shownLanes()[position];
    const auto& spans = index()->spans(lane);
    // Within a pixel either side: a handler narrower than one is still hit.
    const auto slack = static_cast<std::uint64_t>(window().nsPerPixel());
    const std::uint64_t t = timeAtCoordinate(at.x());
    auto it = std::partition_point(spans.begin(), spans.end(), [&](const auto& s) { return s.begin <= t + slack; });
    if (it == spans.begin())
        return nothing;
    --it;
    if (it->begin + it->duration + slack < t)
        return nothing;
    return {lane, static_cast<std::size_t>(it - spans.begin())};
}

QString TimelineChart::toolTipAt(const QPoint& at) const
{
    const auto [lane, span] = spanAt(at);
    if (lane == FlowIndex::none)
        return {};
    const FlowIndex::Span& s = index()->spans(lane)[span];
    const QString what = s.message != 0 ? tr("Handler of message #%1").arg(s.message)
                         : s.kind == iso::trace::HandleKind::Resume ? tr("Resumed coroutine")
                                                                   : tr("Task");
    return tr("%1 on %2\nbegan %3, took %4")
        .arg(what, toQString(index()->lanes()[lane].label), units::offset(s.begin - index()->begin(), 1000),
             units::duration(s.duration));
}

void TimelineChart::clickedAt(const QPoint& at)
{
    const auto [lane, span] = spanAt(at);
    m_selected = lane == FlowIndex::none ? 0 : index()->spans(lane)[span].message;
    update();
    if (const std::uint32_t message = index()->find(m_selected); message != FlowIndex::none)
        emit messageChosen(message);
}
