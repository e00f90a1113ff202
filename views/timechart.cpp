#include "timechart.h"

#include "flowfeed.h"
#include "incidents.h"
#include "units.h"

#include <QHBoxLayout>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QResizeEvent>
#include <QPainter>
#include <QToolButton>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>

namespace {

constexpr int rulerAcross = 22;   ///< the ruler's height, when time runs across
constexpr int rulerDown = 96;     ///< its width, when time runs down
constexpr int headerAcross = 200; ///< lane names' width, when lanes are rows
constexpr int headerDown = 26;    ///< their height, when lanes are columns
constexpr double wheelStep = 120; ///< one notch of a wheel
constexpr double zoomPerNotch = 0.8;
constexpr double panPerNotch = 60;  ///< pixels
constexpr double tickSpacing = 90;  ///< the least pixels between labelled ticks
/// A live chart that starts following shows this much of the recent past.
constexpr std::uint64_t liveSpanNs = 250'000'000;

} // namespace

TimeChart::TimeChart(Qt::Orientation timeAxis, int laneSize, QWidget* parent)
    : QWidget(parent)
    , m_axis(timeAxis)
    , m_laneSize(laneSize)
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(320, 200);
}

void TimeChart::setIndex(const FlowIndex* index)
{
    m_index = index;
    m_fitted = false;
    m_laneScroll = 0;
    refresh();
}

void TimeChart::showFeed(const FlowFeed* feed)
{
    setIndex(&feed->index());
    connect(feed, &FlowFeed::replaced, this, [this, feed] { restart(feed->live()); });
    connect(feed, &FlowFeed::changed, this, &TimeChart::refresh);
}

void TimeChart::restart(bool live)
{
    m_fitted = false;
    m_laneScroll = 0;
    m_following = live;
    emit followingChanged(live);
    emit restarted();
    refresh();
}

QHBoxLayout* TimeChart::createControls(QWidget* owner)
{
    auto* follow = new QToolButton(owner);
    follow->setText(tr("Follow live"));
    follow->setCheckable(true);
    follow->setChecked(m_following);
    follow->setToolTip(tr("Keep the newest events in view (F)"));
    connect(follow, &QToolButton::toggled, this, &TimeChart::setFollowing);
    connect(this, &TimeChart::followingChanged, follow, &QToolButton::setChecked);

    auto* whole = new QToolButton(owner);
    whole->setText(tr("Whole run"));
    whole->setToolTip(tr("Zoom out to the whole run (0)"));
    connect(whole, &QToolButton::clicked, this, [this] {
        setFollowing(false);
        showAll();
    });

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(4, 2, 4, 2);
    controls->addWidget(follow);
    controls->addWidget(whole);
    return controls;
}

void TimeChart::setLaneFilter(std::vector<std::uint32_t> lanes)
{
    m_filter = std::move(lanes);
    m_laneScroll = 0;
    rebuildLanes();
    update();
}

void TimeChart::rebuildLanes()
{
    const std::size_t count = m_index != nullptr ? m_index->lanes().size() : 0;
    m_lanes.clear();
    if (m_filter.empty()) {
        for (std::uint32_t lane = 0; lane < count; ++lane) {
            if (m_index->lanes()[lane].mergedInto == FlowIndex::none)
                m_lanes.push_back(lane);
        }
    } else {
        for (std::uint32_t lane : m_filter) {
            if (lane < count)
                m_lanes.push_back(lane);
        }
    }
    m_positionOfLane.assign(count, none);
    for (std::size_t position = 0; position < m_lanes.size(); ++position)
        m_positionOfLane[m_lanes[position]] = position;
}

std::size_t TimeChart::positionOf(std::uint32_t lane) const
{
    return lane < m_positionOfLane.size() ? m_positionOfLane[lane] : none;
}

void TimeChart::refresh()
{
    rebuildLanes();
    // A chart fits itself once it is shown, at the size it is shown at;
    // one drawn unshown (a benchmark, a test) is told a range instead.
    if (m_index != nullptr && m_index->end() != 0 && (m_fitted || isVisible())) {
        if (!m_fitted) {
            m_fitted = true;
            const std::uint64_t end = m_index->end();
            // Live, at a zoom that shows a while of the recent past however
            // little has come yet.
            if (m_following) {
                showRange(end - std::min(end, liveSpanNs), end);
            } else {
                const auto [from, to] = firstView();
                showRange(from, to);
            }
        } else if (m_following) {
            // The newest event near the far edge, at the same zoom.
            const double shown = timeExtent() * m_time.nsPerPixel();
            const double start = static_cast<double>(m_index->end()) - shown * 0.95;
            m_time.setStart(static_cast<std::uint64_t>(std::max(static_cast<double>(m_index->begin()), start)));
        }
    }
    update();
}

