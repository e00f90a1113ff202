#include "clusterstate.h"

#include <algorithm>

void ClusterState::apply(const iso::Batch& batch)
{
    const iso::SnapshotDelta& delta = batch.delta;
    // A full delta lists every isolate: those it leaves out are gone.
    if (delta.full) {
        std::map<iso::IsolateId, Isolate> kept;
        for (const iso::IsolateMetrics& m : delta.changed)
            if (auto it = m_isolates.find(m.id); it != m_isolates.end())
                kept.insert(m_isolates.extract(it));
        m_isolates = std::move(kept);
    }
    for (const iso::IsolateMetrics& m : delta.changed) {
        m_isolates[m.id].metrics = m;
        // Most isolates never restart: no path lookup for them.
        if (m.path.empty() || m.restarts == 0)
            continue;
        std::uint64_t& seen = m_restartsByPath[m.path];
        if (m.restarts > seen) {
            m_restarts += m.restarts - seen;
            seen = m.restarts;
        }
    }
    keepErrors(batch.events);
    for (iso::IsolateId id : delta.removed) {
        if (auto it = m_isolates.find(id); it != m_isolates.end() && it->second.metrics.path.empty())
            m_errors.erase(errorKey(it->second.metrics));
        m_isolates.erase(id);
        m_windowStart.erase(id);
    }
    m_totals = delta.totals;
    m_missedEvents += batch.missed_events;
    updateRates(delta.totals.time);
}

void ClusterState::updateRates(std::chrono::nanoseconds now)
{
    if (m_windowBegan.count() < 0) {
        m_windowBegan = now;
        m_messagesAtWindowStart = m_totals.messages_total;
    }
    const auto window = now - m_windowBegan;
    if (window < rateWindow) {
        // Until a whole window has passed, the observer's latest interval.
        if (!m_hadWindow)
            m_messagesPerSecond = m_totals.messages_per_second;
        return;
    }
    m_hadWindow = true;
    const double seconds = std::chrono::duration<double>(window).count();
    for (auto& [id, isolate] : m_isolates) {
        const iso::IsolateMetrics& m = isolate.metrics;
        // An isolate first seen in this window counts from zero.
        WindowStart& start = m_windowStart[id];
        isolate.inPerSecond = static_cast<double>(m.messages_in - std::min(start.in, m.messages_in)) / seconds;
        isolate.outPerSecond = static_cast<double>(m.messages_out - std::min(start.out, m.messages_out)) / seconds;
        isolate.busyShare = std::min(
            1.0, static_cast<double>(m.busy_ns - std::min(start.busyNs, m.busy_ns)) / static_cast<double>(window.count()));
        start = {m.messages_in, m.messages_out, m.busy_ns};
    }
    m_messagesPerSecond =
        static_cast<double>(m_totals.messages_total - std::min(m_messagesAtWindowStart, m_totals.messages_total)) /
        seconds;
    m_messagesAtWindowStart = m_totals.messages_total;
    m_windowBegan = now;
}

std::size_t ClusterState::live() const
{
    return static_cast<std::size_t>(std::count_if(m_isolates.begin(), m_isolates.end(), [](const auto& entry) {
        return entry.second.metrics.state != iso::IsolateState::Exited;
    }));
}


std::string ClusterState::errorKey(const iso::IsolateMetrics& isolate)
{
    return isolate.path.empty() ? '#' + std::to_string(isolate.id) : isolate.path;
}

void ClusterState::keepErrors(const std::vector<iso::trace::Event>& events)
{
    for (const iso::trace::Event& e : events) {
        if (e.kind != iso::trace::Kind::Error)
            continue;
        const auto isolate = m_isolates.find(e.isolate);
        if (isolate == m_isolates.end())
            continue;
        std::deque<RecentError>& errors = m_errors[errorKey(isolate->second.metrics)];
        errors.push_back({std::chrono::nanoseconds(static_cast<std::int64_t>(e.time)), e.isolate, std::string(e.field(0)), std::string(e.field(1))});
        if (errors.size() > recentErrorLimit)
            errors.pop_front();
    }
}

const std::deque<ClusterState::RecentError>& ClusterState::recentErrors(const iso::IsolateMetrics& isolate) const
{
    static const std::deque<RecentError> none;
    const auto it = m_errors.find(errorKey(isolate));
    return it == m_errors.end() ? none : it->second;
}
