// StallWatchdog on a clock of the test's own: each tick later than its
// period is a stall of the difference.

#include "stallwatchdog.h"

#include <QtTest>

using namespace std::chrono_literals;

class TestStallWatchdog : public QObject
{
    Q_OBJECT

private slots:
    void ticksOnTimeAreNoStall()
    {
        std::chrono::milliseconds now{1000};
        StallWatchdog watchdog(nullptr, [&] { return now; });
        watchdog.start();
        for (int i = 0; i < 5; ++i) {
            now += StallWatchdog::period;
            watchdog.tick();
        }
        QCOMPARE(watchdog.longest(), 0ms);
        QCOMPARE(watchdog.overBudget(), 0);
    }

    void lateTicksAreStalls()
    {
        std::chrono::milliseconds now{1000};
        StallWatchdog watchdog(nullptr, [&] { return now; });
        watchdog.start();
        now += StallWatchdog::period + 30ms;
        watchdog.tick();
        QCOMPARE(watchdog.longest(), 30ms);
        QCOMPARE(watchdog.takeRecent(), 30ms);
        QCOMPARE(watchdog.takeRecent(), 0ms);  // taken
        now += StallWatchdog::period + 80ms;
        watchdog.tick();
        now += StallWatchdog::period + 20ms;
        watchdog.tick();
        QCOMPARE(watchdog.longest(), 80ms);
        QCOMPARE(watchdog.takeRecent(), 80ms);
        QCOMPARE(watchdog.overBudget(), 1);
    }
};

QTEST_GUILESS_MAIN(TestStallWatchdog)
#include "tst_stallwatchdog.moc"
