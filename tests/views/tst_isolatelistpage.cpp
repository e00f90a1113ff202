#include "isolatelistmodel.h"
#include "isolatelistpage.h"

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QTableView>
#include <QTest>

#include <initializer_list>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

std::vector<iso::IsolateInfo> named(std::initializer_list<const char*> names)
{
    std::vector<iso::IsolateInfo> snapshot;
    iso::IsolateId id = 0;
    for (const char* name : names) {
        iso::IsolateInfo info;
        info.id = ++id;
        info.debug_name = name;
        info.events_handled = 100 - id;
        snapshot.push_back(info);
    }
    return snapshot;
}

QStringList shownNames(const QTableView& table)
{
    QStringList names;
    const QAbstractItemModel& model = *table.model();
    for (int row = 0; row < model.rowCount(); ++row)
        names << model.index(row, IsolateListModel::NameColumn).data().toString();
    return names;
}

} // namespace

class TestIsolateListPage : public QObject
{
    Q_OBJECT

private slots:
    void filtersByNameAndSorts()
    {
        IsolateListModel model;
        IsolateListPage page(&model);
        auto* filter = page.findChild<QLineEdit*>();
        auto* table = page.findChild<QTableView*>();
        QVERIFY(filter);
        QVERIFY(table);
        QAbstractItemModelTester tester(table->model(), QAbstractItemModelTester::FailureReportingMode::Fatal);

        model.applySnapshot(named({"ticker", "worker-1", "Worker-2", "ping"}));
        QCOMPARE(shownNames(*table), (QStringList{u"ticker"_s, u"worker-1"_s, u"Worker-2"_s, u"ping"_s}));

        QTest::keyClicks(filter, u"work"_s);
        QCOMPARE(shownNames(*table), (QStringList{u"worker-1"_s, u"Worker-2"_s}));

        // Rows that arrive later are filtered too.
        model.applySnapshot(named({"ticker", "worker-1", "Worker-2", "ping", "worker-3"}));
        QCOMPARE(shownNames(*table), (QStringList{u"worker-1"_s, u"Worker-2"_s, u"worker-3"_s}));

        table->sortByColumn(IsolateListModel::HandledColumn, Qt::AscendingOrder);
        QCOMPARE(shownNames(*table), (QStringList{u"worker-3"_s, u"Worker-2"_s, u"worker-1"_s}));

        filter->clear();
        QCOMPARE(table->model()->rowCount(), 5);
    }
};

QTEST_MAIN(TestIsolateListPage)
#include "tst_isolatelistpage.moc"
