#pragma once

#include <iso/runtime.h>

#include <QObject>
#include <QTimer>

#include <chrono>
#include <vector>

Q_DECLARE_METATYPE(std::vector<iso::IsolateInfo>)

/// The workbench's one way in to a cluster: snapshots of its isolates,
/// delivered on the GUI thread. For now it polls an in-process runtime on a
/// timer; event batches and remote clusters will arrive behind this same
/// signal. Only the thread the source lives on may call members.
class ClusterSource : public QObject
{
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds defaultInterval{100};

    /// `runtime` must outlive the source.
    explicit ClusterSource(iso::Runtime& runtime, QObject* parent = nullptr);

    void setInterval(std::chrono::milliseconds interval);

    /// Starts polling; the first snapshot is taken at once.
    void start();
    void stop();

public slots:
    /// Takes one snapshot now and emits it.
    void poll();

signals:
    void snapshotReady(const std::vector<iso::IsolateInfo>& snapshot);

private:
    iso::Runtime& m_runtime;
    QTimer m_timer;
};
