#include "flowfeed.h"

#include <QElapsedTimer>

FlowFeed::~FlowFeed()
{
    stop();
}

void FlowFeed::follow(iso::Observer& observer)
{
    if (m_observer == &observer)
        return;
    stop();
    // Coming back to the same cluster continues its flows; what happened
    // meanwhile is simply not there.
    const bool another = &observer != m_followed;
    if (another)
        m_index.clear();
    m_followed = &observer;
    m_observer = &observer;
    m_recorded = false;
    // Payloads are what a person opens an arrow for.
    observer.set_payload_capture(iso::trace::PayloadCapture::Prefix, payloadLimit);
    m_subscription = observer.subscribe(queueCapacity, false, FlowIndex::kinds());
    // The isolates that were up before: their paths name the lanes.
    m_index.add(observer.current_state_events());
    if (another)
        emit replaced();
    emit changed();
}

void FlowFeed::stop()
{
    if (m_subscription == nullptr)
        return;
    m_observer->unsubscribe(m_subscription);
    m_subscription.reset();
    m_observer = nullptr;
}

void FlowFeed::show(FlowIndex recorded)
{
    stop();
    m_followed = nullptr;
    m_recorded = true;
    m_index = std::move(recorded);
    emit replaced();
    emit changed();
}

void FlowFeed::poll()
{
    if (m_subscription == nullptr)
        return;
    QElapsedTimer clock;
    clock.start();
    bool took = false;
    while (clock.elapsed() < pollBudget.count()) {
        std::optional<iso::Batch> batch = m_subscription->try_next();
        if (!batch)
            break;
        if (batch->missed_events > 0) {
            // What the observer dropped for this slow subscriber, told as the trace tells gaps.
            iso::trace::Event gap;
            gap.kind = iso::trace::Kind::Gap;
            gap.peer = batch->missed_events;
            gap.arg = static_cast<std::uint32_t>(iso::trace::GapSource::Subscriber);
            m_index.add(std::span(&gap, 1));
        }
        m_index.add(batch->events);
        took = true;
    }
    if (!took)
        return;
    trim();
    emit changed();
}

void FlowFeed::trim()
{
    // Forgetting re-indexes what stays, so it forgets a quarter of what it
    // keeps at once, not a little every poll.
    const auto history = static_cast<std::uint64_t>(std::chrono::nanoseconds(liveHistory).count());
    std::uint64_t keepFrom = 0;
    if (m_index.end() - m_index.begin() > history + history / 4)
        keepFrom = m_index.end() - history;
    const auto& messages = m_index.messages();
    if (messages.size() > liveMessageLimit)
        keepFrom = std::max(keepFrom, messages[messages.size() - liveMessageLimit * 3 / 4].sent);
    if (keepFrom > m_index.begin())
        m_index.forgetBefore(keepFrom);
}
