// The event pool's stack of returned chains: take_all hands over every node
// pushed, newest first, once, even while producers keep pushing.

#include "mpscstack.h"

#include <QtTest>

#include <latch>
#include <thread>
#include <vector>

using iso::detail::MpscNode;
using iso::detail::MpscStack;

namespace {

struct Item : MpscNode {
    int producer = 0;
    int sequence = 0;
};

} // namespace

class TestMpscStack : public QObject {
    Q_OBJECT

private slots:
    void takeAllHandsOverEverythingNewestFirst() {
        MpscStack stack;
        QCOMPARE(stack.take_all(), nullptr);
        std::vector<Item> items(3);
        for (Item& item : items) stack.push(&item);
        MpscNode* taken = stack.take_all();
        for (int i = 2; i >= 0; --i) {
            QCOMPARE(taken, &items[static_cast<std::size_t>(i)]);
            taken = taken->next;
        }
        QCOMPARE(taken, nullptr);
        QCOMPARE(stack.take_all(), nullptr);  // nothing left behind
    }

    void manyProducersLoseNothingWhileTheConsumerTakes() {
        constexpr int producers = 4, each = 50'000;
        MpscStack stack;
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
                    stack.push(&item);
                }
            });
        start.arrive_and_wait();
        // A take holds each producer's nodes newest first, one after the
        // other, and its oldest follows the newest of the takes before.
        std::vector<int> next(producers, 0);
        for (int received = 0; received < producers * each;) {
            std::vector<int> newest(producers, -1), oldest(producers, -1);
            for (MpscNode* n = stack.take_all(); n != nullptr; n = n->next, ++received) {
                const auto* item = static_cast<const Item*>(n);
                const auto p = static_cast<std::size_t>(item->producer);
                if (newest[p] == -1) newest[p] = item->sequence;
                else QCOMPARE(item->sequence, oldest[p] - 1);
                oldest[p] = item->sequence;
            }
            for (std::size_t p = 0; p < producers; ++p)
                if (newest[p] != -1) {
                    QCOMPARE(oldest[p], next[p]);
                    next[p] = newest[p] + 1;
                }
        }
        for (int n : next) QCOMPARE(n, each);
        QCOMPARE(stack.take_all(), nullptr);
    }
};

QTEST_APPLESS_MAIN(TestMpscStack)
#include "tst_mpscstack.moc"
