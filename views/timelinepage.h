#pragma once

#include <QWidget>

class FlowFeed;
class TimelineChart;

/// The timeline with its controls and a line on what it shows.
class TimelinePage : public QWidget
{
    Q_OBJECT

public:
    explicit TimelinePage(FlowFeed* feed, QWidget* parent = nullptr);

    TimelineChart* chart() const { return m_chart; }

private:
    TimelineChart* m_chart;
};
