#include "timeserieswidget.h"

#include <QThread>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace {

QString formatNumber(double value)
{
    return QString::number(value, 'g', 3);
}

/// Seconds before the newest update: "now" at the right edge, ticks a
/// round number of seconds (or minutes) back from it, however the data's
/// own time runs on, so that labels never change while the lines scroll.
class RelativeTimeTicker : public QCPAxisTicker
{
protected:
    double getTickStep(const QCPRange& range) override
    {
        static constexpr std::array steps{1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0};
        for (double step : steps)
            if (range.size() / step <= tickCount())
                return step;
        return steps.back();
    }

    int getSubTickCount(double) override { return 0; }

    QVector<double> createTickVector(double tickStep, const QCPRange& range) override
    {
        m_newest = range.upper;
        QVector<double> ticks;
        // Within rounding of the left edge is on it: the axis drops ticks beyond.
        for (int back = 0;; ++back) {
            const double tick = range.upper - back * tickStep;
            if (tick < range.lower - tickStep * 1e-6)
                break;
            ticks.prepend(std::max(tick, range.lower));
        }
        return ticks;
    }

    QString getTickLabel(double tick, const QLocale&, QChar, int) override
    {
        const double before = std::round(m_newest - tick);
        if (before < 0.5)
            return TimeSeriesWidget::tr("now");
        if (before >= 60 && std::fmod(before, 60) == 0)
            return TimeSeriesWidget::tr("\u2212%1 min").arg(before / 60);
        return TimeSeriesWidget::tr("\u2212%1 s").arg(before);
    }

private:
    double m_newest = 0;
};

/// Counts as people read them: 950, 1.5k, 20k, 3M.
class CompactNumberTicker : public QCPAxisTicker
{
protected:
    QString getTickLabel(double tick, const QLocale&, QChar, int) override
    {
        const double size = std::abs(tick);
        if (size >= 1e6)
            return formatNumber(tick / 1e6) + u'M';
        if (size >= 1e3)
            return formatNumber(tick / 1e3) + u'k';
        return formatNumber(tick);
    }
};

/// Microseconds on a logarithmic axis, labelled in the unit that reads
/// best; over a few decades, at 1, 2 and 5 of each, not at powers of ten only.
class DurationTicker : public QCPAxisTickerLog
{
protected:
    QVector<double> createTickVector(double tickStep, const QCPRange& range) override
    {
        m_dense = range.lower > 0 && range.upper / range.lower < 1000;
        if (!m_dense)
            return QCPAxisTickerLog::createTickVector(tickStep, range);
        // The densest that the axis has room for (tickCount says how many).
        static const std::array<std::vector<double>, 3> patterns{
            std::vector<double>{1, 2, 5}, std::vector<double>{1, 3}, std::vector<double>{1}};
        QVector<double> ticks;
        for (const std::vector<double>& pattern : patterns) {
            ticks.clear();
            for (double decade = std::pow(10.0, std::floor(std::log10(range.lower))); decade <= range.upper;
                 decade *= 10)
                for (double step : pattern)
                    if (step * decade >= range.lower && step * decade <= range.upper)
                        ticks.append(step * decade);
            if (ticks.size() <= tickCount() + 1)
                break;
        }
        return ticks;
    }

    int getSubTickCount(double tickStep) override
    {
        return m_dense ? 0 : QCPAxisTickerLog::getSubTickCount(tickStep);
    }

    QString getTickLabel(double tick, const QLocale&, QChar, int) override
    {
        if (tick >= 1e6)
            return TimeSeriesWidget::tr("%1 s").arg(formatNumber(tick / 1e6));
        if (tick >= 1e3)
            return TimeSeriesWidget::tr("%1 ms").arg(formatNumber(tick / 1e3));
        return TimeSeriesWidget::tr("%1 \u00b5s").arg(formatNumber(tick));
    }

private:
    bool m_dense = false;
};

QFont scaled(QFont font, double factor)
{
    font.setPointSizeF(font.pointSizeF() * factor);
    return font;
}

void styleAxis(QCPAxis* axis, const QFont& font)
{
    axis->setTickLabelFont(font);
    axis->setLabelFont(font);
    axis->setTickLabelPadding(3);
    axis->setLabelPadding(2);
    axis->setTickLengthIn(0);
    axis->setTickLengthOut(3);
    axis->setSubTickLengthIn(0);
    axis->setSubTickLengthOut(2);
    axis->grid()->setPen(QPen(QColor(0, 0, 0, 28), 1));
    axis->grid()->setZeroLinePen(Qt::NoPen);
}

