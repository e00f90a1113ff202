#pragma once

#include <QWidget>

#include <cstdint>

class FlowFeed;
class QLabel;
class QPlainTextEdit;
class QToolButton;
class SequenceChart;

/// The sequence chart with its controls: follow the live end or stay put,
/// keep only the selected message's causes and effects, the pair of
/// isolates it is narrowed to, and the selected message in full below.
class SequencePage : public QWidget
{
    Q_OBJECT

public:
    explicit SequencePage(FlowFeed* feed, QWidget* parent = nullptr);

    SequenceChart* chart() const { return m_chart; }
    /// Narrows the chart to the messages between two lanes.
    void showPair(std::uint32_t from, std::uint32_t to);

private:
    void showSelection();
    void showCounts();

    FlowFeed* m_feed;
    SequenceChart* m_chart;
    QToolButton* m_causal;
    QToolButton* m_pair;
    QLabel* m_counts;
    QPlainTextEdit* m_detail;
};
