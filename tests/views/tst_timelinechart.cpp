#include "flowindex.h"
#include "timelinechart.h"

#include "../core/tracescript.h"

#include <QSignalSpy>
#include <QTest>

/// The chart, with its busy steps in reach.
struct Timeline : TimelineChart {
    using TimelineChart::forEachBusyStep;
};

class TestTimelineChart : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_index = FlowIndex();
        m_index.add(test::ping_pong(3).events);
        m_chart = std::make_unique<Timeline>();
        m_chart->resize(900, 400);
        m_chart->setFollowing(false);
        m_chart->setIndex(&m_index);
        m_chart->showAll();
    }

    // Clicking a handler's box selects its message, in both charts.
    void clickingAHandlerChoosesItsMessage()
    {
        QSignalSpy chosen(m_chart.get(), &TimelineChart::messageChosen);
        const std::uint32_t third = m_index.find(3);
        const FlowIndex::Message& m = m_index.messages()[third];
        const std::size_t position = m_chart->positionOf(m.to);
        const QPoint inBox(static_cast<int>(m_chart->timeCoordinate(m.handled + m.handleNs / 2)),
                           static_cast<int>(m_chart->laneCentre(position) - TimelineChart::trackHeight / 2.0 + 20));
        const auto [lane, span] = m_chart->spanAt(inBox);
        QCOMPARE(lane, m.to);
        QCOMPARE(m_index.spans(lane)[span].message, std::uint64_t{3});
        QTest::mouseClick(m_chart.get(), Qt::LeftButton, {}, inBox);
        QCOMPARE(chosen.size(), 1);
        QCOMPARE(chosen.first().at(0).value<std::uint32_t>(), third);
        QCOMPARE(m_chart->selectedMessage(), std::uint64_t{3});
    }

    // Between handlers, and beneath them, there is none.
    void emptyPlacesHoldNoHandler()
    {
        const std::uint32_t ping = m_index.messages()[m_index.find(1)].to;
        const auto& spans = m_index.spans(ping);
        const std::uint64_t gap = spans[1].begin + spans[1].duration + (spans[2].begin - spans[1].begin - spans[1].duration) / 2;
        const double y = m_chart->laneCentre(m_chart->positionOf(ping)) - TimelineChart::trackHeight / 2.0 + 20;
        m_chart->showRange(spans[1].begin, spans[2].begin + spans[2].duration);
        QCOMPARE(m_chart->spanAt(QPointF(m_chart->timeCoordinate(gap), y).toPoint()).first, FlowIndex::none);
        const double below = m_chart->laneCentre(m_chart->positionOf(ping)) + TimelineChart::trackHeight / 2.0 - 2;
        QCOMPARE(m_chart->spanAt(QPointF(m_chart->timeCoordinate(spans[2].begin + 1), below).toPoint()).first,
                 FlowIndex::none);
    }

    // Busy steps cover a handler's pixels, whole inside it, and nothing else.
    void busyStepsFollowTheHandlers()
    {
        const std::uint32_t ping = m_index.messages()[m_index.find(1)].to;
        const FlowIndex::Span span = m_index.spans(ping)[1];
        m_chart->showRange(span.begin - span.duration, span.begin + 2 * span.duration);
        const double left = m_chart->timeCoordinate(span.begin);
        const double right = m_chart->timeCoordinate(span.begin + span.duration);
        int whole = 0;
        m_chart->forEachBusyStep(ping, 1, [&](int x, double share) {
            QVERIFY(x >= std::floor(left) && x <= std::ceil(right));
            QVERIFY(share > 0 && share <= 1);
            whole += share == 1.0;
        });
        QVERIFY(whole >= static_cast<int>(right - left) - 2);
    }

    void paintsAtEveryZoom()
    {
        for (std::uint64_t span : {m_index.end() - m_index.begin(), std::uint64_t{1000}, std::uint64_t{10}}) {
            m_chart->showRange(m_index.begin(), m_index.begin() + span);
            QVERIFY(!m_chart->grab().isNull());
        }
    }

private:
    FlowIndex m_index;
    std::unique_ptr<Timeline> m_chart;
};

QTEST_MAIN(TestTimelineChart)
#include "tst_timelinechart.moc"
