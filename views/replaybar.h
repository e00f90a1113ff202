#pragma once

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

#include <chrono>
#include <cstdint>
#include <vector>

class FlowFeed;
class QComboBox;
class QLabel;
class QSlider;
class QToolButton;
class SequenceChart;
class TimeChart;

/// Moving through a recording: a scrubber over the whole run, play and
/// pause, step to the next message, and the speed of play. The charts
/// follow the playhead, which they draw as a line, at their own zoom. A
/// recording opens with the playhead at its end, as the run ended; play
/// and step start again from its beginning there. It shows only while a
/// recording is shown. Only the GUI thread may call members.
class ReplayBar : public QWidget
{
    Q_OBJECT

public:
    static constexpr int sliderSteps = 10'000;
    static constexpr int framesPerSecond = 30;

    /// Drives `charts`; steps with `sequence` (one of them).
    ReplayBar(FlowFeed* feed, SequenceChart* sequence, std::vector<TimeChart*> charts, QWidget* parent = nullptr);

    std::uint64_t playhead() const { return m_playhead; }
    bool playing() const { return m_timer.isActive(); }
    /// How many nanoseconds of the run pass in a second of play.
    double speed() const;

    /// Puts the playhead at `time` (kept within the run) and the charts with it.
    void seek(std::uint64_t time);
    void play();
    void pause();
    /// Selects the next message after the playhead (the first, at the end)
    /// and moves to when it was sent.
    bool stepToNextMessage();
    /// Moves the playhead on by `elapsed` of play at the current speed;
    /// pauses at the end of the run. What the play timer does each frame.
    void advance(std::chrono::nanoseconds elapsed);

signals:
    /// The playhead moved to `time`, by a seek, by play, or to a new
    /// recording's end.
    void moved(std::uint64_t time);

private:
    void restart();
    void showPlayhead();

    FlowFeed* m_feed;
    SequenceChart* m_sequence;
    std::vector<TimeChart*> m_charts;
    QToolButton* m_play;
    QSlider* m_slider;
    QComboBox* m_speed;
    QLabel* m_time;
    QTimer m_timer;
    QElapsedTimer m_sinceFrame;
    std::uint64_t m_playhead = 0;
};
