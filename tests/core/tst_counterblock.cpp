// Counter blocks: a thread's values are consecutive within a block, the
// shared counter moves once a block, and threads taking values side by side
// never get the same one.

#include "counterblock.h"

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <latch>
#include <thread>
#include <vector>

using iso::detail::CounterBlock;

class TestCounterBlock : public QObject {
    Q_OBJECT

private slots:
    void aBlockIsTakenOnceAndHandedOutInOrder() {
        std::atomic<std::uint64_t> counter{1};
        CounterBlock<4> block;
        for (std::uint64_t expected = 1; expected <= 4; ++expected) QCOMPARE(block.take(counter), expected);
        QCOMPARE(counter.load(), std::uint64_t{5});
        QCOMPARE(block.take(counter), std::uint64_t{5});
        QCOMPARE(counter.load(), std::uint64_t{9});
    }

    void threadsSideBySideNeverShareAValue() {
        std::atomic<std::uint64_t> counter{1};
        constexpr int threads = 4, each = 10'000;
        std::vector<std::vector<std::uint64_t>> taken(threads);
        std::latch start(threads);
        {
            std::vector<std::jthread> takers;
            for (int t = 0; t < threads; ++t)
                takers.emplace_back([&, t] {
                    CounterBlock<16> block;
                    start.arrive_and_wait();
                    for (int i = 0; i < each; ++i) taken[t].push_back(block.take(counter));
                });
        }
        std::vector<std::uint64_t> all;
        for (const auto& mine : taken) all.insert(all.end(), mine.begin(), mine.end());
        std::sort(all.begin(), all.end());
        QVERIFY(std::adjacent_find(all.begin(), all.end()) == all.end());
        QVERIFY(all.front() >= 1);
        // 10,000 is 625 blocks of 16: every block was used up, none wasted.
        QCOMPARE(counter.load(), std::uint64_t{1 + threads * each});
    }
};

QTEST_APPLESS_MAIN(TestCounterBlock)
#include "tst_counterblock.moc"
