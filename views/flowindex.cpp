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
    return {Kind::Spawn, Kind::Path,  Kind::Send,    Kind::Enqueue, Kind::Handle, Kind::Error,      Kind::Exit,
            Kind::Pause, Kind::Resume, Kind::Kill,   Kind::Restart, Kind::Gap,    Kind::DeadLetter, Kind::Fault};
}

void FlowIndex::add(std::span<const Event> events)
{
    for (const Event& e : events) {
        ++m_eventsTaken;
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
    // Events can reach an isolate before its Path does (a Handle is placed
    // where it began): the lane they made becomes the path's.
    if (const auto plain = m_laneOfIsolate.find(e.isolate);
        plain != m_laneOfIsolate.end() && m_lanes[plain->second].path.empty() && !m_laneOfPath.contains(path)
        && e.isolate != 0) {
        m_lanes[plain->second].label = path;
        m_lanes[plain->second].path = path;
        m_laneOfPath.emplace(path, plain->second);
    }
    const std::uint32_t lane = lanePath(path);
    const std::string supervisor(e.field(1));
    if (!supervisor.empty())
        m_lanes[lane].supervisor = lanePath(supervisor);
    // A live view is told the current state when it starts following, which may repeat a Path.
    if (const auto [it, added] = m_laneOfIsolate.try_emplace(e.isolate, lane); added || it->second != lane) {
        it->second = lane;
        ++m_lanes[lane].incarnations;
        m_lanes[lane].starts.emplace_back(e.arg, e.time);
    }
    m_names.erase(e.isolate);
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
        m_longestWait = std::max(m_longestWait, m.handled - std::min(m.handled, m.sent));
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
    m_longestWait = std::max(m_longestWait, m.handled - std::min(m.handled, m.sent));
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
            m_messageIndex[m_messages[i].id] = static_cast<std::uint32_t>(i);
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
    const auto firstKept = [time](auto& items, auto key) {
        auto it = std::partition_point(items.begin(), items.end(), [&](const auto& item) { return key(item) < time; });
        items.erase(items.begin(), it);
    };
    firstKept(m_messages, [](const Message& m) { return m.sent; });
    for (Tracks& tracks : m_tracks) {
        firstKept(tracks.spans, [](const Span& s) { return s.begin; });
        firstKept(tracks.depths, [](const Depth& d) { return d.time; });
    }
    firstKept(m_markers, [](const Marker& m) { return m.time; });
    m_messageIndex.clear();
    reindexFrom(0);
    // Payloads of forgotten messages go once they are most of the arena.
    const std::uint64_t firstPayload = m_messages.empty() ? m_payloads.size() : m_messages.front().payloadOffset;
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
    return it == m_messageIndex.end() ? none : it->second;
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
        if (it == spans.begin())
            return 0;
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
    std::size_t seen = 0;
    for (const Span& span : m_tracks[lane->second].spans) {
        if (span.begin < from || span.message == 0)
            continue;
        if (span.begin >= until)
            break;
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
    // bound guards against a damaged trace that says otherwise.
    while (cause != 0 && chain.size() < m_messages.size()) {
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
