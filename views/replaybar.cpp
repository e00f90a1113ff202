#include "replaybar.h"

#include "flowfeed.h"
#include "sequencechart.h"
#include "units.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>

ReplayBar::ReplayBar(FlowFeed* feed, SequenceChart* sequence, std::vector<TimeChart*> charts, QWidget* parent)
    : QWidget(parent)
    , m_feed(feed)
    , m_sequence(sequence)
    , m_charts(std::move(charts))
    , m_play(new QToolButton(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_speed(new QComboBox(this))
    , m_time(new QLabel(this))
{
    m_play->setCheckable(true);
    m_play->setText(tr("▶ Play"));
    m_play->setToolTip(tr("Play the recording at the chosen speed"));
    connect(m_play, &QToolButton::toggled, this, [this](bool on) { on ? play() : pause(); });
    auto* step = new QToolButton(this);
    step->setText(tr("Next message"));
    step->setToolTip(tr("Select the next message after the playhead, and move there"));
    connect(step, &QToolButton::clicked, this, &ReplayBar::stepToNextMessage);
    m_slider->setRange(0, sliderSteps);
    m_slider->setToolTip(tr("Where in the recording the charts are"));
    connect(m_slider, &QSlider::sliderMoved, this, [this](int position) {
        pause();
        const FlowIndex& index = m_feed->index();
        const double share = static_cast<double>(position) / sliderSteps;
        seek(index.begin() + static_cast<std::uint64_t>(share * static_cast<double>(index.end() - index.begin())));
    });
    // Nanoseconds of the run per second of play: from slow motion, for
    // runs of microseconds, to fast forward.
    for (const auto& [text, nsPerSecond] : {std::pair{tr("1 µs/s"), 1e3}, {tr("1 ms/s"), 1e6}, {tr("0.1×"), 1e8},
                                            {tr("1×"), 1e9}, {tr("10×"), 1e10}})
        m_speed->addItem(text, nsPerSecond);
    m_speed->setCurrentIndex(2);
    m_speed->setToolTip(tr("How fast the run plays: recorded time per second"));

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->addWidget(m_play);
    layout->addWidget(step);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_time);
    layout->addWidget(m_speed);

    m_timer.setInterval(1000 / framesPerSecond);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        advance(std::chrono::nanoseconds(m_sinceFrame.nsecsElapsed()));
        m_sinceFrame.restart();
    });
    connect(feed, &FlowFeed::replaced, this, &ReplayBar::restart);
    restart();
}

double ReplayBar::speed() const
{
    return m_speed->currentData().toDouble();
}

void ReplayBar::restart()
{
    pause();
    setVisible(m_feed->recorded());
    const bool recorded = m_feed->recorded();
    m_playhead = recorded ? m_feed->index().end() : m_feed->index().begin();
    for (TimeChart* chart : m_charts)
        chart->setPlayhead(recorded ? std::optional(m_playhead) : std::nullopt);
    showPlayhead();
    if (recorded)
        emit moved(m_playhead);
}

void ReplayBar::seek(std::uint64_t time)
{
    const FlowIndex& index = m_feed->index();
    m_playhead = std::clamp(time, index.begin(), index.end());
    for (TimeChart* chart : m_charts) {
        chart->setPlayhead(m_playhead);
        // The playhead near the far edge, as when following a live run.
        const std::uint64_t span = chart->windowEnd() - chart->window().start();
        const std::uint64_t start = m_playhead - std::min(m_playhead, span - span / 10);
        chart->setFollowing(false);
        chart->showRange(start, start + span);
    }
    showPlayhead();
    emit moved(m_playhead);
}

void ReplayBar::showPlayhead()
{
    const FlowIndex& index = m_feed->index();
    const std::uint64_t run = index.end() - index.begin();
    {
        const QSignalBlocker quiet(m_slider);
        m_slider->setValue(run == 0 ? 0
                                    : static_cast<int>(static_cast<double>(m_playhead - index.begin()) / static_cast<double>(run)
                                                       * sliderSteps));
    }
    m_time->setText(tr("%1 of %2").arg(units::offset(m_playhead - std::min(m_playhead, index.begin()), 1000),
                                       units::duration(run)));
}

void ReplayBar::play()
{
    if (playing())
        return;
    if (m_playhead >= m_feed->index().end())
        seek(m_feed->index().begin());
    m_sinceFrame.start();
    m_timer.start();
    const QSignalBlocker quiet(m_play);
    m_play->setChecked(true);
    m_play->setText(tr("⏸ Pause"));
}

void ReplayBar::pause()
{
    m_timer.stop();
    const QSignalBlocker quiet(m_play);
    m_play->setChecked(false);
    m_play->setText(tr("▶ Play"));
}

void ReplayBar::advance(std::chrono::nanoseconds elapsed)
{
    const double moved = static_cast<double>(elapsed.count()) / 1e9 * speed();
    seek(m_playhead + static_cast<std::uint64_t>(moved));
    if (m_playhead >= m_feed->index().end())
        pause();
}

bool ReplayBar::stepToNextMessage()
{
    pause();
    const FlowIndex& index = m_feed->index();
    const std::size_t next = index.firstSentAt(m_playhead >= index.end() ? index.begin() : m_playhead + 1);
    if (next >= index.messages().size())
        return false;
    seek(index.messages()[next].sent);
    m_sequence->select(static_cast<std::uint32_t>(next));
    return true;
}
