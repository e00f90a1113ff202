// The port table's parts. The flat map: every operation checked against
// std::unordered_map over long random runs, with ids that count up as port
// ids do, so that runs wrap around the array and shift back across its end,
// and the array grows and shrinks. The pages of ids: found while there,
// gone once removed, and every page freed once all its ids are, whatever
// the order and whichever thread.

#include "idmap.h"
#include "idpages.h"

#include <QtTest>

#include <algorithm>
#include <cstdint>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

using iso::detail::IdMap;
using iso::detail::IdPages;

class TestIdMap : public QObject {
    Q_OBJECT
private slots:
    void emptyFindsNothing() {
        IdMap<int> map;
        QCOMPARE(map.find(1), nullptr);
        QVERIFY(!map.erase(1));
        QCOMPARE(map.size(), std::size_t{0});
    }

    void agreesWithAReferenceMap_data() {
        QTest::addColumn<int>("live");
        QTest::addColumn<unsigned>("seed");
        QTest::newRow("a few live") << 5 << 1u;
        QTest::newRow("hundreds live") << 300 << 2u;
        QTest::newRow("thousands live") << 5000 << 3u;
    }
    void agreesWithAReferenceMap() {
        QFETCH(int, live);
        QFETCH(unsigned, seed);
        std::mt19937_64 random(seed);
        IdMap<int> map;
        std::unordered_map<std::uint64_t, int*> reference;
        std::vector<std::uint64_t> present;
        std::vector<int> values(1000);
        std::uint64_t next = 1;
        for (int step = 0; step < 200'000; ++step) {
            // Hovers around `live` entries, erasing at random positions.
            const bool add = present.size() < static_cast<std::size_t>(live) ? random() % 4 != 0 : random() % 4 == 0;
            if (add) {
                int* value = &values[random() % values.size()];
                map.insert(next, value);
                reference.emplace(next, value);
                present.push_back(next++);
            } else if (!present.empty()) {
                const std::size_t at = random() % present.size();
                QVERIFY(map.erase(present[at]));
                QVERIFY(!map.erase(present[at]));
                reference.erase(present[at]);
                present[at] = present.back();
                present.pop_back();
            }
            QCOMPARE(map.size(), reference.size());
            // Every present id is found, with its value; a few absent ones are not.
            if (step % 97 == 0)
                for (const auto& [id, value] : reference) QCOMPARE(map.find(id), value);
            QCOMPARE(map.find(next), nullptr);
            const std::uint64_t any = 1 + random() % next;
            const auto known = reference.find(any);
            QCOMPARE(map.find(any), known != reference.end() ? known->second : nullptr);
        }
        QVERIFY(4 * map.size() <= 3 * map.capacity());
    }

    void shrinksAfterABurst() {
        IdMap<int> map;
        int value = 0;
        for (std::uint64_t id = 1; id <= 100'000; ++id) map.insert(id, &value);
        const std::size_t grown = map.capacity();
        QVERIFY(4 * 100'000 <= 3 * grown);
        for (std::uint64_t id = 1; id <= 99'990; ++id) QVERIFY(map.erase(id));
        QVERIFY(map.capacity() < grown / 100);
        for (std::uint64_t id = 99'991; id <= 100'000; ++id) QCOMPARE(map.find(id), &value);
    }

    void pagesFindWhatIsThereAndFreeWhatIsNot() {
        IdPages pages;
        IdPages::Block block;
        std::vector<int> values(1000);
        std::vector<std::uint64_t> ids;
        for (int& value : values) ids.push_back(pages.add(block, &value));
        for (std::size_t i = 0; i < ids.size(); ++i) {
            QVERIFY(ids[i] != 0);
            QCOMPARE(pages.with(ids[i], [](void* v) { return v; }), static_cast<void*>(&values[i]));
        }
        QVERIFY(pages.pages() >= values.size() / IdPages::kPageSize);
        // Removed in a scrambled order; a second remove finds nothing.
        std::mt19937_64 random(7);
        std::shuffle(ids.begin(), ids.end(), random);
        for (std::uint64_t id : ids) {
            QVERIFY(pages.remove(id));
            QVERIFY(!pages.remove(id));
            QCOMPARE(pages.with(id, [](void* v) { return v; }), nullptr);
        }
        // Only the page the block is still handing out from is left, until
        // the block gives its rest back.
        QCOMPARE(pages.pages(), std::size_t{1});
        pages.release(block);
        QCOMPARE(pages.pages(), std::size_t{0});
    }

    void pagesOfManyThreadsAllGetFreed() {
        IdPages pages;
        int value = 0;
        std::vector<std::vector<std::uint64_t>> made(4);
        std::vector<std::thread> threads;
        for (auto& ids : made)
            threads.emplace_back([&pages, &ids, &value] {
                IdPages::Block block;
                for (int i = 0; i < 10'000; ++i) ids.push_back(pages.add(block, &value));
                pages.release(block);
            });
        for (auto& t : threads) t.join();
        threads.clear();
        // Every id distinct, and each removed by a thread other than its maker.
        std::unordered_map<std::uint64_t, int> seen;
        for (const auto& ids : made)
            for (std::uint64_t id : ids) QVERIFY(seen.emplace(id, 0).second);
        for (std::size_t t = 0; t < made.size(); ++t)
            threads.emplace_back([&pages, &ids = made[(t + 1) % made.size()]] {
                for (std::uint64_t id : ids) pages.remove(id);
            });
        for (auto& t : threads) t.join();
        QCOMPARE(pages.pages(), std::size_t{0});
    }
};

QTEST_GUILESS_MAIN(TestIdMap)
#include "tst_idmap.moc"
