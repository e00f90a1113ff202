#pragma once

#include "clusterstate.h"

#include <iso/observer.h>
#include <iso/runtime.h>

#include <QObject>
#include <QTimer>

#include <chrono>
#include <memory>
#include <vector>

/// The workbench's one way in to a cluster, delivered on the GUI thread: on
/// a timer, the batches of an observer with tracing on (the runtime's only
/// observer while the source lives), applied to a ClusterState, sampling
/// when the window cannot keep up. Remote clusters will arrive
/// behind this same signal; commands go out through a ClusterControl. Only
/// the thread the source lives on may call members.
class ClusterSource : public QObject
{
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds defaultInterval{100};
    /// How long one poll may spend on batches; it leaves the rest for the
    /// next poll.
    static constexpr std::chrono::milliseconds applyBudget{12};
    /// The events the window takes: lifecycles, errors, dead letters and
    /// gaps, but not the one or two sends and handlings of every message,
    /// which the monitor then need not copy for it.
    static iso::trace::KindSet shownKinds();
    /// Events queued for the window before the observer drops batches.
    static constexpr std::size_t queueCapacity = 1 << 18;

    /// `runtime` must outlive the source; `options` are its observer's.
    explicit ClusterSource(iso::Runtime& runtime, iso::ObserverOptions options = {}, QObject* parent = nullptr);
    ~ClusterSource() override;

    const ClusterState& state() const { return m_state; }
    /// The observer the source reads, for others to subscribe to too (a
    /// recorder); they must be gone before the source.
    iso::Observer& observer() { return *m_observer; }

    void setInterval(std::chrono::milliseconds interval);

    /// The share of trace events since the previous call that reached the
    /// views, 0..1: below 1 the window is sampling, because the observer
    /// dropped batches this slow subscriber had no room for, or because a
    /// poll ran out of its budget.
    double takeShownShare();
    /// The same since the source was made.
    double shownShareOverall() const;

    /// Starts polling; the first poll is at once.
    void start();
    void stop();

public slots:
    /// Applies and emits what the observer has published, for at most
    /// `applyBudget`.
    void poll();
    /// Has the observer publish what it has not yet, and applies all of
    /// it, however long that takes: for a last summary, which should be
    /// exact.
    void pollAll();

signals:
    /// One observer batch, just applied to `state`, for views that follow
    /// events; for direct connections.
    void batchApplied(const ClusterState& state, const iso::Batch& batch);
    /// In the event-loop turn after a poll that brought batches (once for
    /// all the polls before that turn): for views that redraw from the
    /// state as a whole, so that they do it once, and not in the same wait
    /// as the batches.
    void polled(const ClusterState& state);

private:
    void apply(const iso::Batch& batch);
    /// Emits polled in the next event-loop turn, once however many polls
    /// come before it.
    void schedulePolled();

    std::unique_ptr<iso::Observer> m_observer;
    std::shared_ptr<iso::Subscription> m_feed;
    ClusterState m_state;
    QTimer m_timer;
    std::uint64_t m_recentShown = 0;
    std::uint64_t m_recentSampledOut = 0;
    std::uint64_t m_totalShown = 0;
    std::uint64_t m_totalSampledOut = 0;
    bool m_polledDue = false;  ///< polled is queued, not yet emitted
};
