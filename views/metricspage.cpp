#include "metricspage.h"

#include "clusterstate.h"
#include "isolateselection.h"
#include "timeserieswidget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace {

/// Tableau's ten without its grey, which means "the whole cluster" here.
constexpr std::array<QRgb, 9> isolatePalette{0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                             0x8c564b, 0xe377c2, 0xbcbd22, 0x17becf};
const QColor clusterColour(0x55, 0x55, 0x55);
constexpr int maximumTopCount = static_cast<int>(isolatePalette.size()) - 1;

/// Threads are alike, unlike isolates: they take their colours in turn
/// from one sequential scale (viridis, without its faintest yellows).
QColor threadColour(double share)
{
    static constexpr std::array<QRgb, 5> stops{0x440154, 0x414487, 0x2a788e, 0x22a884, 0x7ad151};
    const double at = std::clamp(share, 0.0, 1.0) * (stops.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(at));
    const std::size_t above = std::min(below + 1, stops.size() - 1);
    const double t = at - static_cast<double>(below);
    const auto mix = [t](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * t)); };
    const QColor low(stops[below]);
    const QColor high(stops[above]);
    return QColor(mix(low.red(), high.red()), mix(low.green(), high.green()), mix(low.blue(), high.blue()));
}

QString isolateKey(iso::IsolateId id)
{
    return QStringLiteral("isolate:%1").arg(id);
}

/// The last part of a path: enough to tell a pipeline's stages apart.
QString lastPart(const QString& label)
{
    const qsizetype slash = label.lastIndexOf(u'/');
    return slash <= 0 || slash + 1 == label.size() ? label : label.mid(slash + 1);
}

QString windowName(std::chrono::seconds window)
{
    if (window.count() % 60 == 0)
        return MetricsPage::tr("%1 min").arg(window.count() / 60);
    return MetricsPage::tr("%1 s").arg(window.count());
}

/// The charts in rows of these many, the one that gives each chart the
/// most room for its lines (less what axes and titles take) while keeping
/// them somewhat wider than tall, as time series read best.
std::vector<int> bestRows(QSize size, int controlsHeight)
{
    static const std::vector<std::vector<int>> arrangements{{5}, {3, 2}, {2, 2, 1}, {1, 1, 1, 1, 1}};
    constexpr double axesWidth = 60;
    constexpr double headerAndAxisHeight = 55;
    const std::vector<int>* best = &arrangements.front();
    double bestScore = -1;
    for (const std::vector<int>& rows : arrangements) {
        const int columns = *std::ranges::max_element(rows);
        const double width = size.width() / static_cast<double>(columns) - axesWidth;
        const double height =
            (size.height() - controlsHeight) / static_cast<double>(rows.size()) - headerAndAxisHeight;
        if (width <= 0 || height <= 0)
            continue;
        const double aspect = width / height;
        const double score = width * height * std::min(1.0, aspect / 1.2) * std::min(1.0, 3.0 / aspect);
        if (score > bestScore) {
            bestScore = score;
            best = &rows;
        }
    }
    return *best;
}

} // namespace

MetricsPage::MetricsPage(IsolateSelection* selection, QWidget* parent)
    : QWidget(parent)
    , m_selection(selection)
    , m_history(windows.back())
    , m_throughput(new TimeSeriesWidget(tr("Throughput"), tr("messages / s"), TimeSeriesWidget::Scale::Count, this))
    , m_mailboxes(new TimeSeriesWidget(tr("Deepest mailboxes"), tr("messages queued"),
                                       TimeSeriesWidget::Scale::Count, this))
    , m_handleTime(new TimeSeriesWidget(tr("Handle time"), tr("per message"), TimeSeriesWidget::Scale::Duration, this))
    , m_utilisation(new TimeSeriesWidget(tr("Scheduler threads"), tr("busy (%)"), TimeSeriesWidget::Scale::Percent,
                                         this))
    , m_memory(new TimeSeriesWidget(tr("Memory"), tr("MiB"), TimeSeriesWidget::Scale::Count, this))
    , m_charts(new QGridLayout)
    , m_slotHolder(isolatePalette.size(), 0)
    , m_slotFreedAt(isolatePalette.size(), 0)
{
    m_throughput->setObjectName(QStringLiteral("throughputChart"));
    m_mailboxes->setObjectName(QStringLiteral("mailboxChart"));
    m_handleTime->setObjectName(QStringLiteral("handleTimeChart"));
    m_utilisation->setObjectName(QStringLiteral("utilisationChart"));
    m_memory->setObjectName(QStringLiteral("memoryChart"));
    m_mailboxes->setMinimumTop(5);
    m_throughput->setMinimumTop(10);
    m_memory->setMinimumTop(10);

    auto* layout = new QVBoxLayout(this);
    // The arrangement follows the size, not the other way round: the
    // charts' minimum sizes in one arrangement must not stop the page
    // from shrinking to where another fits.
    layout->setSizeConstraint(QLayout::SetNoConstraint);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(2);
    layout->addWidget(createControls());
    m_charts->setContentsMargins({});
    m_charts->setSpacing(4);
    layout->addLayout(m_charts, 1);
    arrangeCharts();

    m_refreshTimer.setSingleShot(true);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] {
        if (std::exchange(m_refreshPending, false)) {
            refresh();
            m_refreshTimer.start(minimumRefreshInterval);
        }
    });
    connect(m_selection, &IsolateSelection::changed, this, &MetricsPage::followSelection);
    followSelection();
}

