#pragma once

#include "handledcounter.h"

#include <iso/runtime.h>

#include <QElapsedTimer>
#include <QWidget>

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

class QCPGraph;
class QCustomPlot;

/// Live isolate count and events handled per second over the last minute,
/// fed one snapshot at a time. Only the GUI thread may call members.
class ThroughputPlot : public QWidget
{
    Q_OBJECT

public:
    static constexpr double windowSeconds = 60.0;

    explicit ThroughputPlot(QWidget* parent = nullptr);

public slots:
    void applySnapshot(const std::vector<iso::IsolateInfo>& snapshot);

private:
    void placeLegendAbovePlot();
    /// Averaged over about the last second, ending at `now`.
    double eventsPerSecond(double now, std::uint64_t handledTotal);
    void rescale(double now);

    QCustomPlot* m_plot;
    QCPGraph* m_isolates;
    QCPGraph* m_rate;
    QElapsedTimer m_clock;
    HandledCounter m_handled;
    /// (seconds, events handled in total) samples spanning about the last second.
    std::deque<std::pair<double, std::uint64_t>> m_recent;
};
