#pragma once

#include "metricshistory.h"

#include <QBrush>
#include <QPen>
#include <QWidget>

#include <vector>

class QCPGraph;
class QCPItemText;
class QCPLayoutElement;
class QCPLayoutGrid;
class QCPLegend;
class QCPRange;
class QCPTextElement;
class QCustomPlot;

/// One chart of the metrics page: a title with its legend above the plot
/// (so that it never covers the newest data), time in seconds before the
/// newest update along the bottom, lines that mirror MetricsHistory series,
/// and a short note while there is nothing to show. Only the GUI thread
/// may call members.
class TimeSeriesWidget : public QWidget
{
    Q_OBJECT

public:
    enum class Scale {
        Count,      ///< from zero, in compact numbers (1.5k, 2M)
        Percent,    ///< 0..100
        Duration,   ///< logarithmic, in µs, labelled in µs, ms or s
    };

    struct Line {
        QString key;        ///< what makes it the same line from one update to the next
        QString name;       ///< in the legend
        QString shortName;  ///< in the legend when names do not fit; empty: name
        QPen pen;
        QBrush brush;
        const MetricsHistory::Series* series = nullptr;
    };

    TimeSeriesWidget(const QString& title, const QString& valueLabel, Scale scale, QWidget* parent = nullptr);

    void setTitle(const QString& title);
    QString title() const;
    /// The least the value axis shows on a Count scale, so that a line of
    /// zeros does not sit on a range of ±1.
    void setMinimumTop(double top) { m_minimumTop = top; }

    /// Shows exactly `lines`, in this order, their points taken from their
    /// series: only the new ones when a line was there before.
    void setLines(const std::vector<Line>& lines);
    /// Shows the `seconds` up to `now`, fits the value axis to what they
    /// hold, fits the legend to the width, and replots (queued). While no
    /// line has a point in view, shows `emptyNote` instead.
    void refresh(double now, double seconds, const QString& emptyNote);

    QCustomPlot* plot() const { return m_plot; }
    /// The graph of the line `key`; null if it is not shown.
    QCPGraph* graph(const QString& key) const;
    /// The names the lines were given, in legend order.
    QStringList lineNames() const;
    /// The note shown over the plot; empty while lines have points in view.
    QString note() const;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void createHeader();
    void fitValueAxis(const QCPRange& visible, bool found);
    /// As many tick labels as fit the axis rect without touching.
    void fitTickCounts();
    /// Names and rows of the legend, and where it goes, to fit the width.
    void fitHeader();
    void placeLegend(bool besideTitle);
    static void copyNewPoints(QCPGraph* graph, const MetricsHistory::Series& series);

    QCustomPlot* m_plot;
    QString m_fullTitle;
    QCPTextElement* m_title;  ///< shows m_fullTitle, elided to fit
    QCPLegend* m_legend;
    QCPLayoutGrid* m_header;
    QCPLayoutElement* m_headerFill;
    bool m_legendBesideTitle = false;
    QString m_fittedFor;  ///< what the header was last fitted to: width, title, names
    QCPItemText* m_note;
    Scale m_scale;
    double m_minimumTop = 1;
    struct Shown {
        QString key;
        QString name;
        QString shortName;
        QCPGraph* graph;
    };
    std::vector<Shown> m_shown;  ///< in legend order
};
