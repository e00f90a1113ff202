// The workbench's command line, run as a program: scenarios to start on,
// a headless run, a screenshot, and one clear line for a wrong call.

#include "program.h"

#include <QImage>
#include <QRegularExpression>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using test::Run;

namespace {

Run isoscope(const QStringList& arguments) { return test::run_program(QStringLiteral(ISOSCOPE_PATH), arguments); }

} // namespace

class TestIsoscope : public QObject {
    Q_OBJECT

private slots:
    void listsEveryScenario() {
        const Run run = isoscope({u"--list-scenarios"_s});
        QCOMPARE(run.status, 0);
        const QList<QByteArray> lines = run.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 6);
        for (const char* name : {"crowd", "demo", "flood", "pipeline", "ping-pong", "supervision"})
            QVERIFY2(std::any_of(lines.begin(), lines.end(), [&](const QByteArray& l) { return l.startsWith(name); }),
                     name);
    }

    void unknownScenarioIsOneLine() {
        const Run run = isoscope({u"--headless"_s, u"--scenario"_s, u"nope"_s});
        QCOMPARE(run.status, 2);
        QCOMPARE(run.err, QByteArray("isoscope: no scenario 'nope' (known: crowd, demo, flood, pipeline, ping-pong, supervision)\n"));
        QVERIFY(run.out.isEmpty());
    }

    // The demo by default, another when asked: its isolates are what the
    // summary counts (one may be between a crash and its restart), and the
    // supervision scenario's workers fail every 17th job.
    void headlessRunsTheScenario_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("isolates");
        QTest::addColumn<int>("leastRestarts");
        QTest::addColumn<bool>("lossless");
        QTest::newRow("demo") << QStringList{} << 18 << 0 << true;
        QTest::newRow("supervision") << QStringList{u"--scenario"_s, u"supervision"_s} << 6 << 1 << true;
        // It runs flat out until stopped, faster than an observer that may
        // drop can keep up with, and still ends when told to.
        QTest::newRow("flood") << QStringList{u"--scenario"_s, u"flood"_s} << 9 << 0 << false;
        // Ten thousand isolates and a hundred supervisors, all up before the run.
        QTest::newRow("crowd") << QStringList{u"--scenario"_s, u"crowd"_s} << 10'101 << 0 << false;
    }
    void headlessRunsTheScenario() {
        QFETCH(QStringList, arguments);
        QFETCH(int, isolates);
        QFETCH(int, leastRestarts);
        QFETCH(bool, lossless);
        const Run run = isoscope(QStringList{u"--headless"_s, u"--duration"_s, u"0.8"_s} + arguments);
        QCOMPARE(run.status, 0);
        const auto done = QRegularExpression(u"isoscope: done after [0-9.]+ s: ([0-9]+) isolates, [0-9]+ messages/s, "
                                             "([0-9]+) handled, ([0-9]+) restarts, [0-9]+ dead letters, ([0-9]+) events lost, longest stall [0-9]+ ms, "
                                             "([0-9.]+)% of events shown\n"_s)
                              .match(QString::fromUtf8(run.out));
        QVERIFY2(done.hasMatch(), run.out.constData());
        const int alive = done.captured(1).toInt();
        QVERIFY2(alive == isolates || alive == isolates - 1, run.out.constData());
        QVERIFY2(done.captured(2).toInt() > 0, run.out.constData());
        QVERIFY2(done.captured(3).toInt() >= leastRestarts, run.out.constData());
        if (lossless) {
            QCOMPARE(done.captured(4), u"0"_s);
            QCOMPARE(done.captured(5), u"100"_s);
        }
    }

    // One view alone: smaller than the window, and a PNG all the same.
    void screenshotOfOneView_data() {
        QTest::addColumn<QString>("view");
        for (const char* view : {"table", "tree", "inspector", "metrics", "log"})
            QTest::newRow(view) << QString::fromLatin1(view);
    }
    void screenshotOfOneView() {
        QFETCH(QString, view);
        QTemporaryDir dir;
        const QString file = dir.filePath(u"view.png"_s);
        const Run run = isoscope({u"--duration"_s, u"0.5"_s, u"--screenshot"_s, file, u"--view"_s, view});
        QCOMPARE(run.status, 0);
        const QImage image(file);
        QVERIFY(!image.isNull());
        QVERIFY(image.height() < 800);  // the window's height
    }

    void wrongViewsAreOneLine() {
        const Run unknown = isoscope({u"--screenshot"_s, u"/tmp/never.png"_s, u"--view"_s, u"forest"_s});
        QCOMPARE(unknown.status, 2);
        // Qt may say something of its environment first; ours is the last line.
        QVERIFY2(unknown.err.contains("isoscope: no view 'forest' (known: ") && unknown.err.endsWith(")\n"),
                 unknown.err.constData());
        const Run alone = isoscope({u"--headless"_s, u"--view"_s, u"log"_s});
        QCOMPARE(alone.status, 2);
        QVERIFY2(alone.err.startsWith("isoscope: --view chooses what --screenshot renders"), alone.err.constData());
    }

    // A headless run recorded from its first event: a whole trace that
    // isoctl reads back.
    void headlessRecordsTheRun() {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"run.isotrace"_s);
        const Run run = isoscope({u"--headless"_s, u"--scenario"_s, u"supervision"_s, u"--duration"_s, u"0.6"_s,
                                  u"--record"_s, file});
        QCOMPARE(run.status, 0);
        const auto recorded = QRegularExpression(u"isoscope: recorded ([0-9]+) events to .* \\(([0-9]+) bytes, 0 lost\\)\n"_s)
                                  .match(QString::fromUtf8(run.out));
        QVERIFY2(recorded.hasMatch(), run.out.constData());
        QVERIFY(recorded.captured(1).toLongLong() > 0);
        QCOMPARE(QFileInfo(file).size(), recorded.captured(2).toLongLong());
    }

    // The window records too, from the first event, and shows the
    // recording with --open: in the sequence chart, and in the table, as
    // the run ended (its summary says what the table showed).
    void theWindowRecordsAndOpensARun() {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"window.isotrace"_s);
        const Run recorded = isoscope({u"--screenshot"_s, dir.filePath(u"live.png"_s), u"--duration"_s, u"0.8"_s,
                                       u"--scenario"_s, u"pipeline"_s, u"--record"_s, file});
        QVERIFY2(recorded.status == 0, recorded.err.constData());
        QVERIFY(QFileInfo(file).size() > 0);
        const QString shot = dir.filePath(u"sequence.png"_s);
        const Run opened = isoscope({u"--open"_s, file, u"--view"_s, u"sequence"_s, u"--screenshot"_s, shot,
                                     u"--duration"_s, u"0.3"_s});
        QVERIFY2(opened.status == 0, opened.err.constData());
        QVERIFY(!QImage(shot).isNull());
        const QString table = dir.filePath(u"table.png"_s);
        const Run tabled = isoscope({u"--open"_s, file, u"--view"_s, u"table"_s, u"--screenshot"_s, table,
                                     u"--duration"_s, u"0.3"_s});
        QVERIFY2(tabled.status == 0, tabled.err.constData());
        QVERIFY(!QImage(table).isNull());
        // The pipeline scenario's isolates, and what they had handled.
        const QRegularExpression ended(uR"(as the recording ended, (\d+) isolates, \d+ messages/s, (\d+) handled)"_s);
        const QRegularExpressionMatch summary = ended.match(QString::fromUtf8(tabled.out));
        QVERIFY2(summary.hasMatch(), tabled.out.constData());
        QVERIFY(summary.captured(1).toInt() >= 4);
        QVERIFY(summary.captured(2).toLongLong() > 0);
        const Run foreign = isoscope({u"--open"_s, shot, u"--screenshot"_s, dir.filePath(u"never.png"_s)});
        QCOMPARE(foreign.status, 1);
        QVERIFY2(foreign.err.contains("not a trace file"), foreign.err.constData());
        QVERIFY(!QFileInfo::exists(dir.filePath(u"never.png"_s)));
    }

    void recordingNeedsALiveRunAndAWritablePlace() {
        const Run both = isoscope({u"--screenshot"_s, u"/tmp/never.png"_s, u"--open"_s, u"/tmp/some.isotrace"_s,
                                   u"--record"_s, u"/tmp/never.isotrace"_s});
        QCOMPARE(both.status, 2);
        QVERIFY2(both.err.contains("isoscope: --record records a live run; --open shows a recorded one"),
                 both.err.constData());
        const Run nowhere = isoscope({u"--headless"_s, u"--record"_s, u"/nonexistent/dir/run.isotrace"_s});
        QCOMPARE(nowhere.status, 1);
        QCOMPARE(nowhere.err, QByteArray("isoscope: cannot write the recording to /nonexistent/dir/run.isotrace\n"));
    }

    void selectNeedsAWindowAndAPath() {
        const Run headless = isoscope({u"--headless"_s, u"--select"_s, u"/demo/flaky"_s});
        QCOMPARE(headless.status, 2);
        QVERIFY2(headless.err.contains("isoscope: --select chooses an isolate in the window"), headless.err.constData());
        // Without a display, the run is headless by itself: the error says why.
        const Run noScreen = test::run_program(QStringLiteral(ISOSCOPE_PATH), {u"--select"_s, u"/demo/flaky"_s}, true);
        QCOMPARE(noScreen.status, 2);
        QVERIFY2(noScreen.err.contains("there is no display"), noScreen.err.constData());
        const Run notAPath = isoscope({u"--screenshot"_s, u"/tmp/never.png"_s, u"--select"_s, u"demo/flaky"_s});
        QCOMPARE(notAPath.status, 2);
        QVERIFY2(notAPath.err.contains("isoscope: --select needs a path such as /demo/flaky: "), notAPath.err.constData());
    }

    void screenshotOfAScenario() {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"shot.png"_s);
        const Run run = isoscope({u"--scenario"_s, u"pipeline"_s, u"--duration"_s, u"0.5"_s, u"--screenshot"_s, file});
        QCOMPARE(run.status, 0);
        const QImage image(file);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 640 && image.height() >= 400);
    }
};

QTEST_GUILESS_MAIN(TestIsoscope)
#include "tst_isoscope.moc"
