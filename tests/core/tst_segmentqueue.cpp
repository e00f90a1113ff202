// The mailbox's queue: every node pushed comes out once, each producer's in
// the order it pushed them, whether the consumer takes them as they come or
// long after, across its segments and as it winds a segment back for use
// again; and pushes that land between two pops are not lost.

#include "segmentqueue.h"

#include <QtTest>

#include <latch>
#include <thread>
#include <vector>

namespace {

struct Item {
    int producer = 0;
    int sequence = 0;
};
using Queue = iso::detail::SegmentQueue<Item>;

/// A queue with its reader, freed as the consumer's owner frees it.
struct Mailbox {
    Queue queue;
    Queue::Reader reader = queue.reader();
    ~Mailbox() { queue.destroy(reader); }
    Item* pop() { return queue.pop(reader); }
};

} // namespace

class TestSegmentQueue : public QObject {
    Q_OBJECT

private slots:
    void anEmptyQueuePopsNothing() {
        Mailbox box;
        QCOMPARE(box.pop(), nullptr);
        Item one;
        box.queue.push(&one);
        QCOMPARE(box.pop(), &one);
        QCOMPARE(box.pop(), nullptr);
        QCOMPARE(box.pop(), nullptr);
    }

    void aBacklogComesOutInOrderAcrossSegments() {
        Mailbox box;
        // The small first segment, then many full ones and part of another.
        std::vector<Item> items(Queue::kFirstCapacity + 20 * Queue::kLaterCapacity + 7);
        for (Item& item : items) box.queue.push(&item);
        for (Item& item : items) QCOMPARE(box.pop(), &item);
        QCOMPARE(box.pop(), nullptr);
        // And the queue goes on from where it is.
        box.queue.push(&items[0]);
        QCOMPARE(box.pop(), &items[0]);
        QCOMPARE(box.pop(), nullptr);
    }

    void pushesBetweenPopsJoinTheEnd() {
        Mailbox box;
        std::vector<Item> items(10);
        for (int i = 0; i < 4; ++i) box.queue.push(&items[static_cast<std::size_t>(i)]);
        QCOMPARE(box.pop(), &items[0]);
        for (int i = 4; i < 10; ++i) box.queue.push(&items[static_cast<std::size_t>(i)]);
        for (int i = 1; i < 10; ++i) QCOMPARE(box.pop(), &items[static_cast<std::size_t>(i)]);
        QCOMPARE(box.pop(), nullptr);
    }

    void drainingAtEveryPointOfASegmentLosesNothing() {
        // Batches of every size up to past a segment, each drained before
        // the next: the consumer meets a segment's end with the queue
        // empty (and winds it back), with nodes behind it in the next
        // segment, and everywhere in between, many times over.
        Mailbox box;
        std::vector<Item> items(2 * Queue::kLaterCapacity + 3);
        for (int round = 0; round < 3; ++round)
            for (std::size_t batch = 1; batch <= items.size(); ++batch) {
                for (std::size_t i = 0; i < batch; ++i) box.queue.push(&items[i]);
                for (std::size_t i = 0; i < batch; ++i) QCOMPARE(box.pop(), &items[i]);
                QCOMPARE(box.pop(), nullptr);
            }
    }

    void manyProducersLoseNothingAndKeepEachOnesOrder() {
        constexpr int producers = 4, each = 100'000;
        Mailbox box;
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
                    box.queue.push(&item);
                }
            });
        start.arrive_and_wait();
        std::vector<int> next(producers, 0);
        for (int received = 0; received < producers * each;) {
            Item* item = box.pop();
            if (item == nullptr) continue;  // the consumer caught up
            QCOMPARE(item->sequence, next[static_cast<std::size_t>(item->producer)]++);
            ++received;
        }
        QCOMPARE(box.pop(), nullptr);
        for (int n : next) QCOMPARE(n, each);
    }

    void aConsumerKeepingUpWithOneProducerLosesNothing() {
        // The consumer right behind the producer: it finds slots claimed
        // and not yet written, and winds segments back under the
        // producer's hands.
        constexpr int count = 1'000'000;
        Mailbox box;
        std::vector<Item> items(count);
        std::jthread producer([&] {
            for (int i = 0; i < count; ++i) {
                items[static_cast<std::size_t>(i)].sequence = i;
                box.queue.push(&items[static_cast<std::size_t>(i)]);
            }
        });
        for (int expected = 0; expected < count;)
            if (Item* item = box.pop()) QCOMPARE(item->sequence, expected++);
        QCOMPARE(box.pop(), nullptr);
    }
};

QTEST_APPLESS_MAIN(TestSegmentQueue)
#include "tst_segmentqueue.moc"
