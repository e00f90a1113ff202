#include "clustersource.h"

#include <QElapsedTimer>
#include <QThread>

iso::trace::KindSet ClusterSource::shownKinds()
{
    using K = iso::trace::Kind;
    return iso::trace::KindSet::all().without({K::Send, K::Enqueue, K::Handle, K::TimerFire});
}

ClusterSource::ClusterSource(iso::Runtime& runtime, iso::ObserverOptions options, QObject* parent)
    : QObject(parent)
    , m_observer(std::make_unique<iso::Observer>(runtime, options))
    , m_feed(m_observer->subscribe(queueCapacity, false, shownKinds()))
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
    // Past the budget the window samples: the batches left in the queue
    // wait for the next poll, and when the queue is full the observer
    // drops what comes and then sends a full delta, so that tables and
    // counters stay exact while events go missing.
    while (std::chrono::milliseconds(spent.elapsed()) < applyBudget) {
        auto batch = m_feed->try_next();
        if (!batch)
            break;
        apply(*batch);
        applied = true;
    }
    if (applied)
        schedulePolled();
}

void ClusterSource::pollAll()
{
    Q_ASSERT(QThread::currentThread() == thread());
    // What the runtime has done until now, published at once, and no
    // more: the cluster may go on making batches, but this ends.
    m_observer->poll();
    std::vector<iso::Batch> batches = m_feed->take_all();
    for (const iso::Batch& batch : batches)
        apply(batch);
    if (!batches.empty())
        schedulePolled();
}

void ClusterSource::apply(const iso::Batch& batch)
{
    m_recentShown += batch.events.size();
    m_recentSampledOut += batch.missed_events;
    m_state.apply(batch);
    emit batchApplied(m_state, batch);
}

void ClusterSource::schedulePolled()
{
    if (m_polledDue)
        return;
    // In an event-loop turn of its own: input and painting come in
    // between taking the batches and redrawing the views, two shorter
    // waits instead of one long one.
    m_polledDue = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_polledDue = false;
            emit polled(m_state);
        },
        Qt::QueuedConnection);
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
