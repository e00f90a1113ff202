#include "stallwatchdog.h"

#include <algorithm>
#include <utility>

StallWatchdog::StallWatchdog(QObject* parent, Clock clock)
    : QObject(parent)
    , m_clock(clock ? std::move(clock) : [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now().time_since_epoch());
    })
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(period);
    connect(&m_timer, &QTimer::timeout, this, &StallWatchdog::tick);
}

void StallWatchdog::start()
{
    m_last = m_clock();
    m_timer.start();
}

void StallWatchdog::tick()
{
    const std::chrono::milliseconds now = m_clock();
    if (m_last.count() >= 0) {
        const std::chrono::milliseconds stall = std::max(now - m_last - period, std::chrono::milliseconds(0));
        m_longest = std::max(m_longest, stall);
        m_recent = std::max(m_recent, stall);
        if (stall > budget)
            ++m_overBudget;
    }
    m_last = now;
}

std::chrono::milliseconds StallWatchdog::takeRecent()
{
    return std::exchange(m_recent, std::chrono::milliseconds(0));
}
