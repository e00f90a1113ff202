#include "flowindex.h"

#include <algorithm>
#include <unordered_set>

using iso::trace::Event;
using iso::trace::Kind;

namespace {

/// Handles whose Send never comes (it was sampled out) are not kept forever.
constexpr std::size_t earlyHandleLimit = 1 << 16;

/// The position to insert `value` at in `items`, sorted by `key`, searching
/// from the back: what a live feed brings is nearly always the newest.
template <typename T, typename Key>
std::size_t insertionPoint(const std::vector<T>& items, std::uint64_t value, Key key)
{
    std::size_t position = items.size();
    while (position > 0 && key(items[position - 1]) > value)
        --position;
    return position;
}

} // namespace

iso::trace::KindSet FlowIndex::kinds()
{
    return {Kind::Spawn, Kind::Path,    Kind::Send, Kind::Enqueue, Kind::Handle,     Kind::Error,
            Kind::Exit,  Kind::Pause,   Kind::Resume, Kind::Kill,  Kind::Restart,    Kind::Gap,
            Kind::DeadLetter, Kind::Fault, Kind::Supervision, Kind::TimerFire};
}

void FlowIndex::add(std::span<const Event> events)
{
    for (const Event& e : events) {
        ++m_eventsTaken;
        m_now = e.time;
        see(e.time);
        switch (e.kind) {
        case Kind::Spawn:
            // A cluster isolate's Path came first and named its lane.
            if (!m_laneOfIsolate.contains(e.isolate))
                m_names[e.isolate] = e.text;
            break;
        case Kind::Path:
            onPath(e);
            break;
        case Kind::Send:
            onSend(e);
            break;
        case Kind::Enqueue:
            onEnqueue(e);
            break;
        case Kind::Handle:
            see(e.time + e.peer);
            onHandle(e);
            break;
        case Kind::Gap:
            m_eventsLost += e.peer;
            break;
        case Kind::TimerFire: {
            auto& fires = m_tracks[laneOf(e.isolate)].timerFires;
            fires.insert(fires.begin() + static_cast<std::ptrdiff_t>(insertionPoint(fires, e.time, [](auto t) { return t; })),
                         e.time);
            break;
        }
        case Kind::DeadLetter: {
            if (const std::uint32_t i = find(e.message); i != none)
                m_messages[i].deadLetter = true;
            onMarker(e, laneOf(e.peer != 0 ? e.peer : e.isolate));
            break;
        }
        case Kind::Error:
        case Kind::Exit:
        case Kind::Pause:
        case Kind::Resume:
        case Kind::Kill:
        case Kind::Restart:
        case Kind::Fault:
        case Kind::Supervision:
            onMarker(e, laneOf(e.isolate));
            break;
        default:
            break;
        }
    }
}

void FlowIndex::see(std::uint64_t time)
{
    if (time == 0)
        return;
    m_begin = m_begin == 0 ? time : std::min(m_begin, time);
    m_end = std::max(m_end, time);
}

std::uint32_t FlowIndex::addLane(std::string label, std::string path)
{
    const auto lane = static_cast<std::uint32_t>(m_lanes.size());
    Lane& added = m_lanes.emplace_back();
    added.label = std::move(label);
    added.path = std::move(path);
    m_tracks.emplace_back();
    m_laneMade.push_back(m_now);
    return lane;
}

std::uint32_t FlowIndex::laneOf(std::uint64_t isolate)
{
    if (const auto it = m_laneOfIsolate.find(isolate); it != m_laneOfIsolate.end())
        return it->second;
    std::string label;
    if (isolate == 0) {
        label = "outside";
    } else {
        const auto name = m_names.find(isolate);
        label = (name != m_names.end() && !name->second.empty() ? name->second : std::string("isolate")) + " #"
            + std::to_string(isolate);
    }
    const std::uint32_t lane = addLane(std::move(label), {});
    m_laneOfIsolate.emplace(isolate, lane);
    return lane;
}

