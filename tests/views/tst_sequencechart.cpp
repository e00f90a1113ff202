#include "flowindex.h"
#include "sequencechart.h"

#include "../core/tracescript.h"

#include <QSignalSpy>
#include <QTest>

namespace {

/// Ping-pong with a message from outside to pong in the middle of it,
/// which none of the others caused.
FlowIndex pingPongWithAnAside()
{
    test::Script s = test::ping_pong(3);
    s.deliver(0, 99, test::pong, "\"aside\"");
    s.begin(test::pong, 99);
    s.end(test::pong);
    FlowIndex index;
    index.add(s.events);
    return index;
}

std::vector<std::uint64_t> idsOf(const FlowIndex& index, const std::vector<std::uint32_t>& positions)
{
    std::vector<std::uint64_t> ids;
    for (std::uint32_t i : positions)
        ids.push_back(index.messages()[i].id);
    return ids;
}

QPoint middleOf(const SequenceChart& chart, std::uint32_t message)
{
    const FlowIndex::Message& m = chart.index()->messages()[message];
    const double x = (chart.laneCentre(chart.positionOf(m.from)) + chart.laneCentre(chart.positionOf(m.to))) / 2;
    const double y = (chart.timeCoordinate(m.sent) + chart.timeCoordinate(m.handled)) / 2;
    return QPointF(x, y).toPoint();
}

} // namespace

class TestSequenceChart : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_index = pingPongWithAnAside();
        m_chart = std::make_unique<SequenceChart>();
        m_chart->resize(800, 600);
        m_chart->setFollowing(false);
        m_chart->setIndex(&m_index);
        m_chart->showAll();
    }

    void clickingAnArrowSelectsItsMessage()
    {
        QSignalSpy selected(m_chart.get(), &SequenceChart::selectionChanged);
        const std::uint32_t third = m_index.find(3);
        QCOMPARE(m_chart->messageAt(middleOf(*m_chart, third)), third);
        QTest::mouseClick(m_chart.get(), Qt::LeftButton, {}, middleOf(*m_chart, third));
        QCOMPARE(m_chart->selected(), third);
        QCOMPARE(selected.count(), 1);
        QVERIFY(m_chart->describe(third).contains(QStringLiteral("{\"n\":3}")));
        // Far from every arrow: nothing.
        QCOMPARE(m_chart->messageAt(m_chart->plotRect().bottomRight() - QPoint(2, 2)), FlowIndex::none);
    }

    void theCausalFilterKeepsTheChainOfTheSelectedMessage()
    {
        QCOMPARE(m_chart->shownMessages().size(), 7u);
        m_chart->select(m_index.find(4));
        m_chart->setCausalFilter(true);
        QCOMPARE(idsOf(m_index, m_chart->shownMessages()), (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6}));
        m_chart->select(m_index.find(99));
        QCOMPARE(idsOf(m_index, m_chart->shownMessages()), (std::vector<std::uint64_t>{99}));
        m_chart->setCausalFilter(false);
        QCOMPARE(m_chart->shownMessages().size(), 7u);
    }

    void aPairKeepsTheMessagesBetweenTwoIsolates()
    {
        const std::uint32_t outside = m_index.messages()[m_index.find(1)].from;
        const std::uint32_t pong = m_index.messages()[m_index.find(99)].to;
        m_chart->setPair(std::pair{outside, pong});
        QCOMPARE(idsOf(m_index, m_chart->shownMessages()), (std::vector<std::uint64_t>{99}));
        QCOMPARE(m_chart->shownLanes(), (std::vector<std::uint32_t>{outside, pong}));
        m_chart->setPair(std::nullopt);
        QCOMPARE(m_chart->shownLanes().size(), m_index.lanes().size());
    }

    void stepsGoFromMessageToMessageInSendOrder()
    {
        std::vector<std::uint64_t> stepped;
        while (m_chart->step(true))
            stepped.push_back(m_index.messages()[m_chart->selected()].id);
        QCOMPARE(stepped, (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 99}));
        QVERIFY(m_chart->step(false));
        QCOMPARE(m_index.messages()[m_chart->selected()].id, 6u);
        QTest::keyClick(m_chart.get(), Qt::Key_P);
        QCOMPARE(m_index.messages()[m_chart->selected()].id, 5u);
    }

    void zoomingKeepsTheTimeUnderThePointer()
    {
        const QPoint at = m_chart->plotRect().center();
        const std::uint64_t before = m_chart->timeAtCoordinate(at.y());
        const double nsPerPixel = m_chart->window().nsPerPixel();
        QWheelEvent wheel(at, m_chart->mapToGlobal(at), {}, QPoint(0, 120), Qt::NoButton, Qt::ControlModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(m_chart.get(), &wheel);
        QVERIFY(m_chart->window().nsPerPixel() < nsPerPixel);
        QVERIFY(std::abs(static_cast<double>(m_chart->timeAtCoordinate(at.y())) - static_cast<double>(before))
                <= m_chart->window().nsPerPixel() + 1);
    }

    // A taller chart shows the same stretch of time, in more detail.
    void resizingKeepsTheTimeInView()
    {
        m_chart->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_chart.get()));
        const std::uint64_t start = m_chart->window().start();
        const std::uint64_t end = m_chart->windowEnd();
        m_chart->resize(800, 1200);
        QCOMPARE(m_chart->window().start(), start);
        QVERIFY(std::abs(static_cast<double>(m_chart->windowEnd()) - static_cast<double>(end)) <= 2 * m_chart->window().nsPerPixel());
    }

    void followingKeepsTheNewestInViewUntilAPersonMoves()
    {
        m_chart->setFollowing(true);
        test::Script later;
        later.path(7, "/app/late");
        later.deliver(0, 500, 7);
        for (auto& e : later.events)
            e.time += m_index.end() - later.events.front().time + 1'000'000'000;
        m_index.add(later.events);
        m_chart->refresh();
        QVERIFY(m_chart->windowEnd() >= m_index.end());
        QVERIFY(m_chart->window().start() <= m_index.end());
        QSignalSpy following(m_chart.get(), &SequenceChart::followingChanged);
        QTest::keyClick(m_chart.get(), Qt::Key_A);
        QVERIFY(!m_chart->following());
        QCOMPARE(following.count(), 1);
    }

    void paintsWithoutAnIndexAndWithOne()
    {
        SequenceChart empty;
        empty.resize(400, 300);
        QVERIFY(!empty.grab().isNull());
        m_chart->select(m_index.find(2));
        m_chart->setCausalFilter(true);
        QVERIFY(!m_chart->grab().isNull());
    }

private:
    FlowIndex m_index;
    std::unique_ptr<SequenceChart> m_chart;
};

QTEST_MAIN(TestSequenceChart)
#include "tst_sequencechart.moc"
