#pragma once

#include "clusterstate.h"

#include <iso/snapshotbuilder.h>
#include <iso/trace.h>

#include <QObject>

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

/// A recorded run's events, kept for showing the cluster as it was at any
/// moment. Sends, enqueues, handlings and timer fires, most of a run and
/// only counted, are kept as fixed records of 32 bytes; the rest whole.
class RunEvents
{
public:
    /// Takes in events, in the order a file gives them.
    void add(std::span<const iso::trace::Event> events);
    /// Puts them in time order; call once, after the last add().
    void finish();

    std::size_t size() const { return m_steps.size(); }
    bool empty() const { return m_steps.empty(); }
    /// When the run began, and ended: its last event, or the end of its
    /// last handler if that came later (0 when empty).
    std::uint64_t begin() const { return m_steps.empty() ? 0 : m_steps.front().time; }
    std::uint64_t end() const { return m_end; }

    /// When event `i` (in time order) happened.
    std::uint64_t time(std::size_t i) const { return m_steps[i].time; }
    /// The first event after `time`.
    std::size_t firstAfter(std::uint64_t time) const;
    /// Event `i` (in time order), rebuilt in `scratch` if it was kept as a
    /// record; the whole event if it was kept whole.
    const iso::trace::Event& at(std::size_t i, iso::trace::Event& scratch) const;
    /// Whether event `i` was kept whole (a kind the part-1 views show).
    bool whole(std::size_t i) const;

private:
    struct Step {
        std::uint64_t time = 0;
        std::uint64_t isolate = 0;
        std::uint64_t peer = 0;  ///< for an event kept whole, its index in m_whole
        std::uint32_t arg = 0;
        std::uint16_t thread = 0;
        iso::trace::Kind kind = iso::trace::Kind::Gap;
        bool whole = false;
    };
    static_assert(sizeof(Step) == 32);

    std::vector<Step> m_steps;
    std::vector<iso::trace::Event> m_whole;
    std::uint64_t m_end = 0;
};

/// A recorded run, shown to the views of the cluster as a live cluster is:
/// the batches they take, made from the run's events up to a moment of it
/// (the replay bar's playhead), with the same signals as ClusterSource.
/// Moving on applies only what came since, in batches of `batchInterval`
/// of recorded time, as an observer publishes them; moving back starts
/// again from the nearest checkpoint before it (restarted() first, then a
/// full delta). What lies before the last `leadIn` comes in a few large
/// batches, and the lead-in in small ones, so that rates and charts have
/// their recent past. An isolate that ended shows as exited for `batchInterval`, then
/// goes. Only the GUI thread may call members.
class RecordedCluster : public QObject
{
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds batchInterval{100};
    /// The recent past played in batches after a jump: the metrics' longest
    /// window, in batches of `leadInInterval`, but for its last
    /// `fineLeadIn`, in batches of `batchInterval`.
    static constexpr std::chrono::minutes leadIn{5};
    static constexpr std::chrono::seconds leadInInterval{1};
    static constexpr std::chrono::seconds fineLeadIn{10};
    /// A dense run's lead-in is shorter: at most this many events, so
    /// that a jump costs a bounded time.
    static constexpr std::size_t leadInEvents = 2'000'000;
    /// Of the events before the lead-in, the views are handed the newest
    /// this many (as many as the event log keeps); the state has them all.
    static constexpr std::size_t jumpEventLimit = 10'000;
    /// How many events apart the run keeps its state as it goes, so that
    /// going back starts from the nearest such checkpoint, not the beginning.
    static constexpr std::size_t defaultCheckpointEvery = 1'000'000;

    explicit RecordedCluster(RunEvents events, std::size_t checkpointEvery = defaultCheckpointEvery,
                             QObject* parent = nullptr);

    const ClusterState& state() const { return m_state; }
    const RunEvents& events() const { return m_events; }
    /// The moment shown, on the recording's clock.
    std::uint64_t position() const { return m_position; }
    /// How the cluster isolate `id`, known at the moment shown, was
    /// spawned: its Path event (path, supervisor path, entry, seed,
    /// properties); null for plain isolates.
    const iso::trace::Event* pathEvent(iso::IsolateId id) const { return m_builder.path_event(id); }

    /// Shows the run as it was at `time`, now.
    void seek(std::uint64_t time);
    /// Shows the run at `time` in the next event-loop turn, once however
    /// often it is asked before then: what a dragged scrubber calls.
    void seekSoon(std::uint64_t time);

signals:
    /// One batch, just applied to `state`.
    void batchApplied(const ClusterState& state, const iso::Batch& batch);
    /// After a seek that brought batches: for views that redraw from the
    /// state as a whole.
    void polled(const ClusterState& state);
    /// The run starts over from its beginning: the views forget what they
    /// were shown, before batches from the start come.
    void restarted();

private:
    /// The run as it was at a batch, kept on the way forward.
    struct Checkpoint {
        std::size_t next = 0;
        std::uint64_t position = 0;
        iso::SnapshotBuilder builder;
        ClusterState state;
    };

    /// Goes back to the latest checkpoint at or before `time`, or to the
    /// beginning.
    void goBack(std::uint64_t time);
    /// Applies the events up to `time` and publishes them as one batch
    /// with, at most, the newest `eventLimit` of those the views take whole.
    void publishUntil(std::uint64_t time, std::size_t eventLimit = SIZE_MAX);

    RunEvents m_events;
    const std::size_t m_checkpointEvery;
    std::vector<Checkpoint> m_checkpoints;  ///< in run order
    iso::SnapshotBuilder m_builder;
    ClusterState m_state;
    std::size_t m_next = 0;         ///< the first event not yet applied
    std::uint64_t m_position = 0;   ///< the time of the last batch
    std::uint64_t m_sequence = 0;
    bool m_started = false;         ///< a batch was published since the start
    std::uint64_t m_wanted = 0;     ///< for seekSoon
    bool m_seekDue = false;
};
