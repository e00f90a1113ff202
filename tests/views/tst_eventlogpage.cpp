// EventLogPage follows the newest rows, also when they came while it was
// hidden (a tab behind another), until the user scrolls away to read.

#include "clusterstate.h"
#include "eventlogmodel.h"
#include "eventlogpage.h"

#include <QDockWidget>
#include <QMainWindow>
#include <QScrollBar>
#include <QTableView>
#include <QtTest>

namespace {

std::vector<iso::trace::Event> ups(int count, std::uint64_t from)
{
    std::vector<iso::trace::Event> events(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < events.size(); ++i) {
        events[i].kind = iso::trace::Kind::Up;
        events[i].isolate = 1;
        events[i].time = from + i * 1000;
    }
    return events;
}

} // namespace

class TestEventLogPage : public QObject
{
    Q_OBJECT

private slots:
    // As in the window: a dock tabbed behind another, filled while hidden,
    // then raised and looked at (or grabbed) at once.
    void showsTheNewestWhenRaisedLate()
    {
        EventLogModel model;
        QMainWindow window;
        window.setCentralWidget(new QWidget);
        auto* front = new QDockWidget(QStringLiteral("plot"), &window);
        front->setWidget(new QWidget);
        window.addDockWidget(Qt::BottomDockWidgetArea, front);
        auto* back = new QDockWidget(QStringLiteral("log"), &window);
        auto* page = new EventLogPage(&model);
        back->setWidget(page);
        window.addDockWidget(Qt::BottomDockWidgetArea, back);
        window.tabifyDockWidget(front, back);
        front->raise();
        window.resize(800, 600);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const ClusterState state;
        for (int batch = 0; batch < 30; ++batch) {
            model.append(state, ups(10, 1'000'000 + static_cast<std::uint64_t>(batch) * 100'000));
            QCoreApplication::processEvents();
        }
        back->raise();
        const QImage shot = page->grab().toImage();
        QVERIFY(!shot.isNull());
        QScrollBar* bar = page->findChild<QTableView*>()->verticalScrollBar();
        QVERIFY(bar->maximum() > 0);
        QCOMPARE(bar->value(), bar->maximum());
    }

    void stopsFollowingWhenScrolledUp()
    {
        EventLogModel model;
        EventLogPage page(&model);
        page.resize(600, 200);
        const ClusterState state;
        model.append(state, ups(300, 1'000'000));
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QScrollBar* bar = page.findChild<QTableView*>()->verticalScrollBar();
        bar->triggerAction(QAbstractSlider::SliderToMinimum);
        model.append(state, ups(50, 9'000'000));
        QCOMPARE(bar->value(), 0);
    }
};

QTEST_MAIN(TestEventLogPage)
#include "tst_eventlogpage.moc"
