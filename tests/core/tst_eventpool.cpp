// The events' pool: a block freed by the thread that made it is that
// thread's next; blocks freed on other threads come back to their maker;
// no block is ever handed out twice while in use, however many threads give
// blocks back at once; and a block may outlive the thread that made it.
// Each case runs on threads of its own, which start with empty pools.

#include "eventpool.h"

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <functional>
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
        constexpr int count = 200;
        std::vector<void*> made(count);
        std::vector<void*> again(count);
        runOnThread([&] {
            for (void*& block : made) block = pool::allocate();
            runOnThread([&made] {
                for (void* block : made) pool::release(block);
            });
            for (void*& block : again) block = pool::allocate();
            for (void* block : again) pool::release(block);
        });
        std::sort(made.begin(), made.end());
        std::sort(again.begin(), again.end());
        QCOMPARE(again, made);
    }

    void noBlockIsHandedOutTwiceWhileOthersGiveBack() {
        // One thread makes blocks and stamps each; three others check the
        // stamp and free them, all at once. A block handed out while still
        // in use would be found in the live set, or its stamp overwritten.
        constexpr int freers = 3;
        constexpr int batches = 3000;
        constexpr int batch = 40;  // not a multiple of a chain's length
        std::mutex lock;
        std::set<void*> live;
        std::vector<std::vector<void*>> inboxes(freers);
        bool done = false;
        bool reused = false;
        bool stamp_broken = false;

        auto stamp = [](void* block) {
            std::uintptr_t mark = reinterpret_cast<std::uintptr_t>(block) ^ 0x5a5a5a5a;
            std::memcpy(static_cast<char*>(block) + pool::kObjectSize - sizeof mark, &mark, sizeof mark);
        };
        auto stamped = [](void* block) {
            std::uintptr_t mark;
            std::memcpy(&mark, static_cast<char*>(block) + pool::kObjectSize - sizeof mark, sizeof mark);
            return mark == (reinterpret_cast<std::uintptr_t>(block) ^ 0x5a5a5a5a);
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
                            stamp_broken |= !stamped(block);
                            live.erase(block);
                        }
                    }
                    for (void* block : mine) pool::release(block);
                    if (finished && mine.empty()) return;
                    std::this_thread::yield();
                }
            });
        runOnThread([&] {
            for (int b = 0; b < batches; ++b) {
                std::vector<void*> blocks(batch);
                for (void*& block : blocks) {
                    block = pool::allocate();
                    stamp(block);
                }
                std::lock_guard guard(lock);
                for (void* block : blocks) reused |= !live.insert(block).second;
                auto& inbox = inboxes[static_cast<std::size_t>(b % freers)];
                inbox.insert(inbox.end(), blocks.begin(), blocks.end());
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

    void aBlockOutlivesTheThreadThatMadeIt() {
        // Freed after its maker ended: it goes back to the pool the maker
        // left, which a later thread takes up.
        std::vector<void*> made(100);
        runOnThread([&made] {
            for (void*& block : made) block = pool::allocate();
        });
        for (void* block : made) pool::release(block);
        std::vector<void*> blocks(300);
        runOnThread([&blocks] {
            for (void*& block : blocks) block = pool::allocate();
            for (void* block : blocks) pool::release(block);
        });
        QCOMPARE(std::set<void*>(blocks.begin(), blocks.end()).size(), blocks.size());
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