void FlowIndex::onPath(const Event& e)
{
    std::string path(e.field(0));
    if (path.empty())
        return;
    const auto lanePath = [this](const std::string& p) {
        const auto it = m_laneOfPath.find(p);
        if (it != m_laneOfPath.end())
            return it->second;
        const std::uint32_t lane = addLane(p, p);
        m_laneOfPath.emplace(p, lane);
        return lane;
    };
    // Events can reach an isolate before its Path does (its start task's
    // Handle is placed where the task began): the lane they made becomes
    // the path's, or, for a restart, joins it.
    if (const auto plain = m_laneOfIsolate.find(e.isolate);
        plain != m_laneOfIsolate.end() && m_lanes[plain->second].path.empty() && e.isolate != 0) {
        if (const auto known = m_laneOfPath.find(path); known == m_laneOfPath.end()) {
            m_lanes[plain->second].label = path;
            m_lanes[plain->second].path = path;
            m_laneOfPath.emplace(path, plain->second);
        } else {
            mergeLane(plain->second, known->second);
        }
    }
    const std::uint32_t lane = lanePath(path);
    const std::string supervisor(e.field(1));
    if (!supervisor.empty())
        m_lanes[lane].supervisor = lanePath(supervisor);
    m_laneOfIsolate[e.isolate] = lane;
    // A live view is told the current state when it starts following, which may repeat a Path.
    if (m_pathsSeen.insert(e.isolate).second) {
        ++m_lanes[lane].incarnations;
        m_lanes[lane].starts.emplace_back(e.arg, e.time);
    }
    m_names.erase(e.isolate);
}

void FlowIndex::mergeLane(std::uint32_t from, std::uint32_t into)
{
    Tracks& moved = m_tracks[from];
    for (const Span& span : moved.spans)
        insertSpan(m_tracks[into], span);
    for (const Depth& depth : moved.depths)
        insertDepth(m_tracks[into], depth);
    for (std::uint64_t fire : moved.timerFires) {
        auto& fires = m_tracks[into].timerFires;
        fires.insert(fires.begin() + static_cast<std::ptrdiff_t>(insertionPoint(fires, fire, [](auto t) { return t; })), fire);
    }
    moved = {};
    // Only what came since the lane was made can name it.
    const std::uint64_t since = m_laneMade[from];
    for (auto m = m_messages.rbegin(); m != m_messages.rend() && m->sent >= since; ++m) {
        if (m->from == from)
            m->from = into;
        if (m->to == from)
            m->to = into;
    }
    for (auto marker = m_markers.rbegin(); marker != m_markers.rend() && marker->time >= since; ++marker) {
        if (marker->lane == from)
            marker->lane = into;
    }
    for (auto& [isolate, lane] : m_laneOfIsolate) {
        if (lane == from)
            lane = into;
    }
    m_lanes[from].mergedInto = into;
}

void FlowIndex::noteWait(const Message& m)
{
    const std::uint64_t wait = m.handled - std::min(m.handled, m.sent);
    if (wait > longWaitNs)
        m_longWaiters.push_back(m.id);
    else
        m_longestWait = std::max(m_longestWait, wait);
}

void FlowIndex::onSend(const Event& e)
{
    if (e.message != 0 && m_messageIndex.contains(e.message))
        return;
    Message m;
    m.id = e.message;
    m.cause = e.cause;
    m.sent = e.time;
    m.from = laneOf(e.isolate);
    m.to = e.peer != 0 ? laneOf(e.peer) : none;
    m.depth = e.arg;
    if (!e.text.empty()) {
        m.payloadOffset = m_payloads.size();
        m.payloadSize = static_cast<std::uint32_t>(e.text.size());
        m.payloadCut = e.has(iso::trace::Flag::PayloadTruncated);
        m_payloads += e.text;
    }
    if (const auto early = m_early.find(m.id); early != m_early.end()) {
        m.handled = early->second.begin;
        m.handleNs = early->second.duration;
        m_early.erase(early);
    }
    if (m.handled != 0)
        noteWait(m);
    if (m.to != none && m.depth > 0)
        insertDepth(m_tracks[m.to], {m.sent, m.depth});
    insertMessage(m);
}

void FlowIndex::onEnqueue(const Event& e)
{
    const std::uint32_t lane = laneOf(e.isolate);
    insertDepth(m_tracks[lane], {e.time, static_cast<std::uint32_t>(e.peer)});
    if (const std::uint32_t i = find(e.message); i != none) {
        m_messages[i].to = lane;
        m_messages[i].depth = static_cast<std::uint32_t>(e.peer);
    }
}