QWidget* MetricsPage::createControls()
{
    auto* controls = new QWidget(this);
    m_window = new QComboBox(controls);
    m_window->setObjectName(QStringLiteral("window"));
    for (std::chrono::seconds window : windows)
        m_window->addItem(windowName(window), static_cast<qlonglong>(window.count()));
    m_window->setCurrentIndex(1);
    connect(m_window, &QComboBox::currentIndexChanged, this, &MetricsPage::refresh);

    m_topCount = new QSpinBox(controls);
    m_topCount->setObjectName(QStringLiteral("topCount"));
    m_topCount->setRange(1, maximumTopCount);
    m_topCount->setValue(static_cast<int>(MetricsHistory::defaultTopCount));
    m_topCount->setToolTip(tr("How many of the deepest mailboxes to show"));
    connect(m_topCount, &QSpinBox::valueChanged, this, [this](int count) {
        // The new top is found at the next update.
        m_history.setTopCount(static_cast<std::size_t>(count));
        updateLines();
        refresh();
    });

    m_follow = new QCheckBox(tr("Add the selected isolate"), controls);
    m_follow->setObjectName(QStringLiteral("followSelection"));
    m_follow->setChecked(true);
    m_follow->setToolTip(tr("Also show the isolate selected in the other views, in every chart"));
    connect(m_follow, &QCheckBox::toggled, this, &MetricsPage::followSelection);

    auto* windowLabel = new QLabel(tr("&Window"), controls);
    windowLabel->setBuddy(m_window);
    auto* topLabel = new QLabel(tr("&Top mailboxes"), controls);
    topLabel->setBuddy(m_topCount);

    auto* row = new QHBoxLayout(controls);
    row->setContentsMargins({});
    row->addWidget(windowLabel);
    row->addWidget(m_window);
    row->addSpacing(12);
    row->addWidget(topLabel);
    row->addWidget(m_topCount);
    row->addSpacing(12);
    row->addWidget(m_follow);
    row->addStretch(1);
    return controls;
}

std::chrono::seconds MetricsPage::window() const
{
    return std::chrono::seconds(m_window->currentData().toLongLong());
}

void MetricsPage::setWindow(std::chrono::seconds window)
{
    const int index = m_window->findData(static_cast<qlonglong>(window.count()));
    if (index >= 0)
        m_window->setCurrentIndex(index);
}

void MetricsPage::apply(const ClusterState& state)
{
    Q_ASSERT(QThread::currentThread() == thread());
    m_history.apply(state);
    m_hasIsolates = !state.isolates().empty();
    updateLines();
    scheduleRefresh();
}

void MetricsPage::clear()
{
    m_history = MetricsHistory(windows.back(), m_history.topCount());
    followSelection();
    m_hasIsolates = false;
    updateLines();
    scheduleRefresh();
}

iso::IsolateId MetricsPage::followed() const
{
    return m_follow->isChecked() ? m_selection->current() : 0;
}

void MetricsPage::followSelection()
{
    const iso::IsolateId id = followed();
    m_history.setChosen(id != 0 ? std::vector<iso::IsolateId>{id} : std::vector<iso::IsolateId>{});
    // What the history already holds of it shows at once; the rest follows.
    updateLines();
    refresh();
}

