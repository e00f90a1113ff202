#pragma once

#include <iso/runtime.h>

#include <QMainWindow>

#include <vector>

class ClusterSource;
class IsolateSelection;
class QDockWidget;
class QLabel;
class StallWatchdog;

/// The workbench window: the isolate table in the middle, the metrics
/// charts and the event log docked below, the isolate count and the window's
/// own longest stall of the last second in the status bar.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// Shows what `source` delivers; the source must outlive the window.
    explicit MainWindow(ClusterSource& source, QWidget* parent = nullptr);

    /// The names of the views that view() knows, for --view.
    static QStringList viewNames();
    /// The view called `name`, brought to the front; null if there is none.
    QWidget* view(const QString& name);

private:
    void createMenus();
    void showAbout();
    void showIsolateCount(const std::vector<iso::IsolateInfo>& snapshot);
    void showStall();

    /// The isolate every view shows, owned by the window.
    IsolateSelection* m_selection;
    QWidget* m_table;
    QDockWidget* m_metricsDock;
    QDockWidget* m_logDock;
    QLabel* m_isolateCount;
    QLabel* m_stall;
    StallWatchdog* m_watchdog;
};
