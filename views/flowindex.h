#pragma once

#include <iso/trace.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

/// Every message of a run, where it went and what it caused, kept for the
/// flow views (sequence chart, timeline, flow graph): one lane per cluster
/// path (every incarnation of it) or plain isolate, the messages sorted by
/// when they were sent, each lane's handler spans and mailbox depths, and
/// the lifecycle events to mark. Built from trace events as a live feed or
/// a trace file gives them, in any order a batch may bring them.
///
/// Sized for tens of millions of events: a message is one fixed record,
/// payloads share one text arena, and a lane's busy time over any interval
/// is two binary searches, so views draw any zoom level in time that does
/// not grow with the trace. A plain value: not thread-safe.
class FlowIndex
{
public:
    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

    struct Lane {
        std::string label;       ///< the path, "outside", or a plain isolate's name with its id
        std::string path;        ///< empty for plain isolates
        std::uint32_t supervisor = none;  ///< the lane of its supervisor's path
        std::uint32_t incarnations = 0;   ///< of its path seen so far
        /// When each incarnation seen began: its number (0 first) and time.
        std::vector<std::pair<std::uint32_t, std::uint64_t>> starts;
        /// A lane made for an isolate before its Path named it, whose
        /// events went to its path's lane when that came: views skip it.
        std::uint32_t mergedInto = none;
    };

    struct Message {
        std::uint64_t id = 0;
        std::uint64_t cause = 0;  ///< the message whose handling sent it (0: none)
        std::uint64_t sent = 0;
        std::uint64_t handled = 0;  ///< when its handler began (0: not seen handled)
        std::uint64_t handleNs = 0;
        std::uint64_t payloadOffset = 0;
        std::uint32_t payloadSize = 0;
        std::uint32_t from = none;  ///< lanes
        std::uint32_t to = none;
        std::uint32_t depth = 0;  ///< the receiver's mailbox depth with it
        bool deadLetter = false;
        bool payloadCut = false;
    };

    /// A handler that ran, on its lane.
    struct Span {
        std::uint64_t begin = 0;
        std::uint64_t duration = 0;
        std::uint64_t message = 0;  ///< its id; 0 for a task
        std::uint64_t busyBefore = 0;  ///< the lane's busy time before it began
        iso::trace::HandleKind kind = iso::trace::HandleKind::Message;
    };

    /// A lifecycle event worth marking: spawns, errors, faults, restarts,
    /// ends, pauses, kills, dead letters.
    struct Marker {
        std::uint64_t time = 0;
        std::uint32_t lane = none;
        iso::trace::Kind kind = iso::trace::Kind::Gap;
        std::uint32_t arg = 0;
        std::uint64_t message = 0;
        std::string text;
    };

    /// A lane's mailbox depth from `time` on.
    struct Depth {
        std::uint64_t time = 0;
        std::uint32_t depth = 0;
    };

    /// The event kinds the index reads; a subscription for it takes these.
    static iso::trace::KindSet kinds();

    /// Takes in events, in the order a subscription or a file gives them.
    void add(std::span<const iso::trace::Event> events);
    /// Forgets what happened before `time`, as a live view that keeps a
    /// window of the recent past does. Lanes stay.
    void forgetBefore(std::uint64_t time);
    void clear();

    /// Earliest and latest times seen (0 when empty).
    std::uint64_t begin() const { return m_begin; }
    std::uint64_t end() const { return m_end; }

    const std::vector<Lane>& lanes() const { return m_lanes; }
    /// Sorted by `sent`.
    const std::vector<Message>& messages() const { return m_messages; }
    /// The index in messages() of message `id`; none if not kept.
    std::uint32_t find(std::uint64_t id) const;
    std::string_view payload(const Message& message) const;
    /// The first message sent at or after `time`.
    std::size_t firstSentAt(std::uint64_t time) const;
    /// A message that waits longer than this from send to handling is
    /// kept in longWaiters(), so that a view looks only this far before
    /// its window for the others.
    static constexpr std::uint64_t longWaitNs = 100'000'000;
    /// The longest a kept message waited, at most longWaitNs: how far
    /// before a time window a message drawn in it may have been sent.
    std::uint64_t longestWait() const { return m_longestWait; }
    /// The ids of the messages that waited longer than longWaitNs.
    const std::vector<std::uint64_t>& longWaiters() const { return m_longWaiters; }
    /// Calls `visit` with the position of each message whose flight, from
    /// its send to its handler's start (its send alone, if it was not
    /// handled), meets [from, to], until it returns false: two binary
    /// searches, and the few long waiters first.
    template <typename Visit>
    void forMessagesBetween(std::uint64_t from, std::uint64_t to, Visit visit) const;

