// ClusterTreeModel: the supervision tree from observer batches, kept up
// incrementally (rows keyed by path survive restarts), checked throughout
// by QAbstractItemModelTester.

#include "clustertree_batches.h"

#include <QAbstractItemModelTester>
#include <QPersistentModelIndex>
#include <QSignalSpy>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace treetest;
using Down = iso::DownReason::Kind;
using Badge = ClusterTreeModel::Badge;

namespace {

/// A model under the tester, fed batches.
struct Tree {
    ClusterTreeModel model;
    QAbstractItemModelTester tester{&model, QAbstractItemModelTester::FailureReportingMode::QtTest};
    Feed feed{{}, model};
};

constexpr std::chrono::milliseconds linger = ClusterTreeModel::endedRowLinger;

} // namespace

Q_DECLARE_METATYPE(treetest::Step)

class TestClusterTreeModel : public QObject
{
    Q_OBJECT

private slots:
    // The supervisor's own batch position does not matter: a child listed
    // before it still nests under it.
    void childrenNestUnderTheirSupervisor()
    {
        Tree tree;
        tree.feed({0ms,
                   {cluster(2, "/demo/pool/workers/w0", 1), cluster(1, "/demo/pool/workers", 0),
                    cluster(3, "/demo/pool/workers/w1", 1), cluster(4, "/demo/sink", 0)},
                   {}, {}, true});
        const ClusterTreeModel& model = tree.model;
        QCOMPARE(namesUnder(model), (QStringList{u"/demo/pool/workers"_s, u"/demo/sink"_s}));
        const QModelIndex workers = model.index(0, 0);
        QCOMPARE(namesUnder(model, workers), (QStringList{u"w0"_s, u"w1"_s}));
        const QModelIndex w0 = model.index(0, 0, workers);
        QCOMPARE(idOf(w0), iso::IsolateId{2});
        QCOMPARE(w0.data(ClusterTreeModel::PathRole).toString(), u"/demo/pool/workers/w0"_s);
        QVERIFY(w0.data(Qt::ToolTipRole).toString().contains(u"/demo/pool/workers/w0"_s));
        QCOMPARE(model.indexOf(3), model.index(1, 0, workers));
        QCOMPARE(model.indexOf(4).parent(), QModelIndex());
        QCOMPARE(stateOf(w0), u"idle"_s);
    }

