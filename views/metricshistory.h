#pragma once

#include <iso/observer.h>

#include <QString>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <vector>

class ClusterState;

/// The time series of the metrics page, kept from successive ClusterState
/// updates for the last `span` of the observer's clock: the cluster's
/// throughput, handle-time quantiles, per-thread utilisation and memory,
/// and for the isolates it tracks (the deepest mailboxes and the chosen
/// ones) their mailbox depth, throughput and handle-time quantiles.
/// Memory stays flat however long it runs, and an update costs one pass
/// over the isolates (a partial sort for the top, and a histogram merge
/// for each that handled something), never a pass over their history.
/// A plain value, without widgets: not thread-safe.
class MetricsHistory
{
public:
    /// Time in seconds since the first update, and a value; a NaN value is
    /// a gap (the series was not tracked, or had nothing to measure).
    struct Point {
        double time = 0;
        double value = 0;
    };
    using Series = std::deque<Point>;

    /// Handle times over the last quantileWindow, in microseconds.
    struct Quantiles {
        Series p50;
        Series p90;
        Series p99;
    };

    struct IsolateSeries {
        QString label;           ///< see labelOf()
        bool ended = false;      ///< gone from the cluster
        double lastTracked = 0;  ///< the latest time it was in the top or chosen
        Series mailboxDepth;
        Series handledPerSecond;
        Quantiles handleTime;
    };

    static constexpr std::chrono::seconds defaultSpan{300};
    static constexpr std::size_t defaultTopCount = 5;
    /// Quantiles are of the handlers that ended in about this long before
    /// each update (as rates are), so they follow the cluster as it is now.
    static constexpr std::chrono::milliseconds quantileWindow{1000};

    explicit MetricsHistory(std::chrono::seconds span = defaultSpan, std::size_t topCount = defaultTopCount);

    /// How many of the deepest mailboxes are tracked.
    void setTopCount(std::size_t count);
    std::size_t topCount() const { return m_topCount; }
    /// The isolates tracked whatever their mailboxes hold.
    void setChosen(std::vector<iso::IsolateId> ids);
    const std::vector<iso::IsolateId>& chosen() const { return m_chosen; }

    /// Takes one update: a point on every tracked series at the state's time.
    void apply(const ClusterState& state);

    std::chrono::seconds span() const { return m_span; }
    bool empty() const { return m_updates == 0; }
    /// The time of the latest update (0 before the first).
    double now() const { return m_now; }

    /// Messages handled per second by the whole cluster.
    const Series& throughput() const { return m_throughput; }
    /// Over every isolate's handlers, those that ended included.
    const Quantiles& handleTime() const { return m_handleTime; }
    /// Each thread's share of time in handlers, in percent, by thread.
    const std::map<std::uint16_t, Series>& utilisation() const { return m_utilisation; }
    /// The process's resident memory, in MiB.
    const Series& residentMemory() const { return m_resident; }
    /// What the runtime itself holds, in MiB.
    const Series& runtimeMemory() const { return m_runtime; }

    /// The deepest mailboxes of the latest update, deepest first. Empty
    /// mailboxes count only for isolates already there, and on a tie those
    /// already there stay, so that a quiet cluster does not shuffle them.
    const std::vector<iso::IsolateId>& top() const { return m_top; }
    /// Every isolate with points: the tracked ones and the few tracked most
    /// recently before, which are still recorded so that one coming back
    /// has its line whole.
    const std::map<iso::IsolateId, IsolateSeries>& isolates() const { return m_isolates; }
    /// Null if `id` has no points.
    const IsolateSeries* isolate(iso::IsolateId id) const;

    /// An isolate's cluster path, else its debug name, else "#id".
    static QString labelOf(const iso::IsolateMetrics& metrics);

private:
    /// Cumulative histograms at successive times, to take what was added
    /// over the last quantileWindow.
    class RecentHistogram
    {
    public:
        void add(double time, const iso::Histogram& cumulative);
        /// Since the newest entry at least quantileWindow old (or the oldest).
        iso::Histogram recent() const;
        void clear() { m_entries.clear(); }

    private:
        std::deque<std::pair<double, iso::Histogram>> m_entries;
    };

    void updateUtilisation(const std::vector<iso::ThreadMetrics>& threads);
    /// Finds the top and adds what each isolate handled since the last
    /// update to the cluster's handle times.
    void scanIsolates(const ClusterState& state);
    void updateIsolates(const ClusterState& state);
    void append(Series& series, double value);
    void appendQuantiles(Quantiles& quantiles, const iso::Histogram& recent);
    void trim(Series& series) const;
    void forgetUntracked();
    bool isTracked(iso::IsolateId id) const;

    std::chrono::seconds m_span;
    std::size_t m_topCount;
    std::vector<iso::IsolateId> m_chosen;

    std::uint64_t m_updates = 0;
    std::chrono::nanoseconds m_origin{0};
    double m_now = 0;
    double m_previous = 0;  ///< the time of the update before

    Series m_throughput;
    Quantiles m_handleTime;
    std::map<std::uint16_t, Series> m_utilisation;
    std::map<std::uint16_t, double> m_threadLastSeen;
    Series m_resident;
    Series m_runtime;

    /// Every isolate's histogram as last seen, so that each update adds
    /// only what changed to the cluster's: a pass over the isolates that
    /// compares counts, and a merge per isolate that handled something.
    std::map<iso::IsolateId, iso::Histogram> m_seenHandleTimes;
    iso::Histogram m_clusterHandleTimes;  ///< cumulative, of every isolate seen
    RecentHistogram m_recentClusterHandleTimes;

    std::vector<iso::IsolateId> m_top;
    /// Every live isolate, to choose the top from: kept to avoid an
    /// allocation per update.
    struct Candidate {
        std::size_t depth;
        bool shown;
        iso::IsolateId id;
    };
    std::vector<Candidate> m_candidates;
    std::map<iso::IsolateId, IsolateSeries> m_isolates;
    /// Of the isolates in m_isolates.
    std::map<iso::IsolateId, RecentHistogram> m_isolateHandleTimes;
};