/// Pixels per tick label: enough that neighbours never touch.
constexpr int pixelsPerTimeTick = 70;
constexpr int pixelsPerValueTick = 28;

} // namespace

TimeSeriesWidget::TimeSeriesWidget(const QString& title, const QString& valueLabel, Scale scale, QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_fullTitle(title)
    , m_title(new QCPTextElement(m_plot, title, [this] {
        QFont bold = font();
        bold.setBold(true);
        return bold;
    }()))
    , m_legend(m_plot->legend)
    , m_header(new QCPLayoutGrid)
    , m_headerFill(new QCPLayoutElement(m_plot))
    , m_note(new QCPItemText(m_plot))
    , m_scale(scale)
{
    const QFont small = scaled(font(), 0.85);
    m_plot->setNoAntialiasingOnDrag(true);
    // Lines drawn plain and fast: antialiased polylines and fills cost the
    // GUI thread tens of milliseconds a replot once the charts fill up.
    m_plot->setNotAntialiasedElements(QCP::aePlottables | QCP::aeFills);
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    m_plot->setBackground(palette().base());
    styleAxis(m_plot->xAxis, small);
    styleAxis(m_plot->yAxis, small);
    m_plot->xAxis->setTicker(QSharedPointer<RelativeTimeTicker>::create());
    m_plot->yAxis->setLabel(valueLabel);
    switch (scale) {
    case Scale::Count:
        m_plot->yAxis->setTicker(QSharedPointer<CompactNumberTicker>::create());
        break;
    case Scale::Percent:
        m_plot->yAxis->setRange(0, 100);
        break;
    case Scale::Duration:
        m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
        m_plot->yAxis->setTicker(QSharedPointer<DurationTicker>::create());
        m_plot->yAxis->grid()->setSubGridVisible(true);
        m_plot->yAxis->grid()->setSubGridPen(QPen(QColor(0, 0, 0, 12), 1));
        break;
    }

    m_note->setClipToAxisRect(true);
    m_note->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_note->position->setCoords(0.5, 0.5);
    m_note->setPositionAlignment(Qt::AlignCenter);
    m_note->setColor(palette().color(QPalette::PlaceholderText));
    m_note->setFont(font());
    m_note->setVisible(false);

    createHeader();
    connect(m_plot, &QCustomPlot::afterLayout, this, &TimeSeriesWidget::fitTickCounts);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins({});
    layout->addWidget(m_plot);
    setMinimumSize(140, 100);
}

void TimeSeriesWidget::createHeader()
{
    // Inside the axis rect the legend would hide the newest data: it goes
    // beside the title above the axis rect, or below the title if narrow.
    m_legend->setVisible(true);
    m_legend->setFont(scaled(font(), 0.85));
    m_legend->setBorderPen(Qt::NoPen);
    m_legend->setBrush(Qt::NoBrush);
    m_legend->setIconSize(18, 8);
    m_legend->setIconTextPadding(4);
    m_legend->setColumnSpacing(2);
    m_legend->setRowSpacing(0);
    m_legend->setMargins({4, 0, 0, 0});
    m_legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_plot->axisRect()->insetLayout()->take(m_legend);

    m_title->setMargins({6, 2, 6, 2});
    m_title->setTextFlags(Qt::AlignLeft | Qt::AlignVCenter);

    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, m_header);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    m_plot->plotLayout()->setRowSpacing(0);
    m_header->setColumnSpacing(0);
    m_header->setRowSpacing(0);
    placeLegend(true);
}

void TimeSeriesWidget::placeLegend(bool besideTitle)
{
    if (besideTitle == m_legendBesideTitle)
        return;
    m_legendBesideTitle = besideTitle;
    for (QCPLayoutElement* element : {static_cast<QCPLayoutElement*>(m_title), static_cast<QCPLayoutElement*>(m_legend),
                                      m_headerFill})
        if (m_header->elements(false).contains(element))
            m_header->take(element);
    m_header->simplify();
    // The fill takes the width the title and legend do not need.
    m_header->addElement(0, 0, m_title);
    if (besideTitle) {
        m_header->addElement(0, 1, m_legend);
        m_header->addElement(0, 2, m_headerFill);
        m_header->setColumnStretchFactors({0.001, 0.001, 1});
    } else {
        m_header->addElement(0, 1, m_headerFill);
        m_header->addElement(1, 0, m_legend);
        m_header->setColumnStretchFactors({0.001, 1});
    }
}