void TimeChart::setFollowing(bool following)
{
    if (m_following == following)
        return;
    m_following = following;
    emit followingChanged(following);
    refresh();
}

void TimeChart::setPlayhead(std::optional<std::uint64_t> time)
{
    m_playhead = time;
    update();
}

void TimeChart::showRange(std::uint64_t from, std::uint64_t to)
{
    m_fitted = true;
    m_time.show(from, to, timeExtent());
    update();
}

void TimeChart::showAll()
{
    if (m_index == nullptr || m_index->end() == 0)
        return;
    showRange(m_index->begin(), m_index->end());
}

std::uint64_t TimeChart::windowEnd() const
{
    return m_time.endFor(timeExtent());
}

QRect TimeChart::plotRect() const
{
    return m_axis == Qt::Vertical ? rect().adjusted(rulerDown, headerDown, 0, 0)
                                  : rect().adjusted(headerAcross, rulerAcross, 0, 0);
}

double TimeChart::timeExtent() const
{
    const QRect plot = plotRect();
    return m_axis == Qt::Vertical ? plot.height() : plot.width();
}

double TimeChart::laneExtent() const
{
    const QRect plot = plotRect();
    return m_axis == Qt::Vertical ? plot.width() : plot.height();
}

double TimeChart::timeCoordinate(std::uint64_t time) const
{
    const QRect plot = plotRect();
    return (m_axis == Qt::Vertical ? plot.top() : plot.left()) + m_time.pixelOf(time);
}

std::uint64_t TimeChart::timeAtCoordinate(double coordinate) const
{
    const QRect plot = plotRect();
    return m_time.timeAt(coordinate - (m_axis == Qt::Vertical ? plot.top() : plot.left()));
}

double TimeChart::laneCentre(std::size_t position) const
{
    const QRect plot = plotRect();
    const double origin = m_axis == Qt::Vertical ? plot.left() : plot.top();
    return origin + static_cast<double>(position) * m_laneSize + m_laneSize / 2.0 - m_laneScroll;
}

std::size_t TimeChart::positionAtCoordinate(double coordinate) const
{
    const QRect plot = plotRect();
    const double origin = m_axis == Qt::Vertical ? plot.left() : plot.top();
    const double offset = coordinate - origin + m_laneScroll;
    if (offset < 0)
        return none;
    const auto position = static_cast<std::size_t>(offset / m_laneSize);
    return position < m_lanes.size() ? position : none;
}

QPointF TimeChart::pointAt(std::size_t position, std::uint64_t time) const
{
    return m_axis == Qt::Vertical ? QPointF(laneCentre(position), timeCoordinate(time))
                                  : QPointF(timeCoordinate(time), laneCentre(position));
}

std::pair<std::size_t, std::size_t> TimeChart::lanesInView() const
{
    const auto first = static_cast<std::size_t>(std::max(0.0, std::floor(m_laneScroll / m_laneSize)));
    const auto last = static_cast<std::size_t>(std::ceil((m_laneScroll + laneExtent()) / m_laneSize));
    return {std::min(first, m_lanes.size()), std::min(last, m_lanes.size())};
}

void TimeChart::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    if (m_index == nullptr || m_index->end() == 0) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No messages yet"));
        return;
    }
    painter.save();
    painter.setClipRect(plotRect());
    paintPlot(painter);
    if (m_playhead) {
        const double at = timeCoordinate(*m_playhead);
        const QRect plot = plotRect();
        const QColor playhead(0xd3, 0x2f, 0x2f);
        painter.fillRect(m_axis == Qt::Vertical ? QRectF(plot.left(), at - 1, plot.width(), 2)
                                                : QRectF(at - 1, plot.top(), 2, plot.height()),
                         playhead);
    }
    painter.restore();
    paintRuler(painter);
    paintHeader(painter);
}

