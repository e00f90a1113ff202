// ClusterTreePage: the tree opened to its first levels, filtered by text
// or path pattern with the rows above matches kept, and the shared
// selection followed both ways.

#include "clustertree_batches.h"
#include "clustertreepage.h"
#include "isolateselection.h"

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QTreeView>
#include <QtTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace treetest;

namespace {

/// /demo/sink, a pool supervisor with workers w1, w2, w10, a dispatcher,
/// a three-deep chain /deep/a/b/c, and a plain isolate.
std::vector<iso::IsolateMetrics> demo()
{
    return {cluster(1, "/demo/sink", 0),
            cluster(2, "/demo/pool/workers", 0),
            cluster(3, "/demo/pool/workers/w1", 2),
            cluster(4, "/demo/pool/workers/w2", 2),
            cluster(5, "/demo/pool/workers/w10", 2),
            cluster(6, "/demo/pool/dispatcher", 0),
            cluster(7, "/deep", 0),
            cluster(8, "/deep/a", 7),
            cluster(9, "/deep/a/b", 8),
            cluster(10, "/deep/a/b/c", 9),
            plain(11, "helper")};
}

/// A shown page over a model fed the demo cluster.
struct Page {
    ClusterTreeModel model;
    IsolateSelection selection;
    Feed feed{{}, model};
    ClusterTreePage page{&model, &selection};
    /// The filter over the tree, checked through every change.
    QAbstractItemModelTester tester{page.view()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest};

    Page()
    {
        feed({0ms, demo(), {}, {}, true});
        page.resize(600, 500);
        page.show();
    }

    QTreeView& view() const { return *page.view(); }
    QAbstractItemModel& shown() const { return *page.view()->model(); }
    QModelIndex rowOf(const QString& path) const { return rowOfPath(shown(), path); }
    QModelIndex rowOf(iso::IsolateId id) const
    {
        const QModelIndexList hits = shown().match(shown().index(0, 0), ClusterTreeModel::IsolateIdRole,
                                                   QVariant::fromValue<qulonglong>(id), 1,
                                                   Qt::MatchExactly | Qt::MatchRecursive);
        return hits.value(0);
    }
    void filter(const QString& text) { page.findChild<QLineEdit*>(u"filter"_s)->setText(text); }

    /// The paths the page shows now, plain isolates by name, in tree order.
    QStringList visible(const QModelIndex& parent = {}) const
    {
        QStringList paths;
        for (int row = 0; row < shown().rowCount(parent); ++row) {
            const QModelIndex index = shown().index(row, 0, parent);
            const QString path = index.data(ClusterTreeModel::PathRole).toString();
            paths << (path.isEmpty() ? index.data().toString() : path);
            paths << visible(index);
        }
        return paths;
    }
};

} // namespace

class TestClusterTreePage : public QObject
{
    Q_OBJECT

private slots:
    void opensTheFirstTwoLevels()
    {
        Page p;
        QVERIFY(p.view().isExpanded(p.rowOf(u"/demo/pool/workers"_s)));
        QVERIFY(p.view().isExpanded(p.rowOf(u"/deep"_s)));
        QVERIFY(p.view().isExpanded(p.rowOf(u"/deep/a"_s)));
        QVERIFY(!p.view().isExpanded(p.rowOf(u"/deep/a/b"_s)));
        const QModelIndex group = p.shown().index(p.shown().rowCount() - 1, 0);
        QCOMPARE(group.data().toString(), u"Plain isolates (1)"_s);
        QVERIFY(!p.view().isExpanded(group));

        // A supervisor that comes later opens too, once it has children.
        p.feed({20ms, {cluster(20, "/late", 0)}});
        p.feed({40ms, {cluster(21, "/late/child", 20)}});
        QVERIFY(p.view().isExpanded(p.rowOf(u"/late"_s)));
    }

    // A supervisor of many stays one row until opened; selecting one of
    // its children opens it.
    void aLargeSupervisorStaysShut()
    {
        Page p;
        std::vector<iso::IsolateMetrics> crowd{cluster(30, "/crowd", 0), cluster(31, "/small", 0)};
        for (int i = 0; i <= ClusterTreePage::openChildrenLimit; ++i)
            crowd.push_back(cluster(100 + static_cast<iso::IsolateId>(i), "/crowd/c" + std::to_string(i), 30));
        crowd.push_back(cluster(99, "/small/c", 31));
        p.feed({20ms, crowd});
        QVERIFY(!p.view().isExpanded(p.rowOf(u"/crowd"_s)));
        QVERIFY(p.view().isExpanded(p.rowOf(u"/small"_s)));
        p.selection.select(110);
        QVERIFY(p.view().isExpanded(p.rowOf(u"/crowd"_s)));
        QCOMPARE(p.view().currentIndex().data(ClusterTreeModel::PathRole).toString(), u"/crowd/c10"_s);
    }

