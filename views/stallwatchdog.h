#pragma once

#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>

/// Measures how long the thread it lives on goes without running its event
/// loop: a timer that should tick every `period` and notes how late each
/// tick comes. A late tick is a stall: the thread was busy (or blocked)
/// for that long, and the window did not repaint meanwhile.
class StallWatchdog : public QObject
{
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds period{10};
    /// Stalls longer than this are counted: the workbench's promise.
    static constexpr std::chrono::milliseconds budget{50};

    using Clock = std::function<std::chrono::milliseconds()>;

    /// `clock`: monotonic time; by default a steady clock. Tests pass their own.
    explicit StallWatchdog(QObject* parent = nullptr, Clock clock = {});

    /// Starts the timer (ticks also come from tick(), for tests).
    void start();
    bool running() const { return m_timer.isActive(); }

    /// The longest stall since the start, and since the last takeRecent().
    std::chrono::milliseconds longest() const { return m_longest; }
    std::chrono::milliseconds takeRecent();
    /// How many stalls were longer than `budget`.
    int overBudget() const { return m_overBudget; }

public slots:
    void tick();

private:
    Clock m_clock;
    QTimer m_timer;
    std::chrono::milliseconds m_last{-1};
    std::chrono::milliseconds m_longest{0};
    std::chrono::milliseconds m_recent{0};
    int m_overBudget = 0;
};
