#include "clustersource.h"

#include <QElapsedTimer>
#include <QThread>

namespace {

/// The events there are one or two of per message: what sampling leaves out.
bool isDetail(iso::trace::Kind kind)
{
    using K = iso::trace::Kind;
    return kind == K::Send || kind == K::Enqueue || kind == K::Handle || kind == K::TimerFire;
}

} // namespace

ClusterSource::ClusterSource(iso::Runtime& runtime, QObject* parent)
    : QObject(parent)
    , m_observer(std::make_unique<iso::Observer>(runtime))
    , m_feed(m_observer->subscribe())
{
    m_timer.setInterval(defaultInterval);
    connect(&m_timer, &QTimer::timeout, this, &ClusterSource::poll);
}

ClusterSource::~ClusterSource() = default;

void ClusterSource::setInterval(std::chrono::milliseconds interval)
{
    m_timer.setInterval(interval);
}

void ClusterSource::start()
{
    poll();
    m_timer.start();
}

void ClusterSource::stop()
{
    m_timer.stop();
}

void ClusterSource::poll()
{
    Q_ASSERT(QThread::currentThread() == thread());
    QElapsedTimer spent;
    spent.start();
    bool applied = false;
    while (auto batch = m_feed->try_next()) {
        // Past the budget the window samples: later batches bring their
        // snapshot deltas, which keep tables and counters exact, and their
        // lifecycle events and errors, but not the flood of sends and
        // handlings that the window could not keep up with.
        if (std::chrono::milliseconds(spent.elapsed()) > applyBudget) {
            const auto before = batch->events.size();
            std::erase_if(batch->events, [](const iso::trace::Event& e) { return isDetail(e.kind); });
            m_recentSampledOut += before - batch->events.size();
        }
        m_recentShown += batch->events.size();
        m_recentSampledOut += batch->missed_events;
        m_state.apply(*batch);
        applied = true;
        emit batchApplied(m_state, *batch);
    }
    if (applied)
        emit polled(m_state);
}

namespace {

double share(std::uint64_t shown, std::uint64_t sampledOut)
{
    const auto all = shown + sampledOut;
    return all == 0 ? 1.0 : static_cast<double>(shown) / static_cast<double>(all);
}

} // namespace

double ClusterSource::takeShownShare()
{
    const double recent = share(m_recentShown, m_recentSampledOut);
    m_totalShown += m_recentShown;
    m_totalSampledOut += m_recentSampledOut;
    m_recentShown = m_recentSampledOut = 0;
    return recent;
}

double ClusterSource::shownShareOverall() const
{
    return share(m_totalShown + m_recentShown, m_totalSampledOut + m_recentSampledOut);
}
