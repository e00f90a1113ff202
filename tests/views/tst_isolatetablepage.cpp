// IsolateTablePage: filtering by text and path pattern, and the shared
// selection followed both ways.

#include "isolateselection.h"
#include "isolatetablemodel.h"
#include "isolatetablepage.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QtTest>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

iso::IsolateMetrics isolate(iso::IsolateId id, std::string path, std::string name = "worker")
{
    iso::IsolateMetrics m;
    m.id = id;
    m.path = std::move(path);
    m.name = std::move(name);
    m.state = iso::IsolateState::Idle;
    return m;
}

QStringList shownPaths(const QTableView& table)
{
    QStringList paths;
    for (int row = 0; row < table.model()->rowCount(); ++row)
        paths << table.model()->index(row, IsolateTableModel::PathColumn).data().toString();
    return paths;
}

} // namespace

class TestIsolateTablePage : public QObject
{
    Q_OBJECT

    ClusterState m_state;
    IsolateTableModel m_model;
    IsolateSelection m_selection;

private slots:
    void initTestCase()
    {
        iso::Batch b;
        b.delta.full = true;
        b.delta.changed = {isolate(1, "/demo/pool"), isolate(2, "/demo/pool/w1"), isolate(3, "/demo/pool/w2"),
                           isolate(4, "/demo/pool/w1/helper"), isolate(5, "", "ticker"),
                           isolate(6, "/demo/flaky", "flaky")};
        m_state.apply(b);
        m_model.apply(m_state);
    }

    void filters_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("paths");
        QTest::addColumn<bool>("complains");
        QTest::addRow("nothing") << QString() << QStringList{u"/demo/pool"_s, u"/demo/pool/w1"_s, u"/demo/pool/w2"_s,
                                                                u"/demo/pool/w1/helper"_s, QString(), u"/demo/flaky"_s}
                                 << false;
        QTest::addRow("one segment") << u"/demo/pool/*"_s
                                     << QStringList{u"/demo/pool/w1"_s, u"/demo/pool/w2"_s} << false;
        QTest::addRow("any depth") << u"/demo/pool/**"_s
                                   << QStringList{u"/demo/pool"_s, u"/demo/pool/w1"_s, u"/demo/pool/w2"_s,
                                                  u"/demo/pool/w1/helper"_s}
                                   << false;
        QTest::addRow("text in a name") << u"TICK"_s << QStringList{QString()} << false;
        QTest::addRow("text in a path") << u"w1"_s << QStringList{u"/demo/pool/w1"_s, u"/demo/pool/w1/helper"_s}
                                        << false;
        QTest::addRow("a state") << u"idle"_s << QStringList{u"/demo/pool"_s, u"/demo/pool/w1"_s,
                                                             u"/demo/pool/w2"_s, u"/demo/pool/w1/helper"_s,
                                                             QString(), u"/demo/flaky"_s}
                                 << false;
        QTest::addRow("a prefix") << u"/demo/pool"_s
                                  << QStringList{u"/demo/pool"_s, u"/demo/pool/w1"_s, u"/demo/pool/w2"_s,
                                                 u"/demo/pool/w1/helper"_s}
                                  << false;
        QTest::addRow("an id") << u"6"_s << QStringList{u"/demo/flaky"_s} << false;
        // Not a pattern: nothing is kept, and the page says why.
        QTest::addRow("bad pattern") << u"/demo/**x"_s << QStringList{} << true;
    }

    void filters()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, paths);
        QFETCH(bool, complains);
        IsolateTablePage page(&m_model, &m_selection);
        QAbstractItemModelTester tester(page.view()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.findChild<QLineEdit*>()->setText(text);
        QCOMPARE(shownPaths(*page.view()), paths);
        QCOMPARE(!page.findChild<QLabel*>()->isHidden(), complains);
    }

    void selectingARowSelectsTheIsolateEverywhere()
    {
        IsolateTablePage page(&m_model, &m_selection);
        IsolateTablePage other(&m_model, &m_selection);
        QTableView* table = page.view();
        const QModelIndex flaky = table->model()->index(5, IsolateTableModel::PathColumn);
        table->setCurrentIndex(flaky);
        QCOMPARE(m_selection.current(), iso::IsolateId{6});
        // The other page shows the same row as current.
        QCOMPARE(other.view()->currentIndex().data(IsolateTableModel::IsolateIdRole).toULongLong(), 6ull);
        m_selection.select(2);
        QCOMPARE(table->currentIndex().data(IsolateTableModel::IsolateIdRole).toULongLong(), 2ull);
        QCOMPARE(table->selectionModel()->selectedRows().size(), 1);
    }

    void aSelectionHiddenByTheFilterComesBackWithIt()
    {
        IsolateTablePage page(&m_model, &m_selection);
        m_selection.select(6);
        auto* filter = page.findChild<QLineEdit*>();
        filter->setText(u"/demo/pool/*"_s);
        QVERIFY(!page.view()->currentIndex().isValid());
        QCOMPARE(m_selection.current(), iso::IsolateId{6});  // hiding a row does not unselect the isolate
        filter->clear();
        QCOMPARE(page.view()->currentIndex().data(IsolateTableModel::IsolateIdRole).toULongLong(), 6ull);
    }

    // The filtered view keeps up as isolates come and go beneath it.
    void theFilterFollowsLiveChanges()
    {
        ClusterState state;
        IsolateTableModel model;
        IsolateSelection selection;
        iso::Batch first;
        first.delta.full = true;
        first.delta.changed = {isolate(1, "/demo/pool"), isolate(2, "/demo/pool/w1"), isolate(3, "/demo/sink")};
        state.apply(first);
        model.apply(state);
        IsolateTablePage page(&model, &selection);
        QAbstractItemModelTester tester(page.view()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.findChild<QLineEdit*>()->setText(u"/demo/pool/*"_s);
        QCOMPARE(shownPaths(*page.view()), (QStringList{u"/demo/pool/w1"_s}));

        iso::Batch next;
        next.delta.changed = {isolate(4, "/demo/pool/w2"), isolate(5, "/demo/other")};
        next.delta.removed = {2};
        next.delta.totals.time = 20ms;
        state.apply(next);
        model.apply(state);
        QCOMPARE(shownPaths(*page.view()), (QStringList{u"/demo/pool/w2"_s}));
    }
};

QTEST_MAIN(TestIsolateTablePage)
#include "tst_isolatetablepage.moc"
