#pragma once

#include "metricshistory.h"

#include <QTimer>
#include <QWidget>

#include <array>
#include <chrono>
#include <map>

class ClusterState;
class IsolateSelection;
class QCheckBox;
class QComboBox;
class QGridLayout;
class QSpinBox;
class TimeSeriesWidget;

/// The metrics view: throughput, the deepest mailboxes, handle-time
/// quantiles, scheduler utilisation and memory, live, over one chosen
/// window of time that all the charts share. Isolates shown are the
/// deepest mailboxes and the selected isolate (IsolateSelection), each in
/// one colour across the charts. Updates draw at most every
/// minimumRefreshInterval. Only the GUI thread may call members.
class MetricsPage : public QWidget
{
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds minimumRefreshInterval{100};
    /// The windows offered; the longest is what the history keeps.
    static constexpr std::array<std::chrono::seconds, 3> windows{std::chrono::seconds(10), std::chrono::minutes(1),
                                                                 std::chrono::minutes(5)};

    /// Follows `selection`, which must outlive the page.
    explicit MetricsPage(IsolateSelection* selection, QWidget* parent = nullptr);

    const MetricsHistory& history() const { return m_history; }
    std::chrono::seconds window() const;
    void setWindow(std::chrono::seconds window);

public slots:
    /// Takes the state after one batch (connect ClusterSource::batchApplied;
    /// the batch itself is not needed).
    void apply(const ClusterState& state);
    /// Forgets every point: another cluster, or another moment of a run, comes next.
    void clear();

    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    QWidget* createControls();
    void followSelection();
    /// Which isolates the charts show changed, or their series did.
    void updateLines();
    void scheduleRefresh();
    void refresh();
    void arrangeCharts();
    /// The isolates with lines: the top mailboxes and the followed isolate.
    std::vector<iso::IsolateId> shownIsolates() const;
    iso::IsolateId followed() const;
    void assignColours(const std::vector<iso::IsolateId>& shown);
    QColor colourOf(iso::IsolateId id) const;

    IsolateSelection* m_selection;
    MetricsHistory m_history;
    bool m_hasIsolates = false;

    QComboBox* m_window;
    QSpinBox* m_topCount;
    QCheckBox* m_follow;
    TimeSeriesWidget* m_throughput;
    TimeSeriesWidget* m_mailboxes;
    TimeSeriesWidget* m_handleTime;
    TimeSeriesWidget* m_utilisation;
    TimeSeriesWidget* m_memory;
    QGridLayout* m_charts;
    int m_chartRows = 0;

    QTimer m_refreshTimer;
    bool m_refreshPending = false;

    /// Colours by palette slot: an isolate keeps its slot while shown, and
    /// gets it back if free when shown again; a new one takes the slot
    /// let go longest ago, so that a colour seldom changes meaning.
    std::map<iso::IsolateId, std::size_t> m_slotOf;
    std::vector<iso::IsolateId> m_slotHolder;  ///< 0: free
    std::vector<std::uint64_t> m_slotFreedAt;
    std::uint64_t m_colourClock = 0;
};
