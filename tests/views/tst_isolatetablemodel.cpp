// IsolateTableModel: rows follow a ClusterState fed by hand-made batches,
// with one notification per run of changed rows.

#include "batches.h"
#include "isolatetablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QtTest>

#include <memory>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

iso::IsolateMetrics isolate(iso::IsolateId id, std::uint64_t in = 0)
{
    iso::IsolateMetrics m = testbatch::isolate(id);
    m.messages_in = in;
    return m;
}

using testbatch::batch;

using Ids = std::vector<iso::IsolateId>;

} // namespace

class TestIsolateTableModel : public QObject
{
    Q_OBJECT

    ClusterState m_state;
    std::unique_ptr<IsolateTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    void feed(const iso::Batch& b)
    {
        m_state.apply(b);
        m_model->apply(m_state);
    }

    Ids shownIds() const
    {
        Ids ids;
        for (int row = 0; row < m_model->rowCount(); ++row)
            ids.push_back(m_model->index(row, IsolateTableModel::IdColumn).data().toULongLong());
        return ids;
    }

    QVariant cell(iso::IsolateId id, int column, int role = Qt::DisplayRole) const
    {
        return m_model->index(m_model->rowOf(id), column).data(role);
    }

private slots:
    void init()
    {
        m_state = ClusterState();
        m_model = std::make_unique<IsolateTableModel>();
        m_tester = std::make_unique<QAbstractItemModelTester>(m_model.get(),
                                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
    }

    void cleanup()
    {
        m_tester.reset();
        m_model.reset();
    }

    void headersNameEveryColumn()
    {
        QCOMPARE(m_model->columnCount(), int(IsolateTableModel::ColumnCount));
        QStringList headers;
        for (int column = 0; column < m_model->columnCount(); ++column)
            headers << m_model->headerData(column, Qt::Horizontal).toString();
        QCOMPARE(headers, (QStringList{u"Path"_s, u"Name"_s, u"State"_s, u"Mailbox"_s, u"In/s"_s, u"Out/s"_s,
                                       u"p99"_s, u"Busy"_s, u"Restarts"_s, u"Errors"_s, u"Id"_s}));
    }

    void rowsFollowTheStateInIdOrder()
    {
        feed(batch(0ms, {isolate(3), isolate(1), isolate(2)}, true));
        QCOMPARE(shownIds(), (Ids{1, 2, 3}));
        feed(batch(20ms, {isolate(5), isolate(4)}, false, {2}));
        QCOMPARE(shownIds(), (Ids{1, 3, 4, 5}));
        // After a gap the full delta is all there is.
        feed(batch(40ms, {isolate(4), isolate(6)}, true));
        QCOMPARE(shownIds(), (Ids{4, 6}));
    }

    void aChangedRowIsOneDataChangedOverItsChangedColumns()
    {
        feed(batch(0ms, {isolate(1), isolate(2), isolate(3)}, true));
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
        iso::IsolateMetrics busier = isolate(2);
        busier.mailbox_depth = 7;
        busier.errors = 1;
        feed(batch(20ms, {busier}));
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 1);
        const auto topLeft = changed.at(0).at(0).value<QModelIndex>();
        const auto bottomRight = changed.at(0).at(1).value<QModelIndex>();
        QCOMPARE(topLeft.row(), 1);
        QCOMPARE(bottomRight.row(), 1);
        QCOMPARE(topLeft.column(), int(IsolateTableModel::MailboxColumn));
        QCOMPARE(bottomRight.column(), int(IsolateTableModel::ErrorsColumn));
        QCOMPARE(cell(2, IsolateTableModel::MailboxColumn).toULongLong(), 7ull);
        // Nothing changed: nothing said.
        feed(batch(40ms, {busier}));
        QCOMPARE(changed.count(), 1);
    }

