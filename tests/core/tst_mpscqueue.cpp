// The mailbox's queue: every node pushed comes out once, each producer's in
// the order it pushed them, whether the consumer takes them as they come or
// long after, and pushes that land between two pops are not lost.

#include "mpscqueue.h"

#include <QtTest>

#include <latch>
#include <thread>
#include <vector>

using iso::detail::MpscNode;
using iso::detail::MpscQueue;

namespace {

struct Item : MpscNode {
    int producer = 0;
    int sequence = 0;
};

} // namespace

class TestMpscQueue : public QObject {
    Q_OBJECT

private slots:
    void anEmptyQueuePopsNothing() {
        MpscQueue queue;
        MpscQueue::Reader reader;
        QCOMPARE(queue.pop(reader), nullptr);
        Item one;
        queue.push(&one);
        QCOMPARE(queue.pop(reader), &one);
        QCOMPARE(queue.pop(reader), nullptr);
    }

    void takeAllHandsOverEverythingNewestFirst() {
        MpscQueue queue;
        QCOMPARE(queue.take_all(), nullptr);
        std::vector<Item> items(3);
        for (Item& item : items) queue.push(&item);
        MpscNode* taken = queue.take_all();
        for (int i = 2; i >= 0; --i) {
            QCOMPARE(taken, &items[static_cast<std::size_t>(i)]);
            taken = taken->next;
        }
        QCOMPARE(taken, nullptr);
        QCOMPARE(queue.take_all(), nullptr);  // nothing left behind
    }

    void oneThreadsNodesComeOutInOrder() {
        MpscQueue queue;
        MpscQueue::Reader reader;
        std::vector<Item> items(10);
        // Pushes between pops join the end, behind what was taken before them.
        for (int i = 0; i < 4; ++i) queue.push(&items[static_cast<std::size_t>(i)]);
        QCOMPARE(queue.pop(reader), &items[0]);
        for (int i = 4; i < 10; ++i) queue.push(&items[static_cast<std::size_t>(i)]);
        for (int i = 1; i < 10; ++i) QCOMPARE(queue.pop(reader), &items[static_cast<std::size_t>(i)]);
        QCOMPARE(queue.pop(reader), nullptr);
    }

    void manyProducersLoseNothingAndKeepEachOnesOrder() {
        constexpr int producers = 4, each = 50'000;
        MpscQueue queue;
        MpscQueue::Reader reader;
        std::vector<std::vector<Item>> items(producers, std::vector<Item>(each));
        std::latch start(producers + 1);
        std::vector<std::jthread> threads;
        for (int p = 0; p < producers; ++p)
            threads.emplace_back([&, p] {
                start.arrive_and_wait();
                for (int i = 0; i < each; ++i) {
                    Item& item = items[static_cast<std::size_t>(p)][static_cast<std::size_t>(i)];
                    item.producer = p;
                    item.sequence = i;
                    queue.push(&item);
                }
            });
        start.arrive_and_wait();
        std::vector<int> next(producers, 0);
        for (int received = 0; received < producers * each;) {
            auto* item = static_cast<Item*>(queue.pop(reader));
            if (item == nullptr) continue;  // the producers are ahead of nothing yet
            QCOMPARE(item->sequence, next[static_cast<std::size_t>(item->producer)]++);
            ++received;
        }
        QCOMPARE(queue.pop(reader), nullptr);
        for (int n : next) QCOMPARE(n, each);
    }
};

QTEST_APPLESS_MAIN(TestMpscQueue)
#include "tst_mpscqueue.moc"
