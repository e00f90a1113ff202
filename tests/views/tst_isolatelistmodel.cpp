#include "isolatelistmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

using Snapshot = std::vector<iso::IsolateInfo>;
using Sequence = std::vector<Snapshot>;
using Ids = std::vector<iso::IsolateId>;

/// A (first, last) row range as reported by rowsInserted / rowsRemoved.
using Range = std::pair<int, int>;
using Ranges = std::vector<Range>;

iso::IsolateInfo isolate(iso::IsolateId id, std::uint64_t handled = 0,
                         iso::IsolateState state = iso::IsolateState::Idle)
{
    iso::IsolateInfo info;
    info.id = id;
    info.debug_name = "isolate-" + std::to_string(id);
    info.state = state;
    info.events_handled = handled;
    return info;
}

Snapshot isolates(std::initializer_list<iso::IsolateId> ids)
{
    Snapshot snapshot;
    for (const iso::IsolateId id : ids)
        snapshot.push_back(isolate(id));
    return snapshot;
}

Snapshot withHandled(Snapshot snapshot, iso::IsolateId id, std::uint64_t handled)
{
    for (auto& info : snapshot) {
        if (info.id == id)
            info.events_handled = handled;
    }
    return snapshot;
}

Ranges rangesOf(const QSignalSpy& spy)
{
    Ranges ranges;
    for (const QList<QVariant>& arguments : spy)
        ranges.emplace_back(arguments.at(1).toInt(), arguments.at(2).toInt());
    return ranges;
}

} // namespace

namespace QTest {
// Readable failure messages for the list comparisons below.
template <> char* toString(const Ids& ids)
{
    QByteArray text = "{";
    for (const iso::IsolateId id : ids)
        text += (text.size() > 1 ? ", " : "") + QByteArray::number(id);
    text += '}';
    return qstrdup(text.constData());
}

template <> char* toString(const Ranges& ranges)
{
    QByteArray text = "{";
    for (const auto& [first, last] : ranges)
        text += (text.size() > 1 ? ", " : "") + QByteArray::number(first) + ".." + QByteArray::number(last);
    text += '}';
    return qstrdup(text.constData());
}
} // namespace QTest

Q_DECLARE_METATYPE(Sequence)
Q_DECLARE_METATYPE(Snapshot)
Q_DECLARE_METATYPE(Ids)
Q_DECLARE_METATYPE(Ranges)

class TestIsolateListModel : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<IsolateListModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    Ids shownIds() const
    {
        Ids ids;
        for (int row = 0; row < m_model->rowCount(); ++row)
            ids.push_back(m_model->index(row, IsolateListModel::IdColumn).data().toULongLong());
        return ids;
    }

