#pragma once

#include "flowindex.h"

#include <iso/observer.h>

#include <QObject>

#include <chrono>
#include <memory>

/// The flow views' one FlowIndex, filled from a live observer or handed a
/// recorded run whole. Live, it keeps the recent past only (the last
/// `liveHistory`, at most `liveMessageLimit` messages), takes what its
/// subscription queued within a time budget per poll, and lets the
/// observer drop batches when the window cannot keep up: the views then
/// show a sample, and say so. Only the GUI thread may call members.
class FlowFeed : public QObject
{
    Q_OBJECT

public:
    static constexpr std::chrono::seconds liveHistory{120};
    static constexpr std::size_t liveMessageLimit = 2'000'000;
    static constexpr std::chrono::milliseconds pollBudget{8};
    /// Events queued for the flow views before the observer drops batches.
    static constexpr std::size_t queueCapacity = 1 << 18;
    /// Characters of each payload that a live view keeps.
    static constexpr std::size_t payloadLimit = 256;

    using QObject::QObject;
    ~FlowFeed() override;

    const FlowIndex& index() const { return m_index; }
    /// Whether it follows an observer now.
    bool live() const { return m_subscription != nullptr; }
    /// Whether it shows a recorded run (until it follows an observer again).
    bool recorded() const { return m_recorded; }

    /// Follows `observer` from now on, which must outlive the feed or a
    /// call to stop(): continues the index if it was the one followed
    /// last, starts a new one if not, and has the observer
    /// keep the first `payloadLimit` characters of each payload.
    void follow(iso::Observer& observer);
    /// Stops following; what the index holds stays.
    void stop();
    /// Shows a recorded run instead of a live one.
    void show(FlowIndex recorded);

public slots:
    /// Takes in what the subscription queued, for at most `pollBudget`.
    void poll();

signals:
    /// The index changed: for the views to redraw.
    void changed();
    /// The index was replaced by another run's (a recording, or a live
    /// cluster again), just before changed(): for the views to start over.
    void replaced();

private:
    void trim();

    FlowIndex m_index;
    iso::Observer* m_observer = nullptr;
    const iso::Observer* m_followed = nullptr;  ///< the last observer followed, even if stopped
    bool m_recorded = false;
    std::shared_ptr<iso::Subscription> m_subscription;
};
