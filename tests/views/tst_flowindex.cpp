#include "flowindex.h"

#include "../core/tracescript.h"

#include <QTest>

#include <algorithm>

using iso::trace::Event;
using iso::trace::Kind;

namespace {

std::uint32_t laneNamed(const FlowIndex& index, const std::string& label)
{
    const auto& lanes = index.lanes();
    const auto it = std::find_if(lanes.begin(), lanes.end(), [&](const FlowIndex::Lane& l) { return l.label == label; });
    return it == lanes.end() ? FlowIndex::none : static_cast<std::uint32_t>(it - lanes.begin());
}

std::vector<std::uint64_t> idsOf(const FlowIndex& index, const std::vector<std::uint32_t>& positions)
{
    std::vector<std::uint64_t> ids;
    for (std::uint32_t i : positions)
        ids.push_back(index.messages()[i].id);
    return ids;
}

FlowIndex indexOf(const std::vector<Event>& events)
{
    FlowIndex index;
    index.add(events);
    return index;
}

} // namespace

class TestFlowIndex : public QObject
{
    Q_OBJECT

private slots:
    void everyMessageIsAnArrowBetweenItsLanes()
    {
        const FlowIndex index = indexOf(test::ping_pong(3).events);
        const std::uint32_t ping = laneNamed(index, "/app/ping");
        const std::uint32_t pong = laneNamed(index, "/app/pong");
        const std::uint32_t outside = laneNamed(index, "outside");
        QVERIFY(ping != FlowIndex::none && pong != FlowIndex::none && outside != FlowIndex::none);
        QCOMPARE(index.messages().size(), 6u);
        for (std::uint64_t id = 1; id <= 6; ++id) {
            const std::uint32_t i = index.find(id);
            QVERIFY(i != FlowIndex::none);
            const FlowIndex::Message& m = index.messages()[i];
            QCOMPARE(m.id, id);
            QCOMPARE(m.from, id == 1 ? outside : id % 2 == 0 ? ping : pong);
            QCOMPARE(m.to, id % 2 == 1 ? ping : pong);
            QVERIFY(m.handled > m.sent);
            QVERIFY(m.handleNs > 0);
        }
        QCOMPARE(index.payload(index.messages()[index.find(4)]), std::string_view("{\"n\":4}"));
        QVERIFY(std::is_sorted(index.messages().begin(), index.messages().end(),
                               [](const auto& a, const auto& b) { return a.sent < b.sent; }));
    }

    void causesAndEffectsFollowTheChain()
    {
        test::Script s = test::ping_pong(3);
        // An unrelated message from outside, between them in time.
        s.deliver(0, 99, test::pong, "\"aside\"");
        const FlowIndex index = indexOf(s.events);
        QCOMPARE(idsOf(index, index.causes(index.find(5))), (std::vector<std::uint64_t>{4, 3, 2, 1}));
        QCOMPARE(idsOf(index, index.effects(index.find(3))), (std::vector<std::uint64_t>{4, 5, 6}));
        QVERIFY(index.causes(index.find(99)).empty());
        QVERIFY(index.effects(index.find(99)).empty());
    }

    void aHandleBeforeItsSendStillCompletesTheArrow()
    {
        test::Script s;
        s.path(1, "/app/a");
        s.path(2, "/app/b");
        s.deliver(1, 7, 2);
        s.begin(2, 7);
        s.end(2);
        // The receiver's thread buffer was drained first.
        std::vector<Event> events = s.events;
        std::swap(events[2], events[3]);
        const FlowIndex index = indexOf(events);
        const FlowIndex::Message& m = index.messages()[index.find(7)];
        QCOMPARE(m.handled, s.events[3].time);
        QCOMPARE(m.handleNs, s.events[3].peer);
    }

    void lateSendsAreSortedInAndStillFound()
    {
        test::Script s;
        s.path(1, "/app/a");
        s.path(2, "/app/b");
        for (std::uint64_t id = 10; id < 20; ++id)
            s.deliver(1, id, 2, std::to_string(id));
        std::vector<Event> events = s.events;
        // A batch late: the first sends arrive after the rest.
        std::rotate(events.begin() + 2, events.begin() + 5, events.end());
        FlowIndex index;
        index.add(std::span(events).first(9));
        index.add(std::span(events).subspan(9));
        QVERIFY(std::is_sorted(index.messages().begin(), index.messages().end(),
                               [](const auto& a, const auto& b) { return a.sent < b.sent; }));
        for (std::uint64_t id = 10; id < 20; ++id) {
            const std::uint32_t i = index.find(id);
            QVERIFY(i != FlowIndex::none);
            QCOMPARE(index.payload(index.messages()[i]), std::to_string(id));
        }
    }

