#include "mainwindow.h"

#include "clustercontrol.h"
#include "clustersource.h"
#include "clustertreemodel.h"
#include "clustertreepage.h"
#include "eventlogmodel.h"
#include "eventlogpage.h"
#include "flowfeed.h"
#include "flowgraph.h"
#include "flowgraphpage.h"
#include "flowrecording.h"
#include "inspectorpage.h"
#include "isolateactions.h"
#include "isolateselection.h"
#include "isolatetablemodel.h"
#include "isolatetablepage.h"
#include "messagebar.h"
#include "metricspage.h"
#include "recordedcluster.h"
#include "recordingsession.h"
#include "replaybar.h"
#include "scenarios/scenarios.h"
#include "sequencechart.h"
#include "sequencepage.h"
#include "stallwatchdog.h"
#include "timelinechart.h"
#include "timelinepage.h"
#include "units.h"

#include <iso/replay.h>
#include <iso/traceexport.h>
#include <iso/tracefile.h>

#include <QAbstractItemView>
#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QShowEvent>
#include <QStatusBar>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

#include <cmath>
#include <fstream>

MainWindow::MainWindow(ClusterSource& source, ClusterControl& control, QWidget* parent)
    : QMainWindow(parent)
    , m_source(source)
    , m_selection(new IsolateSelection(this))
    , m_actions(new IsolateActions(&control, m_selection, &source.state(), this))
    , m_messages(new MessageBar(this))
    , m_tableModel(new IsolateTableModel(this))
    , m_table(new IsolateTablePage(m_tableModel, m_selection, this))
    , m_inspector(new InspectorPage(&control, m_selection, m_actions, this))
    , m_flows(new FlowFeed(this))
    , m_recording(new RecordingSession(source.observer(), this))
    , m_recordingStatus(new QLabel(this))
    , m_isolateCount(new QLabel(this))
    , m_sampling(new QLabel(this))
    , m_stall(new QLabel(this))
    , m_watchdog(new StallWatchdog(this))
{
    setWindowTitle(tr("Isoscope"));

    auto* centre = new QWidget(this);
    auto* centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins({});
    centreLayout->setSpacing(0);
    centreLayout->addWidget(m_messages);
    centreLayout->addWidget(m_table);
    setCentralWidget(centre);
    attachContextMenu(m_table->view(), IsolateTableModel::IsolateIdRole);

    m_inspectorDock = addDock(tr("Inspector"), QStringLiteral("inspectorDock"), m_inspector, Qt::RightDockWidgetArea);
    auto* tree = m_treeModel = new ClusterTreeModel(this);
    auto* treePage = new ClusterTreePage(tree, m_selection, this);
    m_treeDock = addDock(tr("Cluster tree"), QStringLiteral("treeDock"), treePage, Qt::LeftDockWidgetArea);
    attachContextMenu(treePage->view(), ClusterTreeModel::IsolateIdRole);

    auto* metrics = m_metrics = new MetricsPage(m_selection, this);
    m_metricsDock = addDock(tr("Metrics"), QStringLiteral("metricsDock"), metrics, Qt::BottomDockWidgetArea);
    auto* log = m_log = new EventLogModel(this);
    m_logDock = addDock(tr("Event log"), QStringLiteral("eventLogDock"), new EventLogPage(log, this),
                        Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_metricsDock, m_logDock);
    auto* sequence = m_sequence = new SequencePage(m_flows, this);
    m_sequenceDock = addDock(tr("Sequence chart"), QStringLiteral("sequenceDock"), sequence, Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_logDock, m_sequenceDock);
    auto* timeline = new TimelinePage(m_flows, this);
    m_timelineDock = addDock(tr("Timeline"), QStringLiteral("timelineDock"), timeline, Qt::BottomDockWidgetArea);
    // One message selected in both flow charts.
    connect(timeline->chart(), &TimelineChart::messageChosen, sequence->chart(), &SequenceChart::select);
    connect(sequence->chart(), &SequenceChart::selectionChanged, timeline->chart(), [this, timeline](std::uint32_t message) {
        const auto& messages = m_flows->index().messages();
        timeline->chart()->selectMessage(message < messages.size() ? messages[message].id : 0);
    });
    tabifyDockWidget(m_sequenceDock, m_timelineDock);
    auto* graph = new FlowGraphPage(m_flows, this);
    m_graphDock = addDock(tr("Flow graph"), QStringLiteral("flowGraphDock"), graph, Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_timelineDock, m_graphDock);
    connect(graph->graph(), &FlowGraph::edgeChosen, this, [this, sequence](std::uint32_t from, std::uint32_t to) {
        sequence->showPair(from, to);
        view(QStringLiteral("sequence"));
    });
    m_metricsDock->raise();
    m_replay = new ReplayBar(m_flows, sequence->chart(), {sequence->chart(), timeline->chart()}, this);
    centreLayout->insertWidget(1, m_replay);
    connect(m_replay, &ReplayBar::moved, this, [this](std::uint64_t time) {
        if (m_recorded != nullptr)
            m_recorded->seekSoon(time);
    });
    m_flows->setLiveSource(&source.observer());
    for (QDockWidget* dock : {m_sequenceDock, m_timelineDock, m_graphDock}) {
        // In the feed's context: docks are hidden as the window is destroyed.
        connect(dock, &QDockWidget::visibilityChanged, m_flows,
                [flows = m_flows, dock](bool shown) { flows->setShown(dock, shown); });
    }
    connect(&source, &ClusterSource::polled, m_flows, &FlowFeed::poll);

    // The live cluster's batches, while no recording is shown in its place.
    connect(&source, &ClusterSource::batchApplied, this, [this](const ClusterState& state, const iso::Batch& batch) {
        if (m_recorded == nullptr)
            takeBatch(state, batch);
    });
    connect(&source, &ClusterSource::polled, this, [this](const ClusterState& state) {
        if (m_recorded == nullptr)
            showState(state);
    });
    // At once, not at the next batch: a recording that is not playing brings none.
    connect(m_selection, &IsolateSelection::changed, this, [this] { m_inspector->showState(shownState()); });
    connect(m_actions, &IsolateActions::reported, this, &MainWindow::report);
    // A new isolate is what the person wants to look at next.
    connect(m_actions, &IsolateActions::spawned, this, &MainWindow::selectWhenSeen);

    m_sampling->setToolTip(tr("The window cannot keep up with every trace event, so it shows a sample; "
                              "tables and counters stay exact"));
    m_sampling->setStyleSheet(QStringLiteral("color: #8a5a00; font-weight: bold"));
    m_sampling->hide();
    m_stall->setToolTip(tr("The longest time in the last second that the window could not respond"));
    m_recordingStatus->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold"));
    m_recordingStatus->hide();
    statusBar()->addPermanentWidget(m_recordingStatus);
    statusBar()->addPermanentWidget(m_sampling);
    statusBar()->addPermanentWidget(m_stall);
    statusBar()->addPermanentWidget(m_isolateCount);
    m_isolateCount->setObjectName(QStringLiteral("isolateCount"));
    showIsolateCount(source.state());
    auto* everySecond = new QTimer(this);
    connect(everySecond, &QTimer::timeout, this, &MainWindow::showStatus);
    everySecond->start(std::chrono::seconds(1));
    showStatus();
    createMenus();

    resize(1400, 860);
    resizeDocks({m_treeDock, m_inspectorDock}, {380, 400}, Qt::Horizontal);
}