void TimeSeriesWidget::setTitle(const QString& title)
{
    if (title == m_fullTitle)
        return;
    m_fullTitle = title;
    fitHeader();
}

QString TimeSeriesWidget::title() const
{
    return m_fullTitle;
}

void TimeSeriesWidget::setLines(const std::vector<Line>& lines)
{
    Q_ASSERT(QThread::currentThread() == thread());
    std::vector<Shown> shown;
    shown.reserve(lines.size());
    bool reordered = lines.size() != m_shown.size();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const Line& line = lines[i];
        const auto before = std::ranges::find(m_shown, line.key, &Shown::key);
        QCPGraph* graph = nullptr;
        if (before != m_shown.end()) {
            graph = std::exchange(before->graph, nullptr);
        } else {
            graph = m_plot->addGraph();
            graph->removeFromLegend();
        }
        reordered = reordered || i >= m_shown.size() || m_shown[i].key != line.key;
        graph->setPen(line.pen);
        graph->setBrush(line.brush);
        if (line.series != nullptr)
            copyNewPoints(graph, *line.series);
        else
            graph->data()->clear();
        shown.push_back({line.key, line.name, line.shortName.isEmpty() ? line.name : line.shortName, graph});
    }
    for (const Shown& gone : m_shown)
        if (gone.graph != nullptr)
            m_plot->removeGraph(gone.graph);
    m_shown = std::move(shown);

    if (reordered) {
        m_fittedFor.clear();
        m_legend->clearItems();
        for (const Shown& line : m_shown) {
            line.graph->setName(line.name);
            line.graph->addToLegend(m_legend);
            m_legend->itemWithPlottable(line.graph)->setMargins({3, 1, 6, 1});
        }
    }
    // Names change too (an isolate's path arrives, or it ends).
    fitHeader();
}

void TimeSeriesWidget::copyNewPoints(QCPGraph* graph, const MetricsHistory::Series& series)
{
    QSharedPointer<QCPGraphDataContainer> data = graph->data();
    if (series.empty()) {
        data->clear();
        return;
    }
    if (data->isEmpty() || (data->constEnd() - 1)->key < series.front().time) {
        QVector<QCPGraphData> points;
        points.reserve(static_cast<qsizetype>(series.size()));
        for (const MetricsHistory::Point& point : series)
            points.append({point.time, point.value});
        data->set(points, true);
        return;
    }
    // Only the points since the last update are new: walk back to them.
    const double newest = (data->constEnd() - 1)->key;
    auto first = series.end();
    while (first != series.begin() && std::prev(first)->time > newest)
        --first;
    for (auto it = first; it != series.end(); ++it)
        data->add(QCPGraphData(it->time, it->value));
    data->removeBefore(series.front().time);
}

