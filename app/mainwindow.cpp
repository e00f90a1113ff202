#include "mainwindow.h"

#include "clustersource.h"
#include "eventlogmodel.h"
#include "eventlogpage.h"
#include "isolatelistmodel.h"
#include "isolatelistpage.h"
#include "isolateselection.h"
#include "metricspage.h"
#include "stallwatchdog.h"

#include <QApplication>
#include <QDockWidget>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTimer>

MainWindow::MainWindow(ClusterSource& source, QWidget* parent)
    : QMainWindow(parent)
    , m_selection(new IsolateSelection(this))
    , m_isolateCount(new QLabel(this))
    , m_stall(new QLabel(this))
    , m_watchdog(new StallWatchdog(this))
{
    setWindowTitle(tr("Isoscope"));

    auto* model = new IsolateListModel(this);
    m_table = new IsolateListPage(model, this);
    setCentralWidget(m_table);

    auto* metrics = new MetricsPage(m_selection, this);
    m_metricsDock = new QDockWidget(tr("Metrics"), this);
    m_metricsDock->setObjectName(QStringLiteral("metricsDock"));
    m_metricsDock->setWidget(metrics);
    addDockWidget(Qt::BottomDockWidgetArea, m_metricsDock);

    auto* log = new EventLogModel(this);
    m_logDock = new QDockWidget(tr("Event log"), this);
    m_logDock->setObjectName(QStringLiteral("eventLogDock"));
    m_logDock->setWidget(new EventLogPage(log, this));
    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);
    tabifyDockWidget(m_metricsDock, m_logDock);
    m_metricsDock->raise();
    connect(&source, &ClusterSource::batchApplied, log,
            [log](const ClusterState& state, const iso::Batch& batch) { log->append(state, batch.events); });

    statusBar()->addPermanentWidget(m_stall);
    statusBar()->addPermanentWidget(m_isolateCount);
    showIsolateCount({});
    m_stall->setToolTip(tr("The longest time in the last second that the window could not respond"));
    m_watchdog->start();
    auto* everySecond = new QTimer(this);
    connect(everySecond, &QTimer::timeout, this, &MainWindow::showStall);
    everySecond->start(std::chrono::seconds(1));
    showStall();
    createMenus();

    connect(&source, &ClusterSource::snapshotReady, model, &IsolateListModel::applySnapshot);
    connect(&source, &ClusterSource::batchApplied, metrics, &MetricsPage::apply);
    connect(&source, &ClusterSource::snapshotReady, this, &MainWindow::showIsolateCount);

    resize(1000, 680);
}

QStringList MainWindow::viewNames()
{
    return {QStringLiteral("table"), QStringLiteral("metrics"), QStringLiteral("log")};
}

QWidget* MainWindow::view(const QString& name)
{
    if (name == u"table")
        return m_table;
    QDockWidget* dock = name == u"metrics" ? m_metricsDock : name == u"log" ? m_logDock : nullptr;
    if (dock == nullptr)
        return nullptr;
    dock->raise();
    return dock->widget();
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About Isoscope"), this, &MainWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Isoscope"),
                       tr("<h3>Isoscope %1</h3>"
                          "<p>A workbench for libiso isolate clusters: see what runs, what waits, "
                          "and who sent what to whom.</p>"
                          "<p><a href=\"https://isoscope.dev\">isoscope.dev</a></p>")
                           .arg(QCoreApplication::applicationVersion()));
}

void MainWindow::showStall()
{
    m_stall->setText(tr("Longest stall %1 ms").arg(m_watchdog->takeRecent().count()));
}

void MainWindow::showIsolateCount(const std::vector<iso::IsolateInfo>& snapshot)
{
    m_isolateCount->setText(snapshot.size() == 1 ? tr("1 isolate") : tr("%1 isolates").arg(snapshot.size()));
}