std::vector<iso::IsolateId> MetricsPage::shownIsolates() const
{
    std::vector<iso::IsolateId> shown = m_history.top();
    if (const iso::IsolateId id = followed(); id != 0 && std::ranges::find(shown, id) == shown.end())
        shown.push_back(id);
    std::erase_if(shown, [this](iso::IsolateId id) { return m_history.isolate(id) == nullptr; });
    // In the order they were spawned: a legend that does not shuffle as depths change.
    std::ranges::sort(shown);
    return shown;
}

void MetricsPage::assignColours(const std::vector<iso::IsolateId>& shown)
{
    ++m_colourClock;
    for (std::size_t slot = 0; slot < m_slotHolder.size(); ++slot) {
        if (m_slotHolder[slot] != 0 && std::ranges::find(shown, m_slotHolder[slot]) == shown.end()) {
            m_slotHolder[slot] = 0;
            m_slotFreedAt[slot] = m_colourClock;
        }
    }
    for (iso::IsolateId id : shown) {
        const auto remembered = m_slotOf.find(id);
        if (remembered != m_slotOf.end() && m_slotHolder[remembered->second] == id)
            continue;
        std::size_t slot = 0;
        if (remembered != m_slotOf.end() && m_slotHolder[remembered->second] == 0) {
            slot = remembered->second;
        } else {
            // More isolates than colours cannot happen: the top is one short of the palette.
            std::uint64_t oldest = std::numeric_limits<std::uint64_t>::max();
            for (std::size_t candidate = 0; candidate < m_slotHolder.size(); ++candidate) {
                if (m_slotHolder[candidate] == 0 && m_slotFreedAt[candidate] < oldest) {
                    oldest = m_slotFreedAt[candidate];
                    slot = candidate;
                }
            }
        }
        m_slotHolder[slot] = id;
        m_slotOf[id] = slot;
    }
    // Remember slots only of isolates the history still has points of.
    std::erase_if(m_slotOf, [this](const auto& entry) { return m_history.isolate(entry.first) == nullptr; });
}

QColor MetricsPage::colourOf(iso::IsolateId id) const
{
    const auto it = m_slotOf.find(id);
    return it == m_slotOf.end() ? clusterColour : QColor(isolatePalette[it->second]);
}

void MetricsPage::updateLines()
{
    using Line = TimeSeriesWidget::Line;
    const std::vector<iso::IsolateId> shown = shownIsolates();
    assignColours(shown);
    const iso::IsolateId chosen = followed();
    const auto nameOf = [](const MetricsHistory::IsolateSeries& series) {
        return series.ended ? tr("%1 (ended)").arg(series.label) : series.label;
    };
    const auto isolatePen = [this, chosen](iso::IsolateId id) {
        return QPen(colourOf(id), id == chosen ? 2.4 : 1.6);
    };
    const MetricsHistory::IsolateSeries* chosenSeries = chosen != 0 ? m_history.isolate(chosen) : nullptr;
    const bool live = !m_history.empty();

    std::vector<Line> throughput;
    if (live && m_hasIsolates) {
        QColor fill = clusterColour;
        fill.setAlpha(40);
        throughput.push_back({QStringLiteral("cluster"), tr("all isolates"), {}, QPen(clusterColour, 1.4), fill,
                              &m_history.throughput()});
        if (chosenSeries != nullptr)
            throughput.push_back({isolateKey(chosen), nameOf(*chosenSeries), lastPart(chosenSeries->label),
                                  isolatePen(chosen), Qt::NoBrush, &chosenSeries->handledPerSecond});
    }
    m_throughput->setLines(throughput);

    std::vector<Line> mailboxes;
    if (live && m_hasIsolates) {
        for (iso::IsolateId id : shown) {
            const MetricsHistory::IsolateSeries& series = *m_history.isolate(id);
            mailboxes.push_back({isolateKey(id), nameOf(series), lastPart(series.label), isolatePen(id), Qt::NoBrush,
                                 &series.mailboxDepth});
        }
    }
    m_mailboxes->setLines(mailboxes);

    // Quantiles of the followed isolate if it has any, else of the cluster:
    // the title says whose.
    std::vector<Line> handleTime;
    if (live && m_hasIsolates) {
        const bool ofIsolate = chosenSeries != nullptr;
        const MetricsHistory::Quantiles& quantiles =
            ofIsolate ? chosenSeries->handleTime : m_history.handleTime();
        const QString owner = ofIsolate ? isolateKey(chosen) : QStringLiteral("cluster");
        const QColor colour = ofIsolate ? colourOf(chosen) : clusterColour;
        handleTime.push_back({owner + u":p50", tr("p50"), {}, QPen(colour, 1.2, Qt::DotLine), Qt::NoBrush,
                              &quantiles.p50});
        handleTime.push_back({owner + u":p90", tr("p90"), {}, QPen(colour, 1.4, Qt::DashLine), Qt::NoBrush,
                              &quantiles.p90});
        handleTime.push_back({owner + u":p99", tr("p99"), {}, QPen(colour, 1.8), Qt::NoBrush, &quantiles.p99});
        m_handleTime->setTitle(ofIsolate ? tr("Handle time: %1").arg(lastPart(chosenSeries->label))
                                         : tr("Handle time: all isolates"));
    } else {
        m_handleTime->setTitle(tr("Handle time"));
    }
    m_handleTime->setLines(handleTime);

    std::vector<Line> utilisation;
    const auto& threads = m_history.utilisation();
    int index = 0;
    for (const auto& [thread, series] : threads) {
        const double share = threads.size() > 1 ? index++ / static_cast<double>(threads.size() - 1) : 0.0;
        const QColor colour = threadColour(share);
        utilisation.push_back({QStringLiteral("thread:%1").arg(thread), tr("thread %1").arg(thread),
                               QString::number(thread), QPen(colour, 1.3), Qt::NoBrush, &series});
    }
    m_utilisation->setLines(utilisation);

    std::vector<Line> memory;
    if (live) {
        QColor fill = clusterColour;
        fill.setAlpha(30);
        memory.push_back({QStringLiteral("resident"), tr("resident (RSS)"), tr("RSS"), QPen(clusterColour, 1.4), fill,
                          &m_history.residentMemory()});
        memory.push_back({QStringLiteral("runtime"), tr("runtime"), {}, QPen(Qt::black, 1.4, Qt::DashLine),
                          Qt::NoBrush, &m_history.runtimeMemory()});
    }
    m_memory->setLines(memory);
}

