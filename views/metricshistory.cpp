#include "metricshistory.h"

#include "clusterstate.h"
#include "text.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

constexpr double gap = std::numeric_limits<double>::quiet_NaN();
constexpr double bytesPerMiB = 1024.0 * 1024.0;

double seconds(std::chrono::nanoseconds time)
{
    return std::chrono::duration<double>(time).count();
}

} // namespace

void MetricsHistory::RecentHistogram::add(double time, const iso::Histogram& cumulative)
{
    m_entries.emplace_back(time, cumulative);
    const double windowStart = time - seconds(quantileWindow);
    while (m_entries.size() > 2 && m_entries[1].first <= windowStart)
        m_entries.pop_front();
}

iso::Histogram MetricsHistory::RecentHistogram::recent() const
{
    if (m_entries.size() < 2)
        return {};
    return m_entries.back().second.since(m_entries.front().second);
}

MetricsHistory::MetricsHistory(std::chrono::seconds span, std::size_t topCount)
    : m_span(span)
    , m_topCount(topCount)
{
}

void MetricsHistory::setTopCount(std::size_t count)
{
    m_topCount = count;
    if (m_top.size() > count)
        m_top.resize(count);
}

void MetricsHistory::setChosen(std::vector<iso::IsolateId> ids)
{
    m_chosen = std::move(ids);
}

const MetricsHistory::IsolateSeries* MetricsHistory::isolate(iso::IsolateId id) const
{
    const auto it = m_isolates.find(id);
    return it == m_isolates.end() ? nullptr : &it->second;
}

QString MetricsHistory::labelOf(const iso::IsolateMetrics& metrics)
{
    if (!metrics.path.empty())
        return toQString(metrics.path);
    if (!metrics.name.empty())
        return toQString(metrics.name);
    return QStringLiteral("#%1").arg(metrics.id);
}

void MetricsHistory::apply(const ClusterState& state)
{
    const iso::ClusterSnapshot& totals = state.totals();
    if (m_updates == 0)
        m_origin = totals.time;
    const double now = seconds(totals.time - m_origin);
    // A point per update at a later time keeps every series sorted, as plots need.
    if (m_updates != 0 && now <= m_now)
        return;
    m_previous = m_now;
    m_now = now;
    ++m_updates;

    // The one pass over every isolate; the rest is over the tracked few.
    scanIsolates(state);
    append(m_throughput, state.messagesPerSecond());
    appendQuantiles(m_handleTime, m_recentClusterHandleTimes.recent());
    updateUtilisation(totals.threads);
    // A live process is never empty: none is a recording, which holds no memory figures.
    const double notMeasured = std::numeric_limits<double>::quiet_NaN();
    append(m_resident, totals.rss_bytes == 0 ? notMeasured : static_cast<double>(totals.rss_bytes) / bytesPerMiB);
    append(m_runtime, totals.rss_bytes == 0 ? notMeasured : static_cast<double>(totals.runtime_bytes) / bytesPerMiB);
    updateIsolates(state);

    trim(m_throughput);
    trim(m_handleTime.p50);
    trim(m_handleTime.p90);
    trim(m_handleTime.p99);
    trim(m_resident);
    trim(m_runtime);
    for (auto it = m_utilisation.begin(); it != m_utilisation.end();) {
        trim(it->second);
        if (!it->second.empty()) {
            ++it;
            continue;
        }
        m_threadLastSeen.erase(it->first);
        it = m_utilisation.erase(it);
    }
    forgetUntracked();
}

void MetricsHistory::updateUtilisation(const std::vector<iso::ThreadMetrics>& threads)
{
    for (const iso::ThreadMetrics& thread : threads) {
        append(m_utilisation[thread.thread], 100.0 * std::clamp(thread.utilisation, 0.0, 1.0));
        m_threadLastSeen[thread.thread] = m_now;
    }
    // The observer lists the threads that did something: one it leaves
    // out was idle, while it is recent; one long gone just ages out.
    const double recent = m_now - static_cast<double>(m_span.count());
    for (auto& [thread, series] : m_utilisation)
        if (series.back().time < m_now && m_threadLastSeen[thread] >= recent)
            append(series, 0.0);
}

