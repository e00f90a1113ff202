#pragma once

#include "timechart.h"

/// The timeline: one track per isolate with time running right, as in
/// Perfetto. Each track shows its handlers as boxes (shaded by how busy
/// the track was, where boxes would be thinner than a pixel), its mailbox
/// depth as a counter beneath them, and its lifecycle marks; flow arrows
/// join a message's send to its handler when few enough are in view.
/// Clicking a handler selects its message.
class TimelineChart : public TimeChart
{
    Q_OBJECT

public:
    static constexpr int trackHeight = 40;
    /// Above this many messages in view, flow arrows give way to the tracks.
    static constexpr std::size_t flowLimit = 3000;

    explicit TimelineChart(QWidget* parent = nullptr);

    /// The message whose handler is selected (its id; 0: none).
    std::uint64_t selectedMessage() const { return m_selected; }
    void selectMessage(std::uint64_t id);
    /// The handler under `at`: its lane and its index in the lane's spans;
    /// none if there is none.
    std::pair<std::uint32_t, std::size_t> spanAt(const QPoint& at) const;

signals:
    /// A handler of a message was clicked: the message's position in the index.
    void messageChosen(std::uint32_t message);

protected:
    void paintPlot(QPainter& painter) override;
    QString toolTipAt(const QPoint& at) const override;
    void clickedAt(const QPoint& at) override;

private:
    void paintSpans(QPainter& painter, std::size_t position);
    void paintDepths(QPainter& painter, std::size_t position);
    void paintFlows(QPainter& painter);
    QRectF spanRect(std::size_t position, const FlowIndex::Span& span) const;

    std::uint64_t m_selected = 0;
};
