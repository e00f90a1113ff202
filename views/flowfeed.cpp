#include "flowfeed.h"

#include <QElapsedTimer>

#include <utility>

FlowFeed::~FlowFeed()
{
    stopFollowing();
}

void FlowFeed::setLiveSource(iso::Observer* observer)
{
    stopFollowing();
    m_live = observer;
    updateFollowing();
}

void FlowFeed::setShown(const QObject* view, bool shown)
{
    if (shown)
        m_shownBy.insert(view);
    else
        m_shownBy.erase(view);
    updateFollowing();
}

void FlowFeed::showLive()
{
    if (!m_recorded)
        return;
    m_recorded = false;
    m_index.clear();
    updateFollowing();
    emit replaced();
    emit changed();
}

void FlowFeed::show(FlowIndex recorded)
{
    stopFollowing();
    m_recorded = true;
    m_index = std::move(recorded);
    emit replaced();
    emit changed();
}

void FlowFeed::updateFollowing()
{
    const bool wanted = m_live != nullptr && !m_recorded && !m_shownBy.empty();
    if (wanted == live())
        return;
    if (!wanted) {
        stopFollowing();
        return;
    }
    keepPayloads();
    m_subscription = m_live->subscribe(queueCapacity, false, FlowIndex::kinds());
    // The isolates that were up before: their paths name the lanes. Coming
    // back to the cluster continues its flows; what happened meanwhile is
    // simply not there.
    m_index.add(m_live->current_state_events());
    emit changed();
}

void FlowFeed::keepPayloads()
{
    // Payloads are what a person opens an arrow for. A recording may be
    // keeping them whole already, or have put back what it found when it
    // began, which may have been none.
    if (m_live->payload_capture() == iso::trace::PayloadCapture::None) {
        m_live->set_payload_capture(iso::trace::PayloadCapture::Prefix, payloadLimit);
        m_raisedPayloads = true;
    }
}

void FlowFeed::stopFollowing()
{
    if (m_subscription == nullptr)
        return;
    m_live->unsubscribe(m_subscription);
    m_subscription.reset();
    if (std::exchange(m_raisedPayloads, false) && m_live->payload_capture() == iso::trace::PayloadCapture::Prefix)
        m_live->set_payload_capture(iso::trace::PayloadCapture::None);
}

void FlowFeed::poll()
{
    if (m_subscription == nullptr)
        return;
    keepPayloads();
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
