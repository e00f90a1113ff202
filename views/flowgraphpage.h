#pragma once

#include <QWidget>

class FlowFeed;
class FlowGraph;

/// The flow graph with its choice of layout.
class FlowGraphPage : public QWidget
{
    Q_OBJECT

public:
    explicit FlowGraphPage(FlowFeed* feed, QWidget* parent = nullptr);

    FlowGraph* graph() const { return m_graph; }

private:
    FlowGraph* m_graph;
};
