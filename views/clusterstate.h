#pragma once

#include <iso/observer.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>

/// What the workbench knows of a cluster, kept from an observer's batches:
/// every isolate's latest metrics with its message rates, and the cluster's
/// totals. Rates are taken over at least `rateWindow` of the observer's
/// clock, so that an isolate that falls quiet drops to zero. A plain value:
/// not thread-safe.
class ClusterState
{
public:
    static constexpr std::chrono::milliseconds rateWindow{1000};

    struct Isolate {
        iso::IsolateMetrics metrics;
        double inPerSecond = 0;   ///< messages handled
        double outPerSecond = 0;  ///< messages sent
        double busyShare = 0;     ///< of the window, inside handlers, 0..1
    };

    /// An uncaught error, as its Error event told it.
    struct RecentError {
        std::chrono::nanoseconds time{0};
        iso::IsolateId isolate = 0;  ///< the incarnation that raised it
        std::string message;
        std::string where;  ///< where it was thrown, when known
    };
    /// Errors kept for each isolate, newest last.
    static constexpr std::size_t recentErrorLimit = 20;

    /// Takes in one batch, in the order the subscription gave them.
    void apply(const iso::Batch& batch);

    const std::map<iso::IsolateId, Isolate>& isolates() const { return m_isolates; }
    /// The cluster-wide figures of the latest batch (its isolates empty).
    const iso::ClusterSnapshot& totals() const { return m_totals; }
    /// Messages handled per second over the latest rate window (before the
    /// first has passed, over the observer's latest interval).
    double messagesPerSecond() const { return m_messagesPerSecond; }
    /// Isolates not yet ended (an ended one is listed once more, as exited).
    std::size_t live() const;
    /// Restarts of every path seen so far: it never goes down, even while
    /// a path is between an ended incarnation and the next.
    std::uint64_t restarts() const { return m_restarts; }
    /// Events lost in full thread buffers, plus those this subscriber missed.
    std::uint64_t eventsLost() const { return m_totals.events_lost + m_missedEvents; }

    /// The latest errors of `isolate`'s path (every incarnation's: a
    /// restarted isolate still shows why it was restarted), or of the
    /// isolate itself when it has no path. Empty when there were none.
    const std::deque<RecentError>& recentErrors(const iso::IsolateMetrics& isolate) const;

private:
    void updateRates(std::chrono::nanoseconds now);

    void keepErrors(const std::vector<iso::trace::Event>& events);
    static std::string errorKey(const iso::IsolateMetrics& isolate);

    std::map<iso::IsolateId, Isolate> m_isolates;
    /// By path, or by "#id" for plain isolates (dropped when they go);
    /// bounded by the number of paths that ever failed.
    std::unordered_map<std::string, std::deque<RecentError>> m_errors;
    iso::ClusterSnapshot m_totals;
    std::uint64_t m_missedEvents = 0;
    std::map<std::string, std::uint64_t, std::less<>> m_restartsByPath;  ///< the most seen
    std::uint64_t m_restarts = 0;  ///< their sum
    double m_messagesPerSecond = 0;

    /// The counters at the start of the current rate window.
    struct WindowStart {
        std::uint64_t in = 0;
        std::uint64_t out = 0;
        std::uint64_t busyNs = 0;
    };
    std::map<iso::IsolateId, WindowStart> m_windowStart;
    std::chrono::nanoseconds m_windowBegan{-1};
    bool m_hadWindow = false;
    std::uint64_t m_messagesAtWindowStart = 0;
};