    /// Sorted by `begin`; `busyBefore` makes busy(lane, a, b) cheap.
    const std::vector<Span>& spans(std::uint32_t lane) const { return m_tracks[lane].spans; }
    /// Nanoseconds `lane` spent in handlers within [from, to).
    std::uint64_t busy(std::uint32_t lane, std::uint64_t from, std::uint64_t to) const;
    /// Sorted by time.
    const std::vector<Depth>& depths(std::uint32_t lane) const { return m_tracks[lane].depths; }
    /// Sorted by time.
    const std::vector<Marker>& markers() const { return m_markers; }

    /// The id of the message that incarnation `incarnation` of `path` was
    /// delivered `delivery`th (0 first), counting messages and timer fires
    /// as a replay does (iso::trace::Divergence); 0 if the index does not
    /// hold it, or that delivery was a timer's.
    std::uint64_t delivered(const std::string& path, std::uint32_t incarnation, std::size_t delivery) const;
    /// Causes followed back at most: a chain of request and reply can be
    /// as long as the run.
    static constexpr std::size_t causeLimit = 10'000;
    /// The chain of messages that led to `message` (its cause, that one's
    /// cause, ...), nearest first, as far as the index holds them, at most
    /// causeLimit.
    std::vector<std::uint32_t> causes(std::uint32_t message) const;
    /// Every message that `message` led to, directly or not, in send order.
    std::vector<std::uint32_t> effects(std::uint32_t message) const;

    /// Trace events taken in, and events of lost ones (Gap events) told.
    std::uint64_t eventsTaken() const { return m_eventsTaken; }
    std::uint64_t eventsLost() const { return m_eventsLost; }

private:
    /// What a lane's tracks hold, beside lanes().
    struct Tracks {
        std::vector<Span> spans;
        std::vector<Depth> depths;
        std::vector<std::uint64_t> timerFires;  ///< times, sorted
    };
    /// What a Handle said of a message whose Send has not come yet.
    struct EarlyHandle {
        std::uint64_t begin = 0;
        std::uint64_t duration = 0;
    };

    std::uint32_t laneOf(std::uint64_t isolate);
    std::uint32_t addLane(std::string label, std::string path);
    void onPath(const iso::trace::Event& e);
    void onSend(const iso::trace::Event& e);
    void onEnqueue(const iso::trace::Event& e);
    void onHandle(const iso::trace::Event& e);
    void onMarker(const iso::trace::Event& e, std::uint32_t lane);
    void insertMessage(Message message);
    void insertSpan(Tracks& tracks, Span span);
    void insertDepth(Tracks& tracks, Depth depth);
    void reindexFrom(std::size_t position);
    void see(std::uint64_t time);
    void noteWait(const Message& message);
    /// Moves what `from` holds to `into`, and retires `from`.
    void mergeLane(std::uint32_t from, std::uint32_t into);

    std::vector<Lane> m_lanes;
    std::vector<Tracks> m_tracks;  ///< by lane
    std::vector<std::uint64_t> m_laneMade;  ///< when each lane was made, by lane
    std::uint64_t m_now = 0;  ///< the time of the event being taken in
    std::unordered_map<std::uint64_t, std::uint32_t> m_laneOfIsolate;
    std::unordered_map<std::string, std::uint32_t> m_laneOfPath;
    std::unordered_map<std::uint64_t, std::string> m_names;  ///< Spawn's debug names, until a lane takes one
    std::vector<Message> m_messages;
    /// Positions in messages() plus m_forgotten, so that forgetting the
    /// oldest renumbers nothing.
    std::unordered_map<std::uint64_t, std::uint64_t> m_messageIndex;
    std::uint64_t m_forgotten = 0;
    std::unordered_set<std::uint64_t> m_pathsSeen;  ///< isolates whose Path was taken in
    std::vector<std::uint64_t> m_longWaiters;
    std::unordered_map<std::uint64_t, EarlyHandle> m_early;
    std::string m_payloads;
    std::vector<Marker> m_markers;
    std::uint64_t m_begin = 0;
    std::uint64_t m_end = 0;
    std::uint64_t m_longestWait = 0;
    std::uint64_t m_eventsTaken = 0;
    std::uint64_t m_eventsLost = 0;
};

template <typename Visit>
void FlowIndex::forMessagesBetween(std::uint64_t from, std::uint64_t to, Visit visit) const
{
    const auto waitedLong = [](const Message& m) { return m.handled > m.sent && m.handled - m.sent > longWaitNs; };
    for (std::uint64_t id : m_longWaiters) {
        const std::uint32_t i = find(id);
        if (i == none)
            continue;
        const Message& m = m_messages[i];
        if (m.sent <= to && m.handled >= from && !visit(i))
            return;
    }
    const std::size_t first = firstSentAt(from - std::min(from, m_longestWait));
    const std::size_t last = firstSentAt(to + 1);
    for (std::size_t i = first; i < last; ++i) {
        const Message& m = m_messages[i];
        if (std::max(m.sent, m.handled) >= from && !waitedLong(m) && !visit(static_cast<std::uint32_t>(i)))
            return;
    }
}

