#include "flowfeed.h"
#include "replaybar.h"
#include "sequencechart.h"
#include "timelinechart.h"

#include "../core/tracescript.h"

#include <QSignalSpy>
#include <QSlider>
#include <QTest>

using namespace std::chrono_literals;

class TestReplayBar : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_sequence = std::make_unique<SequenceChart>();
        m_timeline = std::make_unique<TimelineChart>();
        for (TimeChart* chart : std::initializer_list<TimeChart*>{m_sequence.get(), m_timeline.get()}) {
            chart->resize(800, 600);
            chart->showFeed(&m_feed);
        }
        m_bar = std::make_unique<ReplayBar>(&m_feed, m_sequence.get(),
                                            std::vector<TimeChart*>{m_sequence.get(), m_timeline.get()});
        FlowIndex index;
        index.add(test::ping_pong(20).events);
        m_feed.show(std::move(index));
    }

    // A recording opens at its end, as the run ended, paused, the bar on show.
    void aRecordingOpensAtItsEnd()
    {
        QVERIFY(!m_bar->isHidden());
        QVERIFY(!m_bar->playing());
        QCOMPARE(m_bar->playhead(), m_feed.index().end());
        m_feed.showLive();
        QVERIFY(m_bar->isHidden());
    }

    // Seeking moves every chart so that the playhead is in view.
    void seekingTakesTheChartsAlong()
    {
        const FlowIndex& index = m_feed.index();
        m_sequence->showRange(index.begin(), index.begin() + (index.end() - index.begin()) / 10);
        const std::uint64_t middle = index.begin() + (index.end() - index.begin()) / 2;
        m_bar->seek(middle);
        QCOMPARE(m_bar->playhead(), middle);
        for (TimeChart* chart : std::initializer_list<TimeChart*>{m_sequence.get(), m_timeline.get()}) {
            QVERIFY(chart->window().start() <= middle);
            QVERIFY(chart->windowEnd() >= middle);
            QVERIFY(!chart->following());
        }
        m_bar->seek(index.end() + 1'000'000);
        QCOMPARE(m_bar->playhead(), index.end());
    }

    // Playing moves the playhead at the chosen speed, and stops at the end.
    void playingMovesAtItsSpeedUntilTheEnd()
    {
        const FlowIndex& index = m_feed.index();
        QSignalSpy moved(m_bar.get(), &ReplayBar::moved);
        m_bar->play();
        QVERIFY(m_bar->playing());
        // From the end, play starts again at the beginning.
        const std::uint64_t before = m_bar->playhead();
        QCOMPARE(before, index.begin());
        QCOMPARE(moved.size(), 1);
        QCOMPARE(moved.last().at(0).value<std::uint64_t>(), index.begin());
        // Ten microseconds of play: a fraction of the recorded run at any speed offered.
        m_bar->advance(10us);
        QCOMPARE(m_bar->playhead(), before + static_cast<std::uint64_t>(m_bar->speed() / 100'000));
        QCOMPARE(moved.last().at(0).value<std::uint64_t>(), m_bar->playhead());
        m_bar->advance(std::chrono::hours(1));
        QCOMPARE(m_bar->playhead(), index.end());
        QVERIFY(!m_bar->playing());
    }

    // Each step selects the next message and moves to when it was sent;
    // the first, from the end, is the run's first message.
    void stepsVisitTheMessagesInOrder()
    {
        const FlowIndex& index = m_feed.index();
        std::size_t steps = 0;
        while (m_bar->stepToNextMessage()) {
            const FlowIndex::Message& m = index.messages()[m_sequence->selected()];
            QCOMPARE(m_bar->playhead(), m.sent);
            ++steps;
        }
        QCOMPARE(steps, index.messages().size());
    }

private:
    FlowFeed m_feed;
    std::unique_ptr<SequenceChart> m_sequence;
    std::unique_ptr<TimelineChart> m_timeline;
    std::unique_ptr<ReplayBar> m_bar;
};

QTEST_MAIN(TestReplayBar)
#include "tst_replaybar.moc"
