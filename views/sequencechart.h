#pragma once

#include "timechart.h"

#include <optional>
#include <unordered_set>
#include <utility>

/// The sequence chart: one column per isolate with time running down, an
/// exact arrow per message from where it was sent to where its handler
/// began, handler activity shaded on each lifeline, and errors, faults,
/// restarts and ends marked where they happened. Click an arrow to select
/// its message; N and P step to the next and previous one. The causal
/// filter keeps only the selected message, what led to it and what it
/// led to; a pair keeps only the messages between two isolates.
class SequenceChart : public TimeChart
{
    Q_OBJECT

public:
    /// Above this many arrows in view, the chart asks to zoom in and shows
    /// only handler activity: what a person can tell apart ends well before.
    static constexpr std::size_t arrowLimit = 5000;
    /// A recording opens on its first this many messages, each an arrow.
    static constexpr std::size_t firstMessages = 300;

    explicit SequenceChart(QWidget* parent = nullptr);

    /// The selected message's position in the index's messages; none if none.
    std::uint32_t selected() const;
    /// Selects a message (none: no message) and brings it into view.
    void select(std::uint32_t message);
    /// Selects the next (or previous) message in send order that the chart
    /// shows; returns whether there was one.
    bool step(bool forward);
    /// The message whose arrow is nearest `at`, within a few pixels.
    std::uint32_t messageAt(const QPoint& at) const;

    void setCausalFilter(bool on);
    bool causalFilter() const { return m_causal; }
    /// Shows only the two lanes and the messages between them.
    void setPair(std::optional<std::pair<std::uint32_t, std::uint32_t>> pair);
    std::optional<std::pair<std::uint32_t, std::uint32_t>> pair() const { return m_pair; }
    /// The messages the chart would draw over the whole run, in send order:
    /// what the filters keep.
    std::vector<std::uint32_t> shownMessages() const;

    /// "#12 /a → /b", with when it was sent, how long it waited and took,
    /// and its payload.
    QString describe(std::uint32_t message) const;

signals:
    void selectionChanged(std::uint32_t message);

protected:
    std::pair<std::uint64_t, std::uint64_t> firstView() const override;
    void paintPlot(QPainter& painter) override;
    QString toolTipAt(const QPoint& at) const override;
    void clickedAt(const QPoint& at) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    bool keeps(const FlowIndex::Message& message) const;
    /// Calls `visit` with each message whose arrow may cross [from, to],
    /// until it returns false.
    template <typename Visit>
    void forMessagesBetween(std::uint64_t from, std::uint64_t to, Visit visit) const;
    void paintActivity(QPainter& painter, std::size_t position);
    void paintArrow(QPainter& painter, std::uint32_t message, const QColor& colour, qreal width);
    /// The arrow's ends, or nothing if a lane of it is hidden.
    std::optional<std::pair<QPointF, QPointF>> arrowOf(const FlowIndex::Message& message) const;
    void refocus();

    // By message id: a live index moves messages as it sorts late ones in
    // and forgets old ones.
    std::uint64_t m_selected = 0;
    bool m_causal = false;
    std::optional<std::pair<std::uint32_t, std::uint32_t>> m_pair;
    /// The selected message's causes and effects, as the causal filter keeps them.
    std::unordered_set<std::uint64_t> m_causes;
    std::unordered_set<std::uint64_t> m_effects;
};