void TimeChart::paintRuler(QPainter& painter)
{
    const QRect plot = plotRect();
    const QRect ruler = m_axis == Qt::Vertical ? QRect(0, plot.top(), rulerDown, plot.height())
                                               : QRect(plot.left(), 0, plot.width(), rulerAcross);
    painter.fillRect(ruler, palette().window());
    const std::uint64_t step = tickStep(m_time.nsPerPixel(), tickSpacing);
    const std::uint64_t origin = m_index->begin();
    const std::uint64_t first = timeAtCoordinate(m_axis == Qt::Vertical ? plot.top() : plot.left());
    const std::uint64_t last = windowEnd();
    // Ticks at whole steps from the trace's start, as the labels count.
    std::uint64_t tick = first <= origin ? origin : origin + (first - origin + step - 1) / step * step;
    QColor grid = palette().color(QPalette::Mid);
    grid.setAlpha(60);
    painter.setPen(palette().color(QPalette::WindowText));
    for (; tick <= last; tick += step) {
        const double at = timeCoordinate(tick);
        const QString label = units::offset(tick - origin, step);
        if (m_axis == Qt::Vertical) {
            painter.drawText(QRectF(2, at - 8, rulerDown - 6, 16), Qt::AlignRight | Qt::AlignVCenter, label);
            painter.fillRect(QRectF(plot.left(), at, plot.width(), 1), grid);
        } else {
            painter.drawText(QRectF(at + 3, 0, 120, rulerAcross), Qt::AlignLeft | Qt::AlignVCenter, label);
            painter.fillRect(QRectF(at, 0, 1, rulerAcross), palette().color(QPalette::Mid));
            painter.fillRect(QRectF(at, plot.top(), 1, plot.height()), grid);
        }
    }
}

void TimeChart::paintHeader(QPainter& painter)
{
    const QRect plot = plotRect();
    const QRect header = m_axis == Qt::Vertical ? QRect(plot.left(), 0, plot.width(), headerDown)
                                                : QRect(0, plot.top(), headerAcross, plot.height());
    painter.fillRect(header, palette().window());
    painter.fillRect(m_axis == Qt::Vertical ? QRect(0, 0, rulerDown, headerDown) : QRect(0, 0, headerAcross, rulerAcross),
                     palette().window());
    painter.save();
    painter.setClipRect(header);
    painter.setPen(palette().color(QPalette::WindowText));
    const auto [first, last] = lanesInView();
    for (std::size_t position = first; position < last; ++position) {
        const double centre = laneCentre(position);
        const QString label = QString::fromStdString(m_index->lanes()[m_lanes[position]].label);
        if (m_axis == Qt::Vertical) {
            const QRectF cell(centre - m_laneSize / 2.0 + 3, 0, m_laneSize - 6, headerDown);
            painter.drawText(cell, Qt::AlignCenter, painter.fontMetrics().elidedText(label, Qt::ElideLeft, int(cell.width())));
        } else {
            const QRectF cell(6, centre - m_laneSize / 2.0, headerAcross - 10, m_laneSize);
            painter.drawText(cell, Qt::AlignLeft | Qt::AlignVCenter,
                             painter.fontMetrics().elidedText(label, Qt::ElideLeft, int(cell.width())));
        }
    }
    painter.restore();
}

void TimeChart::paintMarkers(QPainter& painter)
{
    const auto& markers = index()->markers();
    const std::uint64_t from = window().start();
    const std::uint64_t to = windowEnd();
    auto it = std::partition_point(markers.begin(), markers.end(), [from](const auto& m) { return m.time < from; });
    QFont font = painter.font();
    font.setBold(true);
    painter.setFont(font);
    for (; it != markers.end() && it->time <= to; ++it) {
        const std::size_t position = positionOf(it->lane);
        if (position == none)
            continue;
        const auto [glyph, colour] = incidents::mark(it->kind, it->arg);
        painter.setPen(colour);
        const QPointF at = pointAt(position, it->time);
        // A tick across the lane, the glyph beside it.
        if (m_axis == Qt::Vertical) {
            painter.drawText(QRectF(at.x() + 6, at.y() - 9, 24, 18), Qt::AlignLeft | Qt::AlignVCenter, glyph);
            painter.fillRect(QRectF(at.x() - 7, at.y() - 1, 14, 2), colour);
        } else {
            painter.drawText(QRectF(at.x() - 12, at.y() - m_laneSize / 2.0, 24, 14), Qt::AlignCenter, glyph);
            painter.fillRect(QRectF(at.x() - 1, at.y() - m_laneSize / 2.0 + 12, 2, m_laneSize - 14), colour);
        }
    }
    painter.setFont(QWidget::font());
}

std::pair<std::uint64_t, std::uint64_t> TimeChart::firstView() const
{
    return {m_index->begin(), m_index->end()};
}

QString TimeChart::toolTipAt(const QPoint&) const
{
    return {};
}

void TimeChart::clickedAt(const QPoint&) {}

bool TimeChart::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = m_index != nullptr ? toolTipAt(help->pos()) : QString();
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void TimeChart::userMoved()
{
    keepInBounds();
    setFollowing(false);
    update();
}

