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
        if (m.path.empty())
            continue;
        std::uint64_t& seen = m_restartsByPath[m.path];
        if (m.restarts > seen) {
            m_restarts += m.restarts - seen;
            seen = m.restarts;
        }
    }
    for (iso::IsolateId id : delta.removed) {
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

