#include "throughputplot.h"

#include <QThread>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>

namespace {

/// Rates are averaged over this long: one 100 ms poll alone is too noisy.
constexpr double rateWindowSeconds = 1.0;

QCPGraph* addGraph(QCustomPlot* plot, QCPAxis* valueAxis, const QString& name, const QColor& color)
{
    QCPGraph* graph = plot->addGraph(plot->xAxis, valueAxis);
    graph->setName(name);
    graph->setPen(QPen(color, 2));
    return graph;
}

void fitFromZero(QCPAxis* axis, double highest)
{
    axis->setRange(0, std::max(1.0, highest * 1.15));
}

double highestValue(const QCPGraph* graph)
{
    bool found = false;
    const QCPRange range = graph->getValueRange(found, QCP::sdBoth, graph->keyAxis()->range());
    return found ? range.upper : 0.0;
}

} // namespace

ThroughputPlot::ThroughputPlot(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    m_isolates = addGraph(m_plot, m_plot->yAxis, tr("Isolates"), QColor(0x1f, 0x77, 0xb4));
    m_isolates->setLineStyle(QCPGraph::lsStepLeft);
    m_rate = addGraph(m_plot, m_plot->yAxis2, tr("Events handled / s"), QColor(0xe6, 0x7e, 0x22));
    m_rate->setBrush(QColor(0xe6, 0x7e, 0x22, 40));

    m_plot->xAxis->setLabel(tr("Seconds since start"));
    m_plot->yAxis->setLabel(tr("Isolates"));
    m_plot->yAxis2->setLabel(tr("Events / s"));
    m_plot->yAxis2->setVisible(true);
    placeLegendAbovePlot();
    rescale(0);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins({});
    layout->addWidget(m_plot);
    setMinimumHeight(220);
    m_clock.start();
}

void ThroughputPlot::placeLegendAbovePlot()
{
    // Inside the axis rect the legend would hide the newest data.
    QCPLegend* legend = m_plot->legend;
    legend->setVisible(true);
    legend->setFont(font());
    legend->setBorderPen(Qt::NoPen);
    legend->setBrush(Qt::NoBrush);
    legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_plot->axisRect()->insetLayout()->take(legend);

    // A row of its own above the axis rect, left-aligned by an empty cell
    // that takes the width the legend does not need.
    auto* row = new QCPLayoutGrid;
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, row);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    row->addElement(0, 0, legend);
    row->addElement(0, 1, new QCPLayoutElement(m_plot));
    row->setColumnStretchFactor(0, 0.001);
}

void ThroughputPlot::applySnapshot(const std::vector<iso::IsolateInfo>& snapshot)
{
    Q_ASSERT(QThread::currentThread() == thread());
    const double now = static_cast<double>(m_clock.elapsed()) / 1000.0;
    m_isolates->addData(now, static_cast<double>(snapshot.size()));
    m_rate->addData(now, eventsPerSecond(now, m_handled.add(snapshot)));
    const double oldest = now - windowSeconds;
    m_isolates->data()->removeBefore(oldest);
    m_rate->data()->removeBefore(oldest);

    rescale(now);
    // Snapshots can come faster than frames; the queued replot paints once.
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

double ThroughputPlot::eventsPerSecond(double now, std::uint64_t handledTotal)
{
    // The first sample anchors the window, so events handled before the
    // plot started watching never count as throughput.
    m_recent.emplace_back(now, handledTotal);
    while (m_recent.size() > 2 && m_recent[1].first <= now - rateWindowSeconds)
        m_recent.pop_front();
    const auto& [since, handledThen] = m_recent.front();
    if (now <= since)
        return 0.0;
    return static_cast<double>(handledTotal - handledThen) / (now - since);
}

void ThroughputPlot::rescale(double now)
{
    m_plot->xAxis->setRange(std::max(0.0, now - windowSeconds), std::max(windowSeconds, now));
    fitFromZero(m_plot->yAxis, highestValue(m_isolates));
    fitFromZero(m_plot->yAxis2, highestValue(m_rate));
}
