#pragma once

#include "flowindex.h"

#include <iso/observer.h>

#include <QObject>

#include <chrono>
#include <memory>
#include <set>

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
    /// Whether it follows the live cluster's observer now.
    bool live() const { return m_subscription != nullptr; }
    /// Whether it shows a recorded run (until showLive()).
    bool recorded() const { return m_recorded; }

    /// The observer of the live cluster, which must outlive the feed (or
    /// be replaced); null: none. The feed follows it while a view shows
    /// the flows and no recording is shown, and has it keep at least the
    /// first `payloadLimit` characters of each payload meanwhile: the
    /// observer copies every send and its payload for the flows only while
    /// someone looks.
    void setLiveSource(iso::Observer* observer);
    /// Whether `view` (a flow view, or the dock holding it) is on screen.
    void setShown(const QObject* view, bool shown);
    /// Shows a recorded run instead of the live one.
    void show(FlowIndex recorded);
    /// Back from a recording to the live cluster's flows, from now on.
    void showLive();

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
    void updateFollowing();
    void stopFollowing();
    void keepPayloads();
    void trim();

    FlowIndex m_index;
    iso::Observer* m_live = nullptr;
    std::set<const QObject*> m_shownBy;
    bool m_recorded = false;
    bool m_raisedPayloads = false;  ///< it asked the observer for payloads, and puts that back
    std::shared_ptr<iso::Subscription> m_subscription;
};
