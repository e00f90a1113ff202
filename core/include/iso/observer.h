#pragma once
/// The monitor: drains a runtime's trace buffers in batches, keeps a live
/// snapshot of the cluster (isolates, states, the supervision tree,
/// metrics) and hands batches to subscribers.

#include <iso/path.h>
#include <iso/runtime.h>
#include <iso/trace.h>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace iso {

/// Handle times in log-linear buckets: 4 per power of two, so a quantile
/// is within 19% of the truth, in 640 bytes.
class Histogram {
public:
    void add(std::uint64_t nanoseconds) noexcept;
    std::uint64_t count() const noexcept { return count_; }
    std::uint64_t max() const noexcept { return max_; }
    /// The upper bound of the bucket holding quantile `q` (0..1); 0 if empty.
    std::uint64_t quantile(double q) const noexcept;
    /// Adds everything `other` holds, as if each of its values were added.
    void merge(const Histogram& other) noexcept;
    /// What was added after `earlier`, an earlier copy of this histogram:
    /// the handle times of one interval from two cumulative snapshots.
    /// Its max is the highest bucket's upper bound (capped by this max).
    Histogram since(const Histogram& earlier) const noexcept;

private:
    static constexpr int sub_buckets = 4;
    std::array<std::uint32_t, 40 * sub_buckets> buckets_{};
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
};

/// One isolate, as the monitor knows it.
struct IsolateMetrics {
    IsolateId id = 0;
    std::string name;        ///< debug name
    std::string path;        ///< cluster path; empty for plain isolates
    IsolateId supervisor = 0;  ///< its supervisor's isolate (0: the root or none)
    std::uint32_t incarnation = 0;
    IsolateState state = IsolateState::Starting;
    std::size_t mailbox_depth = 0;
    std::uint64_t messages_in = 0;   ///< messages it handled
    std::uint64_t messages_out = 0;  ///< messages it sent
    std::uint64_t busy_ns = 0;       ///< time inside its handlers
    std::uint64_t restarts = 0;      ///< of its path, before this incarnation
    std::uint64_t errors = 0;
    std::uint64_t dead_letters = 0;  ///< sent by it, or addressed to it, undelivered
    Histogram handle_time;
};

/// One scheduler thread (or outside thread that produced events).
struct ThreadMetrics {
    std::uint16_t thread = 0;
    double utilisation = 0;  ///< share of the last interval spent in handlers, 0..1
};

struct ClusterSnapshot {
    std::chrono::nanoseconds time{0};  ///< steady clock, when it was taken
    /// Live isolates by id, and those that ended since the previous batch.
    std::vector<IsolateMetrics> isolates;
    std::vector<ThreadMetrics> threads;
    double messages_per_second = 0;  ///< handled, over the last interval
    double events_per_second = 0;
    std::uint64_t messages_total = 0;
    std::uint64_t events_total = 0;
    std::uint64_t events_lost = 0;   ///< dropped by full thread buffers
    std::uint64_t rss_bytes = 0;     ///< the process's resident memory
    std::uint64_t runtime_bytes = 0; ///< what the runtime itself holds, estimated from its live objects

    const IsolateMetrics* find(IsolateId id) const;
};

/// What changed since a subscriber's previous batch.
struct SnapshotDelta {
    bool full = false;                    ///< `changed` is every isolate (first batch, or after a gap)
    std::vector<IsolateMetrics> changed;  ///< added or changed isolates
    std::vector<IsolateId> removed;       ///< ended and forgotten
    /// The cluster-wide part, always whole.
    ClusterSnapshot totals;               ///< with `isolates` empty
};

/// What a subscriber receives. A gap marker (missed_batches > 0) says what
/// the subscriber missed because it fell behind; its delta is then full.
/// Events are in time order within a batch, but one can come a batch late
/// (its thread wrote it while the monitor published), and a Handle comes
/// when its handler ends, stamped with when it began, which may be several
/// batches back: sort by time where a total order matters. Timestamps come
/// from one monotonic clock, so that order is exact for each isolate's own
/// events.
struct Batch {
    std::uint64_t sequence = 0;
    std::vector<trace::Event> events;
    SnapshotDelta delta;
    std::uint64_t missed_batches = 0;
    std::uint64_t missed_events = 0;
};

