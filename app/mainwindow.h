#pragma once

#include <iso/runtime.h>

#include <QMainWindow>

#include <vector>

class ClusterSource;
class QLabel;

/// The workbench window: the isolate table in the middle, the throughput
/// plot docked below, the isolate count in the status bar.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// Shows what `source` delivers; the source must outlive the window.
    explicit MainWindow(ClusterSource& source, QWidget* parent = nullptr);

private:
    void createMenus();
    void showAbout();
    void showIsolateCount(const std::vector<iso::IsolateInfo>& snapshot);

    QLabel* m_isolateCount;
};
