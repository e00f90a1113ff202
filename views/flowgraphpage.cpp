#include "flowgraphpage.h"

#include "flowgraph.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

FlowGraphPage::FlowGraphPage(FlowFeed* feed, QWidget* parent)
    : QWidget(parent)
    , m_graph(new FlowGraph(this))
{
    m_graph->showFeed(feed);
    auto* layoutBox = new QComboBox(this);
    layoutBox->addItem(tr("Supervision tree"), static_cast<int>(FlowGraph::Layout::Tree));
    layoutBox->addItem(tr("Force"), static_cast<int>(FlowGraph::Layout::Force));
    connect(layoutBox, &QComboBox::currentIndexChanged, this, [this, layoutBox] {
        m_graph->setLayout(static_cast<FlowGraph::Layout>(layoutBox->currentData().toInt()));
    });
    auto* legend = new QLabel(tr("Edges as thick as their rate; click one for its messages in the sequence chart."), this);
    legend->setForegroundRole(QPalette::PlaceholderText);

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(4, 2, 4, 2);
    controls->addWidget(new QLabel(tr("Layout:"), this));
    controls->addWidget(layoutBox);
    controls->addStretch();
    controls->addWidget(legend);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins({});
    layout->setSpacing(0);
    layout->addLayout(controls);
    layout->addWidget(m_graph, 1);
}