/// A subscriber's queue. The monitor never waits for it: when `capacity`
/// events are queued, further batches are dropped and counted.
class Subscription {
public:
    /// The next batch, if one is queued.
    std::optional<Batch> try_next();
    /// Waits up to `timeout` for a batch (outside isolates only).
    std::optional<Batch> next(std::chrono::milliseconds timeout);
    /// Every queued batch, oldest first.
    std::vector<Batch> take_all();
    /// No more batches will come (the observer was destroyed).
    bool closed() const;

    struct State;
    explicit Subscription(std::shared_ptr<State> state) : state_(std::move(state)) {}
    /// For the observer that feeds it.
    const std::shared_ptr<State>& state() const noexcept { return state_; }

private:
    std::shared_ptr<State> state_;
};

struct ObserverOptions {
    /// How often at most the monitor thread drains; sooner, down to a
    /// quarter millisecond, while producers fill their buffers fast. Zero:
    /// no thread, call poll().
    std::chrono::milliseconds interval{20};
    /// Whether tracing starts on.
    bool tracing = true;
    trace::PayloadCapture payload = trace::PayloadCapture::None;
    std::size_t payload_limit = 256;
    /// Each producing thread's buffer, in 64-byte records.
    std::size_t thread_buffer_records = 1 << 16;
    /// A producer whose buffer is full waits, up to `full_wait`, for the
    /// monitor to drain it, rather than dropping the event: the runtime
    /// slows to the pace of observing it, and recordings stay whole, as
    /// replay needs. Zero: drop at once. Needs the monitor thread; with
    /// interval zero producers always drop.
    std::chrono::microseconds full_wait{0};
};

/// Observes one runtime. One observer per runtime at a time; constructing
/// a second throws StateError. Destroying it turns tracing off. It must be
/// destroyed before its runtime (and a Recorder before its observer).
/// @threadsafe
class Observer {
public:
    explicit Observer(Runtime& runtime, ObserverOptions options = {});
    ~Observer();
    Observer(const Observer&) = delete;
    Observer& operator=(const Observer&) = delete;

    /// Switches tracing for the whole runtime.
    void set_tracing(bool on);
    bool tracing() const;
    /// Traces only isolates whose cluster path is at or under one of
    /// `prefixes`; empty: every isolate. Plain isolates have no path, so a
    /// non-empty filter leaves them out.
    void set_filter(std::vector<Path> prefixes);
    void set_payload_capture(trace::PayloadCapture capture, std::size_t limit = 256);
    trace::PayloadCapture payload_capture() const;
    /// Changes ObserverOptions::full_wait from now on (for subscriptions
    /// made after, too): a recording started late can lose nothing, and
    /// the runtime go back to dropping events when it ends. Without the
    /// monitor thread producers always drop.
    void set_full_wait(std::chrono::microseconds wait);

    /// Subscribers receive every batch from now on; the first carries a
    /// full snapshot. `capacity`: events queued before batches are dropped.
    /// `whole`: a subscriber that must see every event (a recorder); when
    /// its queue is full the monitor waits for it, up to full_wait, and
    /// producers then wait for the monitor. Other subscribers never slow
    /// the runtime. `kinds`: the events it takes, all by default; a view of
    /// lifecycles need not be handed every send, and the monitor copies
    /// only those.
    std::shared_ptr<Subscription> subscribe(std::size_t capacity = 1 << 20, bool whole = false,
                                            trace::KindSet kinds = trace::KindSet::all());
    void unsubscribe(const std::shared_ptr<Subscription>& subscription);

    /// Drains the buffers now and publishes a batch (any thread; with
    /// interval zero this is the only way batches are made).
    void poll();
    /// The latest snapshot.
    ClusterSnapshot snapshot() const;
    /// The events that describe the runtime as it is now (a Spawn, and a
    /// Path for cluster isolates, per live isolate): what a recording that
    /// starts late begins with.
    std::vector<trace::Event> current_state_events() const;

    Runtime& runtime() const noexcept;

    struct Impl;

private:
    /// Drains the buffers; publishes a batch if `publish`, or if one is due.
    /// Returns how full the fullest buffer was, 0..1.
    static double poll_impl(Impl& impl, bool publish);

    std::unique_ptr<Impl> impl_;
};

} // namespace iso
