#include "recordedcluster.h"

#include "clustersource.h"

#include <algorithm>

void RunEvents::add(std::span<const iso::trace::Event> events)
{
    // What the views of the cluster are handed whole; the rest they only count.
    static const iso::trace::KindSet shown = ClusterSource::shownKinds();
    for (const iso::trace::Event& e : events) {
        Step& step = m_steps.emplace_back();
        step.time = e.time;
        step.isolate = e.isolate;
        step.peer = e.peer;
        step.arg = e.arg;
        step.thread = e.thread;
        step.kind = e.kind;
        m_end = std::max(m_end, e.kind == iso::trace::Kind::Handle ? e.time + e.peer : e.time);
        if (shown.contains(e.kind)) {
            step.whole = true;
            step.peer = m_whole.size();
            m_whole.push_back(e);
        }
    }
}

void RunEvents::finish()
{
    // An event of no time (a damaged part of a file, told as a gap) goes
    // where the run begins, not at the clock's zero.
    std::uint64_t first = UINT64_MAX;
    for (const Step& step : m_steps)
        if (step.time != 0)
            first = std::min(first, step.time);
    for (Step& step : m_steps)
        if (step.time == 0 && first != UINT64_MAX) {
            step.time = first;
            if (step.whole)
                m_whole[step.peer].time = first;
        }
    // A recorder writes batches in time order, but an event may come a
    // batch late: the order stays as written where times tie.
    const auto earlier = [](const Step& a, const Step& b) { return a.time < b.time; };
    if (!std::is_sorted(m_steps.begin(), m_steps.end(), earlier))
        std::stable_sort(m_steps.begin(), m_steps.end(), earlier);
}

const iso::trace::Event& RunEvents::at(std::size_t i, iso::trace::Event& scratch) const
{
    const Step& step = m_steps[i];
    if (step.whole)
        return m_whole[step.peer];
    scratch.kind = step.kind;
    scratch.time = step.time;
    scratch.isolate = step.isolate;
    scratch.peer = step.peer;
    scratch.arg = step.arg;
    scratch.thread = step.thread;
    return scratch;
}

std::size_t RunEvents::firstAfter(std::uint64_t time) const
{
    return static_cast<std::size_t>(
        std::upper_bound(m_steps.begin(), m_steps.end(), time, [](std::uint64_t t, const Step& s) { return t < s.time; })
        - m_steps.begin());
}

bool RunEvents::whole(std::size_t i) const
{
    return m_steps[i].whole;
}

RecordedCluster::RecordedCluster(RunEvents events, std::size_t checkpointEvery, QObject* parent)
    : QObject(parent)
    , m_events(std::move(events))
    , m_checkpointEvery(std::max<std::size_t>(checkpointEvery, 1))
    , m_builder(m_events.begin())
    , m_position(m_events.begin())
{
}

void RecordedCluster::goBack(std::uint64_t time)
{
    while (!m_checkpoints.empty() && m_checkpoints.back().position > time)
        m_checkpoints.pop_back();
    emit restarted();
    if (m_checkpoints.empty()) {
        m_builder = iso::SnapshotBuilder(m_events.begin());
        m_state = ClusterState();
        m_next = 0;
        m_position = m_events.begin();
        m_started = false;
        return;
    }
    const Checkpoint& at = m_checkpoints.back();
    m_builder = at.builder;
    m_state = at.state;
    m_next = at.next;
    m_position = at.position;
    // The views start from the whole state.
    iso::Batch batch;
    batch.sequence = ++m_sequence;
    batch.delta.full = true;
    batch.delta.changed = m_builder.isolates();
    batch.delta.totals = m_state.totals();
    emit batchApplied(m_state, batch);  // the state is the checkpoint's already
}

void RecordedCluster::seek(std::uint64_t time)
{
    time = std::clamp(time, m_events.begin(), m_events.end());
    if (m_started && time == m_position)
        return;
    using std::chrono::nanoseconds;
    const auto fine = static_cast<std::uint64_t>(nanoseconds(fineLeadIn).count());
    std::uint64_t leadStart = time - std::min(time, static_cast<std::uint64_t>(nanoseconds(leadIn).count()));
    if (const std::size_t end = m_events.firstAfter(time); end > leadInEvents)
        leadStart = std::max(leadStart, m_events.time(end - leadInEvents));
    if (m_started && time < m_position)
        goBack(leadStart);
    // What lies before the lead-in: a batch per checkpoint's worth, and
    // only the last hands the views events.
    const std::size_t leadFrom = m_events.firstAfter(leadStart);
    while (leadStart > m_position) {
        const std::size_t stop = m_next + std::min(m_checkpointEvery, m_events.size() - m_next);
        // The last batch holds at least the events the views are handed.
        const std::uint64_t until = stop + jumpEventLimit < leadFrom ? m_events.time(stop) : leadStart;
        publishUntil(until, until == leadStart ? jumpEventLimit : 0);
    }
    for (;;) {
        const std::uint64_t left = time - m_position;
        const auto step = static_cast<std::uint64_t>(nanoseconds(left > fine ? leadInInterval : batchInterval).count());
        if (left <= step)
            break;
        publishUntil(m_position + step);
    }
    publishUntil(time);
    emit polled(m_state);
}

void RecordedCluster::seekSoon(std::uint64_t time)
{
    m_wanted = time;
    if (m_seekDue)
        return;
    m_seekDue = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_seekDue = false;
            seek(m_wanted);
        },
        Qt::QueuedConnection);
}

void RecordedCluster::publishUntil(std::uint64_t time, std::size_t eventLimit)
{
    iso::Batch batch;
    batch.sequence = ++m_sequence;
    iso::trace::Event scratch;
    const std::size_t from = m_next;
    for (; m_next < m_events.size() && m_events.time(m_next) <= time; ++m_next)
        m_builder.apply(m_events.at(m_next, scratch));
    // Those the views take whole, the newest `eventLimit`, in time order.
    for (std::size_t i = m_next; i-- > from && batch.events.size() < eventLimit;)
        if (m_events.whole(i))
            batch.events.push_back(m_events.at(i, scratch));
    std::reverse(batch.events.begin(), batch.events.end());
    const auto shownEnded = static_cast<std::uint64_t>(std::chrono::nanoseconds(batchInterval).count());
    m_builder.forget_ended(time - std::min(time, shownEnded));
    batch.delta = m_builder.take_delta(time);
    m_position = time;
    m_started = true;
    m_state.apply(batch);
    emit batchApplied(m_state, batch);
    if (m_next - (m_checkpoints.empty() ? 0 : m_checkpoints.back().next) >= m_checkpointEvery)
        m_checkpoints.push_back({m_next, m_position, m_builder, m_state});
}
