#pragma once
/// Keeping a cluster's snapshot from its trace events: what the observer
/// does with each event it drains, and what a recording is read with to
/// show the cluster as it was at any moment of the run.

#include <iso/observer.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace iso {

/// Each isolate's metrics and state, kept from its events, and what
/// changed since the previous delta. States follow the events (a handler
/// running, a pause, an exit); a live observer then puts the runtime's own
/// view over them (merge_live). An ended isolate is listed once more, as
/// exited, and then forgotten. Not thread-safe.
class SnapshotBuilder {
public:
    /// `start`: when watching began, on the trace clock; the first delta's
    /// rates are over the time since.
    explicit SnapshotBuilder(std::uint64_t start = 0) : last_delta_(start) {}
    SnapshotBuilder(SnapshotBuilder&&) noexcept = default;
    SnapshotBuilder& operator=(SnapshotBuilder&&) noexcept = default;
    /// A copy is a checkpoint: it goes on from where this one is.
    SnapshotBuilder(const SnapshotBuilder& other);
    SnapshotBuilder& operator=(const SnapshotBuilder& other);

    /// Takes one event. An isolate's own events must come in time order,
    /// with a Handle at the time its handler began.
    void apply(const trace::Event& e);
    /// Notes that thread `index` was watched since the previous delta, so
    /// that it is listed (as idle if it ran no handler).
    void note_thread(std::uint16_t index);
    /// Puts the runtime's view of its live isolates over what the events
    /// said: their states, mailbox depths and error counts. One it no
    /// longer lists has ended.
    void merge_live(const std::vector<IsolateInfo>& live);
    /// Forgets the isolates whose end a delta already listed, and that
    /// ended before `before`: what merge_live does for a recording, which
    /// has only its events. With `before` a fixed time behind the moment
    /// shown, what shows at a moment does not depend on how the deltas
    /// before it were cut.
    void forget_ended(std::uint64_t before = UINT64_MAX);

    /// What changed since the previous call, with the cluster-wide totals
    /// as of `now` (on the trace clock): rates are over the time since the
    /// previous call. The totals' memory figures are left at zero.
    SnapshotDelta take_delta(std::uint64_t now);

    /// Every isolate known, by id.
    std::vector<IsolateMetrics> isolates() const;
    /// The Path event that named isolate `id`; null if it is not known, or
    /// is a plain isolate.
    const trace::Event* path_event(IsolateId id) const;
    /// How many isolates are known, and the messages in their mailboxes.
    std::size_t size() const noexcept { return isolates_.size(); }
    std::size_t queued() const noexcept;

    /// The events that describe the live isolates as they are now (a
    /// Spawn, a Path for cluster isolates, an Up for those that started,
    /// a Pause for each pause held), stamped `now`: what a recording that
    /// starts late begins with.
    std::vector<trace::Event> current_state_events(std::uint64_t now) const;

private:
    struct Tracked {
        IsolateMetrics metrics;
        std::optional<trace::Event> spawn;
        std::optional<trace::Event> path;
        std::string supervisor_path;
        std::uint64_t busy_until = 0;  ///< when its latest handler ends
        std::uint32_t pauses = 0;      ///< pause capabilities held on it
        std::uint64_t ended_at = 0;    ///< its Exit's time (0: none seen)
        bool began = false;            ///< its first handler ran, or it came up
        bool ended = false;
        bool exit_listed = false;      ///< a delta listed it as exited
        bool changed = false;          ///< since the previous delta
    };

    Tracked& tracked(IsolateId id);
    /// Its state as its events tell it at `now`.
    static IsolateState derived_state(const Tracked& t, std::uint64_t now);
    void forget(std::map<IsolateId, Tracked>::iterator it);

    std::map<IsolateId, Tracked> isolates_;  // in id order, as snapshots list them
    std::unordered_map<IsolateId, Tracked*> index_;  // the same, found faster
    std::map<std::string, IsolateId, std::less<>> by_path_;
    std::vector<IsolateId> changed_;  // those marked changed; may hold removed ones
    std::set<IsolateId> removed_;
    std::set<IsolateId> busy_isolates_;  // a handler of theirs ran past the previous delta
    std::vector<IsolateId> listed_exited_;  // a delta listed them as exited; not yet forgotten
    bool runtime_states_ = false;        // merge_live gives states; the events do not

    // Since the previous delta.
    std::vector<std::uint64_t> thread_busy_ns_;  // by thread index
    std::vector<bool> thread_seen_;
    std::uint64_t messages_interval_ = 0;
    std::uint64_t events_interval_ = 0;
    std::uint64_t last_delta_;

    std::uint64_t messages_total_ = 0;
    std::uint64_t events_total_ = 0;
    std::uint64_t events_lost_ = 0;
};

} // namespace iso