QDockWidget* MainWindow::addDock(const QString& title, const QString& objectName, QWidget* page,
                                 Qt::DockWidgetArea area)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(page);
    addDockWidget(area, dock);
    return dock;
}

QStringList MainWindow::viewNames()
{
    return {QStringLiteral("table"),   QStringLiteral("tree"), QStringLiteral("inspector"),
            QStringLiteral("metrics"), QStringLiteral("log"),  QStringLiteral("sequence"), QStringLiteral("timeline"),
            QStringLiteral("flow")};
}

QWidget* MainWindow::view(const QString& name)
{
    if (name == u"table")
        return m_table;
    QDockWidget* dock = name == u"tree"        ? m_treeDock
                        : name == u"inspector" ? m_inspectorDock
                        : name == u"metrics" ? m_metricsDock
                        : name == u"log"     ? m_logDock
                        : name == u"sequence" ? m_sequenceDock
                        : name == u"timeline" ? m_timelineDock
                        : name == u"flow" ? m_graphDock
                                             : nullptr;
    if (dock == nullptr)
        return nullptr;
    dock->show();
    dock->raise();
    return dock->widget();
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Recording…"), QKeySequence::Open, this, &MainWindow::chooseRecording);
    m_followLive = file->addAction(tr("Follow the &Live Cluster"), this, &MainWindow::followLive);
    m_followLive->setObjectName(QStringLiteral("followLive"));
    m_followLive->setEnabled(false);
    file->addSeparator();
    m_record = file->addAction(tr("Start &Recording…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), this,
                               &MainWindow::toggleRecording);
    m_record->setObjectName(QStringLiteral("toggleRecording"));
    m_export = file->addAction(tr("&Export to Chrome Trace…"), this, &MainWindow::exportChrome);
    m_export->setStatusTip(tr("Write the recording as Chrome trace-event JSON, for Perfetto or chrome://tracing"));
    m_reexecute = file->addAction(tr("Re-e&xecute Recording"), this, &MainWindow::reexecute);
    m_reexecute->setStatusTip(tr("Run the recording again in its recorded order and say whether, and where, "
                                 "the re-run went differently"));
    updateFileActions();
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);

    QMenu* cluster = menuBar()->addMenu(tr("&Cluster"));
    cluster->addAction(m_actions->spawnAction());
    cluster->addAction(m_actions->sendAction());
    cluster->addAction(m_actions->injectAction());

    QMenu* isolate = menuBar()->addMenu(tr("&Isolate"));
    m_actions->addTo(isolate);

    QMenu* views = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        views->addAction(dock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About Isoscope"), this, &MainWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);
}

void MainWindow::attachContextMenu(QAbstractItemView* view, int idRole)
{
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, this, [this, view, idRole](const QPoint& at) {
        // The menu acts on the row under the pointer, as in a file manager.
        const iso::IsolateId id = view->indexAt(at).data(idRole).toULongLong();
        if (id == 0)
            return;
        m_selection->select(id);
        m_actions->update();
        QMenu menu(this);
        m_actions->addTo(&menu);
        menu.exec(view->viewport()->mapToGlobal(at));
    });
}

