#include "timelinepage.h"

#include "timelinechart.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

TimelinePage::TimelinePage(FlowFeed* feed, QWidget* parent)
    : QWidget(parent)
    , m_chart(new TimelineChart(this))
{
    m_chart->showFeed(feed);
    QHBoxLayout* controls = m_chart->createControls(this);
    controls->addStretch();
    auto* legend = new QLabel(tr("Handlers above, mailbox depth beneath; arrows join sends to handlers. "
                                 "Ctrl+wheel zooms, Shift+wheel pans."),
                              this);
    legend->setForegroundRole(QPalette::PlaceholderText);
    controls->addWidget(legend);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins({});
    layout->setSpacing(0);
    layout->addLayout(controls);
    layout->addWidget(m_chart, 1);
}
