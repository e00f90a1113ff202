#include "clustersource.h"

#include <QThread>

ClusterSource::ClusterSource(iso::Runtime& runtime, QObject* parent)
    : QObject(parent)
    , m_runtime(runtime)
{
    // Queued connections (a view on another thread, a recorder) copy the
    // snapshot through the meta-type system.
    qRegisterMetaType<std::vector<iso::IsolateInfo>>();
    m_timer.setInterval(defaultInterval);
    connect(&m_timer, &QTimer::timeout, this, &ClusterSource::poll);
}

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
}
