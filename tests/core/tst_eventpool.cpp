// The events' pool: a block freed by the thread that made it is that
// thread's next; blocks freed on other threads come back to their maker;
// no block is ever handed out twice while in use, however many threads give
// blocks back at once; and a thread that ends leaves its pool, and the
// blocks still on their way, to the next thread to start. Each case runs on
// threads of its own.

#include "eventpool.h"

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace pool = iso::detail::event_pool;

namespace {

void runOnThread(const std::function<void()>& body) { std::thread(body).join(); }

} // namespace

class TestEventPool : public QObject {
    Q_OBJECT

private slots:
    void aBlockFreedByItsMakerIsItsNextBlock() {
        if (!pool::kPooled) QSKIP("blocks are not pooled under AddressSanitizer");
        void* block = nullptr;
        void* again = nullptr;
        runOnThread([&] {
            block = pool::allocate();
            pool::release(block);
            again = pool::allocate();
            pool::release(again);
        });
        QCOMPARE(again, block);
    }

    void blocksFreedElsewhereComeBackToTheirMaker() {
        if (!pool::kPooled) QSKIP("blocks are not pooled under AddressSanitizer");
        // More than one chain, and a part of one that is handed back only
        // as the freeing thread ends.
        constexpr std::size_t count = 200;
        std::size_t before = 0, after = 0;
        std::vector<void*> made(count), again(count);
        runOnThread([&] {
            for (void*& block : made) block = pool::allocate();
            before = pool::pooled_here();
            runOnThread([&made] {
                for (void* block : made) pool::release(block);
            });
            after = pool::pooled_here();
            // Its own list first (a pool left by an earlier thread may have
            // blocks), then what came back.
            std::vector<void*> extra(before);
            for (void*& block : extra) block = pool::allocate();
            for (void*& block : again) block = pool::allocate();
            for (void* block : extra) pool::release(block);
            for (void* block : again) pool::release(block);
        });
        QCOMPARE(after - before, count);
        std::sort(made.begin(), made.end());
        std::sort(again.begin(), again.end());
        QCOMPARE(again, made);
    }

    void aPoolTakesBackWhatItKeepsEachTime() {
        if (!pool::kPooled) QSKIP("blocks are not pooled under AddressSanitizer");
        // Twice as many as it keeps, freed elsewhere: it holds about as many
        // as it keeps, and no more; taken, they make room for the next burst.
        constexpr std::size_t burst = 2 * pool::kKeepLimit;
        std::vector<std::size_t> held;
        runOnThread([&] {
            for (int round = 0; round < 2; ++round) {
                std::vector<void*> made(burst);
                for (void*& block : made) block = pool::allocate();
                const std::size_t before = pool::pooled_here();
                runOnThread([&made] {
                    for (void* block : made) pool::release(block);
                });
                held.push_back(pool::pooled_here() - before);
                // Takes them into its list, and gives them back there.
                std::vector<void*> again(pool::pooled_here());
                for (void*& block : again) block = pool::allocate();
                for (void* block : again) pool::release(block);
            }
        });
        QCOMPARE(held.size(), std::size_t{2});
        for (std::size_t h : held) {
            QVERIFY2(h <= pool::kKeepLimit, qPrintable(QString::number(h)));
            QVERIFY2(h >= pool::kKeepLimit - 64, qPrintable(QString::number(h)));
        }
    }

    void noBlockIsHandedOutTwiceWhileOthersGiveBack() {
        // One thread makes blocks and stamps each; three others check the
        // stamp and free them, all at once. A block handed out while still
        // in use would be found in the live set, or its stamp overwritten.
        constexpr int freers = 3;
        constexpr int batches = 3000;
        constexpr int batch = 40;  // not a multiple of a chain's length
        std::mutex lock;
        std::map<void*, std::uint64_t> live;  // each block in use, and the stamp it was given
        std::vector<std::vector<void*>> inboxes(freers);
        bool done = false;
        bool reused = false;
        bool stamp_broken = false;

        // A block handed out again while in use gets a new stamp over its old one.
        auto stamp = [](void* block, std::uint64_t number) { std::memcpy(block, &number, sizeof number); };
        auto stamped = [](void* block) {
            std::uint64_t number;
            std::memcpy(&number, block, sizeof number);
            return number;
        };

        std::vector<std::thread> threads;
        for (int f = 0; f < freers; ++f)
            threads.emplace_back([&, f] {
                for (;;) {
                    std::vector<void*> mine;
                    bool finished;
                    {
                        std::lock_guard guard(lock);
                        mine.swap(inboxes[static_cast<std::size_t>(f)]);
                        finished = done;
                        for (void* block : mine) {
                            const auto it = live.find(block);
                            stamp_broken |= it == live.end() || stamped(block) != it->second;
                            if (it != live.end()) live.erase(it);
                        }
                    }
                    for (void* block : mine) pool::release(block);
                    if (finished && mine.empty()) return;
                    std::this_thread::yield();
                }
            });
        runOnThread([&] {
            std::uint64_t number = 0;
            for (int b = 0; b < batches; ++b) {
                std::vector<std::pair<void*, std::uint64_t>> blocks(batch);
                for (auto& [block, stamp_given] : blocks) {
                    block = pool::allocate();
                    stamp_given = ++number;
                    stamp(block, stamp_given);
                }
                std::lock_guard guard(lock);
                for (const auto& [block, stamp_given] : blocks) reused |= !live.emplace(block, stamp_given).second;
                auto& inbox = inboxes[static_cast<std::size_t>(b % freers)];
                for (const auto& entry : blocks) inbox.push_back(entry.first);
            }
        });
        {
            std::lock_guard guard(lock);
            done = true;
        }
        for (auto& t : threads) t.join();
        QVERIFY(!reused);
        QVERIFY(!stamp_broken);
        QVERIFY(live.empty());
    }

    void aThreadThatEndsLeavesItsPoolToTheNext() {
        if (!pool::kPooled) QSKIP("blocks are not pooled under AddressSanitizer");
        // The maker ends with its blocks still out. The next thread to
        // start takes up its pool: freed there, they are its own again.
        std::vector<void*> made(100);
        runOnThread([&made] {
            for (void*& block : made) block = pool::allocate();
        });
        std::size_t pooled = 0;
        runOnThread([&] {
            for (void* block : made) pool::release(block);
            pooled = pool::pooled_here();
        });
        QCOMPARE(pooled, made.size());
    }

    void aThreadsLastDestructorsMayStillMakeAndFreeBlocks() {
        // A thread_local made before the thread's pool is destroyed after
        // it: what it frees and makes then goes around the pool.
        static std::atomic<bool> late_ran{false};
        struct Late {
            void* block = nullptr;
            ~Late() {
                pool::release(block);
                pool::release(pool::allocate());
                late_ran = true;
            }
        };
        runOnThread([] {
            thread_local Late late;
            late.block = pool::allocate();  // the pool is made after `late`
        });
        QVERIFY(late_ran);
    }
};

QTEST_GUILESS_MAIN(TestEventPool)
#include "tst_eventpool.moc"
