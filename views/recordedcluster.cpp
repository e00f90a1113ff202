#include "recordedcluster.h"

#include "clustersource.h"

#include <algorithm>

void RunEvents::add(std::span<const iso::trace::Event> events)
{
    // What the views of the cluster are handed whole; the rest they only count.
    static const iso::trace::KindSet shown = ClusterSource::shownKinds();
    m_steps.reserve(m_steps.size() + events.size());
    for (const iso::trace::Event& e : events) {
        Step& step = m_steps.emplace_back();
        step.time = e.time;
        step.isolate = e.isolate;
        step.peer = e.peer;
        step.arg = e.arg;
        step.thread = e.thread;
        step.kind = e.kind;
        if (shown.contains(e.kind)) {
            step.whole = true;
            step.peer = m_whole.size();
            m_whole.push_back(e);
        }
    }
}

void RunEvents::finish()
{
    // A recorder writes batches in time order, but an event may come a
    // batch late: the order stays as written where times tie.
    if (!std::is_sorted(m_steps.begin(), m_steps.end(), [](const Step& a, const Step& b) { return a.time < b.time; }))
        std::stable_sort(m_steps.begin(), m_steps.end(), [](const Step& a, const Step& b) { return a.time < b.time; });
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

bool RunEvents::whole(std::size_t i) const
{
    return m_steps[i].whole;
}

RecordedCluster::RecordedCluster(RunEvents events, QObject* parent)
    : QObject(parent)
    , m_events(std::move(events))
    , m_builder(m_events.begin())
    , m_position(m_events.begin())
{
}

void RecordedCluster::startOver()
{
    m_builder = iso::SnapshotBuilder(m_events.begin());
    m_state = ClusterState();
    m_next = 0;
    m_position = m_events.begin();
    m_started = false;
    emit restarted();
}

void RecordedCluster::seek(std::uint64_t time)
{
    time = std::clamp(time, m_events.begin(), m_events.end());
    if (m_started && time == m_position)
        return;
    if (m_started && time < m_position)
        startOver();
    using std::chrono::nanoseconds;
    const auto lead = static_cast<std::uint64_t>(nanoseconds(leadIn).count());
    const auto fine = static_cast<std::uint64_t>(nanoseconds(fineLeadIn).count());
    // What lies before the lead-in, in one batch.
    if (time - m_position > lead)
        publishUntil(time - lead);
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

void RecordedCluster::publishUntil(std::uint64_t time)
{
    iso::Batch batch;
    batch.sequence = ++m_sequence;
    iso::trace::Event scratch;
    for (; m_next < m_events.size() && m_events.time(m_next) <= time; ++m_next) {
        const iso::trace::Event& e = m_events.at(m_next, scratch);
        m_builder.apply(e);
        if (m_events.whole(m_next))
            batch.events.push_back(e);
    }
    m_builder.forget_ended();
    batch.delta = m_builder.take_delta(time);
    m_position = time;
    m_started = true;
    m_state.apply(batch);
    emit batchApplied(m_state, batch);
}