void TimeChart::keepInBounds()
{
    if (m_index != nullptr && m_index->end() != 0)
        m_time.clamp(m_index->begin(), m_index->end(), timeExtent());
    const double most = std::max(0.0, static_cast<double>(m_lanes.size()) * m_laneSize - laneExtent());
    m_laneScroll = std::clamp(m_laneScroll, 0.0, most);
}

void TimeChart::panLanes(double pixels)
{
    m_laneScroll += pixels;
    keepInBounds();
    update();
}

void TimeChart::zoomAt(double factor, double coordinate)
{
    const QRect plot = plotRect();
    m_time.zoom(factor, coordinate - (m_axis == Qt::Vertical ? plot.top() : plot.left()));
    userMoved();
}

void TimeChart::wheelEvent(QWheelEvent* event)
{
    const QPoint delta = event->angleDelta();
    const double along = m_axis == Qt::Vertical ? event->position().y() : event->position().x();
    if (event->modifiers() & Qt::ControlModifier) {
        zoomAt(std::pow(zoomPerNotch, (delta.y() + delta.x()) / wheelStep), along);
    } else {
        // The wheel moves the chart the way the screen scrolls: up and
        // down, or sideways with Shift (or a sideways wheel).
        const bool sideways = (event->modifiers() & Qt::ShiftModifier) || delta.x() != 0;
        const double notches = -(sideways && delta.x() != 0 ? delta.x() : delta.y()) / wheelStep;
        const bool movesTime = sideways == (m_axis == Qt::Horizontal);
        if (movesTime) {
            m_time.pan(notches * panPerNotch);
            userMoved();
        } else {
            panLanes(notches * panPerNotch);
        }
    }
    event->accept();
}

void TimeChart::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        m_dragFrom = event->pos();
        m_dragging = true;
        m_dragged = false;
    }
}

void TimeChart::mouseMoveEvent(QMouseEvent* event)
{
    if (!m_dragging)
        return;
    const QPoint moved = event->pos() - m_dragFrom;
    if (!m_dragged && moved.manhattanLength() < 4)
        return;
    m_dragged = true;
    m_dragFrom = event->pos();
    const double alongTime = m_axis == Qt::Vertical ? moved.y() : moved.x();
    const double acrossTime = m_axis == Qt::Vertical ? moved.x() : moved.y();
    m_time.pan(-alongTime);
    m_laneScroll -= acrossTime;
    userMoved();
}

void TimeChart::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;
    m_dragging = false;
    if (!m_dragged && m_index != nullptr)
        clickedAt(event->pos());
}

void TimeChart::keyPressEvent(QKeyEvent* event)
{
    const QRect plot = plotRect();
    const double middle = m_axis == Qt::Vertical ? plot.center().y() : plot.center().x();
    const double page = timeExtent() * 0.1;
    const bool down = m_axis == Qt::Vertical;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
    case Qt::Key_W:
        zoomAt(zoomPerNotch, middle);
        break;
    case Qt::Key_Minus:
    case Qt::Key_S:
        zoomAt(1 / zoomPerNotch, middle);
        break;
    case Qt::Key_0:
        showAll();
        userMoved();
        break;
    case Qt::Key_F:
        setFollowing(!m_following);
        break;
    case Qt::Key_A:
        m_time.pan(-page);
        userMoved();
        break;
    case Qt::Key_D:
        m_time.pan(page);
        userMoved();
        break;
    case Qt::Key_Up:
    case Qt::Key_Down: {
        const double sign = event->key() == Qt::Key_Up ? -1 : 1;
        if (down) {
            m_time.pan(sign * page);
            userMoved();
        } else {
            panLanes(sign * m_laneSize);
        }
        break;
    }
    case Qt::Key_Left:
    case Qt::Key_Right: {
        const double sign = event->key() == Qt::Key_Left ? -1 : 1;
        if (down) {
            panLanes(sign * m_laneSize);
        } else {
            m_time.pan(sign * page);
            userMoved();
        }
        break;
    }
    default:
        QWidget::keyPressEvent(event);
    }
}

void TimeChart::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    refresh();
}

void TimeChart::resizeEvent(QResizeEvent* event)
{
    // The same stretch of time stays in view, across more or fewer pixels.
    const QSize old = event->oldSize();
    const double before = m_axis == Qt::Vertical ? old.height() - headerDown : old.width() - headerAcross;
    QWidget::resizeEvent(event);
    if (old.isValid() && before > 0)
        m_time.show(m_time.start(), m_time.endFor(before), timeExtent());
    refresh();
}