void MainWindow::takeBatch(const ClusterState& state, const iso::Batch& batch)
{
    m_treeModel->take(state, batch);
    m_log->append(state, batch.events);
    // Each of a recording's batches is a moment of its run: a point on
    // the charts. A live cluster's come faster than the charts want, and
    // make one point per poll.
    if (m_recorded != nullptr)
        m_metrics->apply(state);
}

void MainWindow::clearState(std::uint64_t origin)
{
    m_treeModel->clear();
    m_log->clear(origin);
    m_metrics->clear();
}

void MainWindow::showCluster(RecordedCluster* recorded)
{
    // Ids of one cluster mean nothing in another.
    m_selection->select(0);
    delete m_recorded;
    m_recorded = recorded;
    const bool live = recorded == nullptr;
    m_actions->setLive(live);
    m_inspector->setRecording(recorded);
    if (live) {
        clearState();
        // The tree and the log take the next batches; the rest has the state whole now.
        showState(m_source.state());
        return;
    }
    recorded->setParent(this);
    clearState(recorded->events().begin());
    connect(recorded, &RecordedCluster::batchApplied, this, &MainWindow::takeBatch);
    connect(recorded, &RecordedCluster::polled, this, &MainWindow::showState);
    connect(recorded, &RecordedCluster::restarted, this,
            [this, recorded] { clearState(recorded->events().begin()); });
}

void MainWindow::showState(const ClusterState& state)
{
    m_treeModel->show();
    if (m_recorded == nullptr)
        m_metrics->apply(state);
    m_tableModel->apply(state);
    showIsolateCount(state);
    m_inspector->showState(state);
    m_actions->update();
    if (m_selectWhenSeen.isEmpty())
        return;
    const std::string wanted = m_selectWhenSeen.toStdString();
    // Seen, and so done with, even if it has ended already; of a path's
    // incarnations (the one that just ended may still be listed), the live one.
    for (const auto& [id, isolate] : state.isolates()) {
        if (isolate.metrics.path != wanted)
            continue;
        m_selectWhenSeen.clear();
        if (isolate.metrics.state != iso::IsolateState::Exited) {
            m_selection->select(id);
            break;
        }
    }
}

void MainWindow::showIsolateCount(const ClusterState& state)
{
    const std::size_t live = state.live();
    m_isolateCount->setText(live == 1 ? tr("1 isolate") : tr("%1 isolates").arg(live));
}

