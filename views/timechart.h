#pragma once

#include "flowindex.h"
#include "timewindow.h"

#include <QColor>
#include <QWidget>

class FlowFeed;
class QHBoxLayout;

#include <cstdint>
#include <optional>
#include <vector>

/// The selected message, alike in every flow chart: a colour no chart uses
/// for anything else.
inline const QColor selectedMessageColour(0xc2, 0x18, 0x5b);

/// What the flow charts share: a time axis with a ruler, one lane per
/// isolate across it with a header of names, and the ways a person moves
/// over them. Wheel pans time, Ctrl+wheel (or + and -) zooms around the
/// pointer, Shift+wheel scrolls the lanes, dragging pans both, 0 fits the
/// whole run, F follows the live end. Subclasses draw the lanes' contents.
/// Only the GUI thread may call members.
class TimeChart : public QWidget
{
    Q_OBJECT

public:
    /// The chart reads `index`, which must outlive it (or be replaced).
    TimeChart(Qt::Orientation timeAxis, int laneSize, QWidget* parent = nullptr);

    void setIndex(const FlowIndex* index);
    /// Shows `feed`'s index from now on: redraws as it changes, and starts
    /// over when it is replaced (following it if it is live).
    void showFeed(const FlowFeed* feed);
    /// A row of the controls every chart has (follow live, whole run),
    /// for a page to put above it and add its own to.
    QHBoxLayout* createControls(QWidget* owner);
    /// Starts over on another run in the same index: fits it anew, and
    /// follows its live end if `live`, or shows it whole.
    void restart(bool live);
    const FlowIndex* index() const { return m_index; }
    /// Shows only these lanes, in this order; empty: every lane.
    void setLaneFilter(std::vector<std::uint32_t> lanes);
    const std::vector<std::uint32_t>& shownLanes() const { return m_lanes; }

    /// Keeps the newest events in view as they come.
    void setFollowing(bool following);
    bool following() const { return m_following; }
    /// Draws a line across the lanes at `time` (a replay's playhead); none: no line.
    void setPlayhead(std::optional<std::uint64_t> time);
    /// Shows [from, to] of the trace's clock.
    void showRange(std::uint64_t from, std::uint64_t to);
    void showAll();
    const TimeWindow& window() const { return m_time; }
    /// The time at the far edge of the plot.
    std::uint64_t windowEnd() const;

    /// The plot: the chart without its ruler and lane header.
    QRect plotRect() const;
    /// Along the time axis, in widget coordinates.
    double timeCoordinate(std::uint64_t time) const;
    std::uint64_t timeAtCoordinate(double coordinate) const;
    /// The centre of the `position`th shown lane across the time axis, in
    /// widget coordinates.
    double laneCentre(std::size_t position) const;
    /// Where `time` is on the `position`th shown lane, in widget coordinates.
    QPointF pointAt(std::size_t position, std::uint64_t time) const;
    /// The position among the shown lanes of the lane at `coordinate`
    /// across the time axis; none if there is no lane there.
    std::size_t positionAtCoordinate(double coordinate) const;
    /// Which shown lanes are in view: [first, last).
    std::pair<std::size_t, std::size_t> lanesInView() const;
    /// The position among the shown lanes of `lane`; none if hidden.
    std::size_t positionOf(std::uint32_t lane) const;

signals:
    void followingChanged(bool following);
    /// The run shown was replaced by another.
    void restarted();

public slots:
    /// The index changed: lanes came, events were added.
    void refresh();

protected:
    /// What a recording opens on; the whole run unless a chart knows better.
    virtual std::pair<std::uint64_t, std::uint64_t> firstView() const;
    /// Draws the lanes' contents within plotRect(), clipped to it.
    virtual void paintPlot(QPainter& painter) = 0;
    /// Cuts the plot's time axis into steps of `pixels` and calls
    /// `visit(coordinate, share)` for each in which `lane` was busy, with
    /// the share of the step it spent in handlers (0..1]: a box per handler
    /// when zoomed in, a density when zoomed out, at a cost set by the
    /// plot's size, not the run's.
    template <typename Visit>
    void forEachBusyStep(std::uint32_t lane, int pixels, Visit visit) const
    {
        const QRect plot = plotRect();
        const int first = m_axis == Qt::Vertical ? plot.top() : plot.left();
        const int last = m_axis == Qt::Vertical ? plot.bottom() : plot.right();
        for (int at = first; at < last; at += pixels) {
            const std::uint64_t t0 = timeAtCoordinate(at);
            const std::uint64_t t1 = timeAtCoordinate(at + pixels);
            if (t1 <= t0)
                continue;
            const double share = static_cast<double>(m_index->busy(lane, t0, t1)) / static_cast<double>(t1 - t0);
            if (share > 0)
                visit(at, std::min(share, 1.0));
        }
    }
    /// Marks the index's lifecycle events (incidents.h) on their lanes.
    void paintMarkers(QPainter& painter);
    /// The text for the pointer at `at`; empty: none.
    virtual QString toolTipAt(const QPoint& at) const;
    /// A click that did not drag.
    virtual void clickedAt(const QPoint& at);

    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void showEvent(QShowEvent* event) override;
    bool event(QEvent* event) override;

    Qt::Orientation timeAxis() const { return m_axis; }
    int laneSize() const { return m_laneSize; }
    static constexpr std::size_t none = static_cast<std::size_t>(-1);

private:
    double timeExtent() const;   ///< pixels along the time axis
    double laneExtent() const;   ///< pixels across it
    void paintRuler(QPainter& painter);
    void paintHeader(QPainter& painter);
    void userMoved();
    void keepInBounds();
    void panLanes(double pixels);
    void zoomAt(double factor, double coordinate);
    void rebuildLanes();

    const FlowIndex* m_index = nullptr;
    Qt::Orientation m_axis;
    int m_laneSize;
    TimeWindow m_time;
    double m_laneScroll = 0;
    std::vector<std::uint32_t> m_filter;
    std::vector<std::uint32_t> m_lanes;
    std::vector<std::size_t> m_positionOfLane;
    bool m_following = true;
    std::optional<std::uint64_t> m_playhead;
    bool m_fitted = false;  ///< the window was set once the index held a time
    QPoint m_dragFrom;
    bool m_dragging = false;
    bool m_dragged = false;
};