    void busyTimeCountsTheSpansWithinAnInterval()
    {
        const test::Script s = test::ping_pong(2);
        const FlowIndex index = indexOf(s.events);
        const std::uint32_t ping = laneNamed(index, "/app/ping");
        const auto& spans = index.spans(ping);
        QCOMPARE(spans.size(), 3u);  // its entry task and two messages
        std::uint64_t total = 0;
        for (const auto& span : spans)
            total += span.duration;
        QCOMPARE(index.busy(ping, index.begin(), index.end() + 1), total);
        // Half of the second span, and the whole third.
        const std::uint64_t from = spans[1].begin + spans[1].duration / 2;
        QCOMPARE(index.busy(ping, from, index.end() + 1), spans[1].duration - spans[1].duration / 2 + spans[2].duration);
        QCOMPARE(index.busy(ping, spans[0].begin + spans[0].duration, spans[1].begin), 0u);
    }

    void aRestartedPathKeepsItsLane()
    {
        test::Script s;
        s.path(1, "/app/sup");
        s.path(2, "/app/sup/w");
        s.events.back().text = "/app/sup/w\x1f/app/sup\x1fworker\x1f" "1\x1f{}";
        s.add(Kind::Error, 2).text = "boom\x1fhere";
        s.add(Kind::Exit, 2).arg = 2;
        s.add(Kind::Supervision, 1).text = "/app/sup/w\x1f" "failed";  // backing off, on the supervisor's lane
        s.add(Kind::Restart, 2).arg = 1;
        s.path(3, "/app/sup/w");
        s.deliver(0, 5, 3);
        const FlowIndex index = indexOf(s.events);
        const std::uint32_t lane = laneNamed(index, "/app/sup/w");
        const std::uint32_t supervisor = laneNamed(index, "/app/sup");
        QCOMPARE(index.lanes()[lane].incarnations, 2u);
        QCOMPARE(index.lanes()[lane].supervisor, laneNamed(index, "/app/sup"));
        QCOMPARE(index.messages()[index.find(5)].to, lane);
        std::vector<Kind> marked;
        for (const auto& marker : index.markers()) {
            QCOMPARE(marker.lane, marker.kind == Kind::Supervision ? supervisor : lane);
            marked.push_back(marker.kind);
        }
        QCOMPARE(marked, (std::vector<Kind>{Kind::Error, Kind::Exit, Kind::Supervision, Kind::Restart}));
    }

    void mailboxDepthRisesWithSendsAndFallsWithHandling()
    {
        test::Script s;
        s.path(1, "/app/a");
        s.deliver(0, 1, 1);
        s.deliver(0, 2, 1);
        s.begin(1, 1);
        s.end(1);
        const FlowIndex index = indexOf(s.events);
        std::vector<std::uint32_t> depths;
        for (const auto& d : index.depths(laneNamed(index, "/app/a")))
            depths.push_back(d.depth);
        QCOMPARE(depths, (std::vector<std::uint32_t>{1, 2, 1}));
    }

    void deadLettersAreMarkedOnTheirMessage()
    {
        test::Script s;
        s.path(1, "/app/a");
        s.send(0, 3, 1);
        Event& dead = s.add(Kind::DeadLetter, 0);
        dead.message = 3;
        dead.peer = 1;
        const FlowIndex index = indexOf(s.events);
        QVERIFY(index.messages()[index.find(3)].deadLetter);
        QCOMPARE(index.markers().size(), 1u);
        QCOMPARE(index.markers()[0].lane, laneNamed(index, "/app/a"));
    }

    void forgettingThePastKeepsTheRestWhole()
    {
        test::Script s = test::ping_pong(4);
        const FlowIndex whole = indexOf(s.events);
        FlowIndex index = whole;
        const std::uint64_t cut = whole.messages()[whole.find(5)].sent;
        index.forgetBefore(cut);
        QCOMPARE(index.messages().size(), 4u);
        QCOMPARE(index.find(4), FlowIndex::none);
        for (std::uint64_t id = 5; id <= 8; ++id) {
            const auto& kept = index.messages()[index.find(id)];
            QCOMPARE(index.payload(kept), whole.payload(whole.messages()[whole.find(id)]));
        }
        QCOMPARE(idsOf(index, index.causes(index.find(7))), (std::vector<std::uint64_t>{6, 5}));
        for (std::uint32_t lane = 0; lane < index.lanes().size(); ++lane) {
            for (const auto& span : index.spans(lane))
                QVERIFY(span.begin >= cut);
        }
        QCOMPARE(index.begin(), cut);
    }