void FlowIndex::onHandle(const Event& e)
{
    const std::uint32_t lane = laneOf(e.isolate);
    Tracks& tracks = m_tracks[lane];
    insertSpan(tracks, {e.time, e.peer, e.message, 0, static_cast<iso::trace::HandleKind>(e.arg)});
    if (e.message == 0)
        return;
    // Taking the message left one fewer waiting.
    const auto before = insertionPoint(tracks.depths, e.time, [](const Depth& d) { return d.time; });
    if (before > 0)
        insertDepth(tracks, {e.time, tracks.depths[before - 1].depth - std::min(tracks.depths[before - 1].depth, 1u)});
    const std::uint32_t i = find(e.message);
    if (i == none) {
        if (m_early.size() >= earlyHandleLimit)
            m_early.clear();
        m_early[e.message] = {e.time, e.peer};
        return;
    }
    Message& m = m_messages[i];
    m.handled = e.time;
    m.handleNs = e.peer;
    if (m.to == none)
        m.to = lane;
    noteWait(m);
}

void FlowIndex::onMarker(const Event& e, std::uint32_t lane)
{
    Marker marker{e.time, lane, e.kind, e.arg, e.message, e.text};
    const auto position = insertionPoint(m_markers, e.time, [](const Marker& m) { return m.time; });
    m_markers.insert(m_markers.begin() + static_cast<std::ptrdiff_t>(position), std::move(marker));
}

void FlowIndex::insertMessage(Message message)
{
    const auto position = insertionPoint(m_messages, message.sent, [](const Message& m) { return m.sent; });
    m_messages.insert(m_messages.begin() + static_cast<std::ptrdiff_t>(position), message);
    reindexFrom(position);
}

void FlowIndex::reindexFrom(std::size_t position)
{
    for (std::size_t i = position; i < m_messages.size(); ++i) {
        if (m_messages[i].id != 0)
            m_messageIndex[m_messages[i].id] = i + m_forgotten;
    }
}

void FlowIndex::insertSpan(Tracks& tracks, Span span)
{
    std::vector<Span>& spans = tracks.spans;
    auto position = insertionPoint(spans, span.begin, [](const Span& s) { return s.begin; });
    spans.insert(spans.begin() + static_cast<std::ptrdiff_t>(position), span);
    // Keep the running busy time right for it and whatever came after it.
    for (; position < spans.size(); ++position)
        spans[position].busyBefore = position == 0 ? 0 : spans[position - 1].busyBefore + spans[position - 1].duration;
}

void FlowIndex::insertDepth(Tracks& tracks, Depth depth)
{
    const auto position = insertionPoint(tracks.depths, depth.time, [](const Depth& d) { return d.time; });
    tracks.depths.insert(tracks.depths.begin() + static_cast<std::ptrdiff_t>(position), depth);
}

void FlowIndex::forgetBefore(std::uint64_t time)
{
    if (time <= m_begin)
        return;
    const auto keepFrom = [time](auto& items, auto key) {
        auto it = std::partition_point(items.begin(), items.end(), [&](const auto& item) { return key(item) < time; });
        items.erase(items.begin(), it);
    };
    // The forgotten leave the index one by one; the kept keep their numbers.
    const std::size_t forgotten = firstSentAt(time);
    for (std::size_t i = 0; i < forgotten; ++i)
        m_messageIndex.erase(m_messages[i].id);
    m_messages.erase(m_messages.begin(), m_messages.begin() + static_cast<std::ptrdiff_t>(forgotten));
    m_forgotten += forgotten;
    for (Tracks& tracks : m_tracks) {
        keepFrom(tracks.spans, [](const Span& s) { return s.begin; });
        keepFrom(tracks.depths, [](const Depth& d) { return d.time; });
        keepFrom(tracks.timerFires, [](std::uint64_t t) { return t; });
    }
    keepFrom(m_markers, [](const Marker& m) { return m.time; });
    std::erase_if(m_longWaiters, [this](std::uint64_t id) { return find(id) == none; });
    // Payloads of forgotten messages go once they are most of the arena.
    // The arena is in arrival order, the messages in send order: the
    // first payload still used is the least offset among them.
    std::uint64_t firstPayload = m_payloads.size();
    for (const Message& m : m_messages) {
        if (m.payloadSize > 0)
            firstPayload = std::min(firstPayload, m.payloadOffset);
    }
    if (firstPayload > m_payloads.size() / 2) {
        m_payloads.erase(0, firstPayload);
        for (Message& m : m_messages)
            m.payloadOffset -= std::min(m.payloadOffset, firstPayload);
    }
    m_begin = time;
    m_end = std::max(m_end, time);
}