void MainWindow::report(const QString& text, bool failed)
{
    m_messages->show(text, failed);
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

MainWindow::~MainWindow()
{
    // A re-execution cannot be cut short: the window waits for it, rather
    // than leave it running on what is being torn down.
    if (m_reexecution != nullptr)
        m_reexecution->wait();
}

void MainWindow::chooseRecording()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Recording"), QString(),
                                                      tr("Isoscope recordings (*.isotrace);;All files (*)"));
    if (path.isEmpty())
        return;
    if (const QString error = openRecording(path); !error.isEmpty())
        report(error, true);
}

QString MainWindow::openRecording(const QString& path)
{
    QProgressDialog progress(tr("Reading %1…").arg(QFileInfo(path).fileName()), tr("Cancel"), 0, 1000, this);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(500);
    FlowRecording recording;
    try {
        recording = readFlowRecording(path.toStdString(), [&progress](double share) {
            progress.setValue(static_cast<int>(share * 1000));
            return !progress.wasCanceled();
        });
    } catch (const std::exception& e) {
        return tr("Could not open the recording %1").arg(QString::fromUtf8(e.what()));
    }
    showCluster(new RecordedCluster(std::move(recording.run)));
    m_flows->show(std::move(recording.index));
    // As the run ended, at once: the replay bar's playhead is there.
    m_recorded->seek(m_replay->playhead());
    m_followLive->setEnabled(true);
    m_lastRecording = path;
    m_shownRecording = path;
    updateFileActions();
    setWindowTitle(tr("%1 (recorded) — Isoscope").arg(QFileInfo(path).fileName()));
    view(QStringLiteral("sequence"));
    QString note = tr("Showing the recording %1: %L2 events").arg(QFileInfo(path).fileName()).arg(recording.events);
    if (recording.cut)
        note += tr("; it was cut off (its recorder did not finish), so its end is missing");
    if (recording.damagedChunks > 0)
        note += recording.damagedChunks == 1 ? tr("; a damaged part was skipped")
                                             : tr("; %1 damaged parts were skipped").arg(recording.damagedChunks);
    report(note, recording.cut || recording.damagedChunks > 0);
    return {};
}

void MainWindow::setProgram(const QString& name, std::uint64_t seed)
{
    m_program = name;
    m_seed = seed;
}

void MainWindow::updateFileActions()
{
    m_record->setText(m_recording->recording() ? tr("Stop &Recording") : tr("Start &Recording…"));
    const bool haveRecording = !m_lastRecording.isEmpty() && !m_recording->recording();
    m_export->setEnabled(haveRecording);
    m_reexecute->setEnabled(haveRecording && m_reexecution == nullptr);
}

QString MainWindow::startRecording(const QString& path)
{
    iso::trace::FileInfo info;
    info.program = m_program.toStdString();
    info.run_seed = m_seed;
    const QString error = m_recording->start(path, info);
    updateFileActions();
    if (error.isEmpty())
        showStatus();
    return error;
}

void MainWindow::toggleRecording()
{
    if (!m_recording->recording()) {
        const QString path = QFileDialog::getSaveFileName(this, tr("Record to"), QStringLiteral("run.isotrace"),
                                                          tr("Isoscope recordings (*.isotrace)"));
        if (path.isEmpty())
            return;
        if (const QString error = startRecording(path); !error.isEmpty())
            report(error, true);
        else
            report(tr("Recording to %1; the cluster slows rather than lose an event.").arg(path), false);
        return;
    }
    const auto stats = m_recording->stop();
    showStatus();
    if (!stats) {
        report(stats.error(), true);
    } else {
        m_lastRecording = m_recording->path();
        report(tr("Recorded %L1 events to %2 (%3). File > Open Recording shows it.")
                   .arg(stats->events)
                   .arg(m_lastRecording, units::bytes(stats->bytes)),
               false);
    }
    updateFileActions();
}

void MainWindow::exportChrome()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export to Chrome Trace"),
                                                      QFileInfo(m_lastRecording).completeBaseName() + u".json",
                                                      tr("Chrome trace-event JSON (*.json)"));
    if (path.isEmpty())
        return;
    try {
        const iso::trace::FileReader reader(m_lastRecording.toStdString());
        const std::vector<iso::trace::Event> events = reader.read_all();
        std::ofstream out(path.toStdString(), std::ios::binary | std::ios::trunc);
        if (!out)
            throw std::runtime_error("cannot write " + path.toStdString());
        iso::trace::ChromeExportOptions options;
        options.process_name = reader.info().program.empty() ? "iso node" : reader.info().program;
        iso::trace::export_chrome(events, out, options);
        out.close();
        if (!out)
            throw std::runtime_error("writing " + path.toStdString() + " failed");
        report(tr("Exported %L1 events to %2, for ui.perfetto.dev or chrome://tracing.").arg(events.size()).arg(path),
               false);
    } catch (const std::exception& e) {
        report(tr("Could not export: %1").arg(QString::fromUtf8(e.what())), true);
    }
}

