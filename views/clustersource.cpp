#include "clustersource.h"

#include <QThread>

ClusterSource::ClusterSource(iso::Runtime& runtime, QObject* parent)
    : QObject(parent)
    , m_runtime(runtime)
    , m_observer(std::make_unique<iso::Observer>(runtime))
    , m_feed(m_observer->subscribe())
{
    // Queued connections (a view on another thread, a recorder) copy the
    // snapshot through the meta-type system.
    qRegisterMetaType<std::vector<iso::IsolateInfo>>();
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
    emit snapshotReady(m_runtime.isolates());
    while (auto batch = m_feed->try_next()) {
        m_state.apply(*batch);
        emit batchApplied(m_state, *batch);
    }
}
