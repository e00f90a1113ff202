#pragma once

#include <iso/observer.h>

#include <QMainWindow>

class ClusterControl;
class ClusterSource;
class ClusterState;
class ClusterTreeModel;
class EventLogModel;
class MetricsPage;
class RecordedCluster;
class FlowFeed;
class InspectorPage;
class IsolateActions;
class IsolateSelection;
class IsolateTableModel;
class IsolateTablePage;
class MessageBar;
class QAbstractItemView;
class QAction;
class QDockWidget;
class QLabel;
class QThread;
class RecordingSession;
class ReplayBar;
class SequencePage;
class StallWatchdog;

/// The workbench window: the isolate table in the middle, the cluster tree
/// on the left, the inspector on the right, metrics and the event log
/// below; menus, shortcuts and context menus for every action; what the
/// actions came to in a bar above the table; in the status bar, the isolate count, the window's own longest
/// stall of the last second, and whether it is sampling.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// Shows what `source` delivers and acts through `control`; both must
    /// outlive the window.
    MainWindow(ClusterSource& source, ClusterControl& control, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// The names of the views that view() knows, for --view.
    static QStringList viewNames();
    /// The view called `name`, brought to the front; null if there is none.
    QWidget* view(const QString& name);

    IsolateSelection* selection() const { return m_selection; }
    IsolateActions* actions() const { return m_actions; }
    MessageBar* messageBar() const { return m_messages; }
    ReplayBar* replayBar() const { return m_replay; }
    /// Selects the isolate at `path` once the window sees it.
    void selectWhenSeen(const QString& path) { m_selectWhenSeen = path; }
    /// Names what runs in the cluster, for recordings made from the window
    /// (the scenario, which a re-execution needs), and the cluster's seed.
    void setProgram(const QString& name, std::uint64_t seed);
    /// Records the live cluster to `path` from now on. Returns why it
    /// could not, or an empty string.
    QString startRecording(const QString& path);
    /// Re-executes the recording last opened or made, in the background;
    /// what came of it is reported, and reexecuted() says it too.
    void reexecute();
    /// Shows the recorded run in `path` in the flow views, in place of the
    /// live cluster's flows. Returns why it could not (the window is then
    /// as it was), or an empty string.
    QString openRecording(const QString& path);
    /// The state the views of the cluster show: the live cluster's, or
    /// the recorded run's at the replay bar's playhead.
    const ClusterState& shownState() const;
    /// The longest the window has been unresponsive since it was first shown.
    std::chrono::milliseconds longestStall() const;

signals:
    /// A re-execution ended: what it found, and whether it ran and the
    /// re-run went differently.
    void reexecuted(const QString& outcome, bool diverged);

protected:
    void showEvent(QShowEvent* event) override;

private:
    QDockWidget* addDock(const QString& title, const QString& objectName, QWidget* page, Qt::DockWidgetArea area);
    void createMenus();
    void attachContextMenu(QAbstractItemView* view, int idRole);
    void showAbout();
    void chooseRecording();
    void toggleRecording();
    void exportChrome();
    /// Selects the first message delivered differently in a re-execution.
    void showDivergence(const QString& recording, const std::string& path, std::uint32_t incarnation,
                        std::size_t delivery);
    void updateFileActions();
    /// Back from a recording to the live cluster's flows.
    void followLive();
    /// Hands one batch to the views that follow events (the tree, the log).
    void takeBatch(const ClusterState& state, const iso::Batch& batch);
    /// Brings the views that show the state as a whole up to date.
    void showState(const ClusterState& state);
    /// Has the views of the cluster forget what they showed; the log's
    /// times count from `origin` (0: its first event).
    void clearState(std::uint64_t origin = 0);
    /// Shows `recorded` (the window takes it) in the views of the
    /// cluster, or the live cluster again if null.
    void showCluster(RecordedCluster* recorded);
    void showStatus();
    /// The status bar's count of the isolates `state` has, as it is shown.
    void showIsolateCount(const ClusterState& state);
    void report(const QString& text, bool failed);

    ClusterSource& m_source;
    IsolateSelection* m_selection;
    IsolateActions* m_actions;
    MessageBar* m_messages;
    IsolateTableModel* m_tableModel;
    IsolateTablePage* m_table;
    InspectorPage* m_inspector;
    ClusterTreeModel* m_treeModel;
    EventLogModel* m_log;
    MetricsPage* m_metrics;
    /// The recorded run shown in place of the live cluster, if one is.
    RecordedCluster* m_recorded = nullptr;
    QDockWidget* m_treeDock;
    QDockWidget* m_inspectorDock;
    QDockWidget* m_metricsDock;
    QDockWidget* m_logDock;
    FlowFeed* m_flows;
    QAction* m_followLive = nullptr;
    QAction* m_record = nullptr;
    QAction* m_export = nullptr;
    QAction* m_reexecute = nullptr;
    RecordingSession* m_recording;
    QLabel* m_recordingStatus;
    SequencePage* m_sequence = nullptr;
    QString m_program;
    std::uint64_t m_seed = 0;
    /// The recording last opened or made: what Export and Re-execute take.
    QString m_lastRecording;
    QThread* m_reexecution = nullptr;  ///< while one runs
    /// The recording the flow views show, if they show one.
    QString m_shownRecording;
    QDockWidget* m_sequenceDock;
    QDockWidget* m_timelineDock;
    QDockWidget* m_graphDock;
    ReplayBar* m_replay;
    QLabel* m_isolateCount;
    QLabel* m_sampling;
    QLabel* m_stall;
    StallWatchdog* m_watchdog;
    /// A path just spawned: selected once it shows up.
    QString m_selectWhenSeen;
};