void MainWindow::reexecute()
{
    if (m_lastRecording.isEmpty() || m_reexecution != nullptr)
        return;
    const QString file = QFileInfo(m_lastRecording).fileName();
    struct Outcome {
        std::optional<iso::trace::ReplayResult> result;
        QString error;
    };
    auto outcome = std::make_shared<Outcome>();
    QThread* worker = QThread::create([outcome, path = m_lastRecording.toStdString()] {
        try {
            const iso::trace::FileReader reader(path);
            const iso::scenarios::Scenario* scenario = iso::scenarios::find(reader.info().program);
            if (scenario == nullptr) {
                outcome->error = tr("it was recorded from “%1”, which this window cannot run")
                                     .arg(QString::fromStdString(reader.info().program));
                return;
            }
            iso::trace::ReplayOptions options;
            options.setup = scenario->setup;
            outcome->result = iso::trace::replay(reader.read_all(), options);
        } catch (const std::exception& e) {
            outcome->error = QString::fromUtf8(e.what());
        }
    });
    m_reexecution = worker;
    updateFileActions();
    report(tr("Re-executing %1…").arg(file), false);
    connect(worker, &QThread::finished, this, [this, worker, outcome, file, path = m_lastRecording] {
        worker->deleteLater();
        m_reexecution = nullptr;
        updateFileActions();
        if (!outcome->result) {
            const QString text = tr("Could not re-execute %1: %2").arg(file, outcome->error);
            report(text, true);
            emit reexecuted(text, false);
            return;
        }
        const iso::trace::ReplayResult& result = *outcome->result;
        if (result.identical()) {
            const QString text = tr("Re-executed %1: %L2 isolates, %L3 deliveries, no divergence.")
                                     .arg(file)
                                     .arg(result.isolates)
                                     .arg(result.deliveries);
            report(text, false);
            emit reexecuted(text, false);
            return;
        }
        const iso::trace::Divergence& d = *result.divergence;
        const QString text = tr("Re-executed %1: it diverged. %2").arg(file, QString::fromStdString(d.describe()));
        report(text, true);
        showDivergence(path, d.path, d.incarnation, d.index);
        emit reexecuted(text, true);
    });
    worker->start();
}

void MainWindow::showDivergence(const QString& recording, const std::string& path, std::uint32_t incarnation,
                                std::size_t delivery)
{
    if (!m_flows->recorded() || m_shownRecording != recording) {
        if (const QString error = openRecording(recording); !error.isEmpty())
            return;
    }
    const FlowIndex& index = m_flows->index();
    const std::uint64_t message = index.delivered(path, incarnation, delivery);
    view(QStringLiteral("sequence"));
    if (const std::uint32_t at = index.find(message); at != FlowIndex::none)
        m_sequence->chart()->select(at);
}

void MainWindow::followLive()
{
    showCluster(nullptr);
    m_flows->showLive();
    m_shownRecording.clear();
    m_followLive->setEnabled(false);
    setWindowTitle(tr("Isoscope"));
    report(tr("Following the live cluster"), false);
}

void MainWindow::showEvent(QShowEvent* event)
{
    // From when the window first appears: what a person waits for.
    if (!m_watchdog->running())
        m_watchdog->start();
    QMainWindow::showEvent(event);
}

const ClusterState& MainWindow::shownState() const
{
    return m_recorded != nullptr ? m_recorded->state() : m_source.state();
}

std::chrono::milliseconds MainWindow::longestStall() const
{
    return m_watchdog->longest();
}

void MainWindow::showStatus()
{
    m_recordingStatus->setVisible(m_recording->recording());
    if (m_recording->recording())
        m_recordingStatus->setText(tr("● Recording: %L1 events").arg(m_recording->stats().events));
    m_stall->setText(tr("Longest stall %1 ms").arg(m_watchdog->takeRecent().count()));
    const double shown = m_source.takeShownShare();
    m_sampling->setVisible(shown < 1.0 && m_recorded == nullptr);
    m_sampling->setText(tr("Sampling: %1% of events shown").arg(std::floor(shown * 100)));
}