    // A pool that grows past the limit a few children at a time shuts
    // too, unless someone opened it.
    void aGrowingSupervisorShutsPastTheLimit()
    {
        Page p;
        p.feed({20ms, {cluster(30, "/grow", 0), cluster(31, "/grow/c0", 30), cluster(40, "/kept", 0),
                       cluster(41, "/kept/c0", 40)}});
        QVERIFY(p.view().isExpanded(p.rowOf(u"/grow"_s)));
        p.view().collapse(p.rowOf(u"/kept"_s));
        p.view().expand(p.rowOf(u"/kept"_s));  // as a person would
        std::vector<iso::IsolateMetrics> more;
        for (int i = 1; i <= ClusterTreePage::openChildrenLimit; ++i) {
            const auto n = static_cast<iso::IsolateId>(i);
            more.push_back(cluster(100 + n, "/grow/c" + std::to_string(i), 30));
            more.push_back(cluster(200 + n, "/kept/c" + std::to_string(i), 40));
        }
        p.feed({40ms, more});
        QVERIFY(!p.view().isExpanded(p.rowOf(u"/grow"_s)));
        QVERIFY(p.view().isExpanded(p.rowOf(u"/kept"_s)));
    }

    void filters_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("visible");
        QTest::addRow("path pattern: the rows above a match stay")
            << u"/demo/pool/workers/w1*"_s
            << QStringList{u"/demo/pool/workers"_s, u"/demo/pool/workers/w1"_s, u"/demo/pool/workers/w10"_s};
        QTest::addRow("path pattern: one segment")
            << u"/demo/pool/*"_s << QStringList{u"/demo/pool/workers"_s, u"/demo/pool/dispatcher"_s};
        QTest::addRow("path pattern: any depth")
            << u"/deep/a/**"_s
            << QStringList{u"/deep"_s, u"/deep/a"_s, u"/deep/a/b"_s, u"/deep/a/b/c"_s};
        QTest::addRow("path prefix") << u"/demo/si"_s << QStringList{u"/demo/sink"_s};
        QTest::addRow("text in a path, deep") << u"b/C"_s
                                              << QStringList{u"/deep"_s, u"/deep/a"_s, u"/deep/a/b"_s, u"/deep/a/b/c"_s};
        QTest::addRow("text in a plain isolate's name")
            << u"help"_s << QStringList{u"Plain isolates (1)"_s, u"helper"_s};
        QTest::addRow("an id") << u"6"_s << QStringList{u"/demo/pool/dispatcher"_s};
        QTest::addRow("no match") << u"/nowhere/*"_s << QStringList{};
    }
    void filters()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, visible);
        Page p;
        p.filter(text);
        QCOMPARE(p.visible(), visible);
        // Matches are opened to, whatever their depth.
        for (const QString& path : visible) {
            for (QModelIndex above = p.rowOf(path).parent(); above.isValid(); above = above.parent())
                QVERIFY2(p.view().isExpanded(above), qPrintable(path));
        }
        p.filter({});
        QCOMPARE(p.visible().size(), int(demo().size()) + 1);
    }

    void pickingARowSelectsItsIsolate()
    {
        Page p;
        QVERIFY(QTest::qWaitForWindowExposed(&p.page));
        const QModelIndex w2 = p.rowOf(u"/demo/pool/workers/w2"_s);
        const QRect cell = p.view().visualRect(w2);
        QVERIFY(!cell.isEmpty());
        QTest::mouseClick(p.view().viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(p.selection.current(), iso::IsolateId{4});
    }

    // Chosen in another view: the row is selected and scrolled to, the
    // rows above it opened.
    void aSelectionFromElsewhereShowsItsRow()
    {
        Page p;
        p.view().collapseAll();
        p.selection.select(10);
        const QModelIndex c = p.rowOf(u"/deep/a/b/c"_s);
        QVERIFY(p.view().selectionModel()->isRowSelected(c.row(), c.parent()));
        QCOMPARE(p.view().currentIndex().siblingAtColumn(0), c);
        for (const QString& above : {u"/deep"_s, u"/deep/a"_s, u"/deep/a/b"_s})
            QVERIFY2(p.view().isExpanded(p.rowOf(above)), qPrintable(above));

        // An isolate the tree does not show: nothing selected here.
        p.selection.select(999);
        QVERIFY(!p.view().selectionModel()->hasSelection());
        QCOMPARE(p.selection.current(), iso::IsolateId{999});
    }

    // The selected row is the path's: when it restarts, the selection
    // goes on to the new incarnation, and the row stays selected.
    void aSelectedPathFollowsItsRestart()
    {
        Page p;
        p.selection.select(3);
        p.feed({20ms, {exited(cluster(3, "/demo/pool/workers/w1", 2))}, {}, {restart(3, "/demo/pool/workers/w1", 1)}});
        p.feed({40ms, {cluster(30, "/demo/pool/workers/w1", 2, IsolateState::Running, 1)}, {3}});
        QCOMPARE(p.selection.current(), iso::IsolateId{30});
        const QModelIndex w1 = p.rowOf(u"/demo/pool/workers/w1"_s);
        QVERIFY(p.view().selectionModel()->isRowSelected(w1.row(), w1.parent()));

        // Another isolate's restart leaves the selection alone.
        p.feed({60ms, {exited(cluster(4, "/demo/pool/workers/w2", 2))}, {}, {restart(4, "/demo/pool/workers/w2", 1)}});
        p.feed({80ms, {cluster(40, "/demo/pool/workers/w2", 2, IsolateState::Running, 1)}, {4}});
        QCOMPARE(p.selection.current(), iso::IsolateId{30});
    }
};

QTEST_MAIN(TestClusterTreePage)
#include "tst_clustertreepage.moc"