    void aSurvivingRowKeepsItsPersistentIndex()
    {
        feed(batch(0ms, {isolate(1), isolate(2), isolate(3)}, true));
        const QPersistentModelIndex three = m_model->index(m_model->rowOf(3), IsolateTableModel::NameColumn);
        feed(batch(20ms, {isolate(0)}, false, {1, 2}));
        QVERIFY(three.isValid());
        QCOMPARE(three.data(IsolateTableModel::IsolateIdRole).toULongLong(), 3ull);
    }

    void showsRatesPercentileAndBusyShare()
    {
        iso::IsolateMetrics m = isolate(1);
        m.path = "/demo/flaky";
        m.restarts = 2;
        feed(batch(0ms, {m}, true));
        for (int i = 0; i < 100; ++i)
            m.handle_time.add(i < 98 ? 1'000 : 2'000'000);  // two slow ones in a hundred
        m.messages_in = 100;
        m.messages_out = 50;
        m.busy_ns = 250'000'000;
        feed(batch(1000ms, {m}));
        QCOMPARE(cell(1, IsolateTableModel::PathColumn).toString(), u"/demo/flaky"_s);
        QCOMPARE(cell(1, IsolateTableModel::InColumn).toString(), u"100"_s);
        QCOMPARE(cell(1, IsolateTableModel::OutColumn).toString(), u"50"_s);
        QCOMPARE(cell(1, IsolateTableModel::BusyColumn).toString(), u"25 %"_s);
        QCOMPARE(cell(1, IsolateTableModel::RestartsColumn).toULongLong(), 2ull);
        // The bucket holding p99 is within 19% above 2 ms.
        const auto p99 = cell(1, IsolateTableModel::P99Column, IsolateTableModel::SortRole).toULongLong();
        QVERIFY2(p99 >= 2'000'000 && p99 <= 2'380'000, QByteArray::number(p99).constData());
        QVERIFY(cell(1, IsolateTableModel::P99Column).toString().endsWith(u" ms"_s));
    }

    void sortsNumbersAsNumbersAndStatesByLifecycle()
    {
        iso::IsolateMetrics a = isolate(1), b = isolate(2), c = isolate(3);
        a.mailbox_depth = 10;
        b.mailbox_depth = 9;
        c.mailbox_depth = 100;
        a.state = iso::IsolateState::Paused;
        b.state = iso::IsolateState::Starting;
        c.state = iso::IsolateState::Running;
        feed(batch(0ms, {a, b, c}, true));
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(m_model.get());
        proxy.setSortRole(IsolateTableModel::SortRole);
        const auto order = [&](int column) {
            proxy.sort(column, Qt::AscendingOrder);
            Ids ids;
            for (int row = 0; row < proxy.rowCount(); ++row)
                ids.push_back(proxy.index(row, IsolateTableModel::IdColumn).data().toULongLong());
            return ids;
        };
        QCOMPARE(order(IsolateTableModel::MailboxColumn), (Ids{2, 1, 3}));
        QCOMPARE(order(IsolateTableModel::StateColumn), (Ids{2, 3, 1}));
    }

    // A pool of 10,000: inserting them is one run, and a batch that changes
    // a few touches only their rows.
    void tenThousandIsolatesAreOneInsertAndFewChanges()
    {
        std::vector<iso::IsolateMetrics> pool;
        for (iso::IsolateId id = 1; id <= 10'000; ++id)
            pool.push_back(isolate(id));
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        feed(batch(0ms, pool, true));
        QCOMPARE(m_model->rowCount(), 10'000);
        QCOMPARE(inserted.count(), 1);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        iso::IsolateMetrics a = isolate(17), b = isolate(18), c = isolate(9'000);
        a.mailbox_depth = b.mailbox_depth = c.mailbox_depth = 3;
        feed(batch(20ms, {a, b, c}));
        QCOMPARE(changed.count(), 2);  // rows 17-18 as one run, and 9000
        QCOMPARE(m_model->rowOf(9'000), 8'999);
    }
};

QTEST_MAIN(TestIsolateTableModel)
#include "tst_isolatetablemodel.moc"