private slots:
    void init()
    {
        m_model = std::make_unique<IsolateListModel>();
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    }

    void cleanup()
    {
        m_tester.reset();
        m_model.reset();
    }

    void startsEmptyWithNamedColumns()
    {
        QCOMPARE(m_model->rowCount(), 0);
        QCOMPARE(m_model->columnCount(), int(IsolateListModel::ColumnCount));
        const QStringList expected = {u"Id"_s, u"Name"_s, u"State"_s, u"Mailbox"_s, u"Handled"_s, u"Errors"_s};
        QStringList headers;
        for (int column = 0; column < m_model->columnCount(); ++column)
            headers << m_model->headerData(column, Qt::Horizontal).toString();
        QCOMPARE(headers, expected);
    }

    void followsSnapshots_data()
    {
        QTest::addColumn<Sequence>("sequence");
        QTest::addColumn<Ids>("expected");

        QTest::addRow("first snapshot") << Sequence{isolates({1, 2, 3})} << Ids{1, 2, 3};
        QTest::addRow("append") << Sequence{isolates({1, 2}), isolates({1, 2, 3, 4})} << Ids{1, 2, 3, 4};
        QTest::addRow("prepend") << Sequence{isolates({5, 6}), isolates({1, 2, 5, 6})} << Ids{1, 2, 5, 6};
        QTest::addRow("insert in the middle") << Sequence{isolates({1, 9}), isolates({1, 4, 5, 9})} << Ids{1, 4, 5, 9};
        QTest::addRow("remove in the middle") << Sequence{isolates({1, 2, 3, 4, 5}), isolates({1, 5})} << Ids{1, 5};
        QTest::addRow("remove both ends") << Sequence{isolates({1, 2, 3, 4}), isolates({2, 3})} << Ids{2, 3};
        QTest::addRow("scattered removals") << Sequence{isolates({1, 2, 3, 4, 5, 6, 7}), isolates({2, 4, 5, 7})}
                                            << Ids{2, 4, 5, 7};
        QTest::addRow("insert and remove at once") << Sequence{isolates({1, 3, 5, 7}), isolates({2, 3, 6, 7, 8})}
                                                   << Ids{2, 3, 6, 7, 8};
        QTest::addRow("to empty") << Sequence{isolates({1, 2, 3}), {}} << Ids{};
        QTest::addRow("empty and back") << Sequence{isolates({1, 2}), {}, isolates({3})} << Ids{3};
        QTest::addRow("replace everything") << Sequence{isolates({1, 2}), isolates({3, 4})} << Ids{3, 4};
        QTest::addRow("unsorted input") << Sequence{isolates({4, 1, 3})} << Ids{1, 3, 4};
        QTest::addRow("duplicate id kept once") << Sequence{isolates({1, 2, 2, 3})} << Ids{1, 2, 3};
        QTest::addRow("unchanged") << Sequence{isolates({1, 2}), isolates({1, 2})} << Ids{1, 2};
    }

    void followsSnapshots()
    {
        QFETCH(Sequence, sequence);
        QFETCH(Ids, expected);

        for (const Snapshot& snapshot : sequence)
            m_model->applySnapshot(snapshot);

        QCOMPARE(shownIds(), expected);
        for (int row = 0; row < m_model->rowCount(); ++row) {
            const auto id = expected[static_cast<std::size_t>(row)];
            QCOMPARE(m_model->index(row, IsolateListModel::NameColumn).data().toString(),
                     QStringLiteral("isolate-%1").arg(id));
        }
    }

    void reportsMinimalRowChanges_data()
    {
        QTest::addColumn<Snapshot>("before");
        QTest::addColumn<Snapshot>("after");
        QTest::addColumn<Ranges>("inserted");
        QTest::addColumn<Ranges>("removed");

        QTest::addRow("one run inserted") << isolates({1, 9}) << isolates({1, 4, 5, 6, 9}) << Ranges{{1, 3}}
                                          << Ranges{};
        QTest::addRow("two runs inserted") << isolates({1, 5}) << isolates({1, 2, 3, 5, 7}) << Ranges{{1, 2}, {4, 4}}
                                           << Ranges{};
        QTest::addRow("one run removed") << isolates({1, 2, 3, 4, 5, 6}) << isolates({1, 2, 5, 6}) << Ranges{}
                                         << Ranges{{2, 3}};
        // Removed back to front, so each range is valid when it is reported.
        QTest::addRow("two runs removed") << isolates({1, 2, 3, 4, 5}) << isolates({1, 4}) << Ranges{}
                                          << Ranges{{4, 4}, {1, 2}};
        QTest::addRow("all removed") << isolates({1, 2, 3}) << Snapshot{} << Ranges{} << Ranges{{0, 2}};
        QTest::addRow("removed then inserted") << isolates({1, 2, 3}) << isolates({1, 3, 4}) << Ranges{{2, 2}}
                                               << Ranges{{1, 1}};
        QTest::addRow("nothing new") << isolates({1, 2}) << isolates({1, 2}) << Ranges{} << Ranges{};
    }

    void reportsMinimalRowChanges()
    {
        QFETCH(Snapshot, before);
        QFETCH(Snapshot, after);
        QFETCH(Ranges, inserted);
        QFETCH(Ranges, removed);

        m_model->applySnapshot(before);
        QSignalSpy insertions(m_model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy removals(m_model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy resets(m_model.get(), &QAbstractItemModel::modelReset);
        m_model->applySnapshot(after);

        QCOMPARE(rangesOf(insertions), inserted);
        QCOMPARE(rangesOf(removals), removed);
        QCOMPARE(resets.count(), 0);
    }

    void reportsChangedRowsOnly()
    {
        const Snapshot before = isolates({1, 2, 3, 4, 5});
        m_model->applySnapshot(before);
        QSignalSpy changes(m_model.get(), &QAbstractItemModel::dataChanged);

        m_model->applySnapshot(before);
        QCOMPARE(changes.count(), 0);

        // Rows 1 and 2 are neighbours and share one signal; row 4 gets its own.
        m_model->applySnapshot(withHandled(withHandled(withHandled(before, 2, 7), 3, 8), 5, 9));
        QCOMPARE(changes.count(), 2);
        const auto topLeft = [&](int signal) { return changes.at(signal).at(0).value<QModelIndex>(); };
        const auto bottomRight = [&](int signal) { return changes.at(signal).at(1).value<QModelIndex>(); };
        QCOMPARE(topLeft(0).row(), 1);
        QCOMPARE(bottomRight(0).row(), 2);
        QCOMPARE(topLeft(0).column(), int(IsolateListModel::HandledColumn));
        QCOMPARE(bottomRight(0).column(), int(IsolateListModel::HandledColumn));
        QCOMPARE(topLeft(1).row(), 4);
        QCOMPARE(bottomRight(1).row(), 4);
        QCOMPARE(m_model->index(2, IsolateListModel::HandledColumn).data().toULongLong(), 8ull);
    }

    void keepsPersistentIndexOfSurvivingRow()
    {
        m_model->applySnapshot(isolates({1, 2, 3, 4, 5}));
        const QPersistentModelIndex three = m_model->index(2, IsolateListModel::NameColumn);
        QCOMPARE(three.data().toString(), u"isolate-3"_s);

        m_model->applySnapshot(isolates({2, 3, 9}));
        QVERIFY(three.isValid());
        QCOMPARE(three.row(), 1);
        QCOMPARE(three.data().toString(), u"isolate-3"_s);

        m_model->applySnapshot(withHandled(isolates({0, 3, 9}), 3, 42));
        QVERIFY(three.isValid());
        QCOMPARE(three.row(), 1);
        QCOMPARE(m_model->index(three.row(), IsolateListModel::HandledColumn).data().toULongLong(), 42ull);

        m_model->applySnapshot(isolates({0, 9}));
        QVERIFY(!three.isValid());
    }

    void showsEveryColumn()
    {
        iso::IsolateInfo info = isolate(7, 1234, iso::IsolateState::Paused);
        info.debug_name = "ticker";
        info.mailbox_depth = 3;
        info.errors = 2;
        m_model->applySnapshot({info});

        const auto cell = [&](int column, int role = Qt::DisplayRole) { return m_model->index(0, column).data(role); };
        QCOMPARE(cell(IsolateListModel::IdColumn).toULongLong(), 7ull);
        QCOMPARE(cell(IsolateListModel::NameColumn).toString(), u"ticker"_s);
        QCOMPARE(cell(IsolateListModel::StateColumn).toString(),
                 QString::fromUtf8(iso::state_name(iso::IsolateState::Paused)));
        QCOMPARE(cell(IsolateListModel::MailboxColumn).toULongLong(), 3ull);
        QCOMPARE(cell(IsolateListModel::HandledColumn).toULongLong(), 1234ull);
        QCOMPARE(cell(IsolateListModel::ErrorsColumn).toULongLong(), 2ull);

        QCOMPARE(cell(IsolateListModel::HandledColumn).metaType(), QMetaType::fromType<qulonglong>());
        QCOMPARE(cell(IsolateListModel::StateColumn, IsolateListModel::SortRole).toInt(),
                 int(iso::IsolateState::Paused));
        QCOMPARE(cell(IsolateListModel::NameColumn, IsolateListModel::IsolateIdRole).toULongLong(), 7ull);
    }

    void sortsNumbersAsNumbers()
    {
        m_model->applySnapshot({isolate(1, 100), isolate(2, 9), isolate(3, 10)});
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(m_model.get());
        proxy.setSortRole(IsolateListModel::SortRole);
        proxy.sort(IsolateListModel::HandledColumn, Qt::AscendingOrder);

        Ids order;
        for (int row = 0; row < proxy.rowCount(); ++row)
            order.push_back(proxy.index(row, IsolateListModel::IdColumn).data().toULongLong());
        QCOMPARE(order, (Ids{2, 3, 1}));
    }

    void sortsStatesInLifecycleOrder()
    {
        m_model->applySnapshot({isolate(1, 0, iso::IsolateState::Running), isolate(2, 0, iso::IsolateState::Starting),
                                isolate(3, 0, iso::IsolateState::Idle)});
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(m_model.get());
        proxy.setSortRole(IsolateListModel::SortRole);
        proxy.sort(IsolateListModel::StateColumn, Qt::AscendingOrder);

        Ids order;
        for (int row = 0; row < proxy.rowCount(); ++row)
            order.push_back(proxy.index(row, IsolateListModel::IdColumn).data().toULongLong());
        QCOMPARE(order, (Ids{2, 3, 1}));
    }
};

QTEST_MAIN(TestIsolateListModel)
#include "tst_isolatelistmodel.moc"