void FlowIndex::clear()
{
    *this = FlowIndex();
}

std::uint32_t FlowIndex::find(std::uint64_t id) const
{
    if (id == 0)
        return none;
    const auto it = m_messageIndex.find(id);
    return it == m_messageIndex.end() ? none : static_cast<std::uint32_t>(it->second - m_forgotten);
}

std::string_view FlowIndex::payload(const Message& message) const
{
    return std::string_view(m_payloads).substr(message.payloadOffset, message.payloadSize);
}

std::size_t FlowIndex::firstSentAt(std::uint64_t time) const
{
    return static_cast<std::size_t>(
        std::partition_point(m_messages.begin(), m_messages.end(), [time](const Message& m) { return m.sent < time; })
        - m_messages.begin());
}

std::uint64_t FlowIndex::busy(std::uint32_t lane, std::uint64_t from, std::uint64_t to) const
{
    const std::vector<Span>& spans = m_tracks[lane].spans;
    // Busy time before `t`: the spans that began before it, the last one cut at `t`.
    const auto busyBefore = [&spans](std::uint64_t t) -> std::uint64_t {
        const auto it = std::partition_point(spans.begin(), spans.end(), [t](const Span& s) { return s.begin < t; });
        // Before the first kept span: what came before it (maybe forgotten) is not in view.
        if (it == spans.begin())
            return spans.empty() ? 0 : spans.front().busyBefore;
        const Span& last = *(it - 1);
        return last.busyBefore + std::min(last.duration, t - last.begin);
    };
    return to <= from ? 0 : busyBefore(to) - std::min(busyBefore(to), busyBefore(from));
}

std::uint64_t FlowIndex::delivered(const std::string& path, std::uint32_t incarnation, std::size_t delivery) const
{
    const auto lane = m_laneOfPath.find(path);
    if (lane == m_laneOfPath.end())
        return 0;
    const auto& starts = m_lanes[lane->second].starts;
    const auto start = std::find_if(starts.begin(), starts.end(), [&](const auto& s) { return s.first == incarnation; });
    if (start == starts.end())
        return 0;
    const std::uint64_t from = start->second;
    const std::uint64_t until = start + 1 != starts.end() ? (start + 1)->second : std::numeric_limits<std::uint64_t>::max();
    // Messages and timer fires, in the order they came.
    const Tracks& tracks = m_tracks[lane->second];
    auto fire = std::lower_bound(tracks.timerFires.begin(), tracks.timerFires.end(), from);
    std::size_t seen = 0;
    for (const Span& span : tracks.spans) {
        if (span.begin < from || span.message == 0)
            continue;
        if (span.begin >= until)
            break;
        for (; fire != tracks.timerFires.end() && *fire < span.begin; ++fire) {
            if (seen++ == delivery)
                return 0;
        }
        if (seen++ == delivery)
            return span.message;
    }
    return 0;
}

std::vector<std::uint32_t> FlowIndex::causes(std::uint32_t message) const
{
    std::vector<std::uint32_t> chain;
    std::uint64_t cause = m_messages[message].cause;
    // A cause was sent before what it caused, so the chain cannot loop; the
    // bound also guards against a damaged trace that says otherwise.
    while (cause != 0 && chain.size() < std::min(m_messages.size(), causeLimit)) {
        const std::uint32_t i = find(cause);
        if (i == none)
            break;
        chain.push_back(i);
        cause = m_messages[i].cause;
    }
    return chain;
}

std::vector<std::uint32_t> FlowIndex::effects(std::uint32_t message) const
{
    // Whatever a message caused was sent after it, so one pass in send
    // order finds every generation.
    std::unordered_set<std::uint64_t> reached{m_messages[message].id};
    std::vector<std::uint32_t> found;
    for (std::size_t i = message + 1; i < m_messages.size(); ++i) {
        const Message& m = m_messages[i];
        if (m.cause != 0 && reached.contains(m.cause)) {
            reached.insert(m.id);
            found.push_back(static_cast<std::uint32_t>(i));
        }
    }
    return found;
}
