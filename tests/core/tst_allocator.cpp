// A program that links libiso allocates through mimalloc: its events,
// isolates and ports are freed on other threads than made them, which
// glibc's malloc serves under a lock (core/CMakeLists.txt says more).

#include <QtTest>

#include <mimalloc.h>

#include <array>
#include <cstdlib>
#include <memory>

class TestAllocator : public QObject {
    Q_OBJECT

private slots:
    void mallocAndNewComeFromMimalloc() {
        void* block = std::malloc(64);
        auto object = std::make_unique<std::array<char, 200>>();
        QVERIFY2(mi_is_in_heap_region(block), "malloc is not mimalloc's: is libmimalloc linked?");
        QVERIFY2(mi_is_in_heap_region(object.get()), "operator new is not mimalloc's");
        std::free(block);
    }
};

QTEST_APPLESS_MAIN(TestAllocator)
#include "tst_allocator.moc"