void MetricsHistory::scanIsolates(const ClusterState& state)
{
    m_candidates.clear();
    // Both maps are sorted by id: one walk in step over the two.
    auto seen = m_seenHandleTimes.begin();
    for (const auto& [id, isolate] : state.isolates()) {
        const iso::IsolateMetrics& m = isolate.metrics;
        if (m.state != iso::IsolateState::Exited)
            m_candidates.push_back({m.mailbox_depth, std::ranges::find(m_top, id) != m_top.end(), id});

        while (seen != m_seenHandleTimes.end() && seen->first < id)
            seen = m_seenHandleTimes.erase(seen);
        if (seen == m_seenHandleTimes.end() || seen->first != id) {
            m_clusterHandleTimes.merge(m.handle_time);
            m_seenHandleTimes.emplace_hint(seen, id, m.handle_time);
            continue;
        }
        if (m.handle_time.count() != seen->second.count()) {
            m_clusterHandleTimes.merge(m.handle_time.since(seen->second));
            seen->second = m.handle_time;
        }
        ++seen;
    }
    m_seenHandleTimes.erase(seen, m_seenHandleTimes.end());
    m_recentClusterHandleTimes.add(m_now, m_clusterHandleTimes);

    const auto deeper = [](const Candidate& a, const Candidate& b) {
        if (a.depth != b.depth)
            return a.depth > b.depth;
        if (a.shown != b.shown)
            return a.shown;
        return a.id < b.id;
    };
    // A partial sort: only the first topCount of all the isolates are ordered.
    const auto last = m_candidates.begin() + static_cast<std::ptrdiff_t>(std::min(m_topCount, m_candidates.size()));
    std::partial_sort(m_candidates.begin(), last, m_candidates.end(), deeper);
    m_top.clear();
    for (auto it = m_candidates.begin(); it != last; ++it)
        if (it->depth > 0 || it->shown)
            m_top.push_back(it->id);
}

void MetricsHistory::updateIsolates(const ClusterState& state)
{
    for (iso::IsolateId id : m_top)
        m_isolates[id].lastTracked = m_now;
    for (iso::IsolateId id : m_chosen)
        if (id != 0 && state.isolates().contains(id))
            m_isolates[id].lastTracked = m_now;

    // Those tracked before stay recorded for a while (see forgetUntracked):
    // one that comes back to the top then has its line whole.
    for (auto& [id, series] : m_isolates) {
        const auto found = state.isolates().find(id);
        if (found == state.isolates().end()) {
            // Ended and forgotten (or not yet seen): its points stay, with no more.
            series.ended = true;
            continue;
        }
        const ClusterState::Isolate& isolate = found->second;
        series.label = labelOf(isolate.metrics);
        series.ended = isolate.metrics.state == iso::IsolateState::Exited;
        append(series.mailboxDepth, static_cast<double>(isolate.metrics.mailbox_depth));
        append(series.handledPerSecond, isolate.inPerSecond);
        RecentHistogram& handleTimes = m_isolateHandleTimes[id];
        handleTimes.add(m_now, isolate.metrics.handle_time);
        appendQuantiles(series.handleTime, handleTimes.recent());
    }
}

void MetricsHistory::append(Series& series, double value)
{
    // A series that missed updates gets a gap, not a line across them.
    if (!series.empty() && series.back().time < m_previous)
        series.push_back({(series.back().time + m_now) / 2, gap});
    series.push_back({m_now, value});
}

void MetricsHistory::appendQuantiles(Quantiles& quantiles, const iso::Histogram& recent)
{
    // Nothing handled: a gap, since no handler took zero time.
    const auto micros = [&recent](double q) {
        return recent.count() == 0 ? gap : static_cast<double>(recent.quantile(q)) / 1000.0;
    };
    append(quantiles.p50, micros(0.5));
    append(quantiles.p90, micros(0.9));
    append(quantiles.p99, micros(0.99));
}

void MetricsHistory::trim(Series& series) const
{
    const double oldest = m_now - static_cast<double>(m_span.count());
    while (!series.empty() && series.front().time < oldest)
        series.pop_front();
    // A gap left at the front separates nothing.
    while (!series.empty() && std::isnan(series.front().value))
        series.pop_front();
}

bool MetricsHistory::isTracked(iso::IsolateId id) const
{
    return std::ranges::find(m_top, id) != m_top.end() || std::ranges::find(m_chosen, id) != m_chosen.end();
}

void MetricsHistory::forgetUntracked()
{
    for (auto it = m_isolates.begin(); it != m_isolates.end();) {
        IsolateSeries& series = it->second;
        trim(series.mailboxDepth);
        trim(series.handledPerSecond);
        trim(series.handleTime.p50);
        trim(series.handleTime.p90);
        trim(series.handleTime.p99);
        // Depth and rate have points at the same times: both or neither.
        it = series.mailboxDepth.empty() ? m_isolates.erase(it) : std::next(it);
    }
    // Isolates that take turns at the top would otherwise all be recorded
    // from then on: only the few tracked most recently are.
    const std::size_t keptUntracked = std::max<std::size_t>(4 * m_topCount, 8);
    std::vector<std::pair<double, iso::IsolateId>> untracked;
    for (const auto& [id, series] : m_isolates)
        if (!isTracked(id))
            untracked.emplace_back(series.lastTracked, id);
    if (untracked.size() > keptUntracked) {
        const auto stalest = untracked.begin() + static_cast<std::ptrdiff_t>(untracked.size() - keptUntracked);
        std::ranges::nth_element(untracked, stalest);
        for (auto it = untracked.begin(); it != stalest; ++it)
            m_isolates.erase(it->second);
    }
    for (auto it = m_isolateHandleTimes.begin(); it != m_isolateHandleTimes.end();)
        it = m_isolates.contains(it->first) ? std::next(it) : m_isolateHandleTimes.erase(it);
}