void TimeSeriesWidget::refresh(double now, double seconds, const QString& emptyNote)
{
    Q_ASSERT(QThread::currentThread() == thread());
    const QCPRange visible(now - seconds, now);
    m_plot->xAxis->setRange(visible);

    QCPRange values;
    bool found = false;
    for (const Shown& line : m_shown) {
        bool foundHere = false;
        const QCPRange range = line.graph->getValueRange(foundHere, QCP::sdBoth, visible);
        if (!foundHere)
            continue;
        values = found ? QCPRange(std::min(values.lower, range.lower), std::max(values.upper, range.upper)) : range;
        found = true;
    }
    fitValueAxis(values, found);
    m_note->setText(emptyNote);
    m_note->setVisible(!found);
    fitHeader();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TimeSeriesWidget::fitValueAxis(const QCPRange& visible, bool found)
{
    QCPAxis* axis = m_plot->yAxis;
    switch (m_scale) {
    case Scale::Count:
        axis->setRange(0, std::max(m_minimumTop, found ? visible.upper * 1.15 : 0.0));
        break;
    case Scale::Percent:
        axis->setRange(0, 105);
        break;
    case Scale::Duration: {
        // At least a decade, so that the log ticks have something to mark.
        double lower = found ? std::max(visible.lower, 0.1) / 1.5 : 1.0;
        double upper = found ? std::max(visible.upper, 0.1) * 1.5 : 1000.0;
        if (upper / lower < 10) {
            const double middle = std::sqrt(lower * upper);
            lower = middle / std::sqrt(10.0);
            upper = middle * std::sqrt(10.0);
        }
        axis->setRange(lower, upper);
        break;
    }
    }
}

void TimeSeriesWidget::fitTickCounts()
{
    // The axis rect's size is known only once laid out, which is after the
    // ticks were made: a change takes another replot.
    const int timeTicks = std::max(2, m_plot->axisRect()->width() / pixelsPerTimeTick);
    const int valueTicks = std::clamp(m_plot->axisRect()->height() / pixelsPerValueTick, 2, 6);
    QCPAxisTicker& time = *m_plot->xAxis->ticker();
    QCPAxisTicker& value = *m_plot->yAxis->ticker();
    if (time.tickCount() == timeTicks && value.tickCount() == valueTicks)
        return;
    time.setTickCount(timeTicks);
    value.setTickCount(valueTicks);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TimeSeriesWidget::fitHeader()
{
    // Measuring every name is the costly part of an update: only when
    // something it depends on changed.
    QString fittedFor = QString::number(width()) + u'\n' + m_fullTitle;
    for (const Shown& line : m_shown)
        fittedFor += u'\n' + line.name + u'\n' + line.shortName;
    if (fittedFor == m_fittedFor)
        return;
    m_fittedFor = fittedFor;

    const int available = std::max(0, width() - 4);
    // Not the legend's itemCount(), which counts the empty cells of its grid too.
    const int count = static_cast<int>(m_shown.size());
    const auto widthOf = [](QCPLayoutElement* element) { return element->minimumOuterSizeHint().width(); };
    m_title->setText(m_fullTitle);
    const int titleWidth = widthOf(m_title);
    const auto itemWidths = [&](bool shortNames) {
        std::vector<int> result;
        for (int i = 0; i < count; ++i) {
            const Shown& line = m_shown[static_cast<std::size_t>(i)];
            line.graph->setName(shortNames ? line.shortName : line.name);
            result.push_back(widthOf(m_legend->itemWithPlottable(line.graph)));
        }
        return result;
    };
    const auto legendWidth = [this, count](const std::vector<int>& items, int columns) {
        int total = (columns - 1) * m_legend->columnSpacing() + m_legend->margins().left();
        for (int column = 0; column < columns; ++column) {
            int widest = 0;
            for (int i = column; i < count; i += columns)
                widest = std::max(widest, items[static_cast<std::size_t>(i)]);
            total += widest;
        }
        return total;
    };

    // Beside the title on one row, with whole names if they fit, else short
    // ones; if neither fits, below it, on as few rows as fit.
    int columns = std::max(count, 1);
    bool beside = count == 0 || titleWidth + legendWidth(itemWidths(false), count) <= available;
    if (!beside && titleWidth + legendWidth(itemWidths(true), count) <= available)
        beside = true;
    if (!beside) {
        std::vector<int> items = itemWidths(false);
        if (legendWidth(items, count) > available)
            items = itemWidths(true);
        while (columns > 1 && legendWidth(items, columns) > available)
            --columns;
    }
    if (titleWidth > available) {
        const QFontMetrics metrics(m_title->font());
        const int margins = m_title->margins().left() + m_title->margins().right();
        m_title->setText(metrics.elidedText(m_fullTitle, Qt::ElideRight, std::max(0, available - margins)));
    }
    placeLegend(beside);
    m_legend->setWrap(columns);
    m_legend->setFillOrder(QCPLegend::foColumnsFirst, true);
}

void TimeSeriesWidget::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitHeader();
}

QCPGraph* TimeSeriesWidget::graph(const QString& key) const
{
    const auto it = std::ranges::find(m_shown, key, &Shown::key);
    return it == m_shown.end() ? nullptr : it->graph;
}

QStringList TimeSeriesWidget::lineNames() const
{
    QStringList names;
    for (const Shown& line : m_shown)
        names.append(line.name);
    return names;
}

QString TimeSeriesWidget::note() const
{
    return m_note->visible() ? m_note->text() : QString();
}
