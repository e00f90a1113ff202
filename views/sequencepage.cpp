#include "sequencepage.h"

#include "flowfeed.h"
#include "sequencechart.h"
#include "text.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QToolButton>
#include <QVBoxLayout>

SequencePage::SequencePage(FlowFeed* feed, QWidget* parent)
    : QWidget(parent)
    , m_feed(feed)
    , m_chart(new SequenceChart(this))
    , m_causal(new QToolButton(this))
    , m_pair(new QToolButton(this))
    , m_counts(new QLabel(this))
    , m_detail(new QPlainTextEdit(this))
{
    m_chart->showFeed(feed);

    m_causal->setText(tr("Causes and effects only"));
    m_causal->setCheckable(true);
    m_causal->setToolTip(tr("Show only the selected message, the messages that led to it (orange) "
                            "and those it led to (green)"));
    connect(m_causal, &QToolButton::toggled, m_chart, &SequenceChart::setCausalFilter);

    m_pair->setToolTip(tr("Show every isolate again"));
    m_pair->hide();
    connect(m_pair, &QToolButton::clicked, this, [this] {
        m_chart->setPair(std::nullopt);
        m_pair->hide();
    });

    QHBoxLayout* controls = m_chart->createControls(this);
    controls->addWidget(m_causal);
    controls->addWidget(m_pair);
    controls->addStretch();
    controls->addWidget(m_counts);

    m_detail->setReadOnly(true);
    m_detail->setMaximumHeight(m_detail->fontMetrics().lineSpacing() * 4 + 10);
    m_detail->setPlaceholderText(tr("Click an arrow to see its message; N and P step from message to message. "
                                    "Ctrl+wheel zooms, dragging pans."));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins({});
    layout->setSpacing(0);
    layout->addLayout(controls);
    layout->addWidget(m_chart, 1);
    layout->addWidget(m_detail);

    connect(m_chart, &SequenceChart::selectionChanged, this, &SequencePage::showSelection);
    connect(m_chart, &SequenceChart::restarted, this, [this] {
        m_chart->select(FlowIndex::none);
        m_chart->setPair(std::nullopt);
        m_pair->hide();
    });
    connect(feed, &FlowFeed::changed, this, &SequencePage::showCounts);
    showCounts();
}

void SequencePage::showPair(std::uint32_t from, std::uint32_t to)
{
    const auto& lanes = m_feed->index().lanes();
    if (from >= lanes.size() || to >= lanes.size())
        return;
    m_chart->setPair(std::pair{from, to});
    m_pair->setText(tr("Only %1 ↔ %2  ✕").arg(toQString(lanes[from].label), toQString(lanes[to].label)));
    m_pair->show();
}

void SequencePage::showSelection()
{
    const std::uint32_t message = m_chart->selected();
    m_detail->setPlainText(message == FlowIndex::none ? QString() : m_chart->describe(message));
}

void SequencePage::showCounts()
{
    const FlowIndex& index = m_feed->index();
    QString text = tr("%L1 messages, %L2 isolates").arg(index.messages().size()).arg(index.lanes().size());
    if (index.eventsLost() > 0)
        text += tr(", %L1 events not shown").arg(index.eventsLost());
    m_counts->setText(text);
}