    void placementWithoutAKnownSupervisor_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<iso::IsolateId>("supervisor");
        QTest::addColumn<bool>("appKnown");
        QTest::addColumn<QString>("parentPath");  // empty: the top level
        QTest::addRow("unknown supervisor: under the path's parent")
            << u"/app/job"_s << iso::IsolateId{99} << true << u"/app"_s;
        QTest::addRow("unknown supervisor and path parent: under the nearest ancestor")
            << u"/app/x/job"_s << iso::IsolateId{99} << true << u"/app"_s;
        QTest::addRow("unknown supervisor and path ancestors: top level")
            << u"/app/job"_s << iso::IsolateId{99} << false << QString();
        QTest::addRow("the cluster's root: top level") << u"/app/job"_s << iso::IsolateId{0} << true << QString();
    }
    void placementWithoutAKnownSupervisor()
    {
        QFETCH(QString, path);
        QFETCH(iso::IsolateId, supervisor);
        QFETCH(bool, appKnown);
        QFETCH(QString, parentPath);
        Tree tree;
        std::vector<iso::IsolateMetrics> changed = {cluster(2, path.toStdString(), supervisor)};
        if (appKnown)
            changed.push_back(cluster(1, "/app", 0));
        tree.feed({0ms, changed, {}, {}, true});
        const QModelIndex job = tree.model.indexOf(2);
        QVERIFY(job.isValid());
        QCOMPARE(job.parent().data(ClusterTreeModel::PathRole).toString(), parentPath);
    }

    // A row placed by its path moves under its supervisor once that one
    // shows up, and stays the same row.
    void aLateSupervisorTakesItsChild()
    {
        Tree tree;
        tree.feed({0ms, {cluster(1, "/app", 0), cluster(3, "/app/sup/job", 2)}, {}, {}, true});
        const QPersistentModelIndex job = tree.model.indexOf(3);
        QCOMPARE(job.parent(), tree.model.indexOf(1));
        tree.feed({20ms, {cluster(2, "/app/sup", 1)}});
        QVERIFY(job.isValid());
        QCOMPARE(job.parent(), tree.model.indexOf(2));
        QCOMPARE(job.data().toString(), u"job"_s);
        QCOMPARE(tree.model.indexOf(2).parent(), tree.model.indexOf(1));
    }

    // A restart tints the restarted row and its supervisor's, a fault the
    // row it was made in, until highlightFor has passed on the observer's clock.
    void supervisionAtWorkIsHighlighted()
    {
        Tree tree;
        tree.feed({0ms, {cluster(1, "/s", 0), cluster(2, "/s/c", 1), cluster(3, "/s/d", 1)}, {}, {}, true});
        const QPersistentModelIndex supervisor = tree.model.indexOf(1);
        const QPersistentModelIndex child = tree.model.indexOf(2);
        const QPersistentModelIndex sibling = tree.model.indexOf(3);
        const auto tinted = [](const QModelIndex& row) { return row.data(Qt::BackgroundRole).isValid(); };
        QVERIFY(!tinted(child));
        tree.feed({10ms, {}, {}, {treetest::event(iso::trace::Kind::Fault, 2, 1, "throw on the next message")}});
        QVERIFY(tinted(child));
        QVERIFY(!tinted(supervisor));
        std::vector<iso::trace::Event> events = ended(2, Down::Failed);
        events.push_back(restart(2, "/s/c", 1));
        tree.feed({20ms, {}, {2}, events});
        tree.feed({30ms, {cluster(5, "/s/c", 1, IsolateState::Idle, 1)}});
        QVERIFY(tinted(child));
        QVERIFY(tinted(supervisor));
        QVERIFY(!tinted(sibling));
        QVERIFY(child.data(Qt::BackgroundRole) != sibling.data(Qt::BackgroundRole));
        tree.feed({20ms + ClusterTreeModel::highlightFor, {}});
        QVERIFY(!tinted(child));
        QVERIFY(!tinted(supervisor));
    }

    // A supervisor that backs off, or gives up, tints its row and the
    // child's, each in a colour of its own.
    void backoffAndGivingUpAreHighlighted()
    {
        using iso::trace::SupervisionAction;
        Tree tree;
        tree.feed({0ms, {cluster(1, "/s", 0), cluster(2, "/s/c", 1), cluster(3, "/s/d", 1)}, {}, {}, true});
        const QPersistentModelIndex supervisor = tree.model.indexOf(1);
        const QPersistentModelIndex child = tree.model.indexOf(2);
        const QPersistentModelIndex sibling = tree.model.indexOf(3);
        const auto tint = [](const QModelIndex& row) { return row.data(Qt::BackgroundRole); };
        std::vector<iso::trace::Event> events = ended(2, Down::Failed);
        events.push_back(treetest::event(iso::trace::Kind::Supervision, 1,
                                         static_cast<std::uint32_t>(SupervisionAction::Backoff),
                                         std::string("/s/c") + iso::trace::field_separator + "failed"));
        tree.feed({10ms, {}, {}, events});
        QVERIFY(tint(supervisor).isValid());
        QCOMPARE(tint(child), tint(supervisor));
        QVERIFY(!tint(sibling).isValid());
        const QVariant backingOff = tint(supervisor);
        tree.feed({20ms, {}, {}, {treetest::event(iso::trace::Kind::Supervision, 1,
                                                  static_cast<std::uint32_t>(SupervisionAction::GiveUp),
                                                  std::string("/s/c") + iso::trace::field_separator + "more than 1")}});
        QVERIFY(tint(supervisor).isValid());
        QVERIFY(tint(supervisor) != backingOff);
        QCOMPARE(tint(child), tint(supervisor));
    }

    // Isolate ids come to each spawning thread in blocks, so a restart can
    // have a smaller id than the incarnation it replaces: the incarnation
    // decides, and a late word of the old one does not take the row back.
    void aRestartWithASmallerIdTakesTheRow()
    {
        Tree tree;
        QSignalSpy replaced(&tree.model, &ClusterTreeModel::incarnationReplaced);
        const auto child = [](iso::IsolateId id, IsolateState state, std::uint32_t incarnation) {
            return cluster(id, "/s/c", 1, state, incarnation);
        };
        tree.feed({0ms, {cluster(1, "/s", 0), child(700, IsolateState::Running, 0)}, {}, {}, true});
        const QPersistentModelIndex row = tree.model.indexOf(700);
        tree.feed({20ms, {child(700, IsolateState::Exited, 0)}, {}, ended(700, Down::Failed)});
        tree.feed({40ms, {child(300, IsolateState::Running, 1)}});
        QCOMPARE(tree.model.indexOf(300), QModelIndex(row));
        QCOMPARE(idOf(row), iso::IsolateId{300});
        QCOMPARE(replaced.size(), 1);
        QCOMPARE(replaced.first().at(0).value<iso::IsolateId>(), iso::IsolateId{700});
        QCOMPARE(replaced.first().at(1).value<iso::IsolateId>(), iso::IsolateId{300});
        tree.feed({60ms, {child(700, IsolateState::Exited, 0)}});
        QCOMPARE(idOf(row), iso::IsolateId{300});
        QCOMPARE(stateOf(row), u"running"_s);
        QCOMPARE(replaced.size(), 1);
    }

    // The row is the path's: through a restart it keeps its persistent
    // index, says restarting, then shows the new incarnation.
    void aRestartKeepsTheRow()
    {
        Tree tree;
        QSignalSpy inserted(&tree.model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&tree.model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy replaced(&tree.model, &ClusterTreeModel::incarnationReplaced);
        const auto child = [](iso::IsolateId id, IsolateState state, std::uint32_t incarnation = 0) {
            return cluster(id, "/s/c", 1, state, incarnation);
        };
        tree.feed({0ms, {cluster(1, "/s", 0), child(2, IsolateState::Running)}, {}, {}, true});
        const QPersistentModelIndex row = tree.model.indexOf(2);
        QCOMPARE(stateOf(row), u"running"_s);
        inserted.clear();

        // Ended by an error under a live supervisor: inferred before any Restart.
        tree.feed({20ms, {child(2, IsolateState::Exited)}, {}, ended(2, Down::Failed)});
        QCOMPARE(stateOf(row), u"restarting"_s);
        QVERIFY(row.sibling(row.row(), ClusterTreeModel::StateColumn)
                    .data(Qt::ToolTipRole).toString().contains(u"inferred"_s));
        tree.feed({40ms, {}, {2}, {restart(2, "/s/c", 1)}});
        QCOMPARE(stateOf(row), u"restarting"_s);
        QVERIFY(row.sibling(row.row(), ClusterTreeModel::StateColumn)
                    .data(Qt::ToolTipRole).toString().contains(u"incarnation 1"_s));

        tree.feed({60ms, {child(5, IsolateState::Starting, 1)}});
        QVERIFY(row.isValid());
        QCOMPARE(tree.model.indexOf(5), QModelIndex(row));
        QVERIFY(!tree.model.indexOf(2).isValid());
        QCOMPARE(idOf(row), iso::IsolateId{5});
        QCOMPARE(stateOf(row), u"starting"_s);
        QCOMPARE(replaced.size(), 1);
        QCOMPARE(replaced.first().at(0).value<iso::IsolateId>(), iso::IsolateId{2});
        QCOMPARE(replaced.first().at(1).value<iso::IsolateId>(), iso::IsolateId{5});
        const QModelIndex restarts = row.sibling(row.row(), ClusterTreeModel::RestartsColumn);
        QCOMPARE(restarts.data().toULongLong(), 1ULL);
        QCOMPARE(restarts.data(ClusterTreeModel::BadgeRole).value<Badge>(), Badge::Warning);

        tree.feed({80ms, {child(5, IsolateState::Running, 1)}});
        QCOMPARE(stateOf(row), u"running"_s);
        QCOMPARE(inserted.size(), 0);
        QCOMPARE(removed.size(), 0);
        // Past the linger of the ended incarnation, the row is still there.
        tree.feed({80ms + 2 * linger, {}});
        QVERIFY(row.isValid());
        QCOMPARE(stateOf(row), u"running"_s);
    }

    // Late news of an earlier incarnation does not take the row back.
    void anEarlierIncarnationIsOldNews()
    {
        Tree tree;
        tree.feed({0ms, {cluster(1, "/s", 0), cluster(5, "/s/c", 1, IsolateState::Idle, 1)}, {}, {}, true});
        tree.feed({20ms, {exited(cluster(2, "/s/c", 1))}});
        QCOMPARE(idOf(tree.model.indexOf(5)), iso::IsolateId{5});
        QCOMPARE(stateOf(tree.model.indexOf(5)), u"idle"_s);
    }

    void endedStates_data()
    {
        QTest::addColumn<Step>("ending");
        QTest::addColumn<QString>("state");
        const auto top = [](IsolateState state) { return cluster(3, "/top", 0, state); };
        const auto child = [](IsolateState state) { return cluster(2, "/s/c", 1, state); };
        QTest::addRow("top level, no restart") << Step{20ms, {exited(top(IsolateState::Idle))}, {}, ended(3, Down::Failed)}
                                               << u"dead"_s;
        QTest::addRow("top level, restarted by the root")
            << Step{20ms, {exited(top(IsolateState::Idle))}, {}, {restart(3, "/top", 1)}} << u"restarting"_s;
        QTest::addRow("failed under a live supervisor")
            << Step{20ms, {exited(child(IsolateState::Idle))}, {}, ended(2, Down::Failed)} << u"restarting"_s;
        QTest::addRow("gone under a live supervisor, no events")
            << Step{20ms, {}, {2}} << u"restarting"_s;
        QTest::addRow("shut down under a live supervisor")
            << Step{20ms, {exited(child(IsolateState::Idle))}, {}, ended(2, Down::Shutdown)} << u"dead"_s;
        QTest::addRow("its supervisor ended too")
            << Step{20ms, {exited(child(IsolateState::Idle)), exited(cluster(1, "/s", 0))}, {}, ended(2, Down::Failed)}
            << u"dead"_s;
    }
    void endedStates()
    {
        QFETCH(Step, ending);
        QFETCH(QString, state);
        Tree tree;
        tree.feed({0ms, {cluster(1, "/s", 0), cluster(2, "/s/c", 1), cluster(3, "/top", 0)}, {}, {}, true});
        const QPersistentModelIndex row = tree.model.indexOf(ending.changed.empty() ? 2 : ending.changed.front().id);
        tree.feed(ending);
        QCOMPARE(stateOf(row), state);
    }

    // Ended rows stay a while for a person to see, then go; a supervisor
    // goes with its children, in one removal.
    void endedRowsGoAfterALinger()
    {
        Tree tree;
        tree.feed({0ms,
                   {cluster(1, "/s", 0), cluster(2, "/s/a", 1), cluster(3, "/s/b", 1), cluster(4, "/keep", 0),
                    plain(5, "helper")},
                   {}, {}, true});
        QSignalSpy removed(&tree.model, &QAbstractItemModel::rowsRemoved);
        tree.feed({1000ms, {exited(cluster(1, "/s", 0)), exited(cluster(2, "/s/a", 1)), exited(cluster(3, "/s/b", 1)),
                            exited(plain(5, "helper"))}});
        tree.feed({1020ms, {}, {1, 2, 3, 5}});
        QCOMPARE(stateOf(tree.model.indexOf(2)), u"dead"_s);
        QCOMPARE(tree.model.indexOf(2).siblingAtColumn(ClusterTreeModel::NameColumn).data(Qt::ForegroundRole).isValid(),
                 true);
        tree.feed({1000ms + linger - 1ms, {}});
        QCOMPARE(removed.size(), 0);
        QCOMPARE(tree.model.rowCount(), 3);
        tree.feed({1000ms + linger, {}});
        QCOMPARE(namesUnder(tree.model), QStringList{u"/keep"_s});
        // /s with its two children, and the plain group with its one row.
        QCOMPARE(removed.size(), 2);
        QVERIFY(!tree.model.indexOf(2).isValid());
    }

    void plainIsolatesSitUnderTheirGroup()
    {
        Tree tree;
        tree.feed({0ms, {plain(7, "timer"), plain(8, ""), cluster(1, "/a", 0)}, {}, {}, true});
        QCOMPARE(namesUnder(tree.model), (QStringList{u"/a"_s, u"Plain isolates (2)"_s}));
        const QModelIndex group = tree.model.index(1, 0);
        QCOMPARE(namesUnder(tree.model, group), (QStringList{u"timer"_s, u"isolate #8"_s}));
        QCOMPARE(idOf(group), iso::IsolateId{0});
        QVERIFY(!(tree.model.flags(group) & Qt::ItemIsSelectable));
        QCOMPARE(tree.model.indexOf(7).parent(), group);

        // Cluster rows go before the group, which stays last.
        tree.feed({20ms, {cluster(2, "/b", 0), plain(9, "")}});
        QCOMPARE(namesUnder(tree.model), (QStringList{u"/a"_s, u"/b"_s, u"Plain isolates (3)"_s}));

        // An isolate seen before its path: out of the group, the same row.
        const QPersistentModelIndex late = tree.model.indexOf(9);
        tree.feed({40ms, {cluster(9, "/a/late", 1)}});
        QVERIFY(late.isValid());
        QCOMPARE(late.parent(), tree.model.indexOf(1));
        QCOMPARE(late.data().toString(), u"late"_s);
        QCOMPARE(tree.model.index(2, 0).data().toString(), u"Plain isolates (2)"_s);

        // When the last plain isolate is gone, so is the group.
        tree.feed({60ms, {}, {7, 8}});
        tree.feed({60ms + linger, {}});
        QCOMPARE(namesUnder(tree.model), (QStringList{u"/a"_s, u"/b"_s}));
    }

    // After a gap the delta is full: what it leaves out ended, and the
    // rest is synced row by row, never by a reset.
    void aFullDeltaSyncsByDiff()
    {
        Tree tree;
        tree.feed({0ms, {cluster(1, "/a", 0), cluster(2, "/b", 0), cluster(3, "/c", 0)}, {}, {}, true});
        const QPersistentModelIndex b = tree.model.indexOf(2);
        QSignalSpy reset(&tree.model, &QAbstractItemModel::modelAboutToBeReset);
        QSignalSpy layout(&tree.model, &QAbstractItemModel::layoutAboutToBeChanged);
        tree.feed({20ms, {withMailbox(cluster(2, "/b", 0), 4), cluster(4, "/d", 0)}, {}, {}, true});
        QCOMPARE(reset.size(), 0);
        QCOMPARE(layout.size(), 0);
        QVERIFY(b.isValid());
        QCOMPARE(b.sibling(b.row(), ClusterTreeModel::MailboxColumn).data().toULongLong(), 4ULL);
        QCOMPARE(stateOf(tree.model.indexOf(1)), u"dead"_s);
        QCOMPARE(stateOf(tree.model.indexOf(3)), u"dead"_s);
        QCOMPARE(namesUnder(tree.model), (QStringList{u"/a"_s, u"/b"_s, u"/c"_s, u"/d"_s}));
    }

    // A model made after its source started takes the first batch it sees
    // whole, from the state.
    void aLateModelStartsFromTheState()
    {
        ClusterState state;
        const iso::Batch first = batchOf({0ms, {cluster(1, "/a", 0), cluster(2, "/a/b", 1)}, {}, {}, true});
        state.apply(first);
        Tree tree;
        tree.feed.state = state;
        tree.feed({20ms, {withMailbox(cluster(2, "/a/b", 1), 1)}});
        QCOMPARE(namesUnder(tree.model), QStringList{u"/a"_s});
        QCOMPARE(namesUnder(tree.model, tree.model.index(0, 0)), QStringList{u"b"_s});
    }

    // One changed isolate, one dataChanged for its row; what the tree
    // does not show (messages handled) changes nothing.
    void anOrdinaryBatchReportsOnlyWhatChanged()
    {
        Tree tree;
        tree.feed({0ms, {cluster(1, "/a", 0), cluster(2, "/b", 0), cluster(3, "/c", 0)}, {}, {}, true});
        QSignalSpy changed(&tree.model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&tree.model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&tree.model, &QAbstractItemModel::rowsRemoved);
        tree.feed({20ms, {withMailbox(cluster(2, "/b", 0), 7)}});
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex(), tree.model.index(1, 0));
        QCOMPARE(changed.first().at(1).toModelIndex(), tree.model.index(1, ClusterTreeModel::ColumnCount - 1));
        iso::IsolateMetrics busier = withMailbox(cluster(2, "/b", 0), 7);
        busier.messages_in = 100;
        tree.feed({40ms, {busier}});
        QCOMPARE(changed.size(), 1);
        QCOMPARE(inserted.size(), 0);
        QCOMPARE(removed.size(), 0);
    }

    // Batches taken in one poll are shown once: a row that changed in
    // each is reported once, with what the last said.
    void aPollReportsEachRowOnce()
    {
        Tree tree;
        tree.feed({0ms, {cluster(1, "/a", 0), cluster(2, "/b", 0)}, {}, {}, true});
        QSignalSpy changed(&tree.model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&tree.model, &QAbstractItemModel::rowsInserted);
        Poll poll{tree.feed.state, tree.model};
        poll({{20ms, {withMailbox(cluster(2, "/b", 0), 7)}},
              {40ms, {withMailbox(cluster(2, "/b", 0), 8), cluster(3, "/c", 0)}},
              {60ms, {withMailbox(cluster(2, "/b", 0), 9)}}});
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex(), tree.model.index(1, 0));
        QCOMPARE(tree.model.index(1, ClusterTreeModel::MailboxColumn).data().toULongLong(), 9ULL);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(namesUnder(tree.model), (QStringList{u"/a"_s, u"/b"_s, u"/c"_s}));
    }

    // A whole restart within one poll: the row stays and shows the new
    // incarnation, as when the batches come one poll each.
    void aRestartWithinOnePoll()
    {
        Tree tree;
        QSignalSpy replaced(&tree.model, &ClusterTreeModel::incarnationReplaced);
        tree.feed({0ms, {cluster(1, "/s", 0), cluster(2, "/s/c", 1, IsolateState::Running)}, {}, {}, true});
        const QPersistentModelIndex row = tree.model.indexOf(2);
        QSignalSpy inserted(&tree.model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&tree.model, &QAbstractItemModel::rowsRemoved);
        Poll poll{tree.feed.state, tree.model};
        poll({{20ms, {cluster(2, "/s/c", 1, IsolateState::Exited)}, {}, ended(2, Down::Failed)},
              {40ms, {}, {2}, {restart(2, "/s/c", 1)}},
              {60ms, {cluster(5, "/s/c", 1, IsolateState::Running, 1)}}});
        QVERIFY(row.isValid());
        QCOMPARE(tree.model.indexOf(5), QModelIndex(row));
        QCOMPARE(stateOf(row), u"running"_s);
        QCOMPARE(replaced.size(), 1);
        QCOMPARE(inserted.size(), 0);
        QCOMPARE(removed.size(), 0);
    }

    void badges_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<quint64>("value");
        QTest::addColumn<Badge>("badge");
        QTest::addRow("empty mailbox") << int(ClusterTreeModel::MailboxColumn) << quint64{0} << Badge::None;
        QTest::addRow("a few waiting") << int(ClusterTreeModel::MailboxColumn) << quint64{5} << Badge::Quiet;
        QTest::addRow("deep mailbox") << int(ClusterTreeModel::MailboxColumn)
                                      << quint64{ClusterTreeModel::mailboxWarning} << Badge::Warning;
        QTest::addRow("overflowing mailbox") << int(ClusterTreeModel::MailboxColumn)
                                             << quint64{ClusterTreeModel::mailboxAlarm} << Badge::Alarm;
        QTest::addRow("never restarted") << int(ClusterTreeModel::RestartsColumn) << quint64{0} << Badge::None;
        QTest::addRow("restarted once") << int(ClusterTreeModel::RestartsColumn) << quint64{1} << Badge::Warning;
        QTest::addRow("restarted often") << int(ClusterTreeModel::RestartsColumn)
                                         << quint64{ClusterTreeModel::restartsAlarm} << Badge::Alarm;
    }
    void badges()
    {
        QFETCH(int, column);
        QFETCH(quint64, value);
        QFETCH(Badge, badge);
        Tree tree;
        iso::IsolateMetrics m = cluster(1, "/a", 0);
        (column == ClusterTreeModel::MailboxColumn ? m.mailbox_depth : m.restarts) = value;
        tree.feed({0ms, {m}, {}, {}, true});
        const QModelIndex cell = tree.model.indexOf(1).siblingAtColumn(column);
        QCOMPARE(cell.data().toULongLong(), value);
        QCOMPARE(cell.data(ClusterTreeModel::BadgeRole).value<Badge>(), badge);
        QVERIFY(!cell.data(Qt::ToolTipRole).toString().isEmpty());
    }

    // A pool of 10,000 workers under one supervisor: each batch costs a
    // few signals however many rows there are, and rows keep their place.
    void tenThousandWorkers()
    {
        constexpr iso::IsolateId workers = 10'000;
        const auto worker = [](iso::IsolateId n, iso::IsolateId id) {
            return cluster(id, "/pool/w" + std::to_string(n), 1, IsolateState::Idle);
        };
        Tree tree;
        QSignalSpy inserted(&tree.model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&tree.model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&tree.model, &QAbstractItemModel::dataChanged);
        std::vector<iso::IsolateMetrics> all = {cluster(1, "/pool", 0)};
        for (iso::IsolateId n = 0; n < workers; ++n)
            all.push_back(worker(n, n + 2));
        tree.feed({0ms, all, {}, {}, true});
        QCOMPARE(inserted.size(), 1);  // the supervisor, its workers with it
        const QModelIndex pool = tree.model.indexOf(1);
        QCOMPARE(tree.model.rowCount(pool), int(workers));
        QCOMPARE(tree.model.index(9'999, 0, pool).data().toString(), u"w9999"_s);

        changed.clear();
        tree.feed({20ms, {withMailbox(worker(10, 12), 3), withMailbox(worker(11, 13), 2000),
                          withMailbox(worker(5000, 5002), 1)}});
        QCOMPARE(changed.size(), 2);  // rows 10..11, and row 5000
        QCOMPARE(tree.model.indexOf(13).siblingAtColumn(ClusterTreeModel::MailboxColumn)
                     .data(ClusterTreeModel::BadgeRole).value<Badge>(),
                 Badge::Alarm);

        // Five hundred more, in one insert under the supervisor.
        inserted.clear();
        std::vector<iso::IsolateMetrics> more;
        for (iso::IsolateId n = workers; n < workers + 500; ++n)
            more.push_back(worker(n, n + 2));
        tree.feed({40ms, more});
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.first().at(0).toModelIndex(), pool);
        QCOMPARE(tree.model.rowCount(pool), int(workers + 500));

        // One restarts; its row stays where it was.
        const QPersistentModelIndex row = tree.model.indexOf(5002);
        tree.feed({60ms, {exited(worker(5000, 5002))}, {}, {restart(5002, "/pool/w5000", 1)}});
        tree.feed({80ms, {worker(5000, 20'000)}, {5002}});
        QCOMPARE(row.row(), 5000);
        QCOMPARE(idOf(row), iso::IsolateId{20'000});
        QCOMPARE(inserted.size(), 1);

        // The pool shuts down: the supervisor and every worker go at once.
        std::vector<iso::IsolateMetrics> down;
        std::vector<iso::IsolateId> gone;
        for (int row = 0; row < tree.model.rowCount(pool); ++row) {
            const auto id = idOf(tree.model.index(row, 0, pool));
            down.push_back(exited(worker(iso::IsolateId(row), id)));
            gone.push_back(id);
        }
        down.push_back(exited(cluster(1, "/pool", 0)));
        gone.push_back(1);
        tree.feed({100ms, down});
        QCOMPARE(stateOf(row), u"dead"_s);
        tree.feed({120ms, {}, gone});
        removed.clear();
        tree.feed({100ms + linger, {}});
        QCOMPARE(removed.size(), 1);
        QCOMPARE(tree.model.rowCount(), 0);
    }
};

QTEST_MAIN(TestClusterTreeModel)
#include "tst_clustertreemodel.moc"