    // An isolate's start task runs before its Path is written, so its
    // Handle comes first: the lane it made becomes the path's, and a
    // restart's joins it, each incarnation counted with when it began.
    void aHandleBeforeThePathStillFindsThePathsLane()
    {
        test::Script s;
        s.task(1);
        s.path(1, "/app/w");
        s.deliver(0, 5, 1);
        s.begin(1, 5);
        s.end(1);
        s.task(2);
        s.path(2, "/app/w");
        s.events.back().arg = 1;
        s.deliver(0, 6, 2);
        s.begin(2, 6);
        s.end(2);
        const FlowIndex index = indexOf(s.events);
        const std::uint32_t lane = laneNamed(index, "/app/w");
        QVERIFY(lane != FlowIndex::none);
        QCOMPARE(index.lanes()[lane].incarnations, 2u);
        QCOMPARE(index.lanes()[lane].starts.size(), 2u);
        QCOMPARE(index.lanes()[lane].starts[0].first, 0u);
        QCOMPARE(index.lanes()[lane].starts[1].first, 1u);
        QCOMPARE(index.spans(lane).size(), 4u);  // two start tasks, two messages
        std::size_t shown = 0;
        for (const auto& l : index.lanes())
            shown += l.mergedInto == FlowIndex::none && l.label != "outside";
        QCOMPARE(shown, 1u);
        QCOMPARE(index.messages()[index.find(6)].to, lane);
        QCOMPARE(index.delivered("/app/w", 0, 0), 5u);
        QCOMPARE(index.delivered("/app/w", 1, 0), 6u);
    }

    // A replay counts timer fires as deliveries; so does delivered().
    void deliveriesCountTimerFires()
    {
        test::Script s;
        s.path(1, "/app/t");
        s.deliver(0, 5, 1);
        s.begin(1, 0, iso::trace::HandleKind::Task);
        s.add(Kind::TimerFire, 1).arg = 1;
        s.end(1);
        s.begin(1, 5);
        s.end(1);
        const FlowIndex index = indexOf(s.events);
        QCOMPARE(index.delivered("/app/t", 0, 0), 0u);  // the timer's
        QCOMPARE(index.delivered("/app/t", 0, 1), 5u);
    }

    // Payloads arrive in any order; forgetting keeps each with its message.
    void forgettingKeepsPayloadsThatCameOutOfOrder()
    {
        test::Script s;
        s.path(1, "/app/a");
        s.deliver(0, 1, 1, std::string(100, 'w'));
        s.deliver(0, 2, 1, "YYYY");
        s.deliver(0, 3, 1, "XXXX");
        std::vector<Event> events = s.events;
        // Arrival order: the newest first, the oldest next.
        std::swap(events[1], events[3]);
        FlowIndex index;
        index.add(events);
        index.forgetBefore(s.events[2].time);
        QCOMPARE(index.payload(index.messages()[index.find(2)]), std::string_view("YYYY"));
        QCOMPARE(index.payload(index.messages()[index.find(3)]), std::string_view("XXXX"));
    }

    // What was busy before the kept past does not count within it.
    void busyTimeStartsAfresh()
    {
        test::Script s = test::ping_pong(4);
        FlowIndex index = indexOf(s.events);
        const std::uint32_t ping = laneNamed(index, "/app/ping");
        const auto spans = index.spans(ping);
        const std::uint64_t cut = spans[2].begin;
        index.forgetBefore(cut);
        const auto& kept = index.spans(ping);
        QCOMPARE(index.busy(ping, cut, kept.front().begin + kept.front().duration), kept.front().duration);
    }

    // A message that waited long is listed apart, and does not widen the
    // stretch views look back over for the others.
    void longWaitsAreListedApart()
    {
        test::Script s;
        s.path(1, "/app/a");
        s.deliver(0, 1, 1);
        s.begin(1, 1);
        s.events.back().time += 2 * FlowIndex::longWaitNs;
        s.end(1);
        s.deliver(0, 2, 1);
        s.begin(1, 2);
        s.end(1);
        const FlowIndex index = indexOf(s.events);
        QCOMPARE(index.longWaiters(), (std::vector<std::uint64_t>{1}));
        QVERIFY(index.longestWait() < FlowIndex::longWaitNs);

        // Any window its flight crosses finds it, even one that holds
        // neither its send nor its handling; and finds each message once.
        const FlowIndex::Message& waited = index.messages()[index.find(1)];
        const auto between = [&](std::uint64_t from, std::uint64_t to) {
            std::vector<std::uint64_t> ids;
            index.forMessagesBetween(from, to, [&](std::uint32_t i) {
                ids.push_back(index.messages()[i].id);
                return true;
            });
            std::sort(ids.begin(), ids.end());
            return ids;
        };
        const std::uint64_t middle = waited.sent + (waited.handled - waited.sent) / 2;
        QCOMPARE(between(middle, middle + 10), (std::vector<std::uint64_t>{1}));
        QCOMPARE(between(index.begin(), index.end()), (std::vector<std::uint64_t>{1, 2}));
        QCOMPARE(between(index.end() + 1, index.end() + 10), std::vector<std::uint64_t>{});
        // The walk stops when told to.
        int visits = 0;
        index.forMessagesBetween(index.begin(), index.end(), [&](std::uint32_t) { return ++visits < 1; });
        QCOMPARE(visits, 1);
    }
};

QTEST_GUILESS_MAIN(TestFlowIndex)
#include "tst_flowindex.moc"