void MetricsPage::scheduleRefresh()
{
    // The first update in a while draws at once; those that follow within
    // the interval are drawn together when it ends.
    if (m_refreshTimer.isActive()) {
        m_refreshPending = true;
        return;
    }
    refresh();
    m_refreshTimer.start(minimumRefreshInterval);
}

void MetricsPage::refresh()
{
    const double now = m_history.now();
    const double seconds = static_cast<double>(window().count());
    const QString waiting = tr("Waiting for data");
    const bool live = !m_history.empty() && m_hasIsolates;
    m_throughput->refresh(now, seconds, waiting);
    m_mailboxes->refresh(now, seconds, live ? tr("Every mailbox is empty") : waiting);
    m_handleTime->refresh(now, seconds, live ? tr("Nothing handled") : waiting);
    m_utilisation->refresh(now, seconds, waiting);
    m_memory->refresh(now, seconds, m_history.empty() ? waiting : tr("Not measured: a recording holds no memory figures"));
}

QSize MetricsPage::minimumSizeHint() const
{
    return {480, 180};
}

void MetricsPage::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    arrangeCharts();
}

void MetricsPage::arrangeCharts()
{
    const std::vector<int> rows = bestRows(size(), m_window->sizeHint().height() + 4);
    if (static_cast<int>(rows.size()) == m_chartRows)
        return;
    m_chartRows = static_cast<int>(rows.size());
    const std::array<TimeSeriesWidget*, 5> charts{m_throughput, m_mailboxes, m_handleTime, m_utilisation, m_memory};
    for (TimeSeriesWidget* chart : charts)
        m_charts->removeWidget(chart);
    // A grid as wide as every row's count divides, so that each row fills it.
    int columns = 1;
    for (int count : rows)
        columns = std::lcm(columns, count);
    std::size_t next = 0;
    for (int row = 0; row < static_cast<int>(rows.size()); ++row) {
        const int span = columns / rows[static_cast<std::size_t>(row)];
        for (int column = 0; column < columns; column += span)
            m_charts->addWidget(charts[next++], row, column, 1, span);
    }
    for (int column = 0; column < m_charts->columnCount(); ++column)
        m_charts->setColumnStretch(column, column < columns ? 1 : 0);
    for (int row = 0; row < m_charts->rowCount(); ++row)
        m_charts->setRowStretch(row, row < m_chartRows ? 1 : 0);
}
