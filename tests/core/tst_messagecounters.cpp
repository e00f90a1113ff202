// The runtime's message counts: each thread counts in a slot it alone
// writes while it lives, and gives it back when it ends; threads beyond the
// slots share one, with locked adds. The counts add up whichever slot each
// thread had.

#include "messagecounters.h"

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <latch>
#include <set>
#include <thread>
#include <vector>

using iso::detail::count_slot;
using iso::detail::kOwnedCountSlots;
using iso::detail::kSharedCountSlot;
using iso::detail::MessageCounters;

namespace {

/// The slot of each of `threads` threads, all alive while every one asks.
std::vector<unsigned> slots_of_live_threads(int threads) {
    std::vector<unsigned> taken(static_cast<std::size_t>(threads));
    std::latch asked(threads);
    {
        std::vector<std::jthread> live;
        for (int t = 0; t < threads; ++t)
            live.emplace_back([&, t] {
                taken[static_cast<std::size_t>(t)] = count_slot();
                asked.arrive_and_wait();
            });
    }
    return taken;
}

} // namespace

class TestMessageCounters : public QObject {
    Q_OBJECT

private slots:
    void aSlotHasOneLiveOwnerAndIsGivenBack() {
        const unsigned mine = count_slot();
        const std::vector<unsigned> crowd = slots_of_live_threads(3 * int(kOwnedCountSlots));
        std::multiset<unsigned> owned;
        for (unsigned s : crowd)
            if (s != kSharedCountSlot) owned.insert(s);
        for (unsigned s : owned) {
            QCOMPARE(owned.count(s), std::size_t(1));
            QVERIFY(s != mine);
        }
        QCOMPARE(owned.size(), std::size_t(kOwnedCountSlots - 1));  // all but this thread's; the rest share
        // The crowd has gone: its slots serve the next threads.
        const std::vector<unsigned> next = slots_of_live_threads(int(kOwnedCountSlots) / 2);
        QVERIFY(std::none_of(next.begin(), next.end(), [](unsigned s) { return s == kSharedCountSlot; }));
    }

    // A reader reads the sums backwards along a message's way (delivered,
    // queued, sent), and the counts are written so that what it reads never
    // adds up to more than was sent: a message being handled is counted
    // once or not yet, never both delivered and still queued.
    void aReaderNeverCountsAMessageTwice() {
        MessageCounters counters;
        std::atomic<bool> done{false};
        std::jthread handler([&] {
            for (int i = 0; i < 2'000'000; ++i) {
                counters.count_sent();
                counters.count_enqueued();
                counters.count_delivered();
            }
            done.store(true);
        });
        std::uint64_t reads = 0, over = 0;
        while (!done.load()) {
            const std::uint64_t delivered = counters.delivered();
            const std::uint64_t queued = counters.queued();
            const std::uint64_t sent = counters.sent();
            ++reads;
            if (delivered + queued > sent) ++over;
        }
        QVERIFY(reads > 0);
        QCOMPARE(over, std::uint64_t{0});
    }

    // Two waves: the second takes over slots the first counted in.
    void countsAddUpAcrossOwnedSharedAndHandedOverSlots() {
        MessageCounters counters;
        constexpr int threads = 2 * int(kOwnedCountSlots), each = 5'000, waves = 2;
        for (int wave = 0; wave < waves; ++wave) {
            std::latch start(threads);
            std::vector<std::jthread> senders;
            for (int t = 0; t < threads; ++t)
                senders.emplace_back([&] {
                    start.arrive_and_wait();
                    for (int i = 0; i < each; ++i) {
                        counters.count_sent();
                        counters.count_enqueued();
                        // One in ten leaves its mailbox unhandled (a dead letter).
                        if (i % 10 == 0)
                            counters.count_dequeued();
                        else
                            counters.count_delivered();
                    }
                });
        }
        constexpr std::uint64_t total = std::uint64_t(waves) * threads * each;
        QCOMPARE(counters.sent(), total);
        QCOMPARE(counters.delivered(), total / 10 * 9);
        QCOMPARE(counters.queued(), std::uint64_t(0));
    }
};

QTEST_APPLESS_MAIN(TestMessageCounters)
#include "tst_messagecounters.moc"
